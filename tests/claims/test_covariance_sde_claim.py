"""claim.covariance_sde: planted wrong predictions are rejected at the quick sample size, without shrinking.

The shipped claim itself runs in ``tests/claims/test_shipped_and_kernel.py`` (smoke profile: the pinned example,
the same networks as here; they are memoised, so these runs cost little more than the predictions).

* x1.05 and x0.95 on the whole prediction, pinned example (the linear network, rho_0 = 0.6, T = 1.5): the log-norm
  check is exact at every width, so -1.05 (-0.95) against -1 is rejected;
* Ito's correction dropped from the correlation SDE (pinned example): E rho_T moves from 0.48 to 0.60, the
  detectable discrepancy is ~0.03;
* x1.05 on the correlation alone at rho_0 = 0.6, c = (1.5, -1.5), T = 1.5 (E rho_T = 0.84, shift 0.042 against a
  detectable ~0.03): quality marker (a new example to simulate).
"""

from __future__ import annotations

import numpy as np
import pytest

from verify.claims import Profile
from verify.claims import covariance_sde as cs

CLAIM = cs.COVARIANCE_SDE_CLAIM
PINNED = CLAIM.examples[0]
QUICK_SIZE = Profile("planted", max_examples=1, sample_scale=1.0)


def _rate():
    """The false-failure rate a pinned example gets in the quick profile (1 pinned + 3 drawn examples)."""
    return CLAIM.false_fail_rate / 4


def _run(predict, params=PINNED):
    wrong = CLAIM.with_prediction(predict)
    return wrong.run(wrong, params, 0, _rate(), QUICK_SIZE)


def _outcomes(result):
    return {o["name"]: o for o in result.data["outcomes"]}


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_scaled_prediction_is_rejected(factor):
    result = _run(lambda p, *, seed=None: {name: factor * np.asarray(v) for name, v in CLAIM.predict(p).items()})
    assert not result.passed
    log_norm = _outcomes(result)[cs.LOG_NORM_CHECK]
    assert not log_norm["passed"] and log_norm["statistic"] > log_norm["threshold"]


def test_true_prediction_passes_on_the_same_networks():
    result = _run(lambda p, *, seed=None: CLAIM.predict(p))
    assert result.passed, result.detail


def test_planted_ito_term_dropped_is_rejected():
    def no_ito(p, *, seed=None):
        out = CLAIM.predict(p)
        out[cs.CHECK] = cs.predict_sde(p, ito=False)
        return out

    result = _run(no_ito)
    outcomes = _outcomes(result)
    assert not outcomes[cs.CHECK]["passed"] and outcomes[cs.LOG_NORM_CHECK]["passed"]
    data = result.data["checks"][cs.CHECK]
    z = np.abs(data["intercept"] - data["predicted"]) / data["intercept_stderr"]
    assert z[0] > outcomes[cs.CHECK]["threshold"]  # E rho_T is rejected (0.60 predicted against 0.48)


@pytest.mark.quality  # a new example to simulate (~10 s of CPU)
def test_planted_five_percent_on_the_correlation_alone_is_rejected():
    params = {"c_plus": 1.5, "c_minus": -1.5, "rho0": 0.6, "T": 1.5}

    def scaled(p, *, seed=None):
        out = CLAIM.predict(p)
        out[cs.CHECK] = 1.05 * np.asarray(out[cs.CHECK])
        return out

    outcomes = _outcomes(_run(scaled, params))
    assert not outcomes[cs.CHECK]["passed"] and outcomes[cs.LOG_NORM_CHECK]["passed"]
