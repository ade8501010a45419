"""claim.propagation_slopes: passes, states its power, and rejects planted errors with shrunk counterexamples."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.propagation import propagation
from verify.claims import PROFILES, check
from verify.claims.propagation import SLOPES_CLAIM, slopes
from verify.core import predictions

QUICK = PROFILES["quick"]


def _failed(result):
    return sorted({o["name"] for o in result.data["outcomes"] if not o["passed"]})


def _planted(transform):
    def predict(params, *, seed=None):
        return transform(params, predictions(SLOPES_CLAIM, params, seed=seed))
    return SLOPES_CLAIM.with_prediction(predict)


@pytest.fixture(scope="module")
def honest():
    return check(SLOPES_CLAIM, profile=QUICK)


def test_claim_passes_and_detects_5_percent(honest):
    assert honest.passed, honest.error
    for _, _, res in honest.examples:
        rows = res.data["power"]
        assert rows and max(r["relative"] for r in rows) < 0.05


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_scaled_predictions_are_rejected(factor):
    result = check(_planted(lambda p, pred: {k: factor * np.asarray(v) for k, v in pred.items()}), profile=QUICK)
    assert not result.passed and result.counterexample is not None
    assert set(_failed(result.counterexample[2])) >= {"chi_1", "chi_q"}


def test_chi_1_with_a_wrong_factor_is_rejected():
    result = check(_planted(lambda p, pred: {**pred, "chi_1": 1.05 * pred["chi_1"]}), profile=QUICK)
    assert not result.passed and _failed(result.counterexample[2]) == ["chi_1"]


def test_xi_c_from_the_wrong_fixed_point_is_rejected():
    """chi_c taken at c = 1 (the ordered-phase fixed point) where c* < 1: the slope there is chi_1."""
    def wrong(p, pred):
        if "chi_c" not in pred:
            return pred
        return {**pred, "chi_c": np.array([propagation(p["activation"], sigma_w2=p["sigma_w2"],
                                                       sigma_b2=p["sigma_b2"]).chi_1])}
    result = check(_planted(wrong), profile=QUICK)
    assert not result.passed and _failed(result.counterexample[2]) == ["chi_c"]


def test_prediction_is_the_record_slopes():
    p = {"activation": "tanh", "sigma_w2": 2.5, "sigma_b2": 0.05, "width": 8}
    f = propagation("tanh", sigma_w2=2.5, sigma_b2=0.05)
    assert slopes(p)["chi_c"][0] == f.chi_c and f.c_star < 1.0 and f.chi_c != f.chi_1
