r"""Closed forms of the infinitely deep ResNet diffusion at finite width, derived by Itô calculus.

All for the fully i.i.d. limit (JMLR Corollary 5) with $\psi = \mathrm{id}$ and
$\phi''(0) = 0$ unless stated, where the SDE is linear,
$dx = \phi'(0)(dW\,x + db)$.  Write $a = \phi'(0)^2\sigma_w^2$,
$b = \phi'(0)^2\sigma_b^2$, $\beta = \sigma_b^2/\sigma_w^2$, $q = \|x\|^2/D$.

* ``resnet_sde.linear``: $x_T = g_T(x_0 + \phi'(0)\int_0^T g_t^{-1}db_t)$, $dg = \phi'(0)dW\,g$.
* ``resnet_sde.norm_gbm``: $r = \|x\|$ ($\sigma_b = 0$) is a geometric Brownian motion,
  $\log(r_T/r_0) \sim N(a\tfrac{D-2}{2D}T, aT/D)$.
* ``resnet_sde.norm_moments``: $E q_T = (q_0+\beta)e^{aT} - \beta$ and $E q_T^2$ (with $k = 1 + 2/D$),
  and the finite-depth $E q_L = (q_0+\beta)(1+\sigma_w^2T/L)^L - \beta$ for $\phi = \mathrm{id}$.
* ``resnet_sde.backward``: the Jacobian SDE and $E[g_T^\top g_T] = e^{aT}I$.
* ``resnet_sde.conv``: the convolutional drift and cross-position covariation (Corollary 13).

References: Peluchetti and Favaro, JMLR 22(175) 2021, §2.4 of the deeplimits
reference deep_resnet_diffusions.md (Itô derivations), JMLR Theorems 10, 14,
Corollaries 13, 15, §5.4.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .general import (
    D2PHI0,
    DPHI0,
    SIGMA_B,
    SOURCE,
    TIME,
    WIDTH,
    gaussian_expectation,
)
from .ito import iid_diffusion

__all__ = [
    "DEPTH",
    "Q0",
    "SIGMA_W_POS",
    "backward_record",
    "conv_record",
    "linear_record",
    "norm_gbm_record",
    "norm_moment_odes",
    "norm_moments_record",
]

INF = math.inf
REAL = Domain(-INF, INF)
POS = Domain(0, INF, closed=(False, False))
NONNEG = Domain(0, INF)

SIGMA_W_POS = Parameter("sigma_w", POS, r"\sigma_w", (0.1, 2.0), "weight scale (> 0): Var A_ij = sigma_w^2 dt / D")
Q0 = Parameter("q0", NONNEG, "q_0", (0.0, 5.0), "initial squared norm per unit, |x_0|^2 / D")
DEPTH = Parameter("L", Domain(1, INF, integer=True), "L", (1, 1000), "depth (number of residual blocks)")
X0 = Parameter("x0", REAL, "x_0", (-3.0, 3.0), "input (D = 1)")
GAIN = Parameter("g", POS, "g_T", (0.1, 5.0), "value of the gain g_T (D = 1)")
NOISE_INT = Parameter("I", REAL, r"\int_0^T g_t^{-1}db_t", (-3.0, 3.0), "value of the stochastic integral (D = 1)")
W_T = Parameter("W_T", REAL, "W_T", (-3.0, 3.0), "value of the weight Brownian motion at T (D = 1, variance sigma_w^2 T)")
PATCH_SQ = Parameter("patch_sq_sum", NONNEG, r"\|\psi(x_{\star p})\|^2", (0.0, 50.0),
                     "sum of psi^2 over the K x K x D entries of the patch at position p")
PATCH_INNER = Parameter("patch_inner", REAL, r"\langle\psi(x_{\star p}),\psi(x_{\star p'})\rangle", (-50.0, 50.0),
                        "inner product of psi over the patches at positions p and p' (K x K x D entries)")
PSI_DPSI = Parameter("psi_dpsi", REAL, r"\psi(x_j)\psi'(x_j)", (-5.0, 5.0), "psi(x_j) psi'(x_j) of the column's unit")
DPSI = Parameter("dpsi", REAL, r"\psi'(x_j)", (-5.0, 5.0), "psi'(x_j)")

_LINEAR = ("psi = identity and phi''(0) = 0 (e.g. phi = tanh or the identity)",
           "fully i.i.d. centred parameters (JMLR Assumption 7), W and b independent")


def _zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


# ---------------------------------------------------------------------------
def _ito_linear_solution(D: int = 2) -> str:
    r"""Itô check at width ``D``: $x = g y$, $y = x_0 + \phi'(0)\int g^{-1}db$ solves $dx = \phi'(0)(dW x + db)$.

    Differentials are written on the $D^2 + D$ independent standard Brownian
    motions $B^W_{oi}$, $B^b_o$ (with $dW = \tfrac{\sigma_w}{\sqrt D}dB^W$,
    $db = \sigma_b dB^b$); the product rule $d(gy) = dg\,y + g\,dy + d[g, y]$
    is applied entry by entry.
    """
    p1, sw, sb = DPHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    G = sp.Matrix(D, D, lambda i, j: sp.Symbol(f"g_{i}{j}", real=True))
    Y = sp.Matrix(D, 1, lambda i, _: sp.Symbol(f"y_{i}", real=True))
    nW = D * D
    # noise loadings: column k of a D x (nW + D) loading matrix is the coefficient of dB_k
    dW = [sp.Matrix(D, D, lambda o, i, k=k: sw / sp.sqrt(D) if o + D * i == k else 0) for k in range(nW + D)]
    dB = [sp.Matrix(D, 1, lambda o, _, k=k: sb if k == nW + o else 0) for k in range(nW + D)]
    Ginv = G.inv()
    dG = [p1 * dW[k] * G for k in range(nW + D)]  # dg = phi'(0) dW g (no dt term)
    dY = [p1 * Ginv * dB[k] for k in range(nW + D)]  # dy = phi'(0) g^{-1} db
    bracket = sum((dG[k] * dY[k] for k in range(nW + D)), sp.zeros(D, 1))  # d[g, y]/dt
    X = G * Y
    for k in range(nW + D):
        lhs = dG[k] * Y + G * dY[k]
        rhs = p1 * (dW[k] * X + dB[k])
        if sp.simplify(lhs - rhs) != sp.zeros(D, 1):
            raise AssertionError("x = g y does not solve the linear SDE")
    if sp.simplify(bracket) != sp.zeros(D, 1):
        raise AssertionError("d[g, y] does not vanish")
    return f"Ito product rule: x = g y solves dx = phi'(0)(dW x + db) at D = {D}"


def linear_record() -> Record:
    p1, sw = DPHI0.symbol, SIGMA_W_POS.symbol
    g, i_, x0, wt, T = GAIN.symbol, NOISE_INT.symbol, X0.symbol, W_T.symbol, TIME.symbol
    check = _ito_linear_solution(2)
    gain = sp.exp(p1 * wt - p1**2 * sw**2 * T / 2)  # D = 1 stochastic exponential of phi'(0) W
    t, w = sp.symbols("t w", real=True)
    ito_gain = sp.simplify(sp.diff(gain.subs({T: t, wt: w}), t) + sw**2 / 2 * sp.diff(gain.subs({T: t, wt: w}), w, 2))
    if ito_gain != 0:
        raise AssertionError("gain is not a local martingale")
    return Record(
        id="resnet_sde.linear",
        title="Infinitely deep ResNet with psi = identity, phi''(0) = 0: a random affine map of the input",
        source=SOURCE + ": Corollary 5 with psi = id (the SDE is linear); derived here",
        assumptions=_LINEAR,
        parameters=(X0, GAIN, NOISE_INT, W_T, DPHI0, SIGMA_W_POS, TIME),
        expressions={"solution_d1": g * (x0 + p1 * i_), "gain_d1": gain},
        arguments={"solution_d1": ("x0", "g", "I", "dphi0"), "gain_d1": ("W_T", "dphi0", "sigma_w", "T")},
        derivation=Derivation(
            Method.DERIVED,
            (
                r"With $\psi = \mathrm{id}$ and $\phi''(0) = 0$ Corollary 3 gives $dx = \phi'(0)(dW\,x + db)$: linear in $x$.",
                r"Let $dg = \phi'(0)dW\,g$, $g_0 = I$, and $y = x_0 + \phi'(0)\int_0^t g^{-1}db$. Itô's product rule gives "
                r"$d(gy) = \phi'(0)dW\,gy + \phi'(0)db$ since $d[g, y] = 0$ ($W$, $b$ independent): "
                r"$x_T = g_T(x_0 + \phi'(0)\int_0^T g_t^{-1}db_t)$, affine in $x_0$ at every width.",
                r"At $D = 1$, $g_T = \exp(\phi'(0)W_T - \tfrac12\phi'(0)^2\sigma_w^2T)$ (stochastic exponential).",
            ),
            (check, "D = 1 gain solves the backward heat equation (martingale)"),
        ),
        notes="solution_d1: x_T given g_T and the integral; gain_d1: g_T given W_T ~ N(0, sigma_w^2 T) (mu_W = 0).",
    )


# ---------------------------------------------------------------------------
def _norm_ito(D: int) -> tuple[sp.Expr, sp.Expr]:
    """Itô drift/r and variance rate/r^2 of r = |x| (sigma_b = 0, psi = id, phi''(0) = 0) at explicit D."""
    p1, sw = DPHI0.symbol, SIGMA_W_POS.symbol
    diff = iid_diffusion(D, 1, lambda u: u, p1, 0, sw, 0)
    xs = diff.states[0]
    r = sp.sqrt(sum(v**2 for v in xs))
    rr = sp.Symbol("r", positive=True)
    drift = sp.simplify(diff.generator(r) / r)
    var = sp.simplify(diff.covariation(r, r) / r**2)
    return drift.subs(r, rr), var.subs(r, rr)


def norm_gbm_record() -> Record:
    p1, sw, D, T = DPHI0.symbol, SIGMA_W_POS.symbol, WIDTH.symbol, TIME.symbol
    a = p1**2 * sw**2
    drift_rate, var_rate = a * (D - 1) / (2 * D), a / D
    for d in (2, 3, 4, 5):
        got = _norm_ito(d)
        if not (_zero(got[0] - drift_rate.subs(D, d)) and _zero(got[1] - var_rate.subs(D, d))):
            raise AssertionError(f"norm GBM pattern fails at D = {d}: {got}")
    log_mean = sp.factor(drift_rate - var_rate / 2) * T
    return Record(
        id="resnet_sde.norm_gbm",
        title="Norm of the infinitely deep linear ResNet state: geometric Brownian motion",
        source=SOURCE + ": Corollary 5 with psi = id, sigma_b = 0; derived here (cf. Hayou, TMLR 2022)",
        assumptions=_LINEAR + ("sigma_b = 0", "x_0 != 0"),
        parameters=(DPHI0, SIGMA_W_POS, WIDTH, TIME),
        expressions={
            "norm_drift_rate": drift_rate,
            "norm_variance_rate": var_rate,
            "log_norm_mean": log_mean,
            "log_norm_variance": var_rate * T,
        },
        arguments={"norm_drift_rate": ("dphi0", "sigma_w", "D"), "norm_variance_rate": ("dphi0", "sigma_w", "D")},
        derivation=Derivation(
            Method.DERIVED,
            (
                r"Itô's formula on $r = \|x\|$ with drift 0 and diffusion $\phi'(0)^2\sigma_w^2\frac{\|x\|^2}{D}I$: "
                r"$\nabla r = x/r$, $\mathrm{tr}\nabla^2 r = (D-1)/r$.",
                r"$dr = a\frac{D-1}{2D}r\,dt + \sqrt{a/D}\,r\,dB$ with $a = \phi'(0)^2\sigma_w^2$: a GBM.",
                r"$d\log r = a\left(\frac{D-1}{2D} - \frac{1}{2D}\right)dt + \sqrt{a/D}\,dB$, so "
                r"$\log(r_T/r_0) \sim N(a\frac{D-2}{2D}T, aT/D)$.",
            ),
            ("Ito drift and variance of |x| computed symbolically at D = 2, 3, 4, 5",),
        ),
        notes="log(r_T / r_0) is exactly normal with mean log_norm_mean and variance log_norm_variance, at every D >= 1.",
    )


# ---------------------------------------------------------------------------
def norm_moment_odes(D: int | sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    r"""$\mathcal Lq$ and $\mathcal Lq^2$ as polynomials in $q$ (general $D$, from the radial generator).

    For $f(q)$ with $q = \|x\|^2/D$: $\nabla q = 2x/D$, $\nabla^2 q = 2I/D$, so
    $\mathcal Lf = \tfrac12\phi'(0)^2S(q)\left(f''(q)\tfrac{4q}{D} + 2f'(q)\right)$,
    $S = \sigma_b^2 + \sigma_w^2 q$ (zero drift since $\phi''(0) = 0$).
    """
    p1, sw, sb = DPHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    qq = sp.Symbol("q", nonnegative=True)
    S = sb**2 + sw**2 * qq

    def L(f):
        return sp.expand(p1**2 * S / 2 * (sp.diff(f, qq, 2) * 4 * qq / D + 2 * sp.diff(f, qq)))

    return L(qq), L(qq**2)


def _check_radial(D: int) -> None:
    p1, sw, sb = DPHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    diff = iid_diffusion(D, 1, lambda u: u, p1, 0, sw, sb)
    q = sum(v**2 for v in diff.states[0]) / D
    Lq, Lq2 = norm_moment_odes(D)
    qq = sp.Symbol("q", nonnegative=True)
    if not (_zero(diff.generator(q) - Lq.subs(qq, q)) and _zero(diff.generator(q**2) - Lq2.subs(qq, q))):
        raise AssertionError(f"radial generator disagrees with coordinates at D = {D}")


def norm_moments_record() -> Record:
    p1, sw, sb, D, T, q0, L = (p.symbol for p in (DPHI0, SIGMA_W_POS, SIGMA_B, WIDTH, TIME, Q0, DEPTH))
    for d in (1, 2, 3):
        _check_radial(d)
    a, b, beta, k = p1**2 * sw**2, p1**2 * sb**2, sb**2 / sw**2, 1 + sp.Integer(2) / D
    Lq, Lq2 = norm_moment_odes(D)
    qq = sp.Symbol("q", nonnegative=True)
    # Lq and Lq^2 are polynomials in q of degree 1 and 2: the moment ODEs close.
    t = sp.Symbol("t", nonnegative=True)
    m1, m2 = sp.Function("m1"), sp.Function("m2")
    rhs1 = Lq.subs(qq, m1(t))
    sol1 = sp.dsolve(sp.Eq(m1(t).diff(t), rhs1), m1(t), ics={m1(0): q0}).rhs
    c1 = sp.Poly(Lq2, qq).all_coeffs()  # [c2, c1, c0]: Lq^2 = c2 q^2 + c1 q
    rhs2 = c1[0] * m2(t) + c1[1] * sol1
    sol2 = sp.dsolve(sp.Eq(m2(t).diff(t), rhs2), m2(t), ics={m2(0): q0**2}).rhs
    mean = (q0 + beta) * sp.exp(a * T) - beta
    second = (sp.exp(2 * k * a * T) * q0**2 + 2 * k * b * (q0 + beta) / ((2 * k - 1) * a) * (sp.exp(2 * k * a * T) - sp.exp(a * T))
              - b * beta * (sp.exp(2 * k * a * T) - 1) / a)
    if not _zero(sol1.subs(t, T) - mean) or not _zero(sp.expand(sol2.subs(t, T) - second)):
        raise AssertionError("moment ODE solutions differ from the closed forms")
    # check by substitution into the ODE system
    if not _zero(sp.diff(mean, T) - Lq.subs(qq, mean)) or not _zero(sp.diff(second, T) - (c1[0] * second + c1[1] * mean)):
        raise AssertionError("closed forms do not solve the moment ODEs")
    # finite depth, phi = identity: E[q_{l+1} | x_l] from Gaussian moments at D = 2, then the recursion
    finite = _finite_depth_mean()
    fl = (q0 + beta) * (1 + sw**2 * T / L) ** L - beta
    if sp.limit(fl.subs({q0: 1, sb: 1, sw: 1, T: 1}), L, sp.oo) != mean.subs({q0: 1, sb: 1, sw: 1, T: 1, p1: 1}):
        raise AssertionError("finite-depth mean does not converge to the SDE mean")
    if not _zero(finite - fl):
        raise AssertionError("finite-depth recursion disagrees")
    return Record(
        id="resnet_sde.norm_moments",
        title="Exact moments of q = |x|^2/D for the infinitely deep (and finite-depth) linear ResNet",
        source=SOURCE + ": Corollary 5 with psi = id, phi''(0) = 0; derived here",
        assumptions=_LINEAR + ("E q_T^2 needs sigma_w > 0",),
        parameters=(Q0, DPHI0, SIGMA_W_POS, SIGMA_B, WIDTH, TIME, DEPTH),
        expressions={
            "q_drift": Lq.subs(qq, Q0.symbol),
            "q_variance_rate": sp.factor(4 * p1**2 * (sb**2 + sw**2 * q0) * q0 / D),
            "mean_q": mean,
            "second_moment_q": second,
            "mean_q_finite_depth": fl,
        },
        arguments={
            "q_drift": ("q0", "dphi0", "sigma_w", "sigma_b"),
            "q_variance_rate": ("q0", "dphi0", "sigma_w", "sigma_b", "D"),
            "mean_q": ("q0", "dphi0", "sigma_w", "sigma_b", "T"),
            "second_moment_q": ("q0", "dphi0", "sigma_w", "sigma_b", "D", "T"),
            "mean_q_finite_depth": ("q0", "sigma_w", "sigma_b", "T", "L"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"Generator on $f(q)$: $\mathcal Lq = b + aq$, $\mathcal Lq^2 = 2k(aq^2 + bq)$, $k = 1 + 2/D$, "
                r"$a = \phi'(0)^2\sigma_w^2$, $b = \phi'(0)^2\sigma_b^2$ (checked against coordinates at D = 1, 2, 3).",
                r"$dq = (b + aq)dt + 2\phi'(0)\sqrt{(\sigma_b^2 + \sigma_w^2q)q/D}\,dB$: the moment ODEs close.",
                r"dsolve: $Eq_T = (q_0 + \beta)e^{aT} - \beta$ for every $D$, "
                r"$Eq_T^2 = e^{2kaT}q_0^2 + \frac{2kb(q_0+\beta)}{(2k-1)a}(e^{2kaT} - e^{aT}) - b\beta\frac{e^{2kaT}-1}{a}$.",
                r"Finite depth, $\phi = \mathrm{id}$: $E[q_{l+1}\mid x_l] = (1 + \sigma_w^2T/L)q_l + \sigma_b^2T/L$ "
                r"(Gaussian moments), so $Eq_L = (q_0+\beta)(1+\sigma_w^2T/L)^L - \beta \to (q_0+\beta)e^{\sigma_w^2T} - \beta$.",
            ),
            ("dsolve solutions equal the closed forms", "substitution into the ODEs",
             "finite-depth recursion from Gaussian moments at D = 2 (rsolve)", "L -> infinity limit"),
        ),
        notes="The same E formula holds for lambda = <x, x'>/D of two inputs (lambda_0 in place of q0). "
              "mean_q_finite_depth is for phi = identity (dphi0 = 1).",
    )


def _finite_depth_mean() -> sp.Expr:
    """$E q_L$ for $x_{l+1} = x_l + A x_l + a$ (phi = id), by Gaussian moments at D = 2 and rsolve."""
    sw, sb, T, q0, L = SIGMA_W_POS.symbol, SIGMA_B.symbol, TIME.symbol, Q0.symbol, DEPTH.symbol
    D = 2
    dt = T / L
    xs = sp.Matrix(sp.symbols("u0 u1", real=True))
    eps = list(sp.symbols("e0:6", real=True))
    A = sp.Matrix(2, 2, eps[:4]) * sp.sqrt(dt)
    a = sp.Matrix(eps[4:]) * sp.sqrt(dt)
    cov = sp.diag(*([sw**2 / D] * 4 + [sb**2] * 2))
    new = xs + A * xs + a
    eq = sp.expand(gaussian_expectation(sp.expand((new.T * new)[0, 0] / D), eps, cov))
    qsym = sp.Symbol("q")
    eq = sp.expand(eq.subs(xs[0] ** 2, D * qsym - xs[1] ** 2))
    slope, const = eq.coeff(qsym, 1), eq.coeff(qsym, 0)
    if sp.simplify(eq - slope * qsym - const) != 0 or const.free_symbols & set(xs):
        raise AssertionError("E[q_{l+1} | x_l] is not affine in q_l")
    l = sp.Symbol("l", integer=True, nonnegative=True)
    m = sp.Function("m")
    sol = sp.rsolve(m(l + 1) - slope * m(l) - const, m(l), {m(0): q0})
    return sp.simplify(sol.subs(l, L))


# ---------------------------------------------------------------------------
def _backward_checks(D: int = 3) -> tuple[str, ...]:
    """The Jacobian SDE as the derivative of the forward SDE, and the drift of U = g^T g, at explicit D."""
    p1, p2, sw, sb = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    psi = sp.Function("psi")
    xs = sp.symbols(f"x0:{D}", real=True)
    drift = p2 / 2 * (sb**2 + sw**2 * sum(psi(v) ** 2 for v in xs) / D)  # every entry of the forward drift
    for j, v in enumerate(xs):
        want = p2 * sw**2 / D * psi(v) * sp.diff(psi(v), v)
        if sp.simplify(sp.diff(drift, v) - want) != 0:
            raise AssertionError("backward drift is not the derivative of the forward drift")
    # U = g^T g with dg = phi'(0) sigma_w / sqrt(D) dB g (psi = id, phi''(0) = 0): Ito drift of U
    G = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"g_{i}{j}", real=True))
    dd = 2
    drift_U = sp.zeros(dd, dd)
    for k in range(dd * dd):
        E = sp.Matrix(dd, dd, lambda o, i, k=k: 1 if o + dd * i == k else 0) * p1 * sw / sp.sqrt(dd)
        dG = E * G
        drift_U += dG.T * dG  # d[g^T, g] contribution of the k-th Brownian motion
    if sp.simplify(drift_U - p1**2 * sw**2 * G.T * G) != sp.zeros(dd, dd):
        raise AssertionError("E dU/dt != phi'(0)^2 sigma_w^2 U")
    return (f"backward drift = d(forward drift)/dx at D = {D}", "Ito drift of U = g^T g is phi'(0)^2 sigma_w^2 U at D = 2")


def backward_record() -> Record:
    p1, p2, sw, D, T = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, WIDTH.symbol, TIME.symbol
    checks = _backward_checks()
    return Record(
        id="resnet_sde.backward",
        title="Jacobian of the infinitely deep ResNet: backward SDE (fully i.i.d.) and E[g^T g]",
        source=SOURCE + ": Theorem 14, Corollary 15, Section 5.4 (fully i.i.d. form derived here)",
        assumptions=("fully i.i.d. centred parameters (Assumption 7)", "psi in C^1 for the backward SDE",
                     "gram_mean: psi = identity, phi''(0) = 0"),
        parameters=(DPSI, PSI_DPSI, DPHI0, D2PHI0, SIGMA_W_POS, WIDTH, TIME),
        expressions={
            "noise_coefficient": p1 * sw / sp.sqrt(D) * DPSI.symbol,
            "drift_coefficient": p2 * sw**2 / D * PSI_DPSI.symbol,
            "inverse_correction": p1**2 * sw**2 / D * DPSI.symbol**2,
            "gram_mean": sp.exp(p1**2 * sw**2 * T),
        },
        arguments={
            "noise_coefficient": ("dpsi", "dphi0", "sigma_w", "D"),
            "drift_coefficient": ("psi_dpsi", "d2phi0", "sigma_w", "D"),
            "inverse_correction": ("dpsi", "dphi0", "sigma_w", "D"),
            "gram_mean": ("dphi0", "sigma_w", "T"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"$dg = \phi'(0)\frac{\sigma_w}{\sqrt D}dB^W\mathrm{diag}(\psi'(x))g + \phi''(0)\frac{\sigma_w^2}{D}"
                r"\mathbf 1(\psi(x)\odot\psi'(x))^\top g\,dt$: the derivative of the forward SDE in its driving form "
                r"(Corollary 3); noise_coefficient multiplies $dB^W_{dj}$ in column $j$, drift_coefficient is entry $(d, j)$ of the drift matrix.",
                r"$d[Z, Z] = \phi'(0)^2\frac{\sigma_w^2}{D}\mathrm{diag}(\psi'(x)^2)dt$ (inverse_correction), "
                r"$dg^{-1} = g^{-1}(-dZ + d[Z, Z])$ (Corollary 15).",
                r"$\psi = \mathrm{id}$, $\phi''(0) = 0$: $dU = \phi'(0)\frac{\sigma_w}{\sqrt D}g^\top(dB + dB^\top)g + "
                r"\phi'(0)^2\sigma_w^2U\,dt$, so $E[g_T^\top g_T] = e^{\phi'(0)^2\sigma_w^2T}I$ at every $D$.",
            ),
            checks,
        ),
        notes="gram_mean is the scalar c with E[g_T^T g_T] = c I.",
    )


# ---------------------------------------------------------------------------
def _conv_check() -> str:
    """Cross-position covariance of eps psi_p + eps_b for i.i.d. filters: D = 2 channels, 1-D patches of K = 3."""
    D, K = 2, 3
    sw, sb = SIGMA_W_POS.symbol, SIGMA_B.symbol
    n_in = K * D
    eW = sp.symbols(f"f0:{D * n_in}", real=True)
    eb = sp.symbols(f"c0:{D}", real=True)
    F = sp.Matrix(D, n_in, eW)
    cov = sp.diag(*([sw**2 / D] * (D * n_in) + [sb**2] * D))
    P = sp.Matrix(sp.symbols(f"p0:{n_in}", real=True))  # psi(x_{*p})
    Q = sp.Matrix(sp.symbols(f"r0:{n_in}", real=True))  # psi(x_{*p'})
    hp, hq = F * P + sp.Matrix(eb), F * Q + sp.Matrix(eb)
    inner = (P.T * Q)[0, 0]
    for o in range(D):
        for o2 in range(D):
            got = gaussian_expectation(sp.expand(hp[o] * hq[o2]), list(eW) + list(eb), cov)
            want = (sb**2 + sw**2 * inner / D) if o == o2 else 0
            if sp.expand(got - want) != 0:
                raise AssertionError("Corollary 13 cross-covariance fails")
    return "Corollary 13 cross-position covariance from Gaussian moments (D = 2, K = 3, 1-D)"


def conv_record() -> Record:
    p1, p2, sw, sb, D = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol, WIDTH.symbol
    return Record(
        id="resnet_sde.conv",
        title="Infinitely deep convolutional ResNet (fully i.i.d. filters): drift and cross-position covariation",
        source=SOURCE + ": Theorem 10, Corollary 13",
        assumptions=("stride 1, odd filter size K, padding keeping the size; the same filter at every position",
                     "filter entries i.i.d. with variance sigma_w^2 dt / D (divided by D, not K^2 D); biases sigma_b^2 dt",
                     "phi, psi as in Theorem 2 (Assumption 5)"),
        parameters=(PATCH_SQ, PATCH_INNER, DPHI0, D2PHI0, SIGMA_W_POS, SIGMA_B, WIDTH),
        expressions={
            "drift": p2 / 2 * (sb**2 + sw**2 * PATCH_SQ.symbol / D),
            "cross_covariation": p1**2 * (sb**2 + sw**2 * PATCH_INNER.symbol / D),
        },
        arguments={"drift": ("patch_sq_sum", "d2phi0", "sigma_w", "sigma_b", "D"),
                   "cross_covariation": ("patch_inner", "dphi0", "sigma_w", "sigma_b", "D")},
        derivation=Derivation(
            Method.DERIVED,
            (r"Each position is Theorem 2's block with input $\psi(x_{\star p})\in\mathbb R^{K^2D}$ and the shared filter; "
             r"Corollary 3 with the same parameters at positions $p, p'$ gives "
             r"$d[x_p, x_{p'}] = \phi'(0)^2(\sigma_b^2 + \sigma_w^2\langle\psi(x_{\star p}),\psi(x_{\star p'})\rangle/D)I_D\,dt$.",
             r"Drift per position: $\tfrac12\phi''(0)(\sigma_b^2 + \sigma_w^2\|\psi(x_{\star p})\|^2/D)\mathbf 1_D$.",),
            (_conv_check(),),
        ),
        notes="The patch sums cover K x K x D entries (the paper's 'U x V x D' patch size is a typo) but are divided by D.",
    )
