r"""The uv model of the catapult mechanism: exact gradient-descent updates, phases, and width scalings.

Model (Lewkowycz, Bahri, Dyer, Sohl-Dickstein and Gur-Ari 2020, "The large learning rate phase of deep
learning: the catapult mechanism", section 2; deeplimits reference wide_limits.md section 4):
$f(x) = n^{-1/2} x\, v^\top u$, $u, v \in \mathbb R^n$ i.i.d. $N(0, 1)$ entries, one training point $(x, y)$,
loss $\tfrac12(f - y)^2$, NTK $\lambda = x^2(\lVert u\rVert^2 + \lVert v\rVert^2)/n$.

Record ``catapult.uv_updates``: the exact step of $(f, \lambda)$ (:mod:`.gradient_step`, from the model).
Record ``catapult.uv_phases`` ($x = 1$, $y = 0$): in $w = \eta^2 f^2/n$ and $c = \eta\lambda$ the step is the
width-free map $w' = w(1 - c + w)^2$, $c' = c + w(c - 4)$; $w_0 = O(1/n)$.  Lazy for $c_0 = \eta\lambda_0 < 2$
(the fixed point $w = 0$ attracts), catapult for $2 < c_0 < 4$ ($w$ grows, $c$ falls), divergent for $c_0 > 4$.
"""

from __future__ import annotations

import math

import sympy as sp
import sympy.stats as sps

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .gradient_step import uv_step_in_invariants

__all__ = ["scaled_map", "uv_phases_record", "uv_updates_record"]

INF = math.inf
POS = Domain(0, INF, closed=(False, False))
NONNEG = Domain(0, INF)
REAL = Domain()

SOURCE = ("Lewkowycz, Bahri, Dyer, Sohl-Dickstein and Gur-Ari 2020, arXiv:2003.02218, section 2 (the uv model) "
          "and section 3 (phases); the updates and boundaries are derived here from the model (wide_limits.md "
          "section 4, [DER])")

F = Parameter("f", REAL, "f_t", (-2.0, 2.0), "network output on the training input at step t")
NTK = Parameter("ntk", POS, r"\lambda_t", (1.5, 2.5), "NTK (scalar) at step t")
ETA = Parameter("eta", POS, r"\eta", (0.1, 2.5), "learning rate")
N = Parameter("n", POS, "n", (16.0, 4096.0), "width (length of u and v)")
X = Parameter("x", REAL, "x", (0.5, 1.5), "training input", default=1.0)
Y = Parameter("y", REAL, "y", (-1.0, 1.0), "training target", default=0.0)
C = Parameter("c", POS, r"\eta\lambda", (0.2, 6.0), "learning rate times NTK (c_0 = eta*lambda_0 at step 0)")
W = Parameter("w", NONNEG, "w", (0.0, 1.0), "width-scaled loss eta^2 f^2 / n (x = 1, y = 0)")
LAM0 = Parameter("lambda0", POS, r"\lambda_0", (1.5, 2.5), "NTK at initialisation")
W_PEAK = Parameter("w_peak", NONNEG, r"w_{\max}", (0.0, 3.0), "largest width-scaled loss along the trajectory")


def scaled_map() -> tuple[sp.Expr, sp.Expr]:
    r"""$(w', c')$ from the derived updates with $x = 1$, $y = 0$, $f = \sqrt{n w}/\eta$, $\lambda = c/\eta$."""
    f, lam, eta, n, x, y = F.symbol, NTK.symbol, ETA.symbol, N.symbol, X.symbol, Y.symbol
    f_next, ntk_next = uv_step_in_invariants(f=f, ntk=lam, eta=eta, n=n, x=x, y=y)
    w, c = W.symbol, C.symbol
    at = {x: 1, y: 0}
    w_next = sp.factor(sp.expand((eta ** 2 * f_next.subs(at) ** 2 / n).subs({lam: c / eta}))
                       .subs(f ** 2, n * w / eta ** 2))
    c_next = sp.expand((eta * ntk_next.subs(at)).subs({lam: c / eta, f: sp.sqrt(n * w) / eta}))
    if {eta, n, f} & (w_next.free_symbols | c_next.free_symbols):
        raise AssertionError("the scaled uv map still depends on the width or the rate")
    return w_next, sp.collect(c_next, w)


