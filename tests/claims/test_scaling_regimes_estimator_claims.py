"""claim.scaling_regimes_estimators and claim.scaling_regimes_estimator_intervals: they pass with their stated
power; planted errors (x1.05, x0.95 predictions, an estimator with a wrong depth normalisation) are rejected with
shrunk counterexamples (slow: 10-60 s each under load)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from numerics.scaling_regimes.estimators_calibration import calibration_truth
from numerics.scaling_regimes.estimators_statistics import layer_statistic
from verify.claims import PROFILES, check
from verify.claims._scaling_regimes_estimators import (
    CLAIMS,
    DEPTHS,
    ENTRIES,
    ESTIMATORS_CLAIM,
    INTERVALS_CLAIM,
    LEVEL,
    calibration_claims,
)
from verify.core import predictions

QUICK = PROFILES["quick"]


def _failed(result):
    return sorted({o["name"] for o in result.data["outcomes"] if not o["passed"]})


def test_predictions_are_the_exact_means_and_the_level():
    """Fast: the slopes' exact means (all families), beta-hat and the coverage level (smooth)."""
    truth = calibration_truth("iid", beta=0.2, depths=DEPTHS, entries=ENTRIES)
    iid = predictions(ESTIMATORS_CLAIM, {"family": "iid", "beta": 0.2})
    assert np.allclose(iid["slopes"], truth[1:3]) and np.allclose(iid["slopes"], [0.3, 0.6], atol=0.05)
    smooth = predictions(INTERVALS_CLAIM, {"beta": 0.5})
    assert np.allclose(smooth["beta_hat"], 0.5) and np.allclose(smooth["coverage"], LEVEL)


@pytest.mark.slow
@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_passes_and_detects_5_percent(claim):
    honest = check(claim, profile=QUICK)
    assert honest.passed, honest.error
    rows = [r for _, _, res in honest.examples for r in res.data["power"]]
    assert rows and max(r["relative"] for r in rows) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_scaled_predictions_are_rejected(claim, factor):
    def predict(params, *, seed=None):
        return {k: factor * np.asarray(v) for k, v in predictions(claim, params, seed=seed).items()}
    result = check(claim.with_prediction(predict), profile=QUICK)
    assert not result.passed and result.counterexample is not None
    assert _failed(result.counterexample[2]) == (["beta_hat", "coverage"] if claim is INTERVALS_CLAIM else ["slopes"])


def _rms(x, name):
    """Root-mean-square instead of root-SSQ: the depth normalisation 1/L of the code's dead 'L2' branch."""
    value = layer_statistic(x, name)
    return value / np.sqrt(x.shape[-2]) if name == "root_ssq" else value


def _qv_per_layer(x, name):
    """QV rescaled by L/(L-1), as if the L-1 increments were L: a depth normalisation off by O(1/L)."""
    value = layer_statistic(x, name)
    L = x.shape[-2]
    return value * L / (L - 1) if name == "quadratic_variation" else value


def _max_per_layer(x, name):
    """The max norm divided by L (an estimator normalising the weights by the depth): beta-hat off by +1."""
    value = layer_statistic(x, name)
    return value / x.shape[-2] if name == "max_norm" else value


@pytest.mark.slow
@pytest.mark.parametrize("wrong, which, check_name", [(_rms, 0, "slopes"), (_qv_per_layer, 0, "slopes"),
                                                      (_max_per_layer, 1, "beta_hat")],
                         ids=["root-mean-square", "qv-per-layer", "max-norm-per-layer"])
def test_wrong_depth_normalisation_is_rejected_with_a_shrunk_counterexample(wrong, which, check_name):
    planted = calibration_claims(statistic=wrong, suffix="[planted]")[which]
    assert not check(planted, profile=QUICK).passed                 # at the pinned example
    result = check(dataclasses.replace(planted, examples=()), profile=QUICK)   # drawn, then shrunk
    assert not result.passed
    params, _, res = result.counterexample
    assert params == ({"family": "smooth", "beta": 0.0} if which == 0 else {"beta": 0.0})   # the first choices
    assert check_name in _failed(res)
