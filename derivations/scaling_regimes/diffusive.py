r"""Regime F6 of Cohen, Cont, Rossier and Xu: diffusive weights, $\delta = 1$, the Itô SDE with the $\sigma''(0)$ correction.

With $A_k = \bar A/L + s_A\,\Delta B^A_k$ and $b_k = \bar b/L + s_b\,\Delta B^b_k$ (independent Brownian
increments over $\Delta t = 1/L$, every entry of $\Delta B^A_k \in \mathbb R^{d\times d}$ of variance $\Delta t$),
the master expansion (record ``scaling_regimes.master_expansion``) of $h_{k+1} - h_k = \sigma(z_k)$ has
conditional mean $\sigma'(0)(\bar A h + \bar b)\Delta t + \tfrac{\sigma''(0)}{2}E[z_k^{\odot 2}] + o(\Delta t)$ and
$E[z_{k,i}^2] = (s_A^2|h|^2 + s_b^2)\Delta t + O(\Delta t^2)$, so $h_{\lfloor tL\rfloor} \to H_t$ with

$$dH = \sigma'(0)\bigl[(\bar A H + \bar b)\,dt + s_A\,dB^A H + s_b\,dB^b\bigr]
       + \tfrac{\sigma''(0)}{2}\,(s_A^2|H|^2 + s_b^2)\,\mathbf 1\,dt$$

(scaling_regimes.md section 4, table row F6: strong error $O(L^{-1/2})$, weak $O(1/L)$, [DER] there).  For
$d = 1$ and $\sigma''(0) = 0$ (tanh) the SDE is linear and the generator maps $\{1, H, H^2\}$ into itself, so
$E H_t$ and $E H_t^2$ solve a closed linear ODE, solved here in closed form; for $\sigma''(0) \neq 0$ the
equation for $E H^2$ involves $E H^3$ (no closure).  Everything below is computed by SymPy from the expansion.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .master import SIGMA1, SIGMA2, taylor_coefficients

__all__ = ["diffusive_sde_record", "gaussian_expectation", "ito_drift", "moment_rates"]

INF = math.inf
REAL = Domain()
NONNEG = Domain(0, INF)

H = Parameter("H", REAL, "H", (-2.0, 2.0), "hidden state (d = 1)")
X = Parameter("x", REAL, "x", (0.5, 1.5), "input H_0 = x (d = 1)")
T = Parameter("t", NONNEG, "t", (0.0, 1.0), "depth time k/L")
ABAR = Parameter("A_bar", REAL, r"\bar A", (-0.5, 1.0), "drift of the weights (d = 1)")
BBAR = Parameter("b_bar", REAL, r"\bar b", (0.0, 0.5), "drift of the biases (d = 1)")
S_A = Parameter("s_A", NONNEG, "s_A", (0.2, 1.0), "noise level of the weights")
S_B = Parameter("s_b", NONNEG, "s_b", (0.0, 0.5), "noise level of the biases")
R2 = Parameter("r2", NONNEG, r"|H|^2", (0.0, 4.0), "squared norm of the hidden state (any d)")

_DT = sp.Symbol("dt", positive=True)


def gaussian_expectation(expr: sp.Expr, normals) -> sp.Expr:
    r"""$E[\text{expr}]$ for a polynomial in independent standard normals (odd moments 0, $E\xi^{2m} = (2m-1)!!$)."""
    poly = sp.Poly(sp.expand(expr), *normals)
    return sp.Add(*(c * sp.Mul(*(sp.factorial2(p - 1) if p % 2 == 0 else 0 for p in mon))
                    for mon, c in poly.terms()))


def _increment(d: int):
    """The layer increment sigma(z) (master expansion, delta = 1) of component 0 in dimension ``d``, its normals,
    and the state symbols."""
    _, c1, c2 = taylor_coefficients(2)
    hs = sp.symbols(f"H0:{d}", real=True) if d > 1 else (H.symbol,)
    xi = sp.symbols(f"xi0:{d}", real=True)
    eta = sp.Symbol("eta", real=True)
    abar = sp.symbols(f"Abar0:{d}", real=True) if d > 1 else (ABAR.symbol,)
    root = sp.sqrt(_DT)
    z = sum((abar[j] * _DT + S_A.symbol * xi[j] * root) * hs[j] for j in range(d)) + BBAR.symbol * _DT \
        + S_B.symbol * eta * root
    return c1 * z + c2 * z ** 2, (*xi, eta), hs, abar


def ito_drift(d: int = 1) -> tuple[sp.Expr, sp.Expr]:
    r"""(drift, Itô correction) of component 0: $\lim E[\sigma(z)]/\Delta t$ and its $\sigma''(0)$ part."""
    inc, normals, _, _ = _increment(d)
    mean = sp.expand(gaussian_expectation(inc, normals))
    drift = sp.limit(mean / _DT, _DT, 0)
    return drift, sp.expand(drift.coeff(SIGMA2.symbol) * SIGMA2.symbol)


def _diffusion() -> tuple[sp.Expr, sp.Expr]:
    """Coefficients of xi sqrt(dt) and eta sqrt(dt) in the increment, at dt -> 0 (d = 1)."""
    inc, (xi, eta), _, _ = _increment(1)
    lead = sp.expand(inc / sp.sqrt(_DT))
    return tuple(sp.limit(sp.expand(lead).coeff(v), _DT, 0) for v in (xi, eta))


def moment_rates(drift: sp.Expr, g_a: sp.Expr, g_b: sp.Expr, k: int) -> sp.Expr:
    r"""The generator on $H^k$: $\mu\,kH^{k-1} + \tfrac12(g_A^2 + g_b^2)\,k(k-1)H^{k-2}$ (d = 1)."""
    h = H.symbol
    return sp.expand(drift * sp.diff(h ** k, h) + (g_a ** 2 + g_b ** 2) / 2 * sp.diff(h ** k, h, 2))


def _solve_linear(rate: sp.Expr, forcing: sp.Expr, initial: sp.Expr) -> sp.Expr:
    r"""$m' = \text{rate}\,m + \text{forcing}(t)$, $m(0) = $ initial, by the integrating factor (generic case)."""
    t, s = T.symbol, sp.Symbol("s")
    integral = sp.integrate(sp.exp(-rate * s) * forcing.subs(t, s), (s, 0, t), conds="none")
    return sp.simplify(sp.exp(rate * t) * (initial + integral))