def uv_updates_record() -> Record:
    f, lam, eta, n, x, y = F.symbol, NTK.symbol, ETA.symbol, N.symbol, X.symbol, Y.symbol
    f_next, ntk_next = uv_step_in_invariants(f=f, ntk=lam, eta=eta, n=n, x=x, y=y)
    r = sp.Symbol("r")  # only for display grouping: collect in the residual f - y
    pretty_f = f + sp.factor(sp.expand(f_next - f).subs(y, f - r)).subs(r, f - y)
    pretty_l = lam + sp.factor(sp.expand(ntk_next - lam).subs(y, f - r)).subs(r, f - y)
    if sp.expand(pretty_f - f_next) != 0 or sp.expand(pretty_l - ntk_next) != 0:
        raise AssertionError("regrouping the uv updates changed them")
    return Record(
        id="catapult.uv_updates",
        title="uv model f = x v.u / sqrt(n): exact gradient-descent step of the output f and the NTK lambda",
        source=SOURCE + "; confidence: high (exact algebra, tested against gradient descent on u and v)",
        assumptions=("full-batch gradient descent on one training point (x, y) with loss (f - y)^2 / 2",
                     "exact at every width n and every step: no large-width approximation"),
        parameters=(F, NTK, ETA, N, X, Y),
        expressions={"f_next": pretty_f, "ntk_next": pretty_l},
        derivation=Derivation(
            Method.DERIVED,
            ((r"$\partial_u f = x v/\sqrt n$, $\partial_v f = x u/\sqrt n$ (SymPy matrix calculus on "
             r"$f = x v^\top u/\sqrt n$); the step is $u' = u - \eta (f - y)\partial_u f$, likewise $v'$."),
             (r"Expand $f(u', v')$ and $\lambda(u', v') = x^2({u'}^\top u' + {v'}^\top v')/n$ in the Gram entries "
             r"$u^\top u, v^\top v, u^\top v$."),
             (r"Eliminate them with $u^\top v = \sqrt n f/x$, $u^\top u + v^\top v = n\lambda/x^2$: the step closes "
             r"on $(f, \lambda)$.")),
            ("no Gram entry survives the elimination", ("x = 1, y = 0 gives the reference's "
             "f(1 - eta lambda + eta^2 f^2/n) and lambda + eta f^2 (eta lambda - 4)/n (tests)"),
             "equals gradient descent on u, v in R^n (tests)"),
        ),
        notes="lambda is the NTK of the single training point (the top NTK eigenvalue); eta*lambda_t is the "
              "quantity whose value decides the phase (record catapult.uv_phases).",
        architecture="f(x) = x v^T u / sqrt(n), u, v in R^n, one training point, loss (f - y)^2/2",
    )


def _geometric_shift(c: sp.Symbol, w0: sp.Symbol) -> sp.Expr:
    r"""First order in $w_0$ of $(c_\infty - c)/c$ in the lazy phase: $\sum_t w_0 (1-c)^{2t}(c - 4)/c$."""
    t, q = sp.Symbol("t", integer=True, nonnegative=True), sp.Symbol("q", positive=True)
    total = sp.summation(q ** t, (t, 0, sp.oo))  # Piecewise: 1/(1 - q) for |q| < 1
    converged = total.args[0][0] if isinstance(total, sp.Piecewise) else total
    return sp.factor(w0 * (c - 4) / c * converged.subs(q, (1 - c) ** 2))


