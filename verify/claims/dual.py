r"""Claims of the ``dual`` family: closed-form duals and Price's identity.

* ``claim.dual_closed_forms``: generated closed-form duals equal split
  Gauss--Legendre quadrature and an 80-digit mpmath evaluation of the derived
  expression, across the domain, edges included (deterministic).
* ``claim.price_identity``: $\partial_c E[\varphi(u)\varphi(v)] = E[\varphi'(u)\varphi'(v)]$
  numerically for user-defined activations (quadrature and central differences).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import custom_activation
from derivations.core.parameters import Domain, Parameter
from derivations.core.printer import KernelPrinter, stable_rewrite
from numerics.core import quadrature
from numerics.dual.activations import activation

from ..core.accuracy import backward_error
from ..core.claim import Claim
from ..core.stats import TestResult
from ..plots import ClaimPlot, Parity

__all__ = ["CLAIMS", "DUAL_CLAIM", "PRICE_CLAIM"]

INF = math.inf
CLOSED_FORMS = ("relu", "leaky_relu", "abrelu", "abs", "step", "sign", "rectified_monomial_2", "rectified_monomial_3",
                "identity", "monomial_2", "monomial_3", "erf", "gelu", "sin", "cos", "exp", "gaussian", "rbf")
P_Q1 = Parameter("q1", Domain(0, INF), "q_1", (5e-2, 5.0), "variance of u")
P_Q2 = Parameter("q2", Domain(0, INF), "q_2", (5e-2, 5.0), "variance of v")
P_Q1_WIDE = Parameter("q1", Domain(0, INF), "q_1", (1e-6, 1e6), "variance of u")
P_Q2_WIDE = Parameter("q2", Domain(0, INF), "q_2", (1e-6, 1e6), "variance of v")
P_RHO = Parameter("rho", Domain(-1, 1), r"\rho", (-1.0, 1.0), "correlation of (u, v)")
P_ACT = Parameter("activation", Domain(0, INF, integer=True), r"\varphi", (0, 0), "activation (categorical)")


# -- closed-form duals against quadrature and mpmath -------------------------------------
def _predict_dual(p):
    act = activation(p["activation"])
    s = math.sqrt(p["q1"] * p["q2"])
    return act.dual_and_derivative(p["q1"], p["q2"], p["rho"] * s)


QUADRATURE_REL = 1e-8  # accuracy of the graded Gauss-Legendre rule for q in [0.05, 5] (tests/test_derivations.py)
QUADRATURE_Q = (0.05, 5.0)  # where the quadrature reference is used; mpmath covers the whole domain


def _run_dual(claim, p, seed, rate, prof) -> TestResult:
    name = p["activation"]
    act = activation(name)
    q1, q2 = p["q1"], p["q2"]
    c = p["rho"] * math.sqrt(q1 * q2)
    predicted = claim.predict(p)
    worst, detail = 0.0, ""
    references = []  # plot data
    for k, which in enumerate(("dual", "dual_derivative")):
        value = float(predicted[k])
        ref = backward_error(f"dual.{name}", which, act.params, value, q1, q2, c)
        references.append(float(ref.exact))
        ratio = ref.ratio
        f = act.phi if which == "dual" else act.phi_prime
        in_range = QUADRATURE_Q[0] <= min(q1, q2) and max(q1, q2) <= QUADRATURE_Q[1]
        quad = float(quadrature.gaussian_pair_expectation(f, f, q1, q2, c)) if in_range else float("nan")
        diag = (act.variance if which == "dual" else act.derivative_variance)
        scale = max(abs(ref.exact), float(np.sqrt(abs(diag(q1) * diag(q2)))), 1e-300)  # Cauchy-Schwarz scale
        qratio = abs(value - quad) / (QUADRATURE_REL * scale) if in_range else 0.0
        if name in ("step", "sign") and which == "dual_derivative":
            qratio = 0.0  # phi' = 0 away from the jump: both sides are 0
        if max(ratio, qratio) > worst:
            worst = max(ratio, qratio)
            detail = (f"{which}({q1:.6g}, {q2:.6g}, {c:.6g}) = {value!r}; mpmath {ref.exact!r} "
                      f"(backward-error ratio {ratio:.3g}); quadrature {quad!r} (ratio {qratio:.3g})")
    return TestResult(passed=worst <= 1.0, statistic=worst, threshold=1.0, false_fail_rate=0.0,
                      detectable_discrepancy=1e-12, n_samples=0, observed=float(predicted[0]),
                      predicted=float(predicted[0]), detail=detail or "exact agreement",
                      data={"computed": np.asarray(predicted[:2], dtype=float), "reference": np.array(references)})


DUAL_CLAIM = Claim(
    id="claim.dual_closed_forms",
    title="Closed-form duals equal quadrature and 80-digit mpmath across the domain",
    source="records dual.* (Price's theorem / MGF derivations); reference values: canonical expressions in mpmath",
    records=("dual.relu", "dual.erf", "dual.gelu"),
    parameters=(P_ACT, P_Q1_WIDE, P_Q2_WIDE, P_RHO),
    predict=_predict_dual,
    run=_run_dual,
    bias="none: deterministic comparison (backward error <= 1e-12 relative over an 8-ulp box; q in [1e-6, 1e6]; quadrature to 1e-8 where q in [0.05, 5])",
    false_fail_rate=0.0,
    examples=({"activation": "relu", "q1": 0.7, "q2": 1.3, "rho": -1.0},
              {"activation": "erf", "q1": 5.0, "q2": 5.0, "rho": 1.0},
              {"activation": "gelu", "q1": 4.0, "q2": 5.0, "rho": -1.0},
              {"activation": "gelu", "q1": 1e6, "q2": 1e6, "rho": -1.0},
              {"activation": "relu", "q1": 1e-6, "q2": 1e6, "rho": -1.0 + 1e-12}),
    strategies={"activation": st.sampled_from(CLOSED_FORMS),
                "rho": st.one_of(st.floats(-1, 1), st.sampled_from([-1.0, 0.0, 1.0]))},
    plot=ClaimPlot("Closed-form duals V(q1, q2, c) and dV/dc against 80-digit mpmath",
                   (Parity("V and dV/dc", computed="computed", reference="reference", reference_name="mpmath",
                           computed_name="closed form", symlog=True),)),
    formulas=("dual.relu:dual", "dual.erf:dual", "dual.gelu:dual"),
)


# -- Price's identity for user-defined activations ---------------------------------------
USER_ACTIVATIONS = ("tanh(x)**2", "x*tanh(x)", "sin(x)*exp(-x**2/4)", "log(1 + exp(x))", "x/(1 + x**2)", "atan(x)")
PRICE_REL = 1e-6  # central differences with h = 1e-3 s: truncation ~ h^2 V'''/6, quadrature error / h ~ 1e-10
P_USER = Parameter("expr", Domain(0, INF, integer=True), r"\varphi", (0, 0), "user activation (categorical)")
_USER_CACHE: dict = {}


def _user_functions(expr: str):
    if expr not in _USER_CACHE:
        rec = custom_activation(expr, name="user")
        xs = rec.parameter("x").symbol
        stable = [sp.lambdify(xs, stable_rewrite(rec.expressions[k]), modules="scipy", printer=KernelPrinter())
                  for k in ("phi", "phi_prime")]  # the emitter's overflow-free forms (no NaN at |x| ~ 800)
        _USER_CACHE[expr] = (*stable, rec.derivation.method.value)
    return _USER_CACHE[expr]


def _predict_price(p):
    _, dphi, _ = _user_functions(p["expr"])
    s = math.sqrt(p["q1"] * p["q2"])
    return float(quadrature.gaussian_pair_expectation(dphi, dphi, p["q1"], p["q2"], p["rho"] * s))


def _run_price(claim, p, seed, rate, prof) -> TestResult:
    phi, _, method = _user_functions(p["expr"])
    q1, q2 = p["q1"], p["q2"]
    s = math.sqrt(q1 * q2)
    c, h = p["rho"] * s, 1e-3 * s
    v = [float(quadrature.gaussian_pair_expectation(phi, phi, q1, q2, c + k * h)) for k in (-1, 1)]
    derivative = (v[1] - v[0]) / (2 * h)
    predicted = claim.predict(p)
    scale = max(abs(predicted), abs(derivative), 1e-12)
    stat = abs(derivative - predicted) / (PRICE_REL * scale)
    return TestResult(passed=stat <= 1.0, statistic=stat, threshold=1.0, false_fail_rate=0.0,
                      detectable_discrepancy=PRICE_REL, n_samples=0, observed=derivative, predicted=predicted,
                      detail=f"{p['expr']} ({method}): dV/dc = {derivative!r} by central differences, E[phi'phi'] = {predicted!r}",
                      data={"derivative": derivative, "expectation": predicted})


PRICE_CLAIM = Claim(
    id="claim.price_identity",
    title="Price's identity dV/dc = E[phi'(u) phi'(v)] holds numerically for user-defined activations",
    source="Price (1958), IRE Trans. Inf. Theory 4(2); derivations.custom_activation",
    records=(),
    parameters=(P_USER, P_Q1, P_Q2, P_RHO),
    predict=_predict_price,
    run=_run_price,
    bias="none: deterministic (central differences, relative tolerance 1e-6)",
    false_fail_rate=0.0,
    examples=({"expr": "tanh(x)**2", "q1": 1.0, "q2": 2.0, "rho": 0.3},),
    strategies={"expr": st.sampled_from(USER_ACTIVATIONS), "rho": st.floats(-0.98, 0.98),
                "q1": st.floats(0.05, 5.0), "q2": st.floats(0.05, 5.0)},
    plot=ClaimPlot("Price's identity: dV/dc by central differences against E[phi'(u) phi'(v)] by quadrature",
                   (Parity("dV/dc", computed="derivative", reference="expectation",
                           reference_name="E[φ'(u)φ'(v)]", computed_name="central difference"),)),
)


CLAIMS = (DUAL_CLAIM, PRICE_CLAIM)
