"""The readout's conditional kernel (Rao-Blackwellised second moments): unbiased, exact identities, seeds.

Statistical assertions are z-tests at a stated false-failure rate (Bonferroni over the components and cases);
each states the smallest discrepancy it detects.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from numerics.core.sampling import SeedBlocks
from numerics.kernel import nngp_second_moments, output_second_moments, two_inputs
from numerics.kernel.conditional import readout_kernel_draws

X = two_inputs(r1=1.0, r2=1.5, angle=2.0)
NET = dict(W_std=1.5, b_std=0.05)
RATE = 1e-6


def _z_crit(k: int) -> float:
    return float(stats.norm.isf(RATE / (2 * k)))


@pytest.mark.parametrize("activation, depth, width", [("relu", 2, 4), ("erf", 3, 3)])
def test_mean_equals_the_plain_networks_second_moments(activation, depth, width):
    """Two independent paths (the readout drawn, or integrated out) agree in mean: two-sample z-test per component
    at 1e-6 over the 6 comparisons; with 20,000 draws each the test detects about 0.14 in units of the plain path's
    standard deviation (a dropped readout bias, b_std^2 = 0.0025, is far below that; a wrong readout scale is not)."""
    n = 20_000
    g = readout_kernel_draws(X, activation=activation, depth=depth, width=width, n_samples=n, seed=3, **NET)
    f = output_second_moments(X, activation=activation, depth=depth, width=width, n_samples=n, seed=4, **NET)
    z = (g.mean(0) - f.mean(0)) / np.sqrt(g.var(0, ddof=1) / n + f.var(0, ddof=1) / n)
    assert np.all(np.abs(z) <= _z_crit(6)), z


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh"])
def test_one_hidden_layer_is_exactly_the_nngp(activation):
    """Depth 1: E[G] = K^2 at every width (here width 2), z-test at 1e-6 over 3 components."""
    n = 40_000
    g = readout_kernel_draws(X, activation=activation, depth=1, width=2, n_samples=n, seed=5, **NET)
    k = nngp_second_moments(X, activation=activation, depth=1, **NET)
    z = (g.mean(0) - k) / (g.std(0, ddof=1) / math.sqrt(n))
    assert np.all(np.abs(z) <= _z_crit(3)), z


def test_antithetic_relu_width_one_is_the_square_of_the_first_layer():
    """One hidden ReLU of width 1: the antithetic pair averages to sigma_w^2 h^2 / 2 + sigma_b^2 on the diagonal
    (relu(h)^2 + relu(-h)^2 = h^2), h = sqrt(K^1_11) xi with xi the first normal the block draws."""
    n, sw, sb = 50, 1.3, 0.2
    g = readout_kernel_draws(X, activation="relu", depth=1, width=1, W_std=sw, b_std=sb, n_samples=n, seed=9)
    xi = SeedBlocks(9, n).normals(range(SeedBlocks(9, n).n_blocks), (1, 1, 2))[:, 0, 0, 0]
    k11 = sw**2 * float(X[0] @ X[0]) / X.shape[1] + sb**2
    np.testing.assert_allclose(g[:, 0], sw**2 * k11 * xi**2 / 2 + sb**2, rtol=1e-13)


def test_variance_is_below_that_of_the_output_products():
    """Rao-Blackwell: the conditional kernel's variance is below that of f(x_a) f(x_b) (here by a factor > 3 at
    width 16; measured 4-70, so this is far from the noise of 20,000 draws)."""
    n = 20_000
    g = readout_kernel_draws(X, activation="tanh", depth=2, width=16, n_samples=n, seed=1, **NET)
    f = output_second_moments(X, activation="tanh", depth=2, width=16, n_samples=n, seed=2, **NET)
    assert np.all(g.var(0) * 3 < f.var(0))


def test_duplicated_inputs_and_seeds():
    x = two_inputs(r1=0.7, r2=0.7, angle=0.0)
    g = readout_kernel_draws(x, activation="abs", depth=3, width=5, W_std=1.1, b_std=0.0, n_samples=40, seed=2)
    np.testing.assert_allclose(g[:, 0], g[:, 2], rtol=1e-12)
    np.testing.assert_allclose(g[:, 1], g[:, 2], rtol=1e-12)
    again = readout_kernel_draws(x, activation="abs", depth=3, width=5, W_std=1.1, b_std=0.0, n_samples=40,
                                 seed=np.random.SeedSequence(2))
    np.testing.assert_array_equal(g, again)
    prefix = readout_kernel_draws(x, activation="abs", depth=3, width=5, W_std=1.1, b_std=0.0, n_samples=16, seed=2)
    np.testing.assert_array_equal(g[:16], prefix)


@pytest.mark.parametrize("kwargs, name", [({"depth": 0}, "depth"), ({"width": 0}, "width"), ({"W_std": -1.0}, "W_std"),
                                          ({"b_std": math.inf}, "b_std"), ({"antithetic": 1}, "antithetic"),
                                          ({"x": np.ones((3, 2))}, "x")])
def test_bad_options_name_the_parameter(kwargs, name):
    opts = dict(x=X, activation="relu", depth=2, width=3, W_std=1.0, b_std=0.1, n_samples=4, seed=0)
    opts.update(kwargs)
    x = opts.pop("x")
    with pytest.raises(ValueError, match=name):
        readout_kernel_draws(x, **opts)
