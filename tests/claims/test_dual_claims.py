"""claim.dual_closed_forms and claim.price_identity: planted errors are rejected, on structured results.

The dual claim compares every generated closed form with an independent quadrature of the activation
(numerics.dual.reference); an error planted in a record's generated function (x1.05) fails exactly that
record's check.  Each run here is one pinned example (the reference is cached across tests).
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

from numerics.generated import MODULES
from verify.claims import PROFILES, Profile, check
from verify.claims import dual as dual_claims
from verify.core import Custom, predictions

QUICK = PROFILES["quick"]
INTERIOR = dual_claims.DUAL_CLAIM.examples[0]  # q = (1, 2), rho = 0.3: every closed form is far above ATOL here


def _failed(result):
    return [o["name"] for o in result.data["outcomes"] if not o["passed"]]


def _failed_components(result):
    return sorted({row["component"] for row in result.data["power"]
                   if abs(row["observed"] - row["predicted"]) > row["detectable"]})


def _planted(claim, factor):
    def predict(params, *, seed=None):
        return {name: factor * np.asarray(v, dtype=float) for name, v in predictions(claim, params, seed=seed).items()}
    return claim.with_prediction(predict)


@pytest.fixture
def scaled_record(monkeypatch):
    """Scale one generated function of a ``dual.*`` record by 1.05 (what a derivation error would do)."""
    def plant(name, which):
        module = importlib.import_module(f"numerics.generated.{MODULES['dual.' + name]}")
        original = getattr(module, which)
        monkeypatch.setattr(module, which, lambda *a, **k: 1.05 * np.asarray(original(*a, **k)))
    return plant


def test_dual_claim_is_declared_with_deterministic_checks_only():
    checks = dual_claims.DUAL_CHECKS
    assert not any(isinstance(c, Custom) for c in checks)
    assert {c.name for c in checks} == set(dual_claims.CLOSED_FORMS) >= {"sin", "exp", "abs", "monomial_5"}


def test_activation_parameters_are_drawn_from_their_typical_box():
    """``shape`` moves every activation's own parameters through its record's typical box (not its defaults)."""
    for shape in (0.0, 0.3, 0.999):
        own = dict(dual_claims._point("sin", {"q1": 1.0, "q2": 1.0, "rho": 0.0, "shape": shape})[3])
        assert -2 <= own["a"] <= 2 and 0.1 <= own["b"] <= 3.0 and -3 <= own["phase"] <= 3
    phases = {dict(dual_claims._point("sin", {"q1": 1.0, "q2": 1.0, "rho": 0.0, "shape": s})[3])["phase"]
              for s in (0.1, 0.5, 0.9)}
    assert len(phases) == 3 and max(abs(x) for x in phases) > 1


@pytest.mark.parametrize("name", ["sin", "exp", "abs"])
@pytest.mark.parametrize("which, component", [("dual", "E φ(u)φ(v)"), ("dual_derivative", "E φ'(u)φ'(v)")])
def test_record_scaled_by_1_05_fails_its_check(scaled_record, name, which, component):
    claim = dual_claims.DUAL_CLAIM
    assert claim.run(claim, INTERIOR, 0, 1e-6, QUICK).passed
    scaled_record(name, which)
    result = claim.run(claim, INTERIOR, 0, 1e-6, QUICK)
    assert not result.passed and _failed(result) == [name]
    assert _failed_components(result) == [component]


def test_variance_scaled_by_1_05_fails_its_check(scaled_record):
    claim = dual_claims.DUAL_CLAIM
    scaled_record("gelu", "variance")
    result = claim.run(claim, INTERIOR, 0, 1e-6, QUICK)
    assert _failed(result) == ["gelu"] and _failed_components(result) == ["E φ(u)²"]


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_prediction_fails_every_nonzero_closed_form(factor):
    wrong = _planted(dual_claims.DUAL_CLAIM, factor)
    result = wrong.run(wrong, INTERIOR, 0, 1e-6, QUICK)
    assert _failed(result) == [c.name for c in dual_claims.DUAL_CHECKS]


def test_zero_variance_and_the_edges_pass_and_keep_their_power():
    """q1 = 0 (the limit q -> 0+, c = 0) and rho = -1: every component passes, and the tolerance is ATOL of the
    Cauchy-Schwarz unit (the relative figure the report shows)."""
    claim = dual_claims.DUAL_CLAIM
    for params in (dual_claims.DUAL_CLAIM.examples[2], dual_claims.DUAL_CLAIM.examples[1]):
        assert params["q1"] == 0.0 or params["rho"] == -1.0
        result = claim.run(claim, params, 0, 1e-6, QUICK)
        assert result.passed, result.detail
        assert max(row["relative"] for row in result.data["power"]) <= 1.01 * dual_claims.ATOL


def test_planted_price_scaled_by_1_05_is_rejected():
    wrong = _planted(dual_claims.PRICE_CLAIM, 1.05)
    result = wrong.run(wrong, dual_claims.PRICE_CLAIM.examples[0], 0, 1e-6, QUICK)
    assert _failed(result) == ["Price's identity"]


def test_price_identity_holds_where_the_expectation_vanishes():
    """tanh^2 at rho = 0: E[phi'(u) phi'(v)] = 0 exactly (phi' odd); the tolerance is relative to the
    Cauchy-Schwarz bound, not to the vanishing value (it failed the thorough profile before)."""
    claim = dual_claims.PRICE_CLAIM
    result = claim.run(claim, {"expr": "tanh(x)**2", "q1": 1.7, "q2": 0.4, "rho": 0.0}, 0, 1e-6, QUICK)
    assert result.passed, result.detail
    assert result.data["weakest"]["relative"] == dual_claims.PRICE_REL


def test_planted_dual_is_rejected_with_a_counterexample():
    res = check(_planted(dual_claims.DUAL_CLAIM, 1.05), profile="smoke")
    assert not res.passed and res.counterexample is not None
    params, _, result = res.counterexample
    assert set(params) == {"q1", "q2", "rho", "shape"} and not result.passed and result.statistic > result.threshold


@pytest.mark.quality
def test_counterexample_is_shrunk_to_a_simple_example():
    """A prediction wrong only for rho > 0.5: hypothesis finds it and shrinks towards simple variances."""
    claim = dual_claims.DUAL_CLAIM

    def predict(p, *, seed=None):
        return {k: np.asarray(v) * (1.05 if p["rho"] > 0.5 else 1.0) for k, v in predictions(claim, p, seed=seed).items()}

    wrong = dataclasses.replace(claim.with_prediction(predict), examples=())
    res = check(wrong, profile=Profile("search", max_examples=30, sample_scale=1.0))
    assert not res.passed and res.counterexample[0]["rho"] > 0.5
