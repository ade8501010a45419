"""Claims: every shipped claim passes under the deterministic quick profile, planted errors are rejected.

Each claim's false-failure rate is stated on the claim (1e-6 for the Monte
Carlo claims, split by Bonferroni over its examples; 0 for deterministic
ones) and each result reports the discrepancy it can detect.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from verify.claims import CLAIMS, PROFILES, Profile, check
from verify.claims import kernel as kernel_claims
from verify.core import predictions


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_shipped_claim_passes(claim_id):
    """Smoke-sized: the claim's pinned examples at its own sample sizes (``deeplimits verify`` draws more)."""
    claim = CLAIMS[claim_id]
    res = check(claim, profile="smoke")
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


def _planted(claim, factor, *, check=None):
    """``claim`` with every prediction (or only that of ``check``) multiplied by ``factor``."""
    def predict(params, *, seed=None):
        return {name: factor * np.asarray(v, dtype=float) if check in (None, name) else v
                for name, v in predictions(claim, params, seed=seed).items()}
    return claim.with_prediction(predict)


def _failed_checks(result):
    return [o["name"] for o in result.data["outcomes"] if not o["passed"]]


QUICK = PROFILES["quick"]


def test_planted_kernel_scaled_by_1_05_is_rejected():
    # pinned away from width 1 (heavy-tailed outputs): relative detectable discrepancy ~4.6% at the quick size
    claim = kernel_claims.NNGP_DEPTH1_CLAIM
    params = {"activation": "erf", "width": 16, "W_std": 1.3, "b_std": 0.1, "angle": 2.0, "r1": 0.8, "r2": 1.6}
    assert claim.run(claim, params, 0, 1e-6, QUICK).passed
    wrong = _planted(claim, 1.05)
    assert _failed_checks(wrong.run(wrong, params, 0, 1e-6, QUICK)) == ["second moments"]


def test_nngp_covariance_power_is_relative_to_the_diagonal_at_orthogonal_inputs():
    claim = kernel_claims.NNGP_DEPTH1_CLAIM
    params = {"activation": "tanh", "width": 4, "W_std": 1.2, "b_std": 0.0, "angle": math.pi / 2, "r1": 1.0, "r2": 1.0}
    result = claim.run(claim, params, 0, 1e-6, QUICK)
    assert result.passed, result.detail
    k11, k22, k12 = (r["predicted"] for r in result.data["power"])
    row = result.data["power"][2]
    assert row["component"] == "E f(x) f(x')" and abs(k12) < 1e-12
    assert row["scale"] == pytest.approx(math.sqrt(k11 * k22), rel=1e-12) and math.isfinite(row["relative"])


def test_planted_ntk_with_wrong_depth_is_rejected():
    claim = kernel_claims.NTK_CLAIM

    def predict(params, *, seed=None):
        return {**predictions(claim, params, seed=seed), "mean NTK": predictions(
            claim, {**params, "depth": params["depth"] + 1}, seed=seed)["mean NTK"]}
    wrong = claim.with_prediction(predict)
    result = wrong.run(wrong, claim.examples[0], 0, 1e-6, Profile("tiny", max_examples=1, sample_scale=0.3))
    assert _failed_checks(result) == ["mean NTK"]


@pytest.mark.slow
@pytest.mark.parametrize("claim_id, check_name, scale", [("claim.nngp_deep", "second moments", 6.0),
                                                       ("claim.ntk", "mean NTK", 8.0)])
def test_planted_extrapolated_kernel_scaled_by_1_05_is_rejected(claim_id, check_name, scale):
    """x1.05 on the extrapolated limits at the pinned example: the quick profile detects only ~11% (deep NNGP) and
    ~10% (NTK, relative to |Theta|), i.e. ~10/sqrt(scale) % at ``scale`` times the samples."""
    claim = CLAIMS[claim_id]
    wrong = _planted(claim, 1.05, check=check_name)
    result = wrong.run(wrong, claim.examples[0], 0, 1e-6, Profile("planted", max_examples=1, sample_scale=scale))
    assert _failed_checks(result) == [check_name]

