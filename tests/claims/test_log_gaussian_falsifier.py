"""claim.gaussian_falsified: the Gaussian law is rejected as d/n grows, where the log-Gaussian law holds."""

from __future__ import annotations

import math

from verify.claims import _log_gaussian_falsifier as fals
from verify.claims import check


def test_falsifier_reports_the_smallest_rejected_ratio_and_log_gaussian_passes_there():
    res = check(fals.FALSIFIER_CLAIM, profile="quick")
    assert res.passed, res.summary()
    (_, _, result), = res.examples
    data = result.data["checks"][fals.FALSIFIER_CHECK]
    beta = data["smallest_rejected_beta"]
    gaussian, log_gaussian = data["gaussian"], data["log_gaussian"]
    assert 0 < beta <= 1 and math.isclose(beta * fals.FALSIFIER_WIDTH, round(beta * fals.FALSIFIER_WIDTH))
    assert not gaussian.passed and gaussian.statistic > gaussian.threshold
    assert log_gaussian.passed
    # the Gaussian search itself: hypothesis shrinks the depth; one fewer layer is not rejected at that seed
    inner = check(fals.GAUSSIAN_CLAIM, profile="quick")
    assert inner.counterexample is not None and inner.counterexample[0]["depth"] == round(beta * fals.FALSIFIER_WIDTH)
