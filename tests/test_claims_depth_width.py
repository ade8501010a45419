"""Claims of the depth-and-width regime: planted wrong formulas are rejected, the falsifier reports its d/n.

The shipped claims themselves run in ``tests/test_claims.py`` (every claim, quick profile).
Each planted prediction fails at the claim's pinned example, whose power is stated by the
result (``detectable_discrepancy``) and far exceeds the planted error:

* 5 beta -> 4 beta in the FC ReLU law: the mean per unit beta moves by 0.5, detectable ~0.2;
* the balanced variance used for the standard ResNet: 2.25 beta against 5.44 beta;
* Ito's correction dropped from the correlation SDE: at rho_0 = 0.6, T = 1.5 the SDE median
  of rho_T moves so that P(rho_T <= median) ~ 0.73 instead of 0.5 (detectable ~0.15 at
  twice the quick sample size).
"""

from __future__ import annotations

import dataclasses
import math

from hypothesis import strategies as st

from verify.claims import covariance_sde as cs
from verify.claims import log_gaussian as lg
from verify.claims import Profile, check


def _rejected(res):
    assert not res.passed
    assert res.counterexample is not None
    params, seed, result = res.counterexample
    assert isinstance(seed, int)
    assert not result.passed and result.statistic > result.threshold
    return params, result


def test_planted_four_beta_instead_of_five_is_rejected():
    def predict(p):
        return (-2.0, 4.0) if p["architecture"] == "fc_relu" else lg._predict_lg(p)

    # no pinned example: hypothesis draws (beta, lambda2), fails, and shrinks them
    wrong = dataclasses.replace(lg.LOG_GAUSSIAN_CLAIM.with_prediction(predict), examples=(),
                                strategies={"architecture": st.just("fc_relu")})
    params, result = _rejected(check(wrong, profile=Profile("planted", max_examples=2, sample_scale=1.0)))
    assert params["architecture"] == "fc_relu" and params["beta"] in (0.25, 0.5, 1.0)


def test_planted_balanced_variance_for_the_standard_resnet_is_rejected():
    def predict(p):
        arch = "resnet_balanced" if p["architecture"] == "resnet_standard" else p["architecture"]
        return lg._predict_lg({**p, "architecture": arch})

    wrong = dataclasses.replace(lg.LOG_GAUSSIAN_CLAIM.with_prediction(predict), examples=(),
                                strategies={"architecture": st.just("resnet_standard")})
    params, _ = _rejected(check(wrong, profile=Profile("planted", max_examples=2, sample_scale=0.5)))
    assert params == {"architecture": "resnet_standard", "beta": 1.0, "lambda2": 0.5}  # shrunk to simple values


def test_planted_ito_term_dropped_is_rejected():
    # pinned where the Ito term matters (rho_0 = 0.6, T = 1.5, the linear network): with nothing left to shrink
    # but the seed, the pinned example (seed 0) is the counterexample; one run instead of a seed-shrinking loop
    wrong = dataclasses.replace(
        cs.COVARIANCE_SDE_CLAIM.with_prediction(lambda p: cs._predict(p, ito=False, seed=p.get("_seed", 0))),
        strategies={"c_plus": st.just(0.0), "c_minus": st.just(0.0), "rho0": st.just(0.6), "T": st.just(1.5)})
    params, result = _rejected(check(wrong, profile=Profile("planted", max_examples=1, sample_scale=2.0)))
    assert "P(rho_T <= SDE median): REJECTED" in result.detail


def test_falsifier_reports_the_smallest_rejected_ratio_and_log_gaussian_passes_there():
    res = check(lg.FALSIFIER_CLAIM, profile="quick")
    assert res.passed, res.summary()
    (_, _, result), = res.examples
    beta = result.data["smallest_rejected_beta"]
    gaussian, log_gaussian = result.data["gaussian"], result.data["log_gaussian"]
    assert 0 < beta <= 1 and math.isclose(beta * lg.FALSIFIER_WIDTH, round(beta * lg.FALSIFIER_WIDTH))
    assert not gaussian.passed and gaussian.statistic > gaussian.threshold
    assert log_gaussian.passed
    # the Gaussian search itself: hypothesis shrinks the depth; one fewer layer is not rejected at that seed
    inner = check(lg.GAUSSIAN_CLAIM, profile="quick")
    assert inner.counterexample is not None and inner.counterexample[0]["depth"] == round(beta * lg.FALSIFIER_WIDTH)
