r"""One gradient-descent step of the uv model, derived by SymPy's matrix calculus and reduced to Gram invariants.

The model (Lewkowycz, Bahri, Dyer, Sohl-Dickstein and Gur-Ari 2020, section 2) is
$f(x) = n^{-1/2}\,x\,v^\top u$ with $u, v \in \mathbb R^n$, one training point $(x, y)$ and the loss
$\tfrac12(f - y)^2$.  Its neural tangent kernel is the scalar
$\lambda = \lVert\nabla_{u,v} f\rVert^2 = x^2(\lVert u\rVert^2 + \lVert v\rVert^2)/n$.

A step $u \leftarrow u - \eta\,\partial_u L$, $v \leftarrow v - \eta\,\partial_v L$ keeps $(u, v)$ in their span, so
$f$ and $\lambda$ after the step are polynomials in the Gram entries $u^\top u$, $v^\top v$, $u^\top v$; the gradient
$\partial_u f = x v/\sqrt n$ comes from ``MatrixExpr.diff`` (nothing is typed in), and :func:`gram_reduce` maps
each $1\times1$ product of the expanded expression to its Gram symbol.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["gram_reduce", "uv_step_in_invariants"]


def _factors(term: sp.Basic) -> tuple[sp.Expr, list]:
    """``term`` as (scalar coefficient, matrix factors in order)."""
    if isinstance(term, (sp.MatMul, sp.Mul)):
        scalar, mats = sp.S.One, []
        for arg in term.args:
            s, m = _factors(arg)
            scalar, mats = scalar * s, mats + m
        return scalar, mats
    if getattr(term, "is_Matrix", False):
        return sp.S.One, [term]
    return term, []


def gram_reduce(expr: sp.Basic, gram: dict) -> sp.Expr:
    r"""A sum of scalar multiples of $a^\top b$ ($a, b$ column ``MatrixSymbol``\ s) as a scalar expression:
    ``gram[(a, b)]`` replaces each product $a^\top b$.  ``ValueError`` for a term that is not such a product."""
    expr = sp.expand(expr)
    terms = expr.args if isinstance(expr, sp.MatAdd) else (expr,)
    out = sp.S.Zero
    for term in terms:
        scalar, mats = _factors(term)
        if len(mats) != 2 or not isinstance(mats[0], sp.Transpose):
            raise ValueError(f"gram_reduce: {term} is not a scalar multiple of a^T b")
        out += scalar * gram[(mats[0].arg, mats[1])]
    return sp.expand(out)


def uv_step_in_invariants(*, f: sp.Symbol, ntk: sp.Symbol, eta: sp.Symbol, n: sp.Symbol, x: sp.Symbol,
                          y: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    r"""$(f_{t+1}, \lambda_{t+1})$ as expressions in $(f_t, \lambda_t, \eta, n, x, y)$, derived from the model.

    $u, v$ are ``MatrixSymbol('u', n, 1)`` etc.; the residual $r = f - y$ is a scalar in the step (the
    gradient of $\tfrac12(f - y)^2$ is $r\,\nabla f$).  After expanding $f(u', v')$ and $\lambda(u', v')$ the
    Gram entries are eliminated with $u^\top v = \sqrt n f/x$ and $u^\top u = n\lambda/x^2 - v^\top v$ (no
    $v^\top v$ survives: a test asserts it).
    """
    u, v = sp.MatrixSymbol("u", n, 1), sp.MatrixSymbol("v", n, 1)
    uu, vv, uv = sp.symbols("g_uu g_vv g_uv")
    gram = {(u, u): uu, (v, v): vv, (u, v): uv, (v, u): uv}
    model = x * (v.T * u) / sp.sqrt(n)
    residual = f - y
    u1 = u - eta * residual * model.diff(u)
    v1 = v - eta * residual * model.diff(v)
    f_next = gram_reduce(x * (v1.T * u1) / sp.sqrt(n), gram)
    ntk_next = gram_reduce(x ** 2 * (u1.T * u1 + v1.T * v1) / n, gram)
    back = {uv: sp.sqrt(n) * f / x, uu: n * ntk / x ** 2 - vv}
    f_next, ntk_next = (sp.expand(e.subs(back)) for e in (f_next, ntk_next))
    if vv in f_next.free_symbols or vv in ntk_next.free_symbols:
        raise AssertionError("the uv step did not close on (f, lambda)")
    return f_next, ntk_next
