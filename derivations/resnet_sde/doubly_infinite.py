r"""Doubly infinite ResNets (depth first, then width; and width first, then depth), derived.

Depth first (JMLR §5.3-5.5, heuristic in the paper), $\psi = \mathrm{id}$, fully i.i.d.:
$m = \tfrac1D\sum_d x_d$, $q = \|x\|^2/D$, $\lambda = \langle x, x'\rangle/D$ obey exact Itô
drifts at every $D$ (Lemma 21) and quadratic variations $O(1/D)$, hence the ODEs
(Proposition 18) $\dot m = \tfrac12\phi''(0)S$, $\dot q = (\phi''(0)m + \phi'(0)^2)S$,
$\dot\lambda = \tfrac12\phi''(0)(S_im_j + S_jm_i) + \phi'(0)^2(\sigma_b^2 + \sigma_w^2\lambda)$,
$S = \sigma_b^2 + \sigma_w^2q$.  Width first (§5.6):
$\dot K = \phi'(0)^2(\sigma_b^2 + \sigma_w^2E_{N(0,K)}[\psi(u)\psi(v)])$ and its NTK companion.
With $C = \phi'(0)^2\sigma_w^2T$, $E = e^C$, $\beta = \sigma_b^2/\sigma_w^2$.
"""

from __future__ import annotations

import math

import sympy as sp

from ..dual.activations import activation_spec
from ..dual.duals import derive_dual
from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .general import D2PHI0, DPHI0, SIGMA_B, SOURCE, TIME
from .closed_forms import SIGMA_W_POS
from .ito import iid_diffusion
from ..core.symbols import c as c_sym
from ..core.symbols import q1 as q1_sym
from ..core.symbols import q2 as q2_sym

__all__ = [
    "deterministic_limit_record",
    "ntk_record",
    "prop18_rates",
    "two_input_law_record",
    "width_first_record",
]

INF = math.inf
REAL = Domain(-INF, INF)
NONNEG = Domain(0, INF)


def _p(name, latex, desc, domain=REAL, typical=(-3.0, 3.0)):
    return Parameter(name, domain, latex, typical, desc)


M_I = _p("m", "m", "mean of the state over units, sum_d x_d / D")
M_J = _p("m_j", "m^{(j)}", "mean over units of the second input's state")
Q_I = _p("q", "q", "|x|^2 / D", NONNEG, (0.0, 5.0))
Q_J = _p("q_j", "q^{(j)}", "|x'|^2 / D of the second input", NONNEG, (0.0, 5.0))
LAM = _p("lam", r"\lambda", "<x, x'> / D")
M0, Q0, LAM0 = _p("m0", "m_0", "initial m"), _p("q0", "q_0", "initial q", NONNEG, (0.0, 5.0)), _p("lam0", r"\lambda_0", "initial lambda")
T_ = _p("t", "t", "time", NONNEG, (0.0, 2.0))
INT_S = _p("int_S", r"\int_0^T S\,dt", "integral of S = sigma_b^2 + sigma_w^2 q over [0, T]", NONNEG, (0.0, 10.0))
ZZ = _p("zz", r"\langle z, z'\rangle", "inner product of the raw inputs")
SIGMA_Z = _p("sigma_z", r"\sigma_Z", "input-layer scale: A_ij ~ N(0, sigma_Z^2)", NONNEG, (0.1, 2.0))
SIGMA_Y = _p("sigma_y", r"\sigma_Y", "output-layer scale: G_1j ~ N(0, sigma_Y^2 / D)", NONNEG, (0.1, 2.0))
THETA = _p("Theta", r"\Theta", "NTK entry")
V_PSI = _p("V", r"E[\psi(u)\psi(v)]", "dual of psi at the current kernel")
VD_PSI = _p("Vdot", r"E[\psi'(u)\psi'(v)]", "derivative dual of psi at the current kernel")
RHO = _p("rho", r"\rho", "correlation of the two states", Domain(-1, 1), (-1.0, 1.0))

_DOUBLY = ("psi = identity, fully i.i.d. centred parameters (Corollary 5)",
           "depth first (L -> infinity), then width (D -> infinity); the limits of m, q, lambda at t = 0 exist",
           "heuristic in the paper (JMLR Propositions 18-19): the O(1/D) quadratic variations are dropped")


