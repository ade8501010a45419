r"""Hall's skewness correction of the studentised mean (verify.core.studentised) and the Exact check using it.

The calibration test draws means of a Gamma(k) law with $k = 0.2$ (skewness $2/\sqrt k \approx 4.5$) from
$n = 500$ draws, so the skewness of the mean is $s = \gamma/\sqrt n = 0.2$, as for $E f^4$ of a width-4 ReLU
layer from 20,000 networks (``tests/quality/test_calibration.py``, the slow original of this finding).  At a
nominal two-sided $10^{-2}$ over 10,000 runs the plain z-test rejects about 1.7 times too often, almost all in
the left tail; the exact binomial test at $10^{-6}$ tells the two apart (it detects a rate off by about
$0.5\cdot10^{-2}$ at a false-pass rate of $10^{-2}$).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from verify.core import Exact
from verify.core.evaluate import evaluate
from verify.core.stats import binomial_calibration
from verify.core.studentised import beyond_range, detectable, hall, inverse_hall, mean_skewness


@pytest.mark.parametrize("s", [0.0, 1e-12, 1e-5, 0.05, 0.2, -0.2, 0.6])
def test_the_inverse_inverts_and_the_transformation_increases(s):
    y = np.linspace(-6, 6, 49)
    theta = inverse_hall(y, s)
    assert np.allclose(hall(theta, s), y, rtol=0, atol=1e-10)
    assert np.all(np.diff(theta) > 0)
    # the second-order expansion H^{-1}(y) = y - s/6 - s y^2/3 + O(s^2), checked where s^2 is negligible
    if abs(s) <= 1e-5:
        assert np.allclose(theta, y - s / 6 - s * y**2 / 3, rtol=0, atol=100 * s**2 + 1e-13)
    if s == 0:
        assert np.array_equal(theta, y) and not np.any(beyond_range(y, s))


def test_the_acceptance_interval_reaches_further_into_the_long_tail():
    c = 5.3
    lo, hi = inverse_hall(-c, 0.1), inverse_hall(c, 0.1)
    assert lo < -c and 0 < hi < c  # right-skewed draws: low means come with low standard errors
    assert not beyond_range(-c, 0.1) and beyond_range(-c, 0.2)  # 1 + s(-c - s/6) <= 0 beyond the turning point
    assert detectable(c, 4.75, 0.0) == pytest.approx(c + 4.75, rel=1e-15)
    assert detectable(c, 4.75, 0.1, sides="upper") < detectable(c, 4.75, 0.1, sides="lower")
    with pytest.raises(ValueError, match="sides='both'"):
        detectable(c, 4.75, 0.1, sides="both")


def test_the_skewness_of_a_mean_is_gamma_over_root_n():
    x = np.random.default_rng(4).exponential(size=(200_000, 1))  # skewness 2
    se = x.std(axis=0, ddof=1) / math.sqrt(x.shape[0])
    assert mean_skewness(x, se)[0] * math.sqrt(x.shape[0]) == pytest.approx(2.0, rel=0.05)
    # a prediction's own standard error dilutes it by (SE_x / SE)^3
    assert mean_skewness(x, 2 * se)[0] == pytest.approx(mean_skewness(x, se)[0] / 8, rel=1e-12)
    assert mean_skewness(x, np.zeros(1))[0] == 0.0


def test_the_corrected_test_holds_its_rate_where_the_z_test_does_not():
    runs, n, k, nominal = 10_000, 500, 0.2, 1e-2
    x = np.random.default_rng(20261203).gamma(k, size=(n, runs))
    se = x.std(axis=0, ddof=1) / math.sqrt(n)
    z = (x.mean(axis=0) - k) / se
    corrected = hall(z, mean_skewness(x, se))
    c = st.norm.isf(nominal / 2)

    def calibrated(v) -> bool:
        return binomial_calibration(int(np.sum(np.abs(v) > c)), runs, nominal, false_fail_rate=1e-6,
                                    raise_on_failure=False).passed

    assert not calibrated(z)  # the finding: about 170 rejections where 100 are expected
    assert calibrated(corrected)
    for tail in (corrected < -c, corrected > c):  # and each tail holds half of the rate
        assert binomial_calibration(int(np.sum(tail)), runs, nominal / 2, false_fail_rate=1e-6,
                                    raise_on_failure=False).passed


def _draws(law, shift=0.0):
    def simulate(p, *, n, seed):
        rng = np.random.default_rng(seed.generate_state(1)[0])
        return shift + (rng.standard_normal(n) if law == "normal" else rng.exponential(size=n))
    return simulate


def test_light_tails_keep_the_power_of_the_z_test():
    """Normal draws: s ~ 1e-4, so the detectable discrepancy is (c + z_beta) SE to within 0.1%."""
    check = Exact("mean", simulate=_draws("normal", 1.0), predict=lambda p: 1.0, samples=100_000)
    out = evaluate(check, {}, 1.0, seed=np.random.SeedSequence(3), rate=1e-6, scale=1.0)
    se = out.data["stderr"][0]
    assert out.passed and out.power[0].detectable == pytest.approx((out.threshold + 4.753424) * se, rel=1e-3)
    assert out.statistic == pytest.approx(abs(out.data["observed"][0] - 1.0) / se, rel=1e-3)


@pytest.mark.parametrize("factor, passed", [(1.0, True), (1.03, False), (0.97, False)])
def test_a_skewed_exact_check_passes_the_truth_and_rejects_planted_errors(factor, passed):
    """Exponential draws (skewness 2, s = 2/sqrt(n)): the interval is asymmetric, the truth passes, 3% fails."""
    check = Exact("mean", simulate=_draws("exponential"), predict=lambda p: 1.0, samples=200_000)
    out = evaluate(check, {}, factor, seed=np.random.SeedSequence(5), rate=1e-6, scale=1.0)
    assert out.passed is passed and "(Hall)" in out.detail
    assert out.power[0].relative < 0.03
