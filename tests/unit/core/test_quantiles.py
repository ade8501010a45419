"""Distribution-free quantile bounds (verify/quantiles.py): exact indices, errors, and the decay test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from verify.core.quantiles import (
    assert_quantile_decay,
    quantile_lower_bound,
    quantile_upper_bound,
)
from verify.core.stats import StatisticalTestFailure


@pytest.mark.parametrize("n,q,rate", [(50, 0.5, 0.05), (1000, 0.5, 1e-6), (20_000, 0.5, 3.3e-8), (400, 0.9, 1e-3),
                                      (400, 0.1, 1e-3)])
def test_order_statistic_indices_are_the_tightest_valid_ones(n, q, rate):
    r"""With $x = (1, \dots, n)$ a bound returns its own index; check it against the binomial law exactly.

    Lower: $P(X_{(j)} > \xi_q) = P(\mathrm{Bin}(n, q) \le j - 1) \le \alpha < P(\mathrm{Bin} \le j)$.
    Upper: $P(X_{(k)} < \xi_q) = P(\mathrm{Bin} \ge k) \le \alpha < P(\mathrm{Bin} \ge k - 1)$.
    """
    x = np.arange(1, n + 1, dtype=float)[::-1]  # unsorted on purpose
    j = int(quantile_lower_bound(x, q, false_fail_rate=rate))
    k = int(quantile_upper_bound(x, q, false_fail_rate=rate))
    assert stats.binom.cdf(j - 1, n, q) <= rate < stats.binom.cdf(j, n, q)
    assert stats.binom.sf(k - 1, n, q) <= rate < stats.binom.sf(k - 2, n, q)
    assert j < k


def test_bounds_cover_the_quantile_of_a_known_law():
    """Exponential(1) draws: the median ln 2 lies between the bounds (each fails with probability <= 5e-8)."""
    x = np.random.default_rng(np.random.SeedSequence(7)).exponential(size=5000)
    assert quantile_lower_bound(x, false_fail_rate=5e-8) <= np.log(2) <= quantile_upper_bound(x, false_fail_rate=5e-8)


@pytest.mark.parametrize("kwargs,match", [
    ({"x": [1.0, 2.0], "q": 0.5, "false_fail_rate": 1e-6}, "too few"),
    ({"x": [1.0, 2.0, 3.0], "q": 1.0, "false_fail_rate": 0.1}, "quantile=1.0"),
    ({"x": [1.0, np.nan, 3.0], "q": 0.5, "false_fail_rate": 0.1}, "finite"),
    ({"x": [1.0, 2.0, 3.0], "q": 0.5, "false_fail_rate": 0.0}, "false_fail_rate=0.0"),
    ({"x": [], "q": 0.5, "false_fail_rate": 0.1}, "non-empty"),
])
def test_bad_input_names_the_problem(kwargs, match):
    x = kwargs.pop("x")
    with pytest.raises(ValueError, match=match):
        quantile_lower_bound(x, **kwargs)


def _power_law_samples(L, exponent, n, seed):
    return L ** -exponent * np.random.default_rng(seed).lognormal(sigma=2.0, size=n)


def test_decay_passes_for_a_faster_power_law_and_rejects_a_slower_one():
    """Heavy-tailed (log-normal) draws scaled by $L^{-2}$ between $L = 16$ and $128$.

    Claimed exponent 1 (true 2): rejected with probability <= 1e-7 (the test's own rate).  Claimed exponent 3
    (true 2): the slope bound is above -3 unless both medians err by ~1.0 in log, ~20 standard errors.
    """
    ss = np.random.SeedSequence(11).spawn(2)
    small, large = _power_law_samples(16, 2.0, 20_000, ss[0]), _power_law_samples(128, 2.0, 20_000, ss[1])
    ok = assert_quantile_decay(16, 128, small, large, exponent=1.0, false_fail_rate=1e-7)
    assert ok.passed and abs(ok.observed + 2.0) < 0.1 and ok.detectable_discrepancy < 0.3
    with pytest.raises(StatisticalTestFailure, match="quantile decay FAILED"):
        assert_quantile_decay(16, 128, small, large, exponent=3.0, false_fail_rate=1e-7)


def test_decay_rejects_a_statistic_that_does_not_vanish():
    ss = np.random.SeedSequence(12).spawn(2)
    small, large = _power_law_samples(16, 0.0, 20_000, ss[0]), _power_law_samples(128, 0.0, 20_000, ss[1])
    res = assert_quantile_decay(16, 128, small, large, exponent=1.0, false_fail_rate=1e-7, raise_on_failure=False)
    assert not res.passed and res.statistic > res.threshold


@pytest.mark.parametrize("args,match", [
    ((128, 16), "size_small < size_large"),
    ((16, 128, -1.0), "x_small must be positive"),
])
def test_decay_bad_input(args, match):
    x = np.ones(100)
    small = x * (args[2] if len(args) > 2 else 1.0)
    with pytest.raises(ValueError, match=match):
        assert_quantile_decay(args[0], args[1], small, x, exponent=1.0, false_fail_rate=1e-3)


def test_decay_validates_the_rate_before_halving_it_and_names_the_array():
    x = np.ones(1000)
    with pytest.raises(ValueError, match="false_fail_rate=1.5"):
        assert_quantile_decay(16, 128, x, x, exponent=1.0, false_fail_rate=1.5)
    with pytest.raises(ValueError, match="x_large must be finite"):
        assert_quantile_decay(16, 128, x, np.r_[x, np.nan], exponent=1.0, false_fail_rate=1e-3)