def prop18_rates(D: int = 3) -> dict[str, sp.Expr]:
    r"""Itô drifts of $m, q, \lambda$ and quadratic variations of $m, q$ at explicit width ``D`` (two inputs)."""
    p1, p2, sw, sb = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    diff = iid_diffusion(D, 2, lambda u: u, p1, p2, sw, sb)
    x, y = diff.states
    m = sum(x) / D
    q = sum(v**2 for v in x) / D
    lam = sum(u * v for u, v in zip(x, y)) / D
    return {"m": diff.generator(m), "q": diff.generator(q), "lam": diff.generator(lam),
            "qv_m": diff.covariation(m, m), "qv_q": diff.covariation(q, q),
            "_sym": (sum(y) / D, sum(v**2 for v in y) / D, m, q, lam)}


def _prop18_check(D: int) -> None:
    p1, p2, sw, sb = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    r = prop18_rates(D)
    mj, qj, m, q, lam = r["_sym"]
    S, Sj = sb**2 + sw**2 * q, sb**2 + sw**2 * qj
    wants = {"m": p2 * S / 2, "q": (p2 * m + p1**2) * S,
             "lam": p2 / 2 * (S * mj + Sj * m) + p1**2 * (sb**2 + sw**2 * lam),
             "qv_m": p1**2 * S / D, "qv_q": 4 * p1**2 * S * q / D}
    for k, w in wants.items():
        if sp.expand(r[k] - w) != 0:
            raise AssertionError(f"Proposition 18: {k} rate differs at D = {D}")


