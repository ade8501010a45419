"""Propagation claims (slopes, depth scales, critical line): pass, state their power, and reject planted errors
with shrunk counterexamples."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.propagation import critical_line, propagation
from verify.claims import PROFILES, check
from verify.claims.propagation import (CRITICAL_CLAIM, CRITICAL_DEPTHS, DEPTH_CLAIM, SLOPES_CLAIM, critical_claim,
                                       slopes)
from verify.core import predictions

QUICK = PROFILES["quick"]


def _failed(result):
    return sorted({o["name"] for o in result.data["outcomes"] if not o["passed"]})


def _planted(transform):
    def predict(params, *, seed=None):
        return transform(params, predictions(SLOPES_CLAIM, params, seed=seed))
    return SLOPES_CLAIM.with_prediction(predict)


@pytest.mark.slow
def test_claim_passes_and_detects_5_percent():
    honest = check(SLOPES_CLAIM, profile=QUICK)  # ~6-9 s: the smoke run is in test_shipped_and_kernel.py
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


# -- claim.propagation_depth_scales (about 20 s per run: behind the slow marker) ------------------------
def _planted_depth(transform):
    def predict(params, *, seed=None):
        return transform(params, predictions(DEPTH_CLAIM, params, seed=seed))
    return DEPTH_CLAIM.with_prediction(predict)


@pytest.mark.slow
def test_depth_claim_passes_and_detects_5_percent():
    result = check(DEPTH_CLAIM, profile=QUICK)
    assert result.passed, result.error
    for _, _, res in result.examples:
        assert max(r["relative"] for r in res.data["power"]) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_depth_claim_rejects_scaled_rates(factor):
    result = check(_planted_depth(lambda p, pred: {k: factor * np.asarray(v) for k, v in pred.items()}), profile=QUICK)
    assert not result.passed and result.counterexample is not None


@pytest.mark.slow
def test_depth_claim_rejects_xi_c_from_the_wrong_fixed_point():
    """exp(-L/xi_c) with xi_c = -1/ln chi_1 (the slope at c = 1) where c* < 1."""
    def wrong(p, pred):
        if "approach of c" not in pred:
            return pred
        f = propagation(p["activation"], sigma_w2=p["sigma_w2"], sigma_b2=p["sigma_b2"])
        return {**pred, "approach of c": np.array([f.chi_1 ** p["depth"]])}
    result = check(_planted_depth(wrong), profile=QUICK)
    assert not result.passed and _failed(result.counterexample[2]) == ["approach of c"]


# -- claim.critical_line (quick run ~25 s wall under load, ~6 s CPU: behind the slow marker) -------------------
def _planted_critical(transform):
    def predict(params, *, seed=None):
        return transform(params, predictions(CRITICAL_CLAIM, params, seed=seed))
    return CRITICAL_CLAIM.with_prediction(predict)


def test_critical_prediction_is_chi_1_to_the_depth_and_is_one_on_the_line():
    for p in CRITICAL_CLAIM.examples:
        pred = predictions(CRITICAL_CLAIM, p)
        for name in ("gradient norms", "correlation deficit"):
            assert np.asarray(pred[name]) == pytest.approx(np.ones(len(CRITICAL_DEPTHS)), abs=1e-10)
        sw = critical_line(p["activation"], p["sigma_b2"])[0][0]
        off = propagation(p["activation"], sigma_w2=1.05 * sw, sigma_b2=p["sigma_b2"])
        assert off.chi_1 ** CRITICAL_DEPTHS[-1] > 1.1  # chi_1 = 1.018 (tanh, 0.05): the off-line network grows 15%


@pytest.mark.slow
def test_critical_claim_passes_and_detects_5_percent():
    result = check(CRITICAL_CLAIM, profile=QUICK)
    assert result.passed, result.error
    for _, _, res in result.examples:
        assert max(r["relative"] for r in res.data["power"]) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_critical_claim_rejects_scaled_predictions(factor):
    result = check(_planted_critical(lambda p, pred: {k: factor * np.asarray(v) for k, v in pred.items()}),
                   profile=QUICK)
    assert not result.passed and result.counterexample is not None
    assert set(_failed(result.counterexample[2])) == {"gradient norms", "correlation deficit"}


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_networks_off_the_line_are_rejected(factor):
    """sigma_w2 x1.05 (chaotic side) or x0.95 (ordered side) while predicting no growth: log chi_1 != 0 is seen."""
    result = check(critical_claim(sigma_w2_factor=factor), profile=QUICK)
    assert not result.passed and result.counterexample is not None
    assert set(_failed(result.counterexample[2])) == {"gradient norms", "correlation deficit"}
