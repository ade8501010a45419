"""numerics.resnet_sde.conv_linear_fast: the batched linear conv ResNet draws the networks of conv_resnet_outputs
(same seed, to rounding), and the last layer's conditional second moments match both a Monte Carlo over that layer
and the exact one-layer recursion of numerics.resnet_sde.conv_linear (an independent construction)."""

import math

import numpy as np
import pytest

from numerics.resnet_sde import ResNet, conv_resnet_outputs
from numerics.resnet_sde.conv_linear import conv_covariance_finite_depth
from numerics.resnet_sde.conv_linear_fast import (
    last_layer_second_moments,
    linear_conv_states,
)

CASES = [  # (spatial shape, K, padding, D, L): 2-D and 1-D, zero and circular, K = 1 and 3
    ((4, 4), 3, "zero", 2, 5),
    ((6,), 3, "circular", 3, 4),
    ((4, 4), 1, "zero", 1, 3),
    ((6,), 3, "zero", 4, 2),
]


@pytest.mark.parametrize("shape, K, padding, D, L", CASES)
def test_same_networks_as_conv_resnet_outputs(shape, K, padding, D, L):
    """Common draws: 50 networks = 3 full seed blocks and a short one."""
    x0 = np.random.default_rng(1).standard_normal(shape + (D,))
    net = ResNet(depth=L, width=D, sigma_w=0.8, sigma_b=1.0, phi="identity", psi="identity")
    ref = conv_resnet_outputs(net, x0[None], kernel_size=K, n_samples=50, seed=3, padding=padding)[:, 0]
    got = linear_conv_states(x0, kernel_size=K, padding=padding, sigma_w=0.8, sigma_b=1.0, depth=L, n_samples=50,
                             seed=3)
    np.testing.assert_allclose(got, ref.reshape(50, -1, D), rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_fewer_layers_are_a_shorter_network_with_the_same_step():
    r"""``layers = L - 1`` at step $1/L$ is the depth-$(L-1)$ network with $\sigma \sqrt{(L-1)/L}$ (same draws)."""
    L, D = 6, 2
    x0 = np.random.default_rng(2).standard_normal((4, 4, D))
    got = linear_conv_states(x0, kernel_size=3, padding="zero", sigma_w=0.7, sigma_b=0.4, depth=L, n_samples=40,
                             seed=8, layers=L - 1)
    c = math.sqrt((L - 1) / L)
    net = ResNet(depth=L - 1, width=D, sigma_w=0.7 * c, sigma_b=0.4 * c, phi="identity", psi="identity")
    ref = conv_resnet_outputs(net, x0[None], kernel_size=3, n_samples=40, seed=8)[:, 0].reshape(40, -1, D)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_last_layer_moments_are_the_one_layer_recursion():
    """At L = 1 the conditional moments of one state are the exact recursion's one step (shift matrices and the
    generated cross_covariation: an independent path)."""
    x = np.random.default_rng(3).standard_normal((4, 4, 3))
    pairs = [(p, q) for p in range(16) for q in range(16)]
    for padding in ("zero", "circular"):
        C = conv_covariance_finite_depth(x, kernel_size=3, padding=padding, sigma_w=0.6, sigma_b=0.9, depth=1)
        got = last_layer_second_moments(x[None], pairs, kernel_size=3, padding=padding, sigma_w=0.6, sigma_b=0.9,
                                        depth=1)
        np.testing.assert_allclose(got[0], C.ravel(), rtol=1e-12, atol=1e-12)


def test_last_layer_moments_match_a_monte_carlo_over_the_last_layer():
    r"""Given $x_{L-1}$, 64,000 draws of the last block (``layers=1`` from it, step $1/L$): each mean within
    $5.5$ standard errors (two-sided rate $4\cdot10^{-8}$ each) of the conditional moment; a planted x1.05 on the
    noise term is further than that (checked)."""
    L, D, n = 4, 2, 64_000
    x = np.random.default_rng(4).standard_normal((4, 4, D)) * 2.0
    pairs = [(5, 5), (5, 6), (0, 0), (0, 1), (0, 15)]
    kw = {"kernel_size": 3, "padding": "zero", "sigma_w": 0.8, "sigma_b": 1.0, "depth": L}
    exact = last_layer_second_moments(x[None], pairs, **kw)[0]
    X = linear_conv_states(x, **kw, n_samples=n, seed=11, layers=1)
    draws = np.stack([np.sum(X[:, p] * X[:, q], axis=-1) / D for p, q in pairs], axis=1)
    z = (draws.mean(0) - exact) / (draws.std(0, ddof=1) / math.sqrt(n))
    assert np.all(np.abs(z) < 5.5), z
    base = np.array([np.dot(x.reshape(16, D)[p], x.reshape(16, D)[q]) / D for p, q in pairs])
    planted = base + 1.05 * (exact - base)
    z_planted = (draws.mean(0) - planted) / (draws.std(0, ddof=1) / math.sqrt(n))
    assert np.max(np.abs(z_planted)) > 5.5, z_planted


def test_bad_input_names_the_parameter():
    x = np.ones((4, 2))
    kw = {"kernel_size": 3, "padding": "zero", "sigma_w": 0.5, "sigma_b": 0.5, "depth": 3}
    with pytest.raises(ValueError, match="layers=4"):
        linear_conv_states(x, **kw, n_samples=2, seed=0, layers=4)
    with pytest.raises(ValueError, match="kernel_size=2"):
        linear_conv_states(x, **{**kw, "kernel_size": 2}, n_samples=2, seed=0)
    with pytest.raises(ValueError, match="x0"):
        linear_conv_states(np.ones(4), **kw, n_samples=2, seed=0)
    with pytest.raises(ValueError, match="pairs"):
        last_layer_second_moments(x[None], [(0, 4)], **kw)
    with pytest.raises(ValueError, match="sigma_w"):
        last_layer_second_moments(x[None], [(0, 1)], **{**kw, "sigma_w": -1.0})
