r"""Claims of the ``dual`` family: closed-form duals and Price's identity.

* ``claim.dual_closed_forms``: generated closed-form duals equal an 80-digit mpmath
  evaluation of the derived expression (backward error) and split Gauss--Legendre
  quadrature, across the domain, edges included (deterministic).
* ``claim.price_identity``: $\partial_c E[\varphi(u)\varphi(v)] = E[\varphi'(u)\varphi'(v)]$
  numerically for user-defined activations (quadrature and central differences).

Tolerances and their measurement: ``docs/claims/claim.dual_closed_forms.md`` and
``docs/claims/claim.price_identity.md``.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from derivations import catalog
from numerics.core import quadrature
from numerics.dual import activation, cauchy_schwarz_bound, dual_slope

from .. import plots
from ..core import Custom, Deterministic, choice, real, theorem, user_activation
from ..core.accuracy import backward_error
from ..core.evaluate import CheckOutcome, PowerRow

__all__ = ["CLAIMS", "DUAL_CLAIM", "PRICE_CLAIM"]

# -- closed-form duals against 80-digit mpmath and quadrature ----------------------------
CLOSED_FORMS = ("relu", "leaky_relu", "abrelu", "abs", "step", "sign", "rectified_monomial_2", "rectified_monomial_3",
                "identity", "monomial_2", "monomial_3", "erf", "gelu", "sin", "cos", "exp", "gaussian", "rbf")
WHICH = ("dual", "dual_derivative")
QUADRATURE_REL = 1e-8  # accuracy of the graded Gauss-Legendre rule for q in [0.05, 5] (tests/unit/dual/test_derivations.py)
QUADRATURE_Q = (0.05, 5.0)  # where the quadrature reference is used; mpmath covers the whole domain
_DUAL = catalog.get("dual.relu")


def _covariance(p):
    return p["q1"], p["q2"], p["rho"] * math.sqrt(p["q1"] * p["q2"])


def _closed_form(p):
    return np.asarray(activation(p["activation"]).dual_and_derivative(*_covariance(p)), dtype=float)


def _cauchy_schwarz(act, q1, q2):
    """sqrt(E phi(u)^2 E phi(v)^2) and sqrt(E phi'(u)^2 E phi'(v)^2): the natural magnitude of V and dV/dc."""
    return [math.sqrt(abs(diag(q1) * diag(q2))) for diag in (act.variance, act.derivative_variance)]


def _against_mpmath(p, prediction, *, seed, rate, scale) -> CheckOutcome:
    act, (q1, q2, c) = activation(p["activation"]), _covariance(p)
    refs = [backward_error(f"dual.{p['activation']}", w, act.params, float(v), q1, q2, c)
            for w, v in zip(WHICH, np.asarray(prediction, dtype=float))]
    ratios = [r.ratio for r in refs]
    j = int(np.argmax(ratios))
    power = tuple(PowerRow("mpmath", w, r.value, r.exact, r.allowed, scale=max(abs(r.exact), s, 1e-300))
                  for w, r, s in zip(WHICH, refs, _cauchy_schwarz(act, q1, q2)) if not r.skipped)
    detail = (f"mpmath: {WHICH[j]}({q1:.6g}, {q2:.6g}, {c:.6g}) = {refs[j].value!r} vs 80-digit {refs[j].exact!r}: "
              f"backward-error ratio {ratios[j]:.3g} {'<=' if ratios[j] <= 1 else '>'} 1")
    return CheckOutcome("mpmath", "custom", max(ratios) <= 1.0, max(ratios), 1.0, 0.0, 0, detail, power,
                        {"computed": np.array([r.value for r in refs]), "reference": np.array([r.exact for r in refs])})


def _against_quadrature(p, prediction, *, seed, rate, scale) -> CheckOutcome:
    act, (q1, q2, c) = activation(p["activation"]), _covariance(p)
    compared = [w for w in WHICH if not (w == "dual_derivative" and p["activation"] in ("step", "sign"))]  # phi' = 0
    if not (QUADRATURE_Q[0] <= min(q1, q2) and max(q1, q2) <= QUADRATURE_Q[1]):
        compared = []  # outside the range where the rule's accuracy was measured: mpmath only
    value = dict(zip(WHICH, map(float, np.asarray(prediction, dtype=float))))
    scales = dict(zip(WHICH, _cauchy_schwarz(act, q1, q2)))
    quad = {w: float(quadrature.gaussian_pair_expectation(*(act.phi, act.phi) if w == "dual" else (act.phi_prime,) * 2,
                                                          q1, q2, c)) for w in compared}
    allowed = {w: float(QUADRATURE_REL * max(abs(value[w]), scales[w], 1e-300)) for w in compared}
    ratios = {w: abs(value[w] - quad[w]) / allowed[w] for w in compared}
    worst = max(ratios.values(), default=0.0)
    power = tuple(PowerRow("quadrature", w, value[w], quad[w], allowed[w], scale=allowed[w] / QUADRATURE_REL)
                  for w in compared)
    detail = "quadrature: " + ("; ".join(f"{w} {value[w]!r} vs {quad[w]!r} (ratio {ratios[w]:.3g})" for w in compared)
                               or f"not compared (q outside {QUADRATURE_Q})")
    return CheckOutcome("quadrature", "custom", worst <= 1.0, worst, 1.0, 0.0, 0, detail, power, {})


DUAL_CLAIM = theorem(
    id="claim.dual_closed_forms",
    title="Closed-form duals equal quadrature and 80-digit mpmath across the domain",
    source="records dual.* (Price's theorem / MGF derivations); reference values: canonical expressions in mpmath",
    records=("dual.relu", "dual.erf", "dual.gelu"),
    parameters=[choice("activation", *CLOSED_FORMS, latex=r"\varphi", description="activation"),
                _DUAL.parameter("q1"), _DUAL.parameter("q2"),
                real("rho", -1.0, 1.0, latex=r"\rho", description="correlation of (u, v)")],
    checks=[Custom("mpmath", run=_against_mpmath, predict=_closed_form, comparisons=0),
            Custom("quadrature", run=_against_quadrature, predict=_closed_form, comparisons=0)],
    bias="none: deterministic (backward error <= 1e-12 relative over an 8-ulp box; quadrature to 1e-8 where q in [0.05, 5])",
    false_fail_rate=1e-6,  # a bound, spent by nothing: both checks register 0 comparisons (theorem() wants > 0 with Custom)
    examples=({"activation": "relu", "q1": 0.7, "q2": 1.3, "rho": -1.0},
              {"activation": "erf", "q1": 5.0, "q2": 5.0, "rho": 1.0},
              {"activation": "gelu", "q1": 4.0, "q2": 5.0, "rho": -1.0},
              {"activation": "gelu", "q1": 1e6, "q2": 1e6, "rho": -1.0},
              {"activation": "relu", "q1": 1e-6, "q2": 1e6, "rho": -1.0 + 1e-12}),
    strategies={"rho": st.one_of(st.floats(-1, 1), st.sampled_from([-1.0, 0.0, 1.0]))},
    panels=[plots.Parity("V and dV/dc", computed=("checks", "mpmath", "computed"),
                         reference=("checks", "mpmath", "reference"), reference_name="mpmath",
                         computed_name="closed form", symlog=True)],
    formulas=("dual.relu:dual", "dual.erf:dual", "dual.gelu:dual"),
)


# -- Price's identity for user-defined activations ---------------------------------------
USER_ACTIVATIONS = ("tanh(x)**2", "x*tanh(x)", "sin(x)*exp(-x**2/4)", "log(1 + exp(x))", "x/(1 + x**2)", "atan(x)")
PRICE_REL = 1e-6  # of the Cauchy-Schwarz bound; 4th-order differences, h = 1e-3 s (docs/claims/claim.price_identity.md)
PRICE_LABEL = "dV/dc / sqrt(E φ'(u)² E φ'(v)²)"


def _bound(p):
    """sqrt(E phi'(u)^2 E phi'(v)^2): the unit both sides are measured in (Cauchy-Schwarz)."""
    return cauchy_schwarz_bound(user_activation(p["expr"]).phi_prime, p["q1"], p["q2"])


def _price_expectation(p):
    dphi = user_activation(p["expr"]).phi_prime
    return float(quadrature.gaussian_pair_expectation(dphi, dphi, *_covariance(p))) / _bound(p)


def _price_slope(p):
    return dual_slope(user_activation(p["expr"]).phi, *_covariance(p), relative_step=1e-3) / _bound(p)


def _unit(p, prediction):
    return 1.0


PRICE_CLAIM = theorem(
    id="claim.price_identity",
    title="Price's identity dV/dc = E[phi'(u) phi'(v)] holds numerically for user-defined activations",
    source="Price (1958), IRE Trans. Inf. Theory 4(2); derivations.custom_activation",
    parameters=[choice("expr", *USER_ACTIVATIONS, latex=r"\varphi", description="user activation"),
                real("q1", 0.05, 5.0, latex="q_1", description="variance of u"),
                real("q2", 0.05, 5.0, latex="q_2", description="variance of v"),
                real("rho", -0.98, 0.98, latex=r"\rho", description="correlation of (u, v)")],
    checks=[Deterministic("Price's identity", compute=_price_slope, predict=_price_expectation, rtol=0.0,
                          atol=PRICE_REL, scale=_unit, labels=(PRICE_LABEL,))],
    bias="none: deterministic (central differences to 1e-6 of the Cauchy-Schwarz bound sqrt(E phi'(u)^2 E phi'(v)^2))",
    false_fail_rate=0.0,
    examples=({"expr": "tanh(x)**2", "q1": 1.0, "q2": 2.0, "rho": 0.3},),
)


CLAIMS = (DUAL_CLAIM, PRICE_CLAIM)
