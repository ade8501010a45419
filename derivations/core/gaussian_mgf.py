r"""Exact Gaussian expectations of exponential-polynomial functions.

The class is $f(x) = \sum_i P_i(x)\, e^{\alpha_i x^2 + \beta_i x}$ with polynomials
$P_i$ and constants $\alpha_i, \beta_i$ ($\beta_i$ may be complex, which covers
$\sin$ and $\cos$).  For $(u, v) \sim N(0, \Sigma)$ and $A = \mathrm{diag}(\alpha, \alpha')$,
completing the square gives the moment generating function

$$
M(t) = E\left[e^{\alpha u^2 + \alpha' v^2 + t_1 u + t_2 v}\right]
     = \det(I - 2\Sigma A)^{-1/2}
       \exp\left(\tfrac12 t^\top (I - 2\Sigma A)^{-1} \Sigma\, t\right),
$$

valid while $I - 2\Sigma A$ has a positive determinant; the form never inverts
$\Sigma$, so it holds at $|c| = \sqrt{q_1 q_2}$.  Then
$E[u^j v^k e^{\alpha u^2 + \alpha' v^2 + \beta u + \beta' v}] = \partial_{t_1}^j \partial_{t_2}^k M(t)$
at $t = (\beta, \beta')$.  Polynomials ($\alpha = \beta = 0$) reduce to Isserlis'
theorem.  This is direct symbolic integration: no identity is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .symbols import c, q1, q2, x

__all__ = ["ExpPolyTerm", "decompose", "bivariate_expectation", "univariate_expectation"]


@dataclass(frozen=True)
class ExpPolyTerm:
    """One term $P(x)\\, e^{\\alpha x^2 + \\beta x}$."""

    poly: sp.Expr
    alpha: sp.Expr
    beta: sp.Expr


def decompose(expr: sp.Expr) -> list[ExpPolyTerm] | None:
    """Split ``expr`` (a function of ``x``) into exponential-polynomial terms.

    Returns ``None`` when ``expr`` is outside the class (e.g. ``tanh``,
    ``erf``, ``Piecewise``).
    """
    if expr.has(sp.Piecewise, sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.erf, sp.erfc):
        return None
    rewritten = sp.expand(sp.powsimp(sp.expand(expr.rewrite(sp.exp)), combine="exp"))
    groups: dict[tuple[sp.Expr, sp.Expr], sp.Expr] = {}
    for term in sp.Add.make_args(rewritten):
        exponent = sp.Integer(0)
        rest = sp.Integer(1)
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, sp.exp) or (factor.is_Pow and factor.base == sp.E):
                exponent += factor.exp if factor.is_Pow else factor.args[0]
            else:
                rest *= factor
        exponent = sp.expand(exponent)
        if not exponent.is_polynomial(x) or sp.degree(exponent, x) > 2:
            return None
        if not rest.is_polynomial(x):
            return None
        alpha = exponent.coeff(x, 2)
        beta = exponent.coeff(x, 1)
        const = exponent.coeff(x, 0)
        key = (alpha, beta)
        groups[key] = groups.get(key, sp.Integer(0)) + rest * sp.exp(const)
    return [ExpPolyTerm(sp.expand(p), a, b) for (a, b), p in groups.items() if p != 0]


def _mgf(alpha1: sp.Expr, alpha2: sp.Expr, t1: sp.Symbol, t2: sp.Symbol) -> sp.Expr:
    sigma = sp.Matrix([[q1, c], [c, q2]])
    b = sp.eye(2) - 2 * sigma * sp.diag(alpha1, alpha2)
    det = sp.expand(b.det())
    adj = b.adjugate()  # (I - 2 S A)^{-1} = adj / det
    tt = sp.Matrix([t1, t2])
    quad = sp.expand((tt.T * adj * sigma * tt)[0])
    return det ** sp.Rational(-1, 2) * sp.exp(quad / (2 * det))


def bivariate_expectation(f: list[ExpPolyTerm], g: list[ExpPolyTerm]) -> sp.Expr:
    r"""$E[f(u) g(v)]$ for $(u, v) \sim N(0, [[q_1, c], [c, q_2]])$, in closed form."""
    t1, t2 = sp.symbols("t1 t2")
    total = sp.Integer(0)
    for tf in f:
        for tg in g:
            mgf = _mgf(tf.alpha, tg.alpha, t1, t2)
            pf, pg = sp.Poly(tf.poly, x), sp.Poly(tg.poly, x)
            part = sp.Integer(0)
            for (j,), af in pf.terms():
                for (k,), ag in pg.terms():
                    part += af * ag * sp.diff(mgf, t1, j, t2, k)
            total += part.subs({t1: tf.beta, t2: tg.beta})
    return _tidy(total)


def univariate_expectation(f: list[ExpPolyTerm], var: sp.Expr) -> sp.Expr:
    r"""$E[f(u)]$ for $u \sim N(0, \mathrm{var})$."""
    t1 = sp.Symbol("t1")
    total = sp.Integer(0)
    for term in f:
        det = 1 - 2 * var * term.alpha
        mgf = det ** sp.Rational(-1, 2) * sp.exp(var * t1**2 / (2 * det))
        poly = sp.Poly(term.poly, x)
        part = sum(a * sp.diff(mgf, t1, j) for (j,), a in poly.terms())
        total += part.subs(t1, term.beta)
    return _tidy(total)


def _tidy(expr: sp.Expr) -> sp.Expr:
    """Make a real result look real: rewrite complex exponentials and simplify."""
    if expr.has(sp.I):
        expr = sp.expand_complex(sp.expand(expr))
        expr = sp.simplify(expr.rewrite(sp.cos))
    return sp.simplify(sp.factor_terms(expr))
