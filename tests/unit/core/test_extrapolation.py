"""verify/extrapolation.py: the weighted polynomial fit in 1/n and the z-test of its intercept."""

from __future__ import annotations

import numpy as np
import pytest

from verify.core.extrapolation import assert_limit, extrapolate
from verify.core.stats import z_threshold

SIZES = np.array([8.0, 16.0, 32.0, 64.0])


def test_exact_polynomial_data_recovers_intercept_and_coefficients():
    m = 2.0 - 3.0 / SIZES + 5.0 / SIZES**2 - 7.0 / SIZES**3
    fit = extrapolate(SIZES, m, np.full(4, 0.01), order=3)
    assert fit.intercept == pytest.approx(2.0, abs=1e-10)
    np.testing.assert_allclose(fit.coefficients, [-3.0, 5.0, -7.0], rtol=1e-8)


def test_intercept_stderr_is_the_weighted_least_squares_one():
    """Order 1 over two sizes is the two-point Richardson combination (2 m_2 - m_1 for n_2 = 2 n_1)."""
    fit = extrapolate([10.0, 20.0], [1.0, 1.5], [0.1, 0.2], order=1)
    assert fit.intercept == pytest.approx(2.0)
    assert fit.stderr == pytest.approx(np.hypot(0.1, 2 * 0.2))


def test_assert_limit_threshold_and_bias_tol():
    m = 1.0 - 2.0 / SIZES
    se = np.full(4, 0.01)
    sd = extrapolate(SIZES, m, se, order=1).stderr
    z = z_threshold(1e-6)
    assert assert_limit(SIZES, m, se, 1.0 + 0.99 * z * sd, false_fail_rate=1e-6, order=1).passed
    off = assert_limit(SIZES, m, se, 1.0 + 1.01 * z * sd, false_fail_rate=1e-6, order=1)
    assert not off.passed and off.statistic > off.threshold
    # a stated truncation bound widens the acceptance by exactly bias_tol, and the detectable discrepancy with it
    tol = assert_limit(SIZES, m, se, 1.0 + 1.01 * z * sd + 0.05, false_fail_rate=1e-6, order=1, bias_tol=0.06)
    assert tol.passed and tol.detectable_discrepancy == pytest.approx(off.detectable_discrepancy + 0.06)
    assert "bias_tol" in tol.detail


@pytest.mark.parametrize("kwargs,match", [({"bias_tol": -0.1}, "bias_tol"), ({"bias_tol": np.nan}, "bias_tol"),
                                          ({"predicted_stderr": -1.0}, "predicted_stderr"), ({"order": 4}, "order=4")])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        assert_limit(SIZES, np.ones(4), np.full(4, 0.1), 1.0, false_fail_rate=1e-6, **kwargs)
