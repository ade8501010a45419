r"""Dual activations derived as records.

For an activation $\varphi$ and $(u, v) \sim N\left(0, \begin{pmatrix} q_1 & c\\ c & q_2\end{pmatrix}\right)$:

* the dual $V_\varphi(q_1, q_2, c) = E[\varphi(u)\varphi(v)]$,
* the derivative dual $\dot V_\varphi(q_1, q_2, c) = E[\varphi'(u)\varphi'(v)]$,
* the variance $E[\varphi(u)^2] = V_\varphi(q, q, q)$ and $E[\varphi'(u)^2]$.

Routes, tried in order (the record says which one was taken):

1. **Kinked** (polynomial on each side of 0): Price's theorem integrated from
   the $c = 0$ boundary, starting from the delta function
   (:mod:`derivations.core.gaussian_kinked`).
2. **Exponential-polynomial**: direct symbolic integration through the moment
   generating function of a Gaussian quadratic form (:mod:`derivations.core.gaussian_mgf`).
3. **Price chain**: if $\varphi^{(k)}$ ($k \le 3$) is exponential-polynomial,
   $V_{\varphi^{(j)}}(c) = E[\varphi^{(j)}(u)]\,E[\varphi^{(j)}(v)] + \int_0^c V_{\varphi^{(j+1)}}(t)\,dt$
   for $j = k-1, \dots, 0$, with the one-dimensional boundary values from the
   heat equation $\partial_q E[f(\sqrt q\,\xi)] = \tfrac12 E[f''(\sqrt q\,\xi)]$.
4. Otherwise a **numerical fallback**: the numerics integrate by quadrature.

Each closed form is checked symbolically when the record is built: Price's
identity $\partial_c V_\varphi = \dot V_\varphi$ (where $\varphi$ is continuous)
and, where an independent one-dimensional route exists, the diagonal value.

**Budget.**  A user's activation may send SymPy into minutes of ``simplify`` or
``integrate``.  :func:`dual_record` therefore runs all its symbolic work (the
routes, the checks, the diagonal simplifications) under one budget of
``budget_s`` CPU seconds (:mod:`derivations.core.time_budget`; default
``USER_BUDGET_S``); when it runs out, the record takes route 4 and its steps say
which symbolic route exceeded the budget.  The activations shipped in the
catalog are always derived without a budget: their records are committed and
re-derived byte for byte by ``deeplimits codegen --check``, so they must not
depend on the speed of the machine.  Which way a user activation near the
budget goes can depend on the CPU; activations that need a small fraction of it
(``x*erf(x)``: about 2 s here) or never finish do not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from ..core import gaussian_mgf as mgf
from .activations import ActivationSpec, activation_spec
from ..core.gaussian_kinked import KinkedFunction, half_moment, half_line_moment, r, split_at_zero
from ..core.parameters import Parameter
from ..core.record import Derivation, Method, NumericalForm, Record
from ..core.safe_parse import parse_activation
from ..core.stable_forms import kinked_numerical_form
from ..core.symbols import C, Q, Q1, Q2, X, c, q, q1, q2, x
from ..core.time_budget import BudgetExceeded, run_with_budget, validate_budget

__all__ = ["USER_BUDGET_S", "DualResult", "custom_activation", "derive_dual", "dual_record"]

ASSUMPTION_GAUSSIAN = (
    "(u, v) is a centred Gaussian pair with Var u = q1, Var v = q2, Cov(u, v) = c, |c| <= sqrt(q1 q2)"
)
MAX_PRICE_CHAIN = 3
#: CPU seconds for all the symbolic work on one user activation (``dual_record(..., budget_s="auto")``).
USER_BUDGET_S = 5.0


@dataclass(frozen=True)
class DualResult:
    """What the engine found for one activation."""

    method: Method
    route: str
    dual: sp.Expr | None
    dual_derivative: sp.Expr | None
    steps: tuple[str, ...]
    checks: tuple[str, ...] = ()
    kinked: KinkedFunction | None = None


# ---------------------------------------------------------------------------
def _kinked_dual(f: KinkedFunction, g: KinkedFunction) -> sp.Expr:
    rho = c / sp.sqrt(q1 * q2)
    total = sp.Integer(0)
    for s1, p1 in ((-1, f.negative), (1, f.positive)):
        for s2, p2 in ((-1, g.negative), (1, g.positive)):
            for (j,), a in p1.terms():
                for (k,), b in p2.terms():
                    m = half_line_moment(min(j, k), max(j, k)).subs(r, s1 * s2 * rho)
                    total += a * b * s1**j * s2**k * q1 ** sp.Rational(j, 2) * q2 ** sp.Rational(k, 2) * m
    return _present(total)


def _present(expr: sp.Expr) -> sp.Expr:
    """Readable canonical form: arcsin of the correlation written as pi/2 - theta."""
    return sp.simplify(expr.replace(sp.asin, lambda arg: sp.pi / 2 - sp.acos(arg)))


def _vanishes(expr: sp.Expr) -> str | None:
    """How ``expr`` was shown to be 0: ``"symbolic"``, ``"50 digits"`` or ``None``.

    ``simplify`` is tried first; when it cannot decide, ``expr`` is evaluated at
    fixed interior points (q1, q2 > 0, |c| < sqrt(q1 q2), parameters in their
    typical ranges) with 50 significant digits.
    """
    if sp.simplify(expr) == 0:
        return "symbolic"
    points = [(sp.Rational(7, 10), sp.Rational(13, 10), sp.Rational(11, 20)),
              (sp.Rational(5, 2), sp.Rational(1, 3), sp.Rational(-4, 5)),
              (sp.Rational(1, 9), sp.Rational(3, 1), sp.Rational(1, 10))]
    others = sorted(expr.free_symbols - {q1, q2, c, q}, key=str)
    for i, (a, b, cc) in enumerate(points):
        sub = {q1: a, q2: b, c: cc, q: a}
        sub.update({s: sp.Rational(3 + i, 7 + s.name.__len__()) for s in others})
        if abs(sp.N(expr.subs(sub), 50)) > sp.Float("1e-40"):
            return None
    return "50 digits"


def _kinked_diagonal(f: KinkedFunction) -> sp.Expr:
    """$E[\\varphi(u)^2]$ by one-dimensional half-line moments (independent of $M_{jk}$)."""
    total = sp.Integer(0)
    for sign, p in ((-1, f.negative), (1, f.positive)):
        sq = sp.Poly(p.as_expr() ** 2, x)
        for (m,), a in sq.terms():
            total += a * sign**m * q ** sp.Rational(m, 2) * half_moment(m)
    return sp.simplify(total)


def _heat_mean(phi: sp.Expr, depth: int = 0) -> sp.Expr | None:
    r"""$E[\varphi(u)]$, $u \sim N(0, q)$: directly if exponential-polynomial, else by the heat equation."""
    terms = mgf.decompose(phi)
    if terms is not None:
        return mgf.univariate_expectation(terms, q)
    if depth >= MAX_PRICE_CHAIN:
        return None
    inner = _heat_mean(sp.diff(phi, x, 2), depth + 1)
    if inner is None:
        return None
    s = sp.Dummy("s", positive=True)
    return sp.simplify(phi.subs(x, 0) + sp.integrate(inner.subs(q, s), (s, 0, q)) / 2)


def _integrate_in_c(integrand: sp.Expr) -> sp.Expr:
    try:
        from ..core.gaussian_integrals import integrate_price_step
    except ImportError:  # pragma: no cover - optional accelerator
        integrate_price_step = None
    tt = sp.Dummy("t", real=True)
    body = integrand.subs(c, tt)
    if integrate_price_step is not None:
        try:
            return integrate_price_step(body, tt, c)
        except NotImplementedError:
            pass
    return sp.integrate(body, (tt, 0, c))


def derive_dual(phi: sp.Expr, *, budget_s: float | None = None) -> DualResult:
    """Run the routes of this module on $\\varphi(x)$ (a SymPy expression of ``x``).

    ``budget_s``: CPU seconds for all routes together (:func:`derivations.core.time_budget.run_with_budget`),
    or ``None`` (the default) for no budget; past it the result is the numerical fallback and its
    steps name the route that ran out of time.
    """
    budget_s = validate_budget(budget_s)
    try:
        return run_with_budget(functools.partial(_routes, phi), budget_s=budget_s)
    except BudgetExceeded as exc:
        return _budget_fallback(exc)


def _budget_fallback(exc: BudgetExceeded) -> DualResult:
    steps = (f"{exc}; the numerics integrate by quadrature (a faster machine or a larger budget_s may find the closed form).",)
    return DualResult(Method.NUMERICAL_FALLBACK, "quadrature", None, None, steps)


def _no_stage(name: str) -> None:
    return None


def _routes(phi: sp.Expr, stage=_no_stage) -> DualResult:
    """The routes in order; ``stage(name)`` is called as each one starts (for the budget's message)."""
    stage("Price's theorem from the delta boundary (kinked)")
    kinked = split_at_zero(phi)
    if kinked is not None:
        v = _kinked_dual(kinked, kinked)
        vd = _kinked_dual(kinked.derivative(), kinked.derivative())
        steps = (
            r"Split $\varphi = p_-(x)1[x<0] + p_+(x)1[x>0]$ with "
            f"$p_- = {sp.latex(kinked.negative.as_expr())}$, $p_+ = {sp.latex(kinked.positive.as_expr())}$.",
            r"Reduce to half-line moments $M_{jk}(r) = E[\xi_1^j\xi_2^k 1[\xi_1>0]1[\xi_2>0]]$ at unit variances.",
            r"Derive each $M_{jk}$ by integrating Price's identity $dM_{jk}/dr$ from $r=0$, "
            r"starting from $E[\delta(\xi_1)\delta(\xi_2)] = 1/(2\pi\sqrt{1-r^2})$.",
            r"$\dot V$ is the dual of $\varphi'$ away from 0"
            + ("." if kinked.continuous else r"; $\varphi$ jumps at 0, so its distributional derivative has a delta that the NTK of a finite network never sees, and Price's identity does not hold."),
        )
        return DualResult(Method.DERIVED, "Price's theorem from the delta boundary (kinked)", v, vd, steps, kinked=kinked)

    stage("direct integration (exponential-polynomial MGF)")
    terms = mgf.decompose(phi)
    if terms is not None:
        dterms = mgf.decompose(sp.diff(phi, x))
        v = mgf.bivariate_expectation(terms, terms)
        vd = mgf.bivariate_expectation(dterms, dterms)
        steps = (
            r"Write $\varphi$ as a sum of $P(x)e^{\alpha x^2 + \beta x}$.",
            r"Differentiate the Gaussian moment generating function "
            r"$\det(I-2\Sigma A)^{-1/2}\exp(\tfrac12 t^\top(I-2\Sigma A)^{-1}\Sigma t)$ in $t$ (direct integration).",
        )
        return DualResult(Method.DERIVED, "direct integration (exponential-polynomial MGF)", v, vd, steps)

    for k in range(1, MAX_PRICE_CHAIN + 1):
        stage(f"Price chain of order {k} over the MGF")
        dk = mgf.decompose(sp.diff(phi, x, k))
        if dk is None:
            continue
        duals = {k: mgf.bivariate_expectation(dk, dk)}
        for j in range(k - 1, -1, -1):
            mean = _heat_mean(sp.diff(phi, x, j))
            if mean is None:
                break
            boundary = mean.subs(q, q1) * mean.subs(q, q2)
            duals[j] = sp.simplify(boundary + _integrate_in_c(duals[j + 1]))
        else:
            steps = (
                rf"$\varphi^{{({k})}}(x) = {sp.latex(sp.simplify(sp.diff(phi, x, k)))}$ is exponential-polynomial: its dual follows from the Gaussian MGF.",
                r"Integrate Price's identity $\partial_c V_{\varphi^{(j)}} = V_{\varphi^{(j+1)}}$ from $c = 0$, "
                r"where $V_{\varphi^{(j)}}(q_1,q_2,0) = E[\varphi^{(j)}(u)]E[\varphi^{(j)}(v)]$ "
                r"(one-dimensional means from the heat equation $\partial_q E f = \tfrac12 E f''$).",
            )
            return DualResult(Method.DERIVED, f"Price chain of order {k} over the MGF", duals[0], duals[1], steps)

    steps = ("No closed form found by the kinked, MGF or Price-chain routes; the numerics integrate by quadrature.",)
    return DualResult(Method.NUMERICAL_FALLBACK, "quadrature", None, None, steps)


# ---------------------------------------------------------------------------
def _checks(phi: sp.Expr, res: DualResult) -> tuple[str, ...]:
    done = []
    if res.kinked is None or res.kinked.continuous:
        how = _vanishes(sp.diff(res.dual, c) - res.dual_derivative)
        if how is None:
            raise AssertionError(f"Price identity fails for {phi}")
        done.append(f"Price identity ({how})")
    diag = sp.simplify(res.dual.subs({q1: q, q2: q}).subs(c, q))
    if res.kinked is not None:
        independent = _kinked_diagonal(res.kinked)
    else:
        sq = mgf.decompose(sp.expand(phi**2))
        independent = mgf.univariate_expectation(sq, q) if sq is not None else None
    if independent is not None:
        how = _vanishes(diag - independent)
        if how is None:
            raise AssertionError(f"diagonal check fails for {phi}: {diag} != {independent}")
        done.append(f"diagonal E[phi(u)^2] ({how})")
    return tuple(done)


def _diag_form(form: NumericalForm) -> NumericalForm:
    sub = {q1: q, q2: q, c: q}
    return NumericalForm(tuple((s, e.subs(sub)) for s, e in form.prologue), form.expr.subs(sub))


def _symbolic_work(phi: sp.Expr, stage=_no_stage) -> tuple[DualResult, tuple[str, ...], dict[str, sp.Expr]]:
    """Everything symbolic in a dual record: the routes, the checks, the diagonal values."""
    res = _routes(phi, stage)
    if res.dual is None:
        return res, (), {}
    stage(f"{res.route}, its symbolic checks")
    checks = _checks(phi, res)
    stage(f"{res.route}, its diagonal values")
    diagonal = {"variance": sp.simplify(res.dual.subs({q1: q, q2: q}).subs(c, q)),
                "derivative_variance": sp.simplify(res.dual_derivative.subs({q1: q, q2: q}).subs(c, q))}
    return res, checks, diagonal


def _is_shipped(spec: ActivationSpec) -> bool:
    from .activations import ACTIVATIONS

    return any(spec is shipped for shipped in ACTIVATIONS.values())


def dual_record(spec: ActivationSpec, *, budget_s: float | None | str = "auto") -> Record:
    """The record ``dual.<name>`` of one activation.

    ``budget_s``: CPU seconds for all the symbolic work (routes, checks,
    diagonal values) or ``None`` for no budget.  ``"auto"`` (the default) means
    ``None`` for an activation shipped in the catalog (its record is committed
    and must be re-derived byte for byte, whatever the machine) and
    ``USER_BUDGET_S`` for any other.  Past the budget the record is a numerical
    fallback whose steps say which symbolic route exceeded it.
    """
    if isinstance(budget_s, str):
        if budget_s != "auto":
            raise ValueError(f"budget_s must be 'auto', None or a positive number of CPU seconds, got budget_s={budget_s!r}")
        budget_s = None if _is_shipped(spec) else USER_BUDGET_S
    budget_s = validate_budget(budget_s)
    phi = spec.expr
    try:
        res, checks, diagonal = run_with_budget(functools.partial(_symbolic_work, phi), budget_s=budget_s)
    except BudgetExceeded as exc:
        res, checks, diagonal = _budget_fallback(exc), (), {}
    params: tuple[Parameter, ...] = (Q1, Q2, C, Q, X) + spec.parameters
    own = tuple(p.name for p in spec.parameters)
    pair, one = ("q1", "q2", "c") + own, ("q",) + own
    phi_prime = sp.diff(phi, x)
    if res.kinked is not None:
        phi_prime = res.kinked.derivative().as_expr()
    expressions: dict[str, sp.Expr] = {"phi": phi, "phi_prime": phi_prime}
    arguments = {"phi": ("x",) + own, "phi_prime": ("x",) + own}
    forms: dict[str, NumericalForm] = {}
    if res.dual is not None:
        expressions["dual"] = res.dual
        expressions["dual_derivative"] = res.dual_derivative
        expressions["variance"] = diagonal["variance"]
        expressions["derivative_variance"] = diagonal["derivative_variance"]
        arguments.update(dual=pair, dual_derivative=pair, variance=one, derivative_variance=one)
        if res.kinked is not None:
            forms["dual"] = kinked_numerical_form(res.kinked)
            branch_free = _branch_free_phi(phi)
            if branch_free is not None:
                forms["phi"] = branch_free
            forms["dual_derivative"] = kinked_numerical_form(res.kinked.derivative())
        elif spec.numerical is not None:
            forms.update(spec.numerical())
        if spec.numerical is not None:  # the hand forms also fix the diagonal (e.g. erf at large q)
            forms["variance"] = _diag_form(forms["dual"])
            forms["derivative_variance"] = _diag_form(forms["dual_derivative"])
    assumptions = (ASSUMPTION_GAUSSIAN,) + ((spec.notes,) if spec.notes else ())
    return Record(
        id=f"dual.{spec.name}",
        title=f"{spec.title}: dual activation",
        source=spec.source or "derived here",
        assumptions=assumptions,
        parameters=params,
        expressions=expressions,
        derivation=Derivation(res.method, (f"Route: {res.route}.",) + res.steps, checks),
        numerical_forms=forms,
        arguments=arguments,
        fused={"dual_and_derivative": ("dual", "dual_derivative")} if res.dual is not None else {},
    )


def custom_activation(expr: sp.Expr | str, *, name: str = "custom", title: str | None = None,
                      parameters: tuple[Parameter, ...] = ()) -> Record:
    """Derive the dual record of a user's activation, a SymPy expression of ``x`` or a string.

    A string is read by :func:`derivations.core.safe_parse.parse_activation`: a
    whitelisted grammar, never evaluated as Python; it must be defined for every
    real ``x`` and have finite Gaussian moments, else ``ValueError`` (one line).

    >>> rec = custom_activation("x*erf(x)")
    >>> rec.derivation.method.value
    'closed form derived here'
    """
    if isinstance(expr, str):
        expr = parse_activation(expr, parameters=parameters, what="activation")
    free = {s.name for s in expr.free_symbols} - {"x"} - {p.name for p in parameters}
    if free:
        raise ValueError(f"activation expression has symbols {sorted(free)} that are not parameters; use x and declared parameters")
    if not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got name={name!r}")
    spec = ActivationSpec(name, title or f"User activation {sp.sstr(expr)}", expr, parameters, source="user-defined")
    return dual_record(spec)


def catalog_dual_record(name: str) -> Record:
    return dual_record(activation_spec(name), budget_s=None)


def _branch_free_phi(phi: sp.Expr) -> NumericalForm | None:
    r"""$f(\min(x, 0)) + g(\max(x, 0))$ for $\varphi = f$ on $x < 0$ and $g$ on $x \ge 0$.

    Exact in floating point when $f$ and $g$ are polynomials without constant
    term ($f(0) = g(0) = 0$ evaluates to an exact zero), and branch-free: a
    ``numpy.where`` on a random sign pattern costs about ten times a
    ``numpy.maximum``, which the finite-network simulators feel.  ``None`` when
    ``phi`` is not of that shape.
    """
    if not (isinstance(phi, sp.Piecewise) and len(phi.args) == 2 and phi.args[1].cond == sp.true):
        return None
    (neg, cond), (pos, _) = phi.args
    if cond != (x < 0):
        return None
    for branch in (neg, pos):
        if not branch.is_polynomial(x) or branch.subs(x, 0) != 0:
            return None
    return NumericalForm((), neg.subs(x, sp.Min(x, 0)) + pos.subs(x, sp.Max(x, 0)))
