"""The smoothed-CDF statistics of the Jacobian limit law (numerics.resnet_sde.jacobian_smoothed).

Independent paths: Gauss-Hermite quadrature of the unsmoothed exact CDF against the smoothed Gil-Pelaez inversion;
quadrature of the normal limit law against the closed-form smoothed levels; the linear network's exact law, taken to
$L = \\infty$ by Richardson, against the SymPy record; Monte Carlo of the identity statistics against their limit.
"""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import ndtr
from scipy.stats import norm

from numerics.resnet_sde.jacobian_law import linear_jacobian_log_norm_cdf
from numerics.resnet_sde.jacobian_smoothed import (jacobian_smoothed_limit_means, jacobian_smoothed_statistics,
                                                   linear_smoothed_column_means, linear_smoothed_limit_means,
                                                   smoothed_levels)
from verify.core.stats import assert_mean

Q = (0.25, 0.5, 0.75)
NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(80)
WEIGHTS = WEIGHTS / WEIGHTS.sum()  # E f(Z), Z ~ N(0, 1)


@pytest.mark.parametrize("D, sw, L, h", [(1, 0.8, 3, 0.1), (3, 1.5, 5, 0.3), (6, 0.8, 8, 0.05)])
def test_smoothed_inversion_is_the_gaussian_average_of_the_exact_cdf(D, sw, L, h):
    ys = np.linspace(-1.0, 1.0, 7)
    reference = [WEIGHTS @ linear_jacobian_log_norm_cdf(y - h * NODES, D, sw, L) for y in ys]
    np.testing.assert_allclose(linear_jacobian_log_norm_cdf(ys, D, sw, L, smoothing=h), reference, rtol=0, atol=1e-9)
    assert np.all(np.abs(linear_jacobian_log_norm_cdf(ys, D, sw, L, smoothing=h)
                         - linear_jacobian_log_norm_cdf(ys, D, sw, L)) > 0)  # the smoothing is applied


@pytest.mark.parametrize("kappa", [0.05, 0.2, 1.0])
def test_smoothed_levels_are_the_gaussian_average_of_the_normal_cdf(kappa):
    z = norm.ppf(Q)
    reference = [quad(lambda x, zj=zj: norm.pdf(x) * ndtr((zj - x) / kappa), -12, 12, points=[zj], epsabs=1e-12)[0]
                 for zj in z]
    np.testing.assert_allclose(smoothed_levels(Q, kappa), reference, rtol=0, atol=1e-7)


@pytest.mark.parametrize("D, sw", [(1, 0.3), (6, 0.8), (4, 1.5)])
def test_linear_network_limit_is_the_record(D, sw):
    np.testing.assert_allclose(linear_smoothed_limit_means(D, sw, Q, 0.2),
                               jacobian_smoothed_limit_means("tanh", D, sw, Q, 0.2), rtol=0, atol=1e-7)


def test_identity_statistics_are_unbiased_at_finite_depth():
    """$\\phi = \\mathrm{id}$: the draws minus their exact depth-$L$ means plus the limit have the limit as mean
    (z-test, 20 000 networks, rate 1e-6 over the 7 columns); the smoothed CDF columns move with the exact law."""
    D, sw, L = 2, 0.7, 4
    limit = linear_smoothed_limit_means(D, sw, Q, 0.2)
    x = jacobian_smoothed_statistics("identity", D, sw, 0.3, L, Q, 0.2, n_samples=20_000, seed=3, limit=limit)
    assert_mean(x, limit, false_fail_rate=1e-6)
    finite = linear_smoothed_column_means(D, sw, L, Q, 0.2)
    assert np.all(np.abs(finite - limit)[4:] > 1e-3)  # depth 4 is far from the limit: the centring matters


def test_tanh_statistics_are_the_difference_from_the_linear_twin():
    """Same weights: tanh columns minus the linear twin's plus the limit; with a zero limit and identical networks
    (tiny weights: tanh(h) = h to rounding) the columns vanish."""
    x = jacobian_smoothed_statistics("tanh", 2, 1e-7, 0.0, 3, Q, 0.2, n_samples=32, seed=1, limit=np.zeros(7))
    np.testing.assert_allclose(x, 0.0, atol=1e-9)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="kappa=0"):
        smoothed_levels(Q, 0.0)
    with pytest.raises(ValueError, match="smoothing=-0.1"):
        linear_jacobian_log_norm_cdf(0.0, 2, 0.5, 3, smoothing=-0.1)
    with pytest.raises(ValueError, match="quantiles"):
        jacobian_smoothed_limit_means("tanh", 2, 0.5, (0.5, 1.0), 0.2)
    assert math.isfinite(float(smoothed_levels((0.5,), 0.2)[0]))
