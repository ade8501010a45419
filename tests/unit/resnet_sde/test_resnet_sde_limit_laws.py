"""The limit laws the resnet_sde claims compare with (numerics.resnet_sde.doubly_infinite_limit, jacobian_limit):
closed forms written out independently, validation, and the per-network statistics' layout."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.resnet_sde import jacobian_log_norms
from numerics.resnet_sde.doubly_infinite_limit import doubly_infinite_kernel_scales, doubly_infinite_kernels
from numerics.resnet_sde.jacobian_limit import (jacobian_exact_statistics, jacobian_limit_cuts,
                                                jacobian_limit_moments, jacobian_limit_statistics, jacobian_rates)


@pytest.mark.parametrize("sw, sb, z2", [(0.5, 0.3, 1.0), (0.8, 0.8, -0.4), (0.6, 0.0, 0.0)])
def test_doubly_infinite_nngp_and_bias_kernel_are_the_written_out_closed_forms(sw, sb, z2):
    r"""$E\lambda_T = \lambda_0 + (\lambda_0 + \beta)(E - 1)$, $K_b = \sigma_b^2(E - 1)/\sigma_w^2$, $E = e^{\sigma_w^2}$."""
    E, beta = math.exp(sw**2), sb**2 / sw**2
    nngp, _, kb = doubly_infinite_kernels(sw, sb, z2)
    assert nngp == pytest.approx(z2 + (z2 + beta) * (E - 1), rel=1e-13, abs=1e-15)
    assert kb == pytest.approx(beta * (E - 1), rel=1e-13, abs=1e-15)


def test_doubly_infinite_scales_are_the_geometric_mean_of_the_diagonal_kernels():
    sw, sb, z2 = 0.7, 0.4, -0.6
    diag1, diag2 = doubly_infinite_kernels(sw, sb, 1.0), doubly_infinite_kernels(sw, sb, z2 * z2)
    np.testing.assert_allclose(doubly_infinite_kernel_scales(sw, sb, z2), np.sqrt(np.abs(diag1 * diag2)), rtol=1e-14)
    np.testing.assert_allclose(doubly_infinite_kernel_scales(sw, sb, 1.0), np.abs(diag1), rtol=1e-14)
    for bad, match in (({"sigma_w": 0.0}, "sigma_w=0.0"), ({"sigma_b": -1.0}, "sigma_b=-1.0"), ({"z2": "x"}, "z2")):
        args = {"sigma_w": sw, "sigma_b": sb, "z2": z2, **bad}
        with pytest.raises(ValueError, match=match):
            doubly_infinite_kernels(**args)


@pytest.mark.parametrize("D, sw", [(1, 0.5), (2, 0.8), (6, 1.5)])
def test_jacobian_limit_law_is_the_written_out_gbm(D, sw):
    r"""$\log|g_T v| \sim N(\tfrac{D-2}{2D}\sigma_w^2, \sigma_w^2/D)$ for $\phi'(0) = 1$; the median cut is the mean."""
    for phi in ("identity", "tanh"):
        mean, var = jacobian_limit_moments(phi, D, sw)
        assert mean == pytest.approx((D - 2) / (2 * D) * sw**2, rel=1e-13, abs=1e-15)
        assert var == pytest.approx(sw**2 / D, rel=1e-13)
        assert jacobian_rates(phi, D, sw) == pytest.approx((sw**2 / D, 0.0), rel=1e-13)
        cuts = jacobian_limit_cuts(phi, D, sw, (0.5, 0.8413447460685429))
        np.testing.assert_allclose(cuts, [mean, mean + math.sqrt(var)], rtol=1e-9, atol=1e-12)


def test_jacobian_limit_rejects_a_drift_and_bad_input():
    with pytest.raises(ValueError, match="phi''\\(0\\) != 0"):
        jacobian_limit_moments("swish", 2, 0.5)
    with pytest.raises(ValueError, match="phi='relu'"):
        jacobian_rates("relu", 2, 0.5)
    with pytest.raises(ValueError, match="width=0"):
        jacobian_rates("identity", 0, 0.5)
    with pytest.raises(ValueError, match="quantiles"):
        jacobian_limit_cuts("identity", 2, 0.5, (0.5, 1.0))


def test_jacobian_statistics_layout_matches_the_log_norms():
    seed = np.random.SeedSequence(3)
    _, yv, yu = jacobian_log_norms("identity", 2, 0.6, 0.2, 4, n_samples=50, seed=seed)
    exact = jacobian_exact_statistics(2, 0.6, 0.2, 4, n_samples=50, seed=seed)
    assert exact.shape == (50, 4)
    np.testing.assert_array_equal(exact[:, 0], yu)
    np.testing.assert_array_equal(exact[:, 2], yv)
    assert jacobian_exact_statistics(1, 0.6, 0.2, 4, n_samples=5, seed=seed).shape == (5, 3)
    limit = jacobian_limit_statistics("identity", 2, 0.6, 0.2, 4, (0.25, 0.75), n_samples=50, seed=seed)
    assert limit.shape == (50, 6)
    np.testing.assert_array_equal(limit[:, 0], yv)
    np.testing.assert_array_equal(limit[:, 4:], yv[:, None] <= jacobian_limit_cuts("identity", 2, 0.6, (0.25, 0.75)))


def test_jacobian_means_are_the_limit_law_and_the_exact_finite_depth_values():
    from numerics.resnet_sde import linear_jacobian_log_norm_moments
    from numerics.resnet_sde.jacobian_limit import jacobian_limit_means, linear_jacobian_exact_means

    mean, var = jacobian_limit_moments("tanh", 3, 0.7)
    np.testing.assert_allclose(jacobian_limit_means("tanh", 3, 0.7, (0.25, 0.5)), [mean, var, mean, var, 0.25, 0.5])
    for D, sw, L in ((1, 0.8, 5), (4, 1.5, 32)):
        values, scales = linear_jacobian_exact_means(D, sw, L)
        m, v = linear_jacobian_log_norm_moments(D, sw, L)
        want = [(1 + sw**2 / L) ** L, m, 0.0][: 3 if D > 1 else 2]
        np.testing.assert_allclose(values, want, rtol=1e-13)
        assert scales[1] == pytest.approx(math.sqrt(v)) and scales[0] == values[0]
    with pytest.raises(ValueError, match="depth=0"):
        linear_jacobian_exact_means(2, 0.5, 0)
