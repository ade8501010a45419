"""The linear ResNet as an exactly solvable control variate: exact finite-depth kernels, the coupled sampler of a
ResNet and its linear relative on shared weights, and the linear network's L = infinity Jacobian-law means.

Each exact formula is checked against Monte Carlo of the finite network (z-tests at a false-failure rate of 1e-6
per component) and its L -> infinity limit against the SymPy records it is an independent route to.
"""

import numpy as np
import pytest

from numerics.resnet_sde.coupled import coupled_final_states
from numerics.resnet_sde.doubly_infinite_limit import doubly_infinite_kernels
from numerics.resnet_sde.jacobian_control import jacobian_control_statistics, linear_jacobian_limit_means
from numerics.resnet_sde.jacobian_limit import jacobian_limit_means
from numerics.resnet_sde.linear_kernels import linear_kernels_finite_depth, linear_kernels_limit
from numerics.resnet_sde._model import ResNet
from numerics.resnet_sde.ntk import resnet_ntk
from verify.core.stats import assert_mean

RATE = 1e-6


@pytest.mark.parametrize("sw, sb, z2", [(0.8, 0.8, 1.0), (0.5, 0.3, -0.4), (1.3, 0.0, 0.7)])
def test_linear_kernel_limits_are_the_record(sw, sb, z2):
    np.testing.assert_allclose(linear_kernels_limit(z2, sw, sb), doubly_infinite_kernels(sw, sb, z2),
                               rtol=1e-10, atol=1e-12)


def test_linear_kernels_at_depth_one_by_hand():
    # L = 1: lambda_1 = lambda_0 (1 + sw^2) + sb^2, K_W = sw^2 lambda_0, K_b = sb^2
    np.testing.assert_allclose(linear_kernels_finite_depth(0.5, 0.7, 0.4, 1), [0.5 * 1.49 + 0.16, 0.49 * 0.5, 0.16])


@pytest.mark.slow  # Monte Carlo, about 3 s each unloaded
def test_linear_ntk_parts_are_exact_at_finite_depth_and_width():
    """$EK_W$, $EK_b$ of the linear network at $D = 3$, $L = 4$ against explicit-weight NTKs (numerics.resnet_sde.ntk)."""
    sw, sb, z2, D, L = 0.9, 0.6, -0.5, 3, 4
    net = ResNet(depth=L, width=D, sigma_w=sw, sigma_b=sb, phi="identity", psi="identity", input="copy")
    r = resnet_ntk(net, np.array([1.0, z2]), n_samples=40_000, seed=11)
    k = np.stack([r.ntk["W"][:, 0, 1], r.ntk["b"][:, 0, 1]], axis=1)
    assert_mean(k, linear_kernels_finite_depth(z2, sw, sb, L)[1:], false_fail_rate=RATE)
    with pytest.raises(AssertionError):  # a 5% error is seen
        assert_mean(k, 1.05 * linear_kernels_finite_depth(z2, sw, sb, L)[1:], false_fail_rate=RATE)


@pytest.mark.slow  # Monte Carlo, about 3 s each unloaded
def test_coupled_sampler_linear_half_is_exact_and_identity_pairs_agree():
    sw, sb, z2, D, L = 0.8, 0.7, -1.0, 4, 8
    x, y = coupled_final_states("tanh", D, sw, sb, L, np.array([1.0, z2]), n_samples=40_000, seed=3)
    lam = np.stack([(y[:, :, 0] ** 2).mean(1), (y[:, :, 1] ** 2).mean(1), (y[:, :, 0] * y[:, :, 1]).mean(1)], 1)
    exact = [linear_kernels_finite_depth(l0, sw, sb, L)[0] for l0 in (1.0, z2 * z2, z2)]
    assert_mean(lam, exact, false_fail_rate=RATE)
    assert not np.allclose(x, y)
    a, b = coupled_final_states("identity", D, sw, sb, L, np.array([1.0, z2]), n_samples=50, seed=3)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)  # one Gram factor: rounding only
    with pytest.raises(ValueError, match="phi"):
        coupled_final_states("nope", D, sw, sb, L, np.array([1.0]), n_samples=2, seed=0)


@pytest.mark.slow  # Monte Carlo, about 3 s each unloaded
def test_coupled_tanh_half_has_the_law_of_the_tanh_network():
    """Its second moments agree with the independent in-law sampler of numerics.resnet_sde.affine (two-sample)."""
    from numerics.resnet_sde.affine import affine_resnet_outputs
    x, _ = coupled_final_states("tanh", 3, 0.8, 0.5, 6, np.array([1.0, -0.5]), n_samples=40_000, seed=5)
    u = affine_resnet_outputs("tanh", 3, 0.8, 0.5, 6, np.array([1.0, -0.5]), n_samples=40_000, seed=6)
    d = np.stack([x[:, 0, 0] ** 2 - u[:, 0] ** 2, x[:, 0, 0] * x[:, 0, 1] - u[:, 0] * u[:, 1]], 1)
    assert_mean(d, [0.0, 0.0], false_fail_rate=RATE)


@pytest.mark.parametrize("D, sw", [(1, 0.3), (2, 0.8), (6, 0.8)])
def test_linear_jacobian_limit_means_are_the_record(D, sw):
    q = (0.25, 0.5, 0.75)
    np.testing.assert_allclose(linear_jacobian_limit_means(D, sw, q), jacobian_limit_means("tanh", D, sw, q),
                               rtol=0, atol=1e-7)


def test_jacobian_control_of_the_linear_network_is_shifted_by_its_exact_bias():
    from numerics.resnet_sde.jacobian_control import linear_jacobian_column_means
    from numerics.resnet_sde.jacobian_limit import jacobian_limit_statistics
    q = (0.25, 0.5)
    lim = linear_jacobian_limit_means(2, 0.6, q)
    s = jacobian_control_statistics("identity", 2, 0.6, 0.3, 4, q, n_samples=20, seed=0, limit=lim)
    raw = jacobian_limit_statistics("identity", 2, 0.6, 0.3, 4, q, n_samples=20, seed=0)
    np.testing.assert_allclose(s, raw - linear_jacobian_column_means(2, 0.6, 4, q) + lim, rtol=0, atol=1e-12)
    t = jacobian_control_statistics("tanh", 2, 0.6, 0.3, 4, q, n_samples=20, seed=0, limit=lim)
    own = jacobian_limit_statistics("tanh", 2, 0.6, 0.3, 4, q, n_samples=20, seed=0)
    np.testing.assert_allclose(t, own - raw + lim, rtol=0, atol=1e-12)  # the same draws for both networks


def test_wide_recursion_of_the_identity_is_the_exact_linear_network():
    from numerics.resnet_sde.wide_finite_depth import wide_kernels_finite_depth
    for L in (1, 3, 16):
        np.testing.assert_allclose(wide_kernels_finite_depth("identity", 0.7, 0.5, -0.3, L),
                                   linear_kernels_finite_depth(-0.3, 0.7, 0.5, L), rtol=1e-12)


@pytest.mark.slow  # about 2 s: three Richardson runs of the depth-L recursion up to L = 2048
def test_wide_recursion_limit_of_tanh_is_the_record():
    """Measured error of the Richardson limit (L = 512, 1024, 2048) at the claim's corner: <= 8e-7 relative."""
    from numerics.resnet_sde.wide_finite_depth import wide_kernels_limit
    np.testing.assert_allclose(wide_kernels_limit("tanh", 0.8, 0.8, 1.0), doubly_infinite_kernels(0.8, 0.8, 1.0),
                               rtol=1e-5)
