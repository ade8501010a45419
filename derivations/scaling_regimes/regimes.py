r"""The regime table of Cohen, Cont, Rossier and Xu as two parameterised records, read off the master expansion.

**Smooth weights** (rows F1-F5): $\delta = L^{-\alpha}$, $A_k = L^{-\beta}\bar A(t_k)$, $b_k = L^{-\beta}\bar b(t_k)$,
$u = \bar A h + \bar b$.  The expansion $\delta\sigma(z) = \sum_n c_n\delta z^n$ ($c_n = \sigma^{(n)}(0)/n!$) times $L$
(increments per unit depth-time) is $\sum_n c_n L^{e_n}u^n$ with $e_n = 1 - \alpha - n\beta$.  So $e_1 < 0$: identity
(F4, deviation $L^{e_1}$); $e_1 > 0$: growth, neither (F5); $e_1 = 0$, $\beta > 0$: the linear ODE
$\dot H = \sigma'(0)u$ (F2), the next surviving term $n$ perturbing the drift by $L^{e_n}$, so the error is
$O(L^{-\min(1, e_1 - e_n)})$ (1: the left-point Riemann sum): $\min(1, \beta)$ if $\sigma''(0) \neq 0$, $\min(1, 2\beta)$
if $\sigma''(0) = 0$; $\beta = 0$: every $e_n = 0$, the neural ODE $\dot H = \sigma(u)$ (F1), error $O(1/L)$.  ReLU
(F3): $L\delta\,\mathrm{ReLU}(L^{-\beta}u) = L^{e_1}\mathrm{ReLU}(u)$ (positive homogeneity), the neural ODE for every
$\beta$ on $\alpha + \beta = 1$.

**Diffusive weights with a vanishing** $\delta$ (rows F6-F8): $\delta = L^{-\alpha}$, $\delta A_k = \bar A/L + s_A\Delta
B^A_k$, $\delta b_k = \bar b/L + s_b\Delta B^b_k$ (so $\alpha + \beta = \tfrac12$), $z = L^{\alpha}\tilde z$.  The
drift per unit time is $\sigma'(0)u + \tfrac{\sigma''(0)}{2}L^{\alpha}(s_A^2h^2 + s_b^2) + \dots$: the Itô correction
is multiplied by $L^{\alpha}$ (F6 at $\alpha = 0$; F8, neither, for $\alpha > 0$ and $\sigma''(0) \neq 0$; F7, the SDE
without correction, for $\sigma''(0) = 0$ while the higher terms vanish).  The order-$n$ term $L^{-\alpha}c_n
(L^{\alpha}\tilde z_k)^n$ summed over the $L$ layers splits into its conditional means (a drift) and their centred
rest (a martingale: independent Gaussian $\tilde z_k$ given $h_k$); with $\tilde z = \mu + s\,g$, $\mu = O(L^{-1})$,
$s^2 = O(L^{-1})$, the drift is $L\cdot L^{(n-1)\alpha}E\tilde z^n$ and the martingale's standard deviation
$(L\cdot L^{2(n-1)\alpha}\mathrm{Var}\,\tilde z^n)^{1/2}$.  Cubic: $E\tilde z^3 = \mu^3 + 3\mu s^2 = O(L^{-2})$ and
$\mathrm{Var}\,\tilde z^3 = O(L^{-3})$, both parts $L^{2\alpha - 1}$, so the cubic term vanishes for $\alpha < \tfrac12$
(the bound $\sum\delta|z|^3 = O(L^{2\alpha - 1/2})$ ignores this cancellation); quartic ($\sigma''''(0) \neq 0$):
drift $L^{3\alpha - 1}$, martingale $L^{3\alpha - 3/2}$, so F7 needs $\alpha < \tfrac13$ unless $\sigma''''(0) = 0$.
Every exponent below is computed by SymPy from the expansion (scaling_regimes.md section 4, [DER] there; the
reference's $\alpha < \tfrac14$ is the crude bound's, corrected here).
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .diffusive import gaussian_expectation
from .master import SIGMA1, SIGMA2, taylor_coefficients

__all__ = ["diffusive_delta_record", "expansion_exponents", "smooth_weights_record", "term_sum_exponents"]

INF = math.inf
REAL = Domain()
L = Parameter("L", Domain(1, INF), "L", (16.0, 4096.0), "depth")
ALPHA = Parameter("alpha", Domain(0, 1), r"\alpha", (0.0, 1.0), "delta = L^-alpha")
BETA = Parameter("beta", Domain(0, 1), r"\beta", (0.0, 1.0), "weights of size L^-beta")
U = Parameter("u", REAL, "u", (-1.0, 1.0), "pre-activation drift A_bar(t) h + b_bar(t) (d = 1)")
SIGMA3 = Parameter("sigma3", REAL, r"\sigma'''(0)", (-2.0, 0.0), "third derivative of the activation at 0")
H = Parameter("h", REAL, "h", (-2.0, 2.0), "hidden state (d = 1)")
ABAR = Parameter("A_bar", REAL, r"\bar A", (-0.5, 1.0), "drift of delta*A (d = 1)")
BBAR = Parameter("b_bar", REAL, r"\bar b", (0.0, 0.5), "drift of delta*b")
S_A = Parameter("s_A", Domain(0, INF), "s_A", (0.2, 1.0), "noise level of delta*A")
S_B = Parameter("s_b", Domain(0, INF), "s_b", (0.0, 0.5), "noise level of delta*b")


def _coefficients() -> tuple[sp.Expr, ...]:
    """The master expansion's Taylor coefficients to order 3, ``sigma'''(0)`` named."""
    coeffs = taylor_coefficients(3)
    return tuple(c.xreplace({s: SIGMA3.symbol for s in c.atoms(sp.Subs)}) for c in coeffs)


def _exponent(term: sp.Expr) -> sp.Expr:
    """The exponent of L in a monomial ``coefficient * L**e``."""
    lpow = sp.powsimp(sp.expand_power_base(term, force=True), force=True).as_independent(L.symbol)[1]
    return sp.expand(lpow.as_base_exp()[1]) if lpow != 1 else sp.Integer(0)


def expansion_exponents(alpha: sp.Expr, beta: sp.Expr) -> tuple[sp.Expr, list[sp.Expr]]:
    r"""(``L`` times the expanded increment $L^{-\alpha}\sigma(L^{-\beta}u)$, the exponents $e_1, e_2, e_3$)."""
    big_l, u = L.symbol, U.symbol
    terms = [big_l * big_l ** -alpha * c * (big_l ** -beta * u) ** n for n, c in enumerate(_coefficients())][1:]
    return sp.Add(*terms), [_exponent(t) for t in terms]


def _z_tilde() -> tuple[sp.Expr, tuple[sp.Symbol, sp.Symbol]]:
    r"""$\tilde z = \delta(A h + b) = (\bar A/L + s_A\xi/\sqrt L)h + \bar b/L + s_b\eta/\sqrt L$ and its normals."""
    dt = 1 / L.symbol
    xi, eta = sp.symbols("xi eta", real=True)
    return ((ABAR.symbol * dt + S_A.symbol * xi * sp.sqrt(dt)) * H.symbol + BBAR.symbol * dt
            + S_B.symbol * eta * sp.sqrt(dt)), (xi, eta)


def _leading_exponent(expr: sp.Expr) -> sp.Expr:
    r"""The largest exponent of $L$ among the nonzero terms of a polynomial in $L^{-1/2}$ (generic parameters)."""
    eps = sp.Symbol("epsilon", positive=True)   # L = eps^-2
    poly = sp.Poly(sp.expand(expr.subs(L.symbol, eps ** -2)), eps)
    return -sp.Rational(min(m[0] for m, c in poly.terms() if c != 0), 2)


def term_sum_exponents(order: int, alpha: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r"""(drift, martingale) exponents of $L$ of $\sum_{k<L} L^{-\alpha}c_n z_k^n$, $z = L^{\alpha}\tilde z$, $n$ = ``order``.

    Drift: $L\cdot L^{e}E\tilde z^n$; martingale (centred, independent given $h_k$): standard deviation
    $(L\cdot L^{2e}\mathrm{Var}\,\tilde z^n)^{1/2}$, with $L^{e}$ the master expansion's scale of the term
    ($e = (n-1)\alpha$, read off by SymPy)."""
    z_tilde, normals = _z_tilde()
    w = sp.Symbol("w", positive=True)
    scale = _exponent(L.symbol ** -alpha * (L.symbol ** alpha * w) ** order / w ** order)
    mean = sp.expand(gaussian_expectation(z_tilde ** order, normals))
    var = sp.expand(gaussian_expectation(z_tilde ** (2 * order), normals) - mean ** 2)
    return (sp.expand(1 + scale + _leading_exponent(mean)),
            sp.expand((1 + 2 * scale + _leading_exponent(var)) / 2))


def smooth_weights_record() -> Record:
    alpha, beta, big_l, u = ALPHA.symbol, BETA.symbol, L.symbol, U.symbol
    rate, (e1, e2, e3) = expansion_exponents(alpha, beta)
    bpos = sp.Symbol("beta_pos", positive=True)
    linear = sp.limit(rate.subs(alpha, 1 - beta).subs(beta, bpos), big_l, sp.oo)
    on_line = {alpha: 1 - beta}
    relu = big_l ** (1 - alpha - beta) * sp.Max(0, u)   # = L delta ReLU(L^-beta u) (homogeneity, tests)
    return Record(
        id="scaling_regimes.smooth_weights",
        title="Smooth weights A_k = L^-beta A_bar(k/L), delta = L^-alpha (rows F1-F5): limit ODEs and error orders",
        source=("Cohen, Cont, Rossier and Xu, ICML 2021 (the neural ODE and the 'alternative ODE' limits, abstract); "
                "derived here from the master expansion (scaling_regimes.md section 4, rows F1-F5 [DER], rates "
                "[DER checked numerically] there); confidence: high for the exponents (Taylor), medium that F2 is "
                "the paper's 'alternative ODE' ([MEM] in the reference)"),
        assumptions=(("delta = L^-alpha, A_k = L^-beta A_bar(k/L), b_k = L^-beta b_bar(k/L), A_bar and b_bar Lipschitz "
                     "in t; scalar forms for d = 1 (u = A_bar h + b_bar), the same exponents componentwise in d"),
                     "sigma is C^3 near 0 with sigma(0) = 0 (ReLU: positive homogeneity instead)",
                     "growth_exponent < 0: h_L -> x (F4) with deviation O(L^growth_exponent); > 0: no limit (F5)",
                     ("growth_exponent = 0 (alpha + beta = 1) and beta > 0: dH/dt = limit_drift_linear (F2), error "
                     "O(L^-order_curved) if sigma''(0) != 0, O(L^-order_odd) if sigma''(0) = 0"),
                     ("beta = 0: the neural ODE dH/dt = sigma(u) (F1), error O(1/L); ReLU: dH/dt = ReLU(u) for every "
                     "beta on alpha + beta = 1 (F3), error O(1/L)")),
        parameters=(L, ALPHA, BETA, U, SIGMA1, SIGMA2, SIGMA3),
        expressions={"increment_rate": rate, "growth_exponent": e1, "limit_drift_linear": linear.subs(bpos, beta),
                     "order_curved": sp.Min(1, sp.expand((e1 - e2).subs(on_line))),
                     "order_odd": sp.Min(1, sp.expand((e1 - e3).subs(on_line))),
                     "relu_increment_rate": relu},
        arguments={"increment_rate": ("L", "alpha", "beta", "u", "sigma1", "sigma2", "sigma3"),
                   "growth_exponent": ("alpha", "beta"), "limit_drift_linear": ("u", "sigma1"),
                   "order_curved": ("beta",), "order_odd": ("beta",), "relu_increment_rate": ("L", "alpha", "beta", "u")},
        derivation=Derivation(
            Method.DERIVED,
            ((r"Put $z = L^{-\beta}u$ into the master expansion to third order and multiply by $L\delta = L^{1-\alpha}$: "
             r"$\sum_{n\le3} c_n L^{e_n}u^n$, $e_n = 1 - \alpha - n\beta$ (exponents read off by SymPy)."),
             (r"On $e_1 = 0$ with $\beta > 0$: $\lim_{L\to\infty}$ gives $\sigma'(0)u$; the first surviving $n \ge 2$ "
             r"perturbs the drift by $L^{e_n}$, the Riemann sum adds $O(1/L)$: order $\min(1, e_1 - e_n)$."),
             r"ReLU: $\mathrm{ReLU}(\lambda u) = \lambda\,\mathrm{ReLU}(u)$ for $\lambda = L^{-\beta} > 0$."),
            ("orders match the measured log-log slopes of the F2 networks (tests, numerics.scaling_regimes.smooth)",
             "relu_increment_rate equals L delta ReLU(L^-beta u) (tests)"),
        ),
        notes=("Rates measured here (d = 3, L = 128..4096): tanh beta 0.2: slope -0.45 (order 0.4); tanh beta 0.3-0.45: "
               "-0.78..-0.98 (orders 0.6-0.9, pre-asymptotic: the 1/L term dominates); softplus beta 0.2-0.5: within "
               "0.02 of beta; softplus beta 0.7: -0.83 (order 0.7)."),
        architecture="h_{k+1} = h_k + L^-alpha sigma(L^-beta (A_bar(k/L) h_k + b_bar(k/L)))",
    )


def diffusive_delta_record() -> Record:
    alpha, big_l = ALPHA.symbol, L.symbol
    c = _coefficients()
    z_tilde, normals = _z_tilde()
    increment = [big_l ** -alpha * c[n] * (big_l ** alpha * z_tilde) ** n for n in (1, 2)]
    means = [sp.expand(big_l * gaussian_expectation(term, normals)) for term in increment]
    bpos = sp.Symbol("L_pos", positive=True)
    first = sp.limit(means[0].subs(big_l, bpos), bpos, sp.oo)
    # the sigma''(0) term's leading power of L (the O(dt^2) terms of E z^2 are dropped)
    second = sp.expand(means[1]).as_ordered_terms()
    correction = sp.Add(*(t for t in second if sp.simplify(_exponent(t) - alpha) == 0))
    cubic, quartic = term_sum_exponents(3, alpha), term_sum_exponents(4, alpha)
    return Record(
        id="scaling_regimes.diffusive_delta",
        title="Diffusive weights with delta = L^-alpha (rows F6-F8): the Ito correction scales like L^alpha",
        source=("Cohen, Cont, Rossier and Xu, ICML 2021 (the SDE regime and 'neither'); derived here from the master "
                "expansion (scaling_regimes.md section 4, rows F6-F8, [DER] there; F7/F8 are not checked against the "
                "papers, which may not treat them)"),
        assumptions=(("delta = L^-alpha, delta A_k = A_bar/L + s_A dB^A_k, delta b_k = b_bar/L + s_b dB^b_k (so the "
                     "weights are O(L^-beta), alpha + beta = 1/2); scalar forms for d = 1"),
                     "sigma C^4 near 0 (C^3 if sigma''''(0) = 0), sigma(0) = 0",
                     ("alpha = 0 (F6): the Ito SDE of record scaling_regimes.diffusive_sde; alpha > 0 and sigma''(0) "
                     "!= 0 (F8): the correction grows like L^correction_exponent, no limit"),
                     ("alpha > 0 and sigma''(0) = 0 (F7): dH = sigma'(0)(dM H + dm), no correction, when the summed "
                     "cubic term (its drift and martingale parts of exponents remainder_mean_exponent and "
                     "remainder_martingale_exponent) "
                     "vanishes, remainder_exponent < 0 (alpha < 1/2), and, if sigma''''(0) != 0, the summed quartic "
                     "term too, quartic_exponent < 0 (alpha < 1/3)"),
                     ("odd sigma (tanh): the even terms vanish and the order 2m+1 terms sum to O(L^(m(2 alpha - 1))) "
                     "(term_sum_exponents, tests), so F7 holds on all of 0 < alpha < 1/2")),
        parameters=(L, ALPHA, H, ABAR, BBAR, S_A, S_B, SIGMA1, SIGMA2),
        expressions={"drift_first_order": first, "ito_correction_scaled": correction,
                     "correction_exponent": _exponent(sp.Add.make_args(correction)[0]),
                     "remainder_mean_exponent": cubic[0], "remainder_martingale_exponent": cubic[1],
                     "remainder_exponent": sp.Max(*cubic), "quartic_exponent": sp.Max(*quartic)},
        arguments={"drift_first_order": ("h", "A_bar", "b_bar", "sigma1"),
                   "ito_correction_scaled": ("L", "alpha", "h", "s_A", "s_b", "sigma2"),
                   "correction_exponent": ("alpha",), "remainder_mean_exponent": ("alpha",),
                   "remainder_martingale_exponent": ("alpha",), "remainder_exponent": ("alpha",),
                   "quartic_exponent": ("alpha",)},
        derivation=Derivation(
            Method.DERIVED,
            ((r"$z = L^{\alpha}\tilde z$, $\tilde z = \delta(Ah + b)$ Gaussian with $E\tilde z^2 = (s_A^2h^2 + s_b^2)/L + "
             r"O(L^{-2})$; $L\,E[\delta\sigma(z)]$ term by term of the master expansion (Gaussian moments)."),
             (r"First order: $\sigma'(0)(\bar A h + \bar b)$; second: $\tfrac{\sigma''(0)}{2}L^{\alpha}(s_A^2h^2 + s_b^2)$"
             r" (its leading power of $L$)."),
             (r"Order $n$ summed over the layers: drift $L\cdot L^{(n-1)\alpha}E\tilde z^n$, martingale "
             r"$(L\cdot L^{2(n-1)\alpha}\mathrm{Var}\,\tilde z^n)^{1/2}$; cubic: $E\tilde z^3 = \mu^3 + 3\mu s^2 = "
             r"O(L^{-2})$, $\mathrm{Var}\,\tilde z^3 = O(L^{-3})$, both $L^{2\alpha - 1}$; quartic: $L^{3\alpha - 1}$ "
             r"and $L^{3\alpha - 3/2}$ (leading powers read off by SymPy).")),
            ("at alpha = 0 the correction equals the ito_correction of scaling_regimes.diffusive_sde (tests)",
             "the exponents re-derived from the moments mu, s of z_tilde (tests)",
             ("Monte Carlo log-log slopes of the summed cubic and quartic terms, drift and martingale, along the F7 "
             "limit's Euler path (tests; tanh networks measured alike)")),
        ),
        notes=("F6 (alpha = 0): strong error O(L^-1/2), weak O(1/L) (claim.scaling_regimes_diffusive). Until "
               "2026-12-03 remainder_exponent was 2 alpha - 1/2, the bound sum delta |z|^3 without the cancellation "
               "of the centred cubic term (F7 read alpha < 1/4; review, issue 15)."),
        architecture="h_{k+1} = h_k + L^-alpha sigma(A_k h_k + b_k), L^-alpha A_k = A_bar/L + s_A dB^A_k",
    )