def deterministic_limit_record() -> Record:
    for d in (2, 3):
        _prop18_check(d)
    p1, p2, sw, sb = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    m, mj, q, qj, lam = M_I.symbol, M_J.symbol, Q_I.symbol, Q_J.symbol, LAM.symbol
    m0, q0, l0, t = M0.symbol, Q0.symbol, LAM0.symbol, T_.symbol
    S, Sj = sb**2 + sw**2 * q, sb**2 + sw**2 * qj
    beta, Et = sb**2 / sw**2, sp.exp(p1**2 * sw**2 * t)
    # phi''(0) = 0 solution, checked by substitution
    q_lin, l_lin = q0 + (q0 + beta) * (Et - 1), l0 + (l0 + beta) * (Et - 1)
    for sol, init in ((q_lin, q0), (l_lin, l0)):
        if sp.simplify(sp.diff(sol, t) - p1**2 * (sb**2 + sw**2 * sol)) != 0 or sp.simplify(sol.subs(t, 0) - init) != 0:
            raise AssertionError("phi''(0) = 0 solution fails")
    # phi''(0) != 0: u = phi''(0) m + phi'(0)^2, S; invariant; Riccati
    u0 = p2 * m0 + p1**2
    S0 = sb**2 + sw**2 * q0
    cstar = p2**2 * S0 - sw**2 * u0**2
    us, Ss = sp.symbols("u S", real=True)
    inv = p2**2 * Ss - sw**2 * us**2
    if sp.expand(sp.diff(inv, Ss) * sw**2 * us * Ss + sp.diff(inv, us) * p2**2 * Ss / 2) != 0:
        raise AssertionError("C_* is not invariant")
    cs, om = sp.Symbol("C_star", positive=True), sp.Symbol("omega", positive=True)
    tau_pos = sp.tan(om * t) / om  # omega^2 = sigma_w^2 C_* / 4
    u_t = (u0 + cs * tau_pos / 2) / (1 - sw**2 * u0 * tau_pos / 2)
    ric = sp.diff(u_t, t) - (sw**2 * u_t**2 + cs) / 2
    if sp.simplify(ric.subs(om, sw * sp.sqrt(cs) / 2)) != 0 or u_t.subs(t, 0) != u0:
        raise AssertionError("Riccati solution fails (C_* > 0)")
    cneg = sp.Symbol("k", positive=True)  # C_* = -k^2
    tau_neg = sp.tanh(om * t) / om
    u_n = (u0 - cneg**2 * tau_neg / 2) / (1 - sw**2 * u0 * tau_neg / 2)
    if sp.simplify((sp.diff(u_n, t) - (sw**2 * u_n**2 - cneg**2) / 2).subs(om, sw * cneg / 2)) != 0:
        raise AssertionError("Riccati solution fails (C_* < 0)")
    # unified tau for every sign of C_*
    w2 = sw**2 * cstar / 4
    tau = sp.Piecewise((sp.tan(sp.sqrt(w2) * t) / sp.sqrt(w2), cstar > 0),
                       (sp.Piecewise((sp.tanh(sp.sqrt(-w2) * t) / sp.sqrt(-w2), cstar < 0), (t, True)), True))
    u_gen = (u0 + cstar * tau / 2) / (1 - sw**2 * u0 * tau / 2)
    S_gen = (cstar + sw**2 * u_gen**2) / p2**2
    # Explosion: t* = int_{u_0}^oo 2 du/(sigma_w^2 u^2 + C_*) where it converges.  C_* = 0 is its own branch
    # (the simple pole u = u_0/(1 - sigma_w^2 u_0 t/2)); pi/2 - atan(X) = atan2(1, X) and
    # ln((a+r)/(a-r)) = 2 atanh(r/a) keep the other two branches finite as C_* -> 0.
    C_, U_, W_ = sp.Symbol("C", real=True), sp.Symbol("u_0", real=True), sp.Symbol("s_w", positive=True)
    r_ = sp.sqrt(sp.Abs(C_))
    branches = {"zero": sp.Piecewise((2 / (W_**2 * U_), U_ > 0), (sp.oo, True)),
                "pos": 2 * sp.atan2(r_, W_ * U_) / (W_ * r_),
                "neg": sp.Piecewise((2 * sp.atanh(r_ / (W_ * U_)) / (W_ * r_), W_ * U_ > r_), (sp.oo, True))}
    v_ = sp.Symbol("v", positive=True)
    for name, cs_val, u_val, w_val in (("zero", 0, sp.Rational(5, 8), 1), ("pos", 1, 1, 1), ("pos", 3, -1, 2),
                                       ("neg", -1, 2, 1), ("neg", -4, 3, 2)):
        quad = sp.integrate(2 / (w_val**2 * v_**2 + cs_val), (v_, u_val, sp.oo)) if u_val > 0 else (
            sp.integrate(2 / (w_val**2 * v_**2 + cs_val), (v_, 0, sp.oo)) + sp.integrate(
                2 / (w_val**2 * v_**2 + cs_val), (v_, 0, -u_val)))
        got = branches[name].subs({C_: cs_val, U_: u_val, W_: w_val})
        if abs(sp.N(quad - got, 60)) > 1e-50:  # arctan identities defeat simplify; 60 digits decide
            raise AssertionError(f"explosion time {name}: {got} differs from the integral {quad}")
    t_star = sp.Piecewise(*((branches[k].subs({C_: cstar, U_: u0, W_: sw}), cond) for k, cond in (
        ("zero", sp.Eq(cstar, 0)), ("pos", cstar > 0), ("neg", True))))
    return Record(
        id="resnet_sde.doubly_infinite",
        title="Doubly infinite ResNet (depth then width, psi = identity): deterministic m, q, lambda",
        source=SOURCE + ": Lemma 21, Proposition 18, eqs. 37-38 (constants re-derived)",
        assumptions=_DOUBLY + ("u_t, S_t, m_t, q_t, explosion_time: phi''(0) != 0", "q_t_linear, lambda_t_linear: phi''(0) = 0"),
        parameters=(M_I, M_J, Q_I, Q_J, LAM, M0, Q0, LAM0, T_, DPHI0, D2PHI0, SIGMA_W_POS, SIGMA_B),
        expressions={
            "m_rate": p2 * S / 2,
            "q_rate": (p2 * m + p1**2) * S,
            "lambda_rate": p2 / 2 * (S * mj + Sj * m) + p1**2 * (sb**2 + sw**2 * lam),
            "q_t_linear": q_lin,
            "lambda_t_linear": l_lin,
            "invariant": cstar,
            "u_t": u_gen,
            "S_t": S_gen,
            "m_t": (u_gen - p1**2) / p2,
            "q_t": (S_gen - sb**2) / sw**2,
            "explosion_time": t_star,
        },
        arguments={
            "m_rate": ("q", "d2phi0", "sigma_w", "sigma_b"),
            "q_rate": ("m", "q", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "lambda_rate": ("m", "m_j", "q", "q_j", "lam", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "q_t_linear": ("q0", "t", "dphi0", "sigma_w", "sigma_b"),
            "lambda_t_linear": ("lam0", "t", "dphi0", "sigma_w", "sigma_b"),
            "invariant": ("m0", "q0", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "u_t": ("m0", "q0", "t", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "S_t": ("m0", "q0", "t", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "m_t": ("m0", "q0", "t", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "q_t": ("m0", "q0", "t", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
            "explosion_time": ("m0", "q0", "dphi0", "d2phi0", "sigma_w", "sigma_b"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"Generator of Corollary 5 ($\psi = \mathrm{id}$) on $m, q, \lambda$: drifts $\tfrac12\phi''(0)S$, "
                r"$(\phi''(0)m + \phi'(0)^2)S$, $\tfrac12\phi''(0)(S_im_j + S_jm_i) + \phi'(0)^2(\sigma_b^2 + \sigma_w^2\lambda)$ "
                r"exactly at every $D$; $d[m] = \phi'(0)^2S/D$, $d[q] = 4\phi'(0)^2Sq/D \to 0$.",
                r"$\phi''(0) = 0$: $m_T = m_0$, $q_T = q_0 + (q_0+\beta)(E-1)$, $\lambda_T = \lambda_0 + (\lambda_0+\beta)(E-1)$.",
                r"$\phi''(0) \ne 0$: $u = \phi''(0)m + \phi'(0)^2$ and $S$ obey $\dot S = \sigma_w^2uS$, $\dot u = \tfrac12\phi''(0)^2S$ "
                r"with the invariant $C_* = \phi''(0)^2S - \sigma_w^2u^2$, so $\dot u = \tfrac12(\sigma_w^2u^2 + C_*)$ (Riccati).",
                r"$u_t = (u_0 + C_*\tau/2)/(1 - \sigma_w^2u_0\tau/2)$, $\tau = \tan(\omega t)/\omega$, $\omega^2 = \sigma_w^2C_*/4$ "
                r"($\tanh$ for $C_* < 0$, $\tau = t$ for $C_* = 0$); $S = (C_* + \sigma_w^2u^2)/\phi''(0)^2$.",
                r"Explosion at $t^* = \int_{u_0}^\infty \frac{2\,du}{\sigma_w^2u^2 + C_*}$ where it converges: "
                r"$\frac{2}{\sigma_w\sqrt{C_*}}\operatorname{atan2}(\sqrt{C_*}, \sigma_wu_0)$ ($C_* > 0$); "
                r"$\frac{2}{\sigma_w^2u_0}$ iff $u_0 > 0$ ($C_* = 0$, a simple pole); "
                r"$\frac{2}{\sigma_w\sqrt{-C_*}}\operatorname{artanh}\frac{\sqrt{-C_*}}{\sigma_wu_0}$ iff $\sigma_wu_0 > \sqrt{-C_*}$ ($C_* < 0$); "
                r"$\infty$ otherwise.",
            ),
            ("Ito drifts and O(1/D) quadratic variations at D = 2, 3", "phi''(0) = 0 solutions by substitution",
             "C_* invariant", "Riccati solution by substitution (C_* > 0 and C_* < 0)",
             "explosion time branches equal the integral int 2 du/(sigma_w^2 u^2 + C_*) at C_* = 0, > 0 (u_0 of both signs), < 0"),
        ),
        notes="The paper's constant C = -phi'(0)^4 sigma_w^2 + phi''(0)^2 (sigma_b^2 + sigma_w^2 c_1) equals invariant. "
              "explosion_time is inf where there is none; C_* = 0 (e.g. swish, sigma_w = sigma_b = 1, m_0 = 3/4, q_0 = 9/16) "
              "is its own branch 2/(sigma_w^2 u_0) (it fell into the C_* < 0 branch as 0/0 = NaN before).",
    )


def two_input_law_record() -> Record:
    p1, p2, sw, sb = DPHI0.symbol, D2PHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol
    m, q, t = sp.symbols("m q t", real=True)
    S = sb**2 + sw**2 * q
    # v = q - m^2 grows at phi'(0)^2 S, m at phi''(0) S / 2: ratio phi''(0) / (2 phi'(0)^2)
    v_rate = sp.expand((p2 * m + p1**2) * S - 2 * m * p2 * S / 2)
    if sp.expand(v_rate - p1**2 * S) != 0:
        raise AssertionError("variance increment rate is not phi'(0)^2 S")
    l0, T = LAM0.symbol, TIME.symbol
    beta, E = sb**2 / sw**2, sp.exp(p1**2 * sw**2 * T)
    inc = sp.simplify(sp.integrate(p1**2 * (sb**2 + sw**2 * (l0 + (l0 + beta) * (sp.exp(p1**2 * sw**2 * t) - 1))), (t, 0, T)))
    want = (l0 + beta) * (E - 1)
    if sp.simplify(inc - want) != 0:
        raise AssertionError("covariance increment differs")
    int_s = INT_S.symbol
    return Record(
        id="resnet_sde.two_input_law",
        title="Doubly infinite ResNet: joint Gaussian law of one unit at two inputs",
        source=SOURCE + ": Proposition 19, eq. 40",
        assumptions=_DOUBLY,
        parameters=(INT_S, LAM0, DPHI0, D2PHI0, SIGMA_W_POS, SIGMA_B, TIME),
        expressions={
            "mean_shift": p2 * int_s / 2,
            "variance_increment": p1**2 * int_s,
            "shift_to_variance_ratio": p2 / (2 * p1**2),
            "covariance_increment_linear": want,
        },
        arguments={"mean_shift": ("int_S", "d2phi0"), "variance_increment": ("int_S", "dphi0"),
                   "shift_to_variance_ratio": ("dphi0", "d2phi0"),
                   "covariance_increment_linear": ("lam0", "dphi0", "sigma_w", "sigma_b", "T")},
        derivation=Derivation(
            Method.DERIVED,
            (r"With deterministic $S(t)$ the units are i.i.d.: $dx_d = \tfrac12\phi''(0)S\,dt + \phi'(0)\sqrt S\,dB_d$, "
             r"so $x_{T,d} - x_{0,d}$ is Gaussian with mean $\tfrac12\phi''(0)\int S$ and variance $\phi'(0)^2\int S$.",
             r"$\frac{d}{dt}(q - m^2) = \phi'(0)^2S$, matching eq. 40's $v_T - v_0$; the ratio mean shift / variance "
             r"increment is $\phi''(0)/(2\phi'(0)^2)$ for every input (1 for swish).",
             r"$\phi''(0) = 0$: covariance increment $c_T - c_0 = \int_0^T\phi'(0)^2(\sigma_b^2 + \sigma_w^2\lambda_t)dt = (\lambda_0+\beta)(E-1)$."),
            ("d(q - m^2)/dt = phi'(0)^2 S", "covariance increment by integration"),
        ),
    )


def ntk_record() -> Record:
    p1, sw, sb, T = DPHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol, TIME.symbol
    l0, zz, sz, sy = LAM0.symbol, ZZ.symbol, SIGMA_Z.symbol, SIGMA_Y.symbol
    t = sp.Symbol("t", nonnegative=True)
    a, beta = p1**2 * sw**2, sb**2 / sw**2
    C, E = a * T, sp.exp(a * T)
    lam_t = (l0 + beta) * sp.exp(a * t) - beta
    back = sp.exp(a * (T - t))  # (1/D) sum of backward Jacobian products from t to T, E[g^T g] = e^{a(T-t)}
    K_b = sp.simplify(sp.integrate(p1**2 * sb**2 * back, (t, 0, T)))
    K_W = sp.simplify(sp.integrate(p1**2 * sw**2 * lam_t * back, (t, 0, T)))
    for got, want in ((K_b, beta * (E - 1)), (K_W, l0 * C * E + beta * (C * E - (E - 1)))):
        if sp.simplify(got - want) != 0:
            raise AssertionError("NTK integral differs")
    total = sp.factor(K_b + K_W)
    if sp.simplify(total - (l0 + beta) * C * E) != 0:
        raise AssertionError("NTK total differs")
    nngp = sy**2 * (sz**2 * E * zz + beta * (E - 1))
    ntk = sy**2 * (sz**2 * (C + 2) * E * zz + beta * (C * E + E - 1))
    pieces = nngp + sy**2 * total.subs(l0, sz**2 * zz) + sy**2 * sz**2 * E * zz
    if sp.simplify(pieces - ntk) != 0 or sp.simplify(sy**2 * lam_t.subs({t: T, l0: sz**2 * zz}) - nngp) != 0:
        raise AssertionError("completed-network kernels differ")
    if sp.diff(nngp, zz, 2) != 0 or sp.diff(ntk, zz, 2) != 0:
        raise AssertionError("kernels are not affine in <z, z'>")
    return Record(
        id="resnet_sde.ntk",
        title="Doubly infinite ResNet (psi = identity, phi''(0) = 0): NNGP and NTK, bare and completed",
        source=SOURCE + ": Section 5.4, eqs. 41-43 (heuristic in the paper)",
        assumptions=_DOUBLY + ("phi''(0) = 0", "output x_{T,1}; gradients with respect to the standard normal "
                               "reparametrised weights and biases; gradient independence (heuristic)",
                               "completed network: x_0 = A z, A_ij ~ N(0, sigma_Z^2); y = G x_T, G_1j ~ N(0, sigma_Y^2 / D)"),
        parameters=(LAM0, ZZ, DPHI0, SIGMA_W_POS, SIGMA_B, SIGMA_Z, SIGMA_Y, TIME),
        expressions={
            "ntk_bias": beta * (E - 1),
            "ntk_weights": l0 * C * E + beta * (C * E - (E - 1)),
            "ntk_total": (l0 + beta) * C * E,
            "nngp_increment": (l0 + beta) * (E - 1),
            "nngp_completed": nngp,
            "ntk_completed": ntk,
        },
        arguments={
            "ntk_bias": ("dphi0", "sigma_w", "sigma_b", "T"),
            "ntk_weights": ("lam0", "dphi0", "sigma_w", "sigma_b", "T"),
            "ntk_total": ("lam0", "dphi0", "sigma_w", "sigma_b", "T"),
            "nngp_increment": ("lam0", "dphi0", "sigma_w", "sigma_b", "T"),
            "nngp_completed": ("zz", "dphi0", "sigma_w", "sigma_b", "sigma_z", "sigma_y", "T"),
            "ntk_completed": ("zz", "dphi0", "sigma_w", "sigma_b", "sigma_z", "sigma_y", "T"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"Layer $t$'s bias and weights enter through $\phi'(0)\sigma_b\sqrt{dt}$ and $\phi'(0)\sigma_w\sqrt{dt/D}\,\psi(x_t)$, "
             r"propagated by $J(x_T, x_t)$ whose width-averaged Gram matrix is $e^{a(T-t)}$ (record resnet_sde.backward).",
             r"$K_b = \int_0^T\phi'(0)^2\sigma_b^2e^{a(T-t)}dt = \beta(E-1)$, "
             r"$K_W = \int_0^T a\lambda_te^{a(T-t)}dt = \lambda_0CE + \beta(CE - (E-1))$, total $(\lambda_0+\beta)CE$.",
             r"Completed: NNGP $\sigma_Y^2\lambda_T$ with $\lambda_0 = \sigma_Z^2\langle z,z'\rangle$; NTK = output layer "
             r"+ residual layers $\sigma_Y^2(\lambda_0+\beta)CE$ + input layer $\sigma_Y^2\sigma_Z^2E\langle z,z'\rangle$.",
             r"Both kernels are affine in $\langle z, z'\rangle$: the prior is Bayesian linear regression "
             r"$\hat y = \alpha + \beta^\top z$ and NTK training gives linear-model predictions (limited expressive power)."),
            ("integrals by sympy.integrate", "completed NTK = sum of its three pieces",
             "second derivative in <z, z'> vanishes (affine kernels)"),
        ),
        notes="Limited expressive power: nngp_completed and ntk_completed are affine in <z, z'>; correlations do not tend to 1.",
    )


def width_first_record() -> Record:
    p1, sw, sb, t = DPHI0.symbol, SIGMA_W_POS.symbol, SIGMA_B.symbol, T_.symbol
    Th, V, Vd, rho = THETA.symbol, V_PSI.symbol, VD_PSI.symbol, RHO.symbol
    k_rate = p1**2 * (sb**2 + sw**2 * V)
    th_rate = p1**2 * (sb**2 + sw**2 * V + sw**2 * Vd * Th)
    # psi = identity: V = K, Vdot = 1; solutions equal the depth-first ones (limits commute)
    a, beta = p1**2 * sw**2, sb**2 / sw**2
    K0, Th0 = sp.symbols("K0 Theta0", real=True)
    K_t = (K0 + beta) * sp.exp(a * t) - beta
    Th_t = sp.exp(a * t) * (Th0 + a * t * (K0 + beta))
    if sp.simplify(sp.diff(K_t, t) - k_rate.subs(V, K_t)) != 0:
        raise AssertionError("width-first kernel (psi = id) fails")
    if sp.simplify(sp.diff(Th_t, t) - th_rate.subs({V: K_t, Vd: 1, Th: Th_t})) != 0 or Th_t.subs(t, 0) != Th0:
        raise AssertionError("width-first NTK (psi = id) fails")
    # psi = relu from the dual engine
    res = derive_dual(activation_spec("relu").expr)
    qq = sp.Symbol("qq", positive=True)
    var = sp.simplify(res.dual.subs({q1_sym: qq, q2_sym: qq}).subs(c_sym, qq))
    if sp.simplify(var - qq / 2) != 0:
        raise AssertionError("relu variance is not q/2")
    f = (sp.sqrt(1 - rho**2) + (sp.pi - sp.acos(rho)) * rho) / sp.pi
    qa, qb = sp.symbols("qa qb", positive=True)
    dual_rho = sp.simplify(res.dual.subs(c_sym, rho * sp.sqrt(q1_sym * q2_sym)))
    if sp.simplify((dual_rho - sp.sqrt(q1_sym * q2_sym) * f / 2).subs({q1_sym: qa, q2_sym: qb, rho: sp.Rational(3, 10)})) != 0:
        raise AssertionError("relu dual is not sqrt(q1 q2) f(rho) / 2")
    # sigma_b = 0: q_i grow at a/2, c grows at a sqrt(q1 q2) f / 2; rho = c / sqrt(q1 q2)
    s_, cc = sp.symbols("s cc", positive=True)  # s = sqrt(q1 q2)
    rho_rate = sp.simplify((a * s_ * f.subs(rho, cc / s_) / 2) / s_ - (cc / s_) * (a / 2))
    want = a / 2 * (f - rho)
    if sp.simplify(rho_rate - want.subs(rho, cc / s_)) != 0:
        raise AssertionError("relu correlation ODE differs")
    q0 = Q0.symbol
    return Record(
        id="resnet_sde.width_first",
        title="Width first, then depth: kernel and NTK ODEs of the infinitely deep ResNet",
        source=SOURCE + ": Section 5.6, eq. 44 (sigma's and phi restored); Hayou and Yang (ICML 2023)",
        assumptions=("width to infinity first (NNGP of each block), then depth; 1/sqrt(L) branch scaling",
                     "centred states; the NTK ODE uses the gradient-independence heuristic",
                     "relu expressions: psi = relu and sigma_b = 0 for the correlation ODE"),
        parameters=(THETA, V_PSI, VD_PSI, RHO, Q0, T_, DPHI0, SIGMA_W_POS, SIGMA_B),
        expressions={
            "kernel_rate": k_rate,
            "ntk_rate": th_rate,
            "relu_variance_t": (q0 + 2 * beta) * sp.exp(a * t / 2) - 2 * beta,
            "relu_correlation_rate": want,
            "relu_correlation_map": f,
        },
        arguments={
            "kernel_rate": ("V", "dphi0", "sigma_w", "sigma_b"),
            "ntk_rate": ("Theta", "V", "Vdot", "dphi0", "sigma_w", "sigma_b"),
            "relu_variance_t": ("q0", "t", "dphi0", "sigma_w", "sigma_b"),
            "relu_correlation_rate": ("rho", "dphi0", "sigma_w"),
            "relu_correlation_map": ("rho",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"$\dot K = \phi'(0)^2(\sigma_b^2 + \sigma_w^2E_{N(0,K)}[\psi(u)\psi(v)])$, "
             r"$\dot\Theta = \phi'(0)^2(\sigma_b^2 + \sigma_w^2E[\psi\psi] + \sigma_w^2E[\psi'\psi']\Theta)$.",
             r"$\psi = \mathrm{id}$: $K_t = (K_0+\beta)e^{at} - \beta$ and $\Theta_t = e^{at}(\Theta_0 + at(K_0+\beta))$, "
             r"the depth-first results (records resnet_sde.doubly_infinite, resnet_sde.ntk): the limits commute.",
             r"$\psi = \mathrm{relu}$ (dual engine, dual.relu): $E\psi(u)^2 = q/2$, so $q_t = (q_0 + 2\beta)e^{at/2} - 2\beta$; "
             r"with $\sigma_b = 0$, $\dot\rho = \tfrac a2(f(\rho) - \rho)$, $f(\rho) = (\sqrt{1-\rho^2} + (\pi - \arccos\rho)\rho)/\pi$."),
            ("psi = id solutions by substitution", "relu dual from derivations.dual.duals", "correlation ODE by the chain rule"),
        ),
        notes="a = phi'(0)^2 sigma_w^2. f(rho) >= rho with f(1) = 1: the correlation rises towards 1 but stays below it on finite horizons.",
    )
