"""Exact(alternative=...): a one-sided z-test of a mean against a floor (or a ceiling) at the stated rate."""

import numpy as np
import pytest

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
    if alternative != "two-sided":  # one-sided critical value z_{alpha} < two-sided z_{alpha/2}
        assert out.threshold == pytest.approx(4.753424, abs=1e-6)


def test_alternative_validated():
    with pytest.raises(ValueError, match="alternative='greater'"):
        Exact("x", simulate=_normal(0.0), predict=lambda p: 0.0, alternative="greater")
