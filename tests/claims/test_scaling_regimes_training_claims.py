"""claim.scaling_regimes_gd_linear: planted errors are rejected at the quick sample size, the truth passes.

Slow (about 1.5 s of CPU per run): the prediction x1.05 and x0.95; the limit trained with a learning rate 5% too
large (a wrong depth normalisation of the step, eta L vs 1.05 eta L: the rate ratio's limit moves).  The pinned
example is
the corner of the box with the largest spread of ratios (a0 = 0.3, a1 = 1, eta = 0.75, noise = 0.4).
"""

from __future__ import annotations

import dataclasses
import functools

import pytest

from verify.claims import Profile
from verify.claims import _scaling_regimes_training as gd

CLAIM = gd.GD_LINEAR_CLAIM
PINNED = CLAIM.examples[0]
QUICK_SIZE = Profile("planted", max_examples=1, sample_scale=1.0)


def _run(claim, params=PINNED):
    return claim.run(claim, params, 0, CLAIM.false_fail_rate / 3, QUICK_SIZE)


def _with_simulate(simulate):
    return gd.gd_linear_claim(dataclasses.replace(gd.GD_CHECK, simulate=simulate))


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_scaled_prediction_is_rejected(factor):
    wrong = CLAIM.with_prediction(lambda p, *, seed=None: {"rate_ratio": factor})
    result = _run(wrong)
    assert not result.passed, result.detail


@pytest.mark.slow
def test_true_prediction_passes_and_detects_five_percent():
    result = _run(CLAIM)
    assert result.passed, result.detail
    assert result.detectable_discrepancy < 0.05


@pytest.mark.slow
def test_limit_with_a_learning_rate_five_percent_off_is_rejected():
    planted = _with_simulate(functools.partial(gd.rate_ratio, reference_eta_factor=1.05))
    assert not _run(planted).passed
