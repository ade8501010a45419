r"""Backpropagation limits (B1-B3 of scaling_regimes.md section 5): the adjoint ODEs and the backward SDE's $\Gamma$.

The adjoint recursion is exact: $p_k = (I + J_k)^\top p_{k+1}$, $J_k = \partial(\delta_k\sigma(z_k))/\partial h_k$.  In the
diffusive regime F6 ($\delta = 1$, $A = \bar A\,dt + s_A\xi\sqrt{dt}$, $b = \bar b\,dt + s_b\eta\sqrt{dt}$) the
weights of layer $k$ are independent of $p_{k+1}$ (a function of the later layers) and of $h_k$, so the backward
drift is $\lim E[J_k^\top p]/dt$ with $J = \partial_h$ of the master expansion $\sigma'(0)z + \tfrac12\sigma''(0)z^2$:

$$E[J^\top p]/dt \to \sigma'(0)\bar A^\top p + \sigma''(0)\,s_A^2\,(\mathbf 1^\top p)\,h,$$

the second term being $\Gamma$: $P_t = \nabla\ell(H_1) + \int_t^1\sigma'(0)(d^{\leftarrow}M_s)^\top P_s + \int_t^1
d\Gamma_s$, $d\Gamma = \sigma''(0)s_A^2(\mathbf 1^\top P)H\,dt$ (backward-Itô: right-point sums).  It equals
$(\partial_H\text{correction})^\top P$ for the Itô correction of record ``scaling_regimes.diffusive_sde`` (tests).
Smooth regimes: $\dot P = -(\partial_H f)^\top P$ for the limit drift $f$: $-\sigma'(0)\bar A^\top P$ (B2), and
$-\bar A^\top(\sigma'(\bar AH + \bar b)\odot P)$ (B1, shown for tanh).  All derived by SymPy here.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .diffusive import gaussian_expectation
from .master import SIGMA1, SIGMA2, taylor_coefficients

__all__ = ["backward_drift", "backward_record"]

REAL = Domain()
H = Parameter("H", REAL, "H", (-2.0, 2.0), "hidden state (d = 1; component j in d)")
P = Parameter("P", REAL, "P", (-2.0, 2.0), "adjoint state (d = 1)")
SUM_P = Parameter("sum_P", REAL, r"\mathbf 1^\top P", (-2.0, 2.0), "sum of the adjoint's components (any d)")
ABAR = Parameter("A_bar", REAL, r"\bar A", (-0.5, 1.0), "drift of the weights (d = 1)")
BBAR = Parameter("b_bar", REAL, r"\bar b", (0.0, 0.5), "drift of the biases (d = 1)")
S_A = Parameter("s_A", Domain(0, math.inf), "s_A", (0.2, 1.0), "noise level of the weights")
S_B = Parameter("s_b", Domain(0, math.inf), "s_b", (0.0, 0.5), "noise level of the biases")

_DT = sp.Symbol("dt", positive=True)


def backward_drift(d: int = 1) -> tuple[sp.Expr, ...]:
    r"""Component 0 of $\lim E[J^\top p]/dt$ in dimension ``d`` (Jacobian of the master expansion's increment),
    with the state, adjoint and weight-drift symbols."""
    _, c1, c2 = taylor_coefficients(2)
    hs = sp.symbols(f"H0:{d}", real=True) if d > 1 else (H.symbol,)
    ps = sp.symbols(f"P0:{d}", real=True) if d > 1 else (P.symbol,)
    xi = sp.symbols(f"xi0:{d}0:{d}", real=True)
    eta = sp.symbols(f"eta0:{d}", real=True)
    abar = sp.symbols(f"Abar0:{d}0:{d}", real=True) if d > 1 else (ABAR.symbol,)
    root = sp.sqrt(_DT)
    a = [[abar[i * d + j] * _DT + S_A.symbol * xi[i * d + j] * root for j in range(d)] for i in range(d)]
    z = [sum(a[i][j] * hs[j] for j in range(d)) + BBAR.symbol * _DT + S_B.symbol * eta[i] * root for i in range(d)]
    increment = [c1 * z[i] + c2 * z[i] ** 2 for i in range(d)]
    adjoint0 = sum(sp.diff(increment[i], hs[0]) * ps[i] for i in range(d))   # (J^T p)_0
    mean = sp.expand(gaussian_expectation(adjoint0, (*xi, *eta)))
    return sp.expand(sp.limit(mean / _DT, _DT, 0)), hs, ps, abar


def backward_record() -> Record:
    h, p, a, s2 = H.symbol, P.symbol, ABAR.symbol, SIGMA2.symbol
    drift, *_ = backward_drift(1)
    gamma = sp.expand(drift.coeff(s2) * s2)
    drift2, hs, ps, _ = backward_drift(2)
    gamma_iso = sp.expand(sp.expand(drift2.coeff(s2) * s2).subs(ps[1], SUM_P.symbol - ps[0]).subs(hs[0], h))
    # the noise of the backward equation: coefficient of xi sqrt(dt) in (J^T p), dt -> 0 (d = 1)
    xi = sp.Symbol("xi", real=True)
    _, c1, c2 = taylor_coefficients(2)
    z = (a * _DT + S_A.symbol * xi * sp.sqrt(_DT)) * h + BBAR.symbol * _DT
    jac = sp.expand(sp.diff(c1 * z + c2 * z ** 2, h) * p / sp.sqrt(_DT))
    noise = sp.limit(jac.coeff(xi), _DT, 0)
    linear = -sp.diff(SIGMA1.symbol * (a * h + BBAR.symbol), h) * p
    tanh_ode = -sp.diff(sp.tanh(a * h + BBAR.symbol), h) * p
    return Record(
        id="scaling_regimes.backward",
        title="Backpropagation limits: the adjoint ODEs (B1, B2) and the backward SDE of the diffusive regime with "
              "its Gamma term sigma''(0) s_A^2 (1^T P) H (B3)",
        source=("Cont's talk 'Asymptotic analysis of deep residual networks' (2021, abstract: a system of forward-"
                "backward SDEs); Cont, Rossier and Xu, arXiv 2212.08199; derived here (scaling_regimes.md section 5, "
                "B1-B3, [DER], B3 checked numerically there); confidence: high for the algebra, the papers' exact "
                "statement not checked"),
        assumptions=("B3: regime F6 (delta = 1, A_k = A_bar/L + s_A dB^A_k, b_k = b_bar/L + s_b dB^b_k, independent "
                     "isotropic Brownian increments); loss l(h_L) with P_1 = grad l(H_1); backward-Ito (right-point) "
                     "integrals; sigma C^3 near 0, sigma(0) = 0",
                     "backward_drift, gamma, backward_noise: d = 1; gamma_isotropic: component j of Gamma in any d "
                     "(H = H_j, sum_P = 1^T P)",
                     "B2 (adjoint_rate_linear): the linear-ODE regime F2, d = 1; B1 (adjoint_rate_neural_ode_tanh): "
                     "the neural ODE F1 with tanh, d = 1"),
        parameters=(H, P, SUM_P, ABAR, BBAR, S_A, S_B, SIGMA1, SIGMA2),
        expressions={"backward_drift": drift, "gamma": gamma, "gamma_isotropic": gamma_iso, "backward_noise": noise,
                     "adjoint_rate_linear": linear, "adjoint_rate_neural_ode_tanh": tanh_ode},
        arguments={"backward_drift": ("H", "P", "A_bar", "s_A", "sigma1", "sigma2"),
                   "gamma": ("H", "P", "s_A", "sigma2"), "gamma_isotropic": ("H", "sum_P", "s_A", "sigma2"),
                   "backward_noise": ("P", "s_A", "sigma1"), "adjoint_rate_linear": ("P", "A_bar", "sigma1"),
                   "adjoint_rate_neural_ode_tanh": ("H", "P", "A_bar", "b_bar")},
        derivation=Derivation(
            Method.DERIVED,
            (r"Jacobian of the increment $\sigma'(0)z + \tfrac12\sigma''(0)z^2$, $z = Ah + b$: "
             r"$J = \sigma'(0)A + \sigma''(0)\operatorname{diag}(z)A$.",
             r"Layer $k$'s weights are independent of $(h_k, p_{k+1})$: $\lim E[J^\top p]/dt$ by Gaussian moments; "
             r"the $\sigma''(0)$ part is $\Gamma$, from $E[A_{ij}z_i] = s_A^2h_j\,dt + O(dt^2)$.",
             r"Noise: the coefficient of $\xi\sqrt{dt}$ in $J^\top p$: $\sigma'(0)s_A P$ ($d = 1$).",
             r"Smooth regimes: $\dot P = -(\partial_H f)^\top P$ for the limit ODE's drift $f$."),
            ("gamma equals (d/dH of the Ito correction) * P (tests)", "the discrete adjoint matches finite "
             "differences, and its strong error against the backward SDE falls like L^-1/2 (tests, claim)"),
        ),
        notes=("Dropping Gamma moves E P_0 by about 20% at (x, A_bar, b_bar, s_A, s_b) = (1, 0.5, 0.2, 0.8, 0.3) "
               "with softplus (claim.scaling_regimes_backward)."),
        architecture="p_k = p_{k+1} + J_k^T p_{k+1}, J_k = diag(sigma'(z_k)) A_k, p_L = grad l(h_L)",
    )