def uv_phases_record() -> Record:
    w_next, c_next = scaled_map()
    w, c, lam0, n, wp = W.symbol, C.symbol, LAM0.symbol, N.symbol, W_PEAK.symbol
    eta, f = ETA.symbol, F.symbol
    # f-multiplier at the fixed point f = 0 (x = 1, y = 0), from the updates record
    f_next, _ = uv_step_in_invariants(f=f, ntk=NTK.symbol, eta=eta, n=n, x=sp.S.One, y=sp.S.Zero)
    multiplier = sp.expand(sp.diff(f_next, f).subs(f, 0).subs(NTK.symbol * eta, c))
    lazy_edge = sp.solve(sp.Eq(multiplier, -1), c)
    ntk_factor = sp.factor(sp.expand(c_next - c) / w)
    divergent_edge = sp.solve(ntk_factor, c)
    if len(lazy_edge) != 1 or len(divergent_edge) != 1:
        raise AssertionError(f"phase boundaries not unique: {lazy_edge}, {divergent_edge}")
    # E[f_0^2/lambda_0^2] at width n: f_0^2/lambda_0^2 = n (2B - 1)^2 / 4, B ~ Beta(n/2, n/2)
    beta = sps.Beta("B", n / 2, n / 2)
    init_moment = sp.simplify(n * sps.E((2 * beta - 1) ** 2) / 4)
    shift = _geometric_shift(c, w)
    # n E[w_0] = c^2 n E[f_0^2/lambda_0^2] / n ... -> c^2/4: the mean lazy shift times n
    shift_mean = sp.factor(sp.limit(n * shift.subs(w, c ** 2 * init_moment / n), n, sp.oo))
    peak_loss = n * wp * lam0 ** 2 / (2 * c ** 2)  # loss f^2/2 at w = w_peak: f^2 = n w / eta^2, eta = c/lambda0
    return Record(
        id="catapult.uv_phases",
        title="uv model: width-free scaled map, phase boundaries 2/lambda_0 and 4/lambda_0, lazy NTK shift, "
              "width scalings of the catapult",
        source=SOURCE + "; confidence: high for the map, the boundaries and the lazy shift (derived); the limit "
                        "orbit (peak and final curvature) is computed numerically from the map",
        assumptions=("x = 1, y = 0 (the reference's set-up); u, v i.i.d. N(0, 1) entries",
                     "c is eta*lambda at the current step; at step 0, c_0 = eta*lambda_0 decides the phase",
                     ("lazy shift: first order in w_0 = eta^2 f_0^2 / n, for 0 < c < 2; its mean uses "
                     "E[f_0^2/lambda_0^2] = n/(4(n+1)) (exact)"),
                     ("escape time: w_t = w_0 (1 - c)^(2t) until w = O(1), so t_escape = ln n / (2 ln|1 - c|) + O(1) "
                     "(the O(1) depends on the phase of ln w_0; its mean is width-free)"),
                     ("peak loss: n w_peak lambda_0^2/(2 c^2) with w_peak from the width-free map started at "
                     "w_0 -> 0: linear in n (derived); w_peak's value is not in closed form (numerical)"),
                     ("EMPIRICAL (numerics here, not a theorem): for c_0 above about 3.1 the limit orbit can "
                     "overshoot to c near 0 for some phases of w_0, so convergence there is very slow")),
        parameters=(W, C, LAM0, N, W_PEAK),
        expressions={"scaled_loss_next": w_next, "scaled_ntk_next": c_next, "f_multiplier": multiplier,
                     "lazy_max_rate": lazy_edge[0] / lam0, "divergent_rate": divergent_edge[0] / lam0,
                     "init_ratio_moment": init_moment, "lazy_ntk_shift": shift, "lazy_ntk_shift_mean": shift_mean,
                     "escape_steps_per_log_width": 1 / (2 * sp.log(sp.Abs(1 - c))), "peak_loss": peak_loss,
                     "peak_loss_width_exponent": sp.simplify(n * sp.diff(sp.log(peak_loss), n))},
        arguments={"scaled_loss_next": ("w", "c"), "scaled_ntk_next": ("w", "c"), "f_multiplier": ("c",),
                   "lazy_max_rate": ("lambda0",), "divergent_rate": ("lambda0",), "init_ratio_moment": ("n",),
                   "lazy_ntk_shift": ("w", "c"), "lazy_ntk_shift_mean": ("c",),
                   "escape_steps_per_log_width": ("c",), "peak_loss": ("n", "w_peak", "c", "lambda0"),
                   "peak_loss_width_exponent": ("n",)},
        derivation=Derivation(
            Method.DERIVED,
            ((r"Put $x = 1$, $y = 0$, $f^2 = n w/\eta^2$, $\lambda = c/\eta$ in record catapult.uv_updates: "
             r"$w' = w(1 - c + w)^2$, $c' = c + w(c - 4)$, free of $n$ and $\eta$."),
             (r"Lazy edge: the multiplier $\partial f'/\partial f|_{f=0} = 1 - c$ reaches $-1$ at $c = 2$; "
             r"divergent edge: $c' - c = w(c - 4)$ changes sign at $c = 4$; $\eta = c/\lambda_0$."),
             r"Lazy shift: $c_\infty - c = \sum_t w_0(1 - c)^{2t}(c - 4) + O(w_0^2)$ (geometric series, $|1-c|<1$).",
             (r"$f_0^2/\lambda_0^2 = n(2B - 1)^2/4$, $B = S/(S + D) \sim \mathrm{Beta}(n/2, n/2)$ with "
             r"$S, D \sim \chi^2_n$ the squared norms of $(u \pm v)/\sqrt2$; $E = n/(4(n + 1))$ (sympy.stats)."),
             r"Peak loss $= n\,w_{\max}\lambda_0^2/(2c^2)$ with $w_{\max}$ width-free: $d\ln/d\ln n = 1$."),
            ("the scaled map has no n or eta", "boundaries unique", "shift is negative for 0 < c < 2 (tests)"),
        ),
        notes="Phases in c_0 = eta*lambda_0: lazy (0, 2), catapult (2, 4), divergent (4, inf) for the uv model. "
              "The paper reports about 12/lambda_0 as the empirical maximum rate of wide ReLU networks (LIT, "
              "not derived). Duration of the catapult ~ ln n / (2 ln|1 - c_0|) steps.",
        architecture="f(x) = x v^T u / sqrt(n), u, v in R^n, one training point (x, y) = (1, 0), loss f^2/2",
    )
