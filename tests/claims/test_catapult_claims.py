"""The catapult claims reject planted errors: x1.05 and x0.95 on every prediction at the pinned examples, the
catapult boundary at 3/lambda_0 instead of 2/lambda_0, and a peak loss growing like sqrt(width) (both shrunk to
counterexamples by hypothesis in the quick profile).  The true claims pass their pinned examples in
``tests/claims/test_shipped_and_kernel.py`` (smoke).  Slow: ~2 s CPU per example; the shrinking runs more.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from verify.claims import PROFILES, Profile, check
from verify.claims.catapult import DIVERGENT_CLAIM, LAZY_CLAIM, SPIKE_CLAIM, TWO_LAYER_CLAIM, spike_prediction

AT_QUICK_SIZE = Profile("planted", max_examples=1, sample_scale=1.0)
CLAIMS = {"lazy": LAZY_CLAIM, "spike": SPIKE_CLAIM, "divergent": DIVERGENT_CLAIM, "two_layer": TWO_LAYER_CLAIM}


def _failed(result):
    return sorted(o["name"] for o in result.data["outcomes"] if not o["passed"])


def _run(claim, predict, params=None):
    wrong = claim.with_prediction(predict)
    return wrong.run(wrong, params or claim.examples[0], 0, claim.false_fail_rate / 4, AT_QUICK_SIZE)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLAIMS))
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_scaled_predictions_are_rejected(name, factor):
    claim = CLAIMS[name]
    result = _run(claim, lambda p: {k: factor * np.asarray(v) for k, v in claim.predict(p).items()})
    assert not result.passed
    # every check with a two-sided test and a non-zero prediction rejects it on its own
    expected = {"lazy": ["contraction", "ntk shift order", "ntk shift per w0"],
                "spike": ["catapult duration", "final curvature", "peak loss order", "peak loss per width"],
                "divergent": ["diverged", "escape duration"], "two_layer": ["early growth"]}[name]
    assert _failed(result) == expected


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_true_predictions_pass_at_the_quick_size(name):
    claim = CLAIMS[name]
    result = _run(claim, claim.predict)
    assert result.passed, result.detail


def _shrunk(claim):
    res = check(dataclasses.replace(claim, examples=()), profile=PROFILES["quick"])
    assert not res.passed and res.counterexample is not None, res.summary()
    params, _, result = res.counterexample
    return params, _failed(result)


@pytest.mark.slow
def test_catapult_boundary_at_three_is_rejected_with_a_counterexample_below_three():
    params, failed = _shrunk(SPIKE_CLAIM.with_prediction(lambda p: spike_prediction(p, lazy_max=3.0)))
    assert 2.0 < params["c0"] < 3.0
    assert {"peak loss order", "peak loss per width", "catapult duration"} <= set(failed)


@pytest.mark.slow
def test_peak_loss_growing_like_sqrt_width_is_rejected():
    _, failed = _shrunk(SPIKE_CLAIM.with_prediction(lambda p: spike_prediction(p, peak_exponent=0.5)))
    assert failed == ["peak loss order"]