def diffusive_sde_record() -> Record:
    h, s2 = H.symbol, SIGMA2.symbol
    drift, correction = ito_drift(1)
    g_a, g_b = _diffusion()
    _, correction_iso = ito_drift(2)
    hs = sp.symbols("H0:2", real=True)
    iso = sp.expand(correction_iso.subs(hs[1], sp.sqrt(R2.symbol - hs[0] ** 2)))   # depends on |H|^2 only
    # moment ODE for sigma''(0) = 0: rates in (1, H, H^2) (with sigma''(0) != 0 the H^2 rate has an H^3 term)
    m1_rate, m2_rate = (moment_rates(drift, g_a, g_b, k).subs(s2, 0) for k in (1, 2))
    a1, c1 = m1_rate.coeff(h, 1), m1_rate.coeff(h, 0)
    mean = _solve_linear(a1, c1, X.symbol)
    a2 = m2_rate.coeff(h, 2)
    second = _solve_linear(a2, m2_rate.coeff(h, 1) * mean + m2_rate.coeff(h, 0), X.symbol ** 2)
    return Record(
        id="scaling_regimes.diffusive_sde",
        title="Diffusive weights (regime F6): the Ito SDE limit with the sigma''(0)/2 (s_A^2|H|^2 + s_b^2) correction",
        source=("Cohen, Cont, Rossier and Xu, ICML 2021 (the diffusive hypothesis and the SDE regime, abstract: "
                "'an SDE'); Cont, Rossier and Xu, arXiv 2212.08199; derived here from the master expansion "
                "(scaling_regimes.md section 4, row F6, [DER]); confidence: high for the equation (Ito-Taylor), "
                "theorem numbers not checked"),
        assumptions=("delta_k = 1; A_k = A_bar/L + s_A dB^A_k, b_k = b_bar/L + s_b dB^b_k with independent "
                     "Brownian increments over dt = 1/L, every entry of dB^A_k of variance dt",
                     "sigma is C^3 near 0 with sigma(0) = 0 and bounded derivatives (C^4 for weak order 1)",
                     "scalar expressions are for d = 1 (component 0); ito_correction_isotropic holds in any d",
                     "mean and second_moment: sigma''(0) = 0 only (tanh); generic case of the integrating factor "
                     "(A_bar != 0 and 2 sigma1 A_bar + sigma1^2 s_A^2 != sigma1 A_bar): the numerics use the "
                     "matrix exponential of the moment ODE instead"),
        parameters=(H, X, T, ABAR, BBAR, S_A, S_B, SIGMA1, SIGMA2, R2),
        expressions={"drift": drift, "ito_correction": correction, "ito_correction_isotropic": iso,
                     "diffusion_weights": g_a, "diffusion_bias": g_b,
                     "mean_rate_tanh": m1_rate, "second_moment_rate_tanh": m2_rate,
                     "mean": mean, "second_moment": second},
        arguments={"drift": ("H", "A_bar", "b_bar", "s_A", "s_b", "sigma1", "sigma2"),
                   "ito_correction": ("H", "s_A", "s_b", "sigma2"),
                   "ito_correction_isotropic": ("s_A", "s_b", "sigma2", "r2"),
                   "diffusion_weights": ("H", "s_A", "sigma1"), "diffusion_bias": ("s_b", "sigma1"),
                   "mean_rate_tanh": ("H", "A_bar", "b_bar", "sigma1"),
                   "second_moment_rate_tanh": ("H", "A_bar", "b_bar", "s_A", "s_b", "sigma1"),
                   "mean": ("x", "t", "A_bar", "b_bar", "sigma1"),
                   "second_moment": ("x", "t", "A_bar", "b_bar", "s_A", "s_b", "sigma1")},
        derivation=Derivation(
            Method.DERIVED,
            (r"Put $A = \bar A\,dt + s_A\xi\sqrt{dt}$, $b = \bar b\,dt + s_b\eta\sqrt{dt}$ ($\xi, \eta$ standard normal) "
             r"into the master expansion $\sigma'(0)z + \tfrac12\sigma''(0)z^2$, $z = Ah + b$.",
             r"Drift: $\lim_{dt\to0}E[\sigma(z)]/dt$ with $E\xi^2 = E\eta^2 = 1$; the $\sigma''(0)$ part is Ito's "
             r"correction $\tfrac{\sigma''(0)}{2}(s_A^2 H^2 + s_b^2)$ (in $d = 2$ it depends on $|H|^2$ only).",
             r"Diffusion: the coefficients of $\xi\sqrt{dt}$ and $\eta\sqrt{dt}$: $\sigma'(0)s_A H$ and $\sigma'(0)s_b$.",
             r"Moments ($d = 1$): $\frac{d}{dt}E H^k = E[\mathcal L H^k]$, $\mathcal L = \mu\partial_H + "
             r"\tfrac12(g_A^2 + g_b^2)\partial_H^2$; closed when $\sigma''(0) = 0$, solved by integrating factors."),
            ("isotropic correction independent of the direction of H (d = 2)",
             "the H^3 coefficient of the H^2 rate is sigma2 s_A^2 (no closure unless sigma2 = 0; tests)",
             "closed forms satisfy the moment ODE (tests)"),
        ),
        notes=("Finite-L error: strong O(L^-1/2), weak O(1/L) (claim.scaling_regimes_diffusive). "
               "Shifted softplus log(1+e^x) - log 2: sigma1 = 1/2, sigma2 = 1/4; tanh: 1 and 0."),
        architecture="h_{k+1} = h_k + sigma(A_k h_k + b_k), A_k = A_bar/L + s_A dB^A_k, b_k = b_bar/L + s_b dB^b_k",
    )
