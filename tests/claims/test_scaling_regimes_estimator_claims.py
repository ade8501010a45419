"""claim.scaling_regimes_estimators: passes with its stated power; planted errors (x1.05, x0.95 predictions, an
estimator with a wrong depth normalisation) are rejected with shrunk counterexamples (slow: 10-60 s each)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from numerics.scaling_regimes.estimators_calibration import calibration_truth
from numerics.scaling_regimes.estimators_statistics import layer_statistic
from verify.claims import PROFILES, check
from verify.claims._scaling_regimes_estimators import (
    DEPTHS,
    ENTRIES,
    ESTIMATORS_CLAIM,
    LEVEL,
    calibration_claim,
)
from verify.core import predictions

QUICK = PROFILES["quick"]


def _failed(result):
    return sorted({o["name"] for o in result.data["outcomes"] if not o["passed"]})


def test_predictions_are_the_exact_means_and_the_level():
    """Fast: the claim's predictions per family (beta-hat only for smooth; coverage only for smooth)."""
    smooth = predictions(ESTIMATORS_CLAIM, {"family": "smooth", "beta": 0.5})
    truth = calibration_truth("smooth", beta=0.5, depths=DEPTHS, entries=ENTRIES)
    assert np.allclose(smooth["estimates"], truth[:3]) and np.allclose(smooth["coverage"], LEVEL)
    iid = predictions(ESTIMATORS_CLAIM, {"family": "iid", "beta": 0.2})
    assert set(iid) == {"estimates"} and np.allclose(iid["estimates"], [0.5 - 0.2, 1 - 0.4], atol=0.05)


@pytest.mark.slow
def test_claim_passes_and_detects_5_percent():
    honest = check(ESTIMATORS_CLAIM, profile=QUICK)
    assert honest.passed, honest.error
    rows = [r for _, _, res in honest.examples for r in res.data["power"]]
    assert rows and max(r["relative"] for r in rows) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_scaled_predictions_are_rejected(factor):
    def predict(params, *, seed=None):
        return {k: factor * np.asarray(v) for k, v in predictions(ESTIMATORS_CLAIM, params, seed=seed).items()}
    result = check(ESTIMATORS_CLAIM.with_prediction(predict), profile=QUICK)
    assert not result.passed and result.counterexample is not None
    assert _failed(result.counterexample[2]) == ["coverage", "estimates"]


def _rms(x, name):
    """Root-mean-square instead of root-SSQ: the depth normalisation 1/L of the code's dead 'L2' branch."""
    value = layer_statistic(x, name)
    return value / np.sqrt(x.shape[-2]) if name == "root_ssq" else value


def _qv_per_layer(x, name):
    """QV rescaled by L/(L-1), as if the L-1 increments were L: a depth normalisation off by O(1/L)."""
    value = layer_statistic(x, name)
    L = x.shape[-2]
    return value * L / (L - 1) if name == "quadratic_variation" else value


@pytest.mark.slow
@pytest.mark.parametrize("wrong", [_rms, _qv_per_layer], ids=["root-mean-square", "qv-per-layer"])
def test_wrong_depth_normalisation_is_rejected_with_a_shrunk_counterexample(wrong):
    planted = calibration_claim(statistic=wrong, suffix="[planted]")
    assert not check(planted, profile=QUICK).passed                 # at the pinned example
    result = check(dataclasses.replace(planted, examples=()), profile=QUICK)   # drawn, then shrunk
    assert not result.passed
    params, _, res = result.counterexample
    assert params == {"family": "smooth", "beta": 0.0}   # hypothesis shrinks to the first choices
    assert "estimates" in _failed(res)
