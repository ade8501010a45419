"""Power of claim.conv_resnet (verify/claims_resnet_sde_more.py): a planted per-position scaling is rejected."""

from verify.claims import check
from verify.claims_resnet_sde_more import CONV_CLAIM, _predict_conv


def test_conv_claim_rejects_per_position_scaling():
    """Planted: patch_inner / K^s (filter variance sigma_w^2 dt / (K^s D), the per-position scaling) instead of
    Corollary 13's / D.  At the pinned example (K = 3, s = 2, sigma_w = 0.8, L = 16) the observed E|x_{L,c}|^2/D is
    79.5; even a milder plant (/ 3 instead of / 9) predicts 7.0, and the joint z-test (false-fail 1e-6 over the
    claim) detects |diff| >= 9.4 there: the planted error (> 72) is more than 7 times the detectable discrepancy."""
    planted = CONV_CLAIM.with_prediction(lambda p: _predict_conv(p, planted_scale=1 / 9))
    result = check(planted, profile="quick")
    assert not result.passed
    assert result.counterexample is not None
