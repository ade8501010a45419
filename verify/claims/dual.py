r"""Claims of the ``dual`` family: closed-form duals and Price's identity.

* ``claim.dual_closed_forms``: every generated closed form of every ``dual.*`` record with one
  (the dual, its derivative dual, the two variances) equals an independent quadrature of the
  activation's numeric $\varphi$, $\varphi'$ (:mod:`numerics.dual.reference`) over the whole domain,
  edges and zero variance included (deterministic; one check per record).
* ``claim.price_identity``: $\partial_c E[\varphi(u)\varphi(v)] = E[\varphi'(u)\varphi'(v)]$
  numerically for user-defined activations (quadrature and central differences).

Tolerances and their measurement: ``docs/claims/claim.dual_closed_forms.md`` and
``docs/claims/claim.price_identity.md``.
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache, partial

import numpy as np
from hypothesis import strategies as st

from derivations.core.symbols import Q1, Q2
from derivations.dual.activations import ACTIVATIONS
from numerics.core import quadrature
from numerics.dual import activation, cauchy_schwarz_bound, dual_slope, names, reference

from ..core import Deterministic, choice, real, theorem, user_activation
from ..core.accuracy import ULPS
from ..core.strategies import log_uniform

__all__ = ["CLAIMS", "DUAL_CLAIM", "PRICE_CLAIM"]

# -- closed-form duals against an independent quadrature reference -------------------------
CLOSED_FORMS = tuple(name for name in names() if activation(name).closed_form)  # every dual.* record with one
LABELS = ("E φ(u)φ(v)", "E φ'(u)φ'(v)", "E φ(u)²", "E φ'(u)²")  # each over the reference's Cauchy-Schwarz unit
#: each record's own parameters, from its activation's declaration (catalog.get would derive all 20 records)
_OWN = {n: list(ACTIVATIONS[n].parameters) for n in CLOSED_FORMS}
#: q capped per activation: e^{bu} leaves float64 where the reference needs it past b^2 q = 256; the record's own
#: constraint 2 b (q1 + q2) < 1; an oscillating reference costs ~ b^2 q per variable (docs/claims/<this claim>.md).
Q_CAP = {"exp": lambda k: 256 / k["b"] ** 2, "sin": lambda k: 10 / k["b"] ** 2, "cos": lambda k: 10 / k["b"] ** 2,
         "rbf": lambda k: 5 / k["gamma"], "gaussian": lambda k: 0.24 / k["b"] if k["b"] > 0 else math.inf}
_BOX, _Q_MAX = ULPS * 2.0**-53, 1e6  # the closed forms' contract: exact within an 8-ulp input box (test_dual_accuracy)
#: Closed form within its 8-ulp box: sqrt-type kinks at |rho| = 1 move by (2/pi) sqrt(2 box), exponents by 4 q box;
#: the reference within twice its convergence tolerance (measured error <= 1.3e-15, tests/unit/dual/test_reference.py).
ATOL = (2 / math.pi) * math.sqrt(2 * _BOX) + 4 * _Q_MAX * _BOX + 2 * reference.TOL


def _unit(p, prediction):
    return 1.0


def _point(name, p):
    """q1, q2 (capped), rho (0 at zero variance: c = 0), and the activation's own parameters at position ``shape`` of
    a Kronecker sequence (golden-ratio steps) in their typical box."""
    k = {a.name: a.typical[0] + (a.typical[1] - a.typical[0]) * ((p["shape"] + 0.6180339887 * j) % 1)
         for j, a in enumerate(_OWN[name])}
    q1, q2 = (min(p[q], Q_CAP.get(name, lambda k: math.inf)(k)) for q in ("q1", "q2"))
    return q1, q2, p["rho"] if q1 * q2 > 0 else 0.0, tuple(k.items())


@lru_cache(maxsize=1024)
def _reference(name, q1, q2, rho, own):
    """Values and Cauchy-Schwarz units of (V, dV/dc, E phi^2, E phi'^2) by quadrature of the numeric phi, phi';
    q = 0 as the limit q -> 0+ (what the closed forms are), its unit from E g(z)^2 at q = 1."""
    act, lim = activation(name, **dict(own)), [max(q, sys.float_info.min) for q in (q1, q2)]
    pairs = [reference.pair_expectation(g, g, *lim, rho).value for g in (act.phi, act.phi_prime)]
    m = [[reference.second_moment(g, q) for q in (*lim, q1 or 1.0, q2 or 1.0)] for g in (act.phi, act.phi_prime)]
    units = np.array([math.sqrt(m[0][2] * m[0][3]), math.sqrt(m[1][2] * m[1][3]), m[0][2], m[1][2]])
    return np.array([*pairs, m[0][0], m[1][0]]), np.where(units > 0, units, 1.0)


def _quadrature(name, p):
    values, units = _reference(name, *_point(name, p))
    return values / units


def _closed_form(name, p):
    q1, q2, rho, own = _point(name, p)
    act, c = activation(name, **dict(own)), rho * math.sqrt(q1) * math.sqrt(q2)
    values = [act.dual(q1, q2, c), act.dual_derivative(q1, q2, c), act.variance(q1), act.derivative_variance(q1)]
    return np.array(values, dtype=float) / _reference(name, q1, q2, rho, own)[1]


DUAL_CHECKS = tuple(Deterministic(name, compute=partial(_quadrature, name), predict=partial(_closed_form, name),
                                  rtol=1e-12, atol=ATOL, scale=_unit, labels=LABELS) for name in CLOSED_FORMS)
DUAL_CLAIM = theorem(
    id="claim.dual_closed_forms",
    title="Closed-form duals equal an independent quadrature of the activation over the whole domain",
    source="records dual.* (Price's theorem / MGF derivations); reference: numerics.dual.reference (1-D conditioning)",
    records=tuple(f"dual.{name}" for name in CLOSED_FORMS),
    parameters=[Q1, Q2, real("rho", -1.0, 1.0, latex=r"\rho"),
                real("shape", 0.0, 1.0, latex="s", description="where each activation's own parameters lie")],
    checks=DUAL_CHECKS,
    bias="none: deterministic (closed form vs quadrature in Cauchy-Schwarz units, atol from the 8-ulp contract)",
    false_fail_rate=0.0,
    examples=({"q1": 1.0, "q2": 2.0, "rho": 0.3, "shape": 0.3}, {"q1": 0.7, "q2": 1.3, "rho": -1.0, "shape": 0.8},
              {"q1": 0.0, "q2": 4.0, "rho": 0.5, "shape": 0.55}, {"q1": 1e6, "q2": 1e6, "rho": 1 - 1e-12, "shape": 0.1}),
    strategies={"q1": st.one_of(log_uniform(1e-6, 1e6), st.just(0.0)), "q2": log_uniform(1e-6, 1e6),
                "rho": st.one_of(st.floats(-1, 1), st.sampled_from([-1.0, 0.0, 1.0]),
                                 st.floats(1e-16, 1e-3).map(lambda d: 1 - d), st.floats(1e-16, 1e-3).map(lambda d: d - 1))},
    formulas=("dual.relu:dual", "dual.erf:dual", "dual.gelu:dual"),
)


# -- Price's identity for user-defined activations ---------------------------------------
USER_ACTIVATIONS = ("tanh(x)**2", "x*tanh(x)", "sin(x)*exp(-x**2/4)", "log(1 + exp(x))", "x/(1 + x**2)", "atan(x)")
PRICE_REL = 1e-6  # of the Cauchy-Schwarz bound; 4th-order differences, h = 1e-3 s (docs/claims/claim.price_identity.md)
PRICE_LABEL = "dV/dc / sqrt(E φ'(u)² E φ'(v)²)"


def _covariance(p):
    return p["q1"], p["q2"], p["rho"] * math.sqrt(p["q1"] * p["q2"])


def _bound(p):
    """sqrt(E phi'(u)^2 E phi'(v)^2): the unit both sides are measured in (Cauchy-Schwarz)."""
    return cauchy_schwarz_bound(user_activation(p["expr"]).phi_prime, p["q1"], p["q2"])


def _price_expectation(p):
    dphi = user_activation(p["expr"]).phi_prime
    return float(quadrature.gaussian_pair_expectation(dphi, dphi, *_covariance(p))) / _bound(p)


def _price_slope(p):
    return dual_slope(user_activation(p["expr"]).phi, *_covariance(p), relative_step=1e-3) / _bound(p)


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
