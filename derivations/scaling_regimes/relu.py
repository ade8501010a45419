r"""ReLU with i.i.d. $O(L^{-1/2})$ weights (rows F9, F10): random-sign gates give a martingale SDE.

$h_{k+1} = h_k + \varepsilon_k\,\mathrm{ReLU}(A_kh_k + b_k)$, $A_{k,ij} \sim N(0, s_A^2/L)$, $b_{k,i} \sim N(0, s_b^2/L)$
independent, so $z_i = \sqrt{v/L}\,g_i$ with $v = s_A^2|h|^2 + s_b^2$ and $g_i$ i.i.d. standard normal.

* F10, $\varepsilon_k = \pm1$ with probability $\tfrac12$ (the code's per-layer $\delta_k \sim N(0, 1/L^2)$ has random
  signs): the increment has mean 0 and covariance $\tfrac vL C$, $C = m_2 I + m_1^2(\mathbf 1\mathbf 1^\top - I)$ with
  $m_2 = E\,\mathrm{ReLU}(g)^2 = \tfrac12$, $m_1 = E\,\mathrm{ReLU}(g) = 1/\sqrt{2\pi}$, so the limit is the martingale
  $dH = \sqrt{v(H)}\,C^{1/2}dB$.  Since the increment is orthogonal to $h_k$ in mean,
  $E|h_{k+1}|^2 = E|h_k|^2 + \tfrac{d\,m_2}{L}(s_A^2E|h_k|^2 + s_b^2)$ exactly: a linear recursion solved in closed
  form at every $L$, whose $L \to \infty$ limit solves the moment ODE of the SDE.
* F9, $\varepsilon_k = +1$: the mean increment $\sqrt{v/L}\,m_1\mathbf 1$ sums to $O(\sqrt L)$: neither; along
  $h \propto \mathbf 1$ ($s_b = 0$), $\log|h_L| \approx s_A m_1\sqrt{d}\,\sqrt L$ (scaling_regimes.md section 9.6, [DER]).
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record

__all__ = ["relu_gaussian_moments", "relu_random_sign_record"]

INF = math.inf
POS = Domain(0, INF, closed=(False, True))
L = Parameter("L", Domain(1, INF), "L", (8.0, 1024.0), "depth")
T = Parameter("t", Domain(0, INF), "t", (0.0, 1.0), "depth time k/L")
D = Parameter("d", Domain(1, INF), "d", (1.0, 10.0), "width = input dimension")
R0 = Parameter("r0", Domain(0, INF), r"|x|^2", (0.5, 2.0), "squared norm of the input")
S_A = Parameter("s_A", POS, "s_A", (0.2, 1.0), "weights' standard deviation times sqrt(L)")
S_B = Parameter("s_b", Domain(0, INF), "s_b", (0.0, 0.5), "biases' standard deviation times sqrt(L)")


def relu_gaussian_moments() -> tuple[sp.Expr, sp.Expr]:
    r"""$(m_1, m_2) = (E\,\mathrm{ReLU}(g), E\,\mathrm{ReLU}(g)^2)$ for $g \sim N(0, 1)$, by SymPy integration."""
    g = sp.Symbol("g", real=True)
    density = sp.exp(-g ** 2 / 2) / sp.sqrt(2 * sp.pi)
    return tuple(sp.integrate(g ** k * density, (g, 0, sp.oo)) for k in (1, 2))


def relu_random_sign_record() -> Record:
    m1, m2 = relu_gaussian_moments()
    big_l, d, r0, s_a, s_b, t = L.symbol, D.symbol, R0.symbol, S_A.symbol, S_B.symbol, T.symbol
    k, m = sp.Symbol("k", integer=True, nonnegative=True), sp.Function("m")
    # E|h_{k+1}|^2 = E|h_k|^2 + E eps^2 sum_i E ReLU(z_i)^2, E z_i^2 = (s_A^2 |h|^2 + s_b^2)/L
    step = m(k) + d * m2 * (s_a ** 2 * m(k) + s_b ** 2) / big_l
    finite = sp.rsolve(m(k + 1) - step, m(k), {m(0): r0}).subs(k, big_l)   # rewritten as (1 + c/L)^L (stable)
    y = sp.Function("y")
    ode = sp.dsolve(sp.Eq(y(t).diff(t), d * m2 * (s_a ** 2 * y(t) + s_b ** 2)), y(t), ics={y(0): r0}).rhs
    return Record(
        id="scaling_regimes.relu_random_sign",
        title="ReLU with i.i.d. L^-1/2 weights (F9, F10): random-sign gates give the martingale SDE "
              "dH = sqrt(s_A^2|H|^2 + s_b^2) C^1/2 dB, exact second moment at every depth",
        source=("Cohen, Cont, Rossier and Xu, ICML 2021 (ReLU with per-layer delta: the diffusive signature; the "
                "authors' code initialises delta_k ~ N(0, 1/L^2), random signs); derived here (scaling_regimes.md "
                "section 4 rows F9, F10 and section 9.6, [DER checked numerically] there); confidence: high for "
                "the algebra, not verified that this is the papers' ReLU SDE"),
        assumptions=("A_k entries N(0, s_A^2/L), b_k entries N(0, s_b^2/L), independent over k and of the gates",
                     "F10: gates eps_k = +-1 with probability 1/2, independent; F9: eps_k = +1",
                     "second_moment_finite is E|h_L|^2 of the network at depth L (exact); second_moment is E|H_t|^2 "
                     "of the SDE",
                     "positive_gate_log_growth: s_b = 0 and h aligned with the all-ones vector (the direction the "
                     "positive drift selects)"),
        parameters=(L, T, D, R0, S_A, S_B),
        expressions={"cov_diagonal": m2, "cov_offdiagonal": m1 ** 2,
                     "second_moment_finite": sp.expand(sp.powsimp(sp.expand(finite), force=True)), "second_moment": sp.simplify(ode),
                     "positive_gate_log_growth": s_a * m1 * sp.sqrt(d)},
        arguments={"cov_diagonal": (), "cov_offdiagonal": (), "second_moment_finite": ("r0", "L", "d", "s_A", "s_b"),
                   "second_moment": ("r0", "t", "d", "s_A", "s_b"), "positive_gate_log_growth": ("d", "s_A")},
        derivation=Derivation(
            Method.DERIVED,
            (r"$m_1 = \int_0^\infty g\varphi(g)dg$, $m_2 = \int_0^\infty g^2\varphi(g)dg$ (SymPy).",
             r"Gates of mean 0: $E[h\cdot\Delta h] = 0$, $E|\Delta h|^2 = \tfrac dL m_2(s_A^2|h|^2 + s_b^2)$; the linear "
             r"recursion for $E|h_k|^2$ by ``rsolve``, the SDE's moment ODE $y' = d\,m_2(s_A^2y + s_b^2)$ by ``dsolve``.",
             r"Positive gates: mean increment $\sqrt{v/L}\,m_1\mathbf 1$; along $h \propto \mathbf 1$, "
             r"$\Delta\log|h| \approx h\cdot\Delta h/|h|^2 = s_A m_1\sqrt d/\sqrt L$ per layer."),
            ("second_moment_finite -> second_moment as L -> oo (tests)", "Monte Carlo at finite L (tests)"),
        ),
        notes="C = cov_diagonal I + cov_offdiagonal (11^T - I) = (1/2 - 1/(2 pi)) I + 1/(2 pi) 11^T.",
        architecture="h_{k+1} = h_k + eps_k ReLU(A_k h_k + b_k), A_k ~ N(0, s_A^2/L), b_k ~ N(0, s_b^2/L)",
    )
