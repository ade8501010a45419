"""Exact(alternative=...): a one-sided z-test of a mean against a floor (or a ceiling) at the stated rate."""

import numpy as np
import pytest
from scipy import stats

from verify.core import Exact
from verify.core.evaluate import evaluate


def _normal(mean):
    return lambda p, *, n, seed: mean + np.random.default_rng(seed.generate_state(1)[0]).standard_normal(n)


@pytest.mark.parametrize("alternative, mean, passed", [("at least", 0.8, True), ("at least", 0.6, False),
                                                       ("at most", 0.6, True), ("at most", 0.8, False),
                                                       ("two-sided", 0.8, False), ("two-sided", 0.7, True)])
def test_one_sided_exact(alternative, mean, passed):
    check = Exact("floor", simulate=_normal(mean), predict=lambda p: 0.7, samples=20_000, alternative=alternative)
    out = evaluate(check, {}, 0.7, seed=np.random.SeedSequence(1), rate=1e-6, scale=1.0)
    assert out.passed is passed
    # Student's t with the n - 1 = 19,999 df of the estimated standard error; one-sided t_{alpha} < t_{alpha/2}
    if alternative != "two-sided":
        assert out.threshold == pytest.approx(float(stats.t.isf(1e-6, 19_999)), abs=1e-9)
        assert out.threshold > float(stats.norm.isf(1e-6))  # the normal quantile would overstate the rate
    else:
        assert out.threshold == pytest.approx(float(stats.t.isf(0.5e-6, 19_999)), abs=1e-9)


def test_alternative_validated():
    with pytest.raises(ValueError, match="alternative='greater'"):
        Exact("x", simulate=_normal(0.0), predict=lambda p: 0.0, alternative="greater")
