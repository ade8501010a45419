"""Power of the claims in verify/claims_resnet_sde_more.py: planted errors are rejected.

* ``claim.conv_resnet``: a planted per-position scaling;
* ``claim.affine_functions``: a residual that does not vanish (silu), and the feedforward correlation 1.
"""

import dataclasses

from verify.claims import Profile, check
from verify.claims._resnet_sde_more import (
    AFFINE_CLAIM,
    CONV_CLAIM,
    _predict_affine,
    _predict_conv,
    affine_claim,
)


def test_conv_claim_rejects_per_position_scaling():
    """Planted: patch_inner / K^s (filter variance sigma_w^2 dt / (K^s D), the per-position scaling) instead of
    Corollary 13's / D.  At the pinned example (K = 3, s = 2, sigma_w = 0.8, L = 16) the observed E|x_{L,c}|^2/D is
    79.5; even a milder plant (/ 3 instead of / 9) predicts 7.0, and the joint z-test (false-fail 1e-6 over the
    claim) detects |diff| >= 9.4 there: the planted error (> 72) is more than 7 times the detectable discrepancy."""
    planted = CONV_CLAIM.with_prediction(lambda p: _predict_conv(p, planted_scale=1 / 9))
    result = check(planted, profile="quick")
    assert not result.passed
    assert result.counterexample is not None


def test_affine_claim_rejects_a_residual_that_does_not_vanish():
    """Planted: claim that silu (swish, $\\phi''(0) = 1/2$) ResNets also draw affine functions.

    Their limit drift $\\tfrac12\\phi''(0)(\\sigma_w^2|x|^2/D + \\sigma_b^2)\\mathbf 1$ is quadratic in $x$, so the
    residual tends to a positive constant: at $D = 1$, $\\sigma_w = 0.5$, $\\sigma_b = 0$ its median moves by a
    log-log slope of about 0 between $L = 16$ and $128$, where the decay test detects slopes above about
    $-0.85$ (false-fail rate 6.7e-8 for that component: 1e-6 over a pinned and two drawn examples and
    five components).
    """
    wrong = dataclasses.replace(affine_claim("silu"), examples=({"width": 1, "sigma_w": 0.5, "sigma_b": 0.0},))
    result = check(wrong, profile="quick")
    assert not result.passed and result.counterexample is not None
    _, _, res = result.counterexample
    assert "quantile decay FAILED" in res.detail


def test_affine_claim_rejects_the_feedforward_correlation():
    """Planted: the correlation of $x_T(1)$ and $x_T(-1)$ tends to 1 (as for a deep edge-of-chaos feedforward net).

    The prediction for $E x_T(1)x_T(-1)$ is replaced by $E x_T(1)^2$.  The true limit correlation is
    $((\\beta - 1)(E - 1) - 1) / ((\\beta + 1)(E - 1) + 1)$ with $E = e^{\\sigma_w^2}$, $\\beta = \\sigma_b^2/\\sigma_w^2$;
    its numerator is negative since $\\beta(E - 1) \\le 0.49 (e^{0.64} - 1)/0.64 < 1$ over the drawn ranges.  The
    planted moment is off by $2E \\ge 2$ against a detectable discrepancy of about 0.2.
    """
    def planted(p):
        out = _predict_affine(p)
        sm = out["second_moments"].copy()
        sm[2] = sm[0]
        return {**out, "second_moments": sm}

    wrong = dataclasses.replace(AFFINE_CLAIM.with_prediction(planted), examples=())
    result = check(wrong, profile=Profile("planted", max_examples=1, sample_scale=1.0))
    assert not result.passed and result.counterexample is not None
    params, _, res = result.counterexample
    assert "E x_T1(1) x_T1(-1) (limit corr 1.000): REJECTED" in res.detail
    assert params["width"] == 1  # shrunk to the smallest width
