"""Claims: every shipped claim passes under the deterministic quick profile, planted errors are rejected.

Each claim's false-failure rate is stated on the claim (1e-6 for the Monte
Carlo claims, split by Bonferroni over its examples; 0 for deterministic
ones) and each result reports the discrepancy it can detect.
"""

from __future__ import annotations

import numpy as np
import pytest

from verify.claims import CLAIMS
from verify.claims import dual as dual_claims
from verify.claims import kernel as kernel_claims
from verify.claims import Profile, check


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_shipped_claim_passes(claim_id):
    claim = CLAIMS[claim_id]
    res = check(claim, profile="quick")
    assert res.passed, res.summary()
    assert res.examples, "no example ran"
    s = res.summary()
    assert s["false_fail_rate"] <= 1e-6 and s["detectable_discrepancy"] > 0


def _assert_rejected_with_counterexample(res):
    assert not res.passed
    assert res.counterexample is not None
    params, seed, result = res.counterexample
    assert isinstance(seed, int) and params
    assert not result.passed and result.statistic > result.threshold
    return params


def test_planted_dual_scaled_by_1_05_is_rejected():
    wrong = dual_claims.DUAL_CLAIM.with_prediction(lambda p: tuple(1.05 * np.asarray(v) for v in dual_claims._predict_dual(p)))
    params = _assert_rejected_with_counterexample(check(wrong, profile="quick"))
    assert params["activation"] in dual_claims.CLOSED_FORMS


def test_planted_kernel_scaled_by_1_05_is_rejected():
    # 10x the quick sample size: detectable relative discrepancy ~1.5% at false-fail 1e-6, false-pass 1e-6
    wrong = kernel_claims.NNGP_DEPTH1_CLAIM.with_prediction(lambda p: 1.05 * kernel_claims._predict_nngp(p))
    res = check(wrong, profile=Profile("planted", max_examples=2, sample_scale=10.0))
    params = _assert_rejected_with_counterexample(res)
    assert params["activation"] in kernel_claims.NETWORK_ACTIVATIONS


def test_planted_ntk_with_wrong_depth_is_rejected():
    wrong = kernel_claims.NTK_CLAIM.with_prediction(lambda p: kernel_claims._predict_ntk({**p, "depth": p["depth"] + 1}))
    _assert_rejected_with_counterexample(check(wrong, profile=Profile("planted", max_examples=2, sample_scale=1.0)))


def test_counterexample_is_shrunk_to_a_simple_example():
    """A prediction wrong only for rho > 0.5: the counterexample shrinks to the first activation."""
    def predict(p):
        v = dual_claims._predict_dual(p)
        return tuple(np.asarray(x) * (1.05 if p["rho"] > 0.5 else 1.0) for x in v)

    wrong = dual_claims.DUAL_CLAIM.with_prediction(predict)
    wrong = type(wrong)(**{**wrong.__dict__, "examples": ()})
    res = check(wrong, profile=Profile("search", max_examples=30, sample_scale=1.0))
    params = _assert_rejected_with_counterexample(res)
    assert params["activation"] == dual_claims.CLOSED_FORMS[0] and params["rho"] > 0.5
