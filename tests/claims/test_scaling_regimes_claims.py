"""claim.scaling_regimes_diffusive: planted wrong predictions are rejected at the quick sample size.

The shipped claim runs in ``tests/claims/test_shipped_and_kernel.py`` (smoke: the pinned softplus example).  Here
(slow: ~3 s per run): x1.05 and x0.95 on the prediction, and the SDE without its Ito correction (softplus: E H_1
moves by ~8%, E H_1^2 by ~17%; the network's error against it stalls, see
``tests/unit/scaling_regimes/test_scaling_regimes_diffusive.py``), all rejected; the true prediction passes on the
same networks, and at a pinned tanh example (the closed moment ODE).
"""

from __future__ import annotations

import numpy as np
import pytest

from verify.claims import Profile
from verify.claims import scaling_regimes as sr

CLAIM = sr.DIFFUSIVE_CLAIM
PINNED = CLAIM.examples[0]
TANH = {**PINNED, "activation": "tanh", "b_bar": 0.3}   # the corner of largest E h^2 / variance
QUICK_SIZE = Profile("planted", max_examples=1, sample_scale=1.0)


def _run(predict, params=PINNED):
    wrong = CLAIM.with_prediction(predict)
    return wrong.run(wrong, params, 0, CLAIM.false_fail_rate / 3, QUICK_SIZE)


def _scaled(factor):
    def predict(p, *, seed=None):
        return {name: (type(v)(factor * np.asarray(v.value), factor * np.asarray(v.stderr))
                       if hasattr(v, "stderr") else factor * np.asarray(v))
                for name, v in CLAIM.predict(p, seed=seed).items()}
    return predict


@pytest.mark.slow
@pytest.mark.parametrize("params", [PINNED, TANH], ids=["softplus", "tanh"])
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_scaled_prediction_is_rejected(factor, params):
    assert not _run(_scaled(factor), params).passed


@pytest.mark.slow
@pytest.mark.parametrize("params", [PINNED, TANH], ids=["softplus", "tanh"])
def test_true_prediction_passes(params):
    result = _run(lambda p, *, seed=None: CLAIM.predict(p, seed=seed), params)
    assert result.passed, result.detail


@pytest.mark.slow
def test_planted_ito_correction_dropped_is_rejected():
    def no_ito(p, *, seed=None):
        return {"moments": sr.predict_moments(p, seed=seed, ito=False)}
    result = _run(no_ito)
    assert not result.passed
