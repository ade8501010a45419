"""Exact finite-depth log-norm moments of the linear ResNet and their Richardson limit (numerics.resnet_sde.norm_exact):
cross-checked against one-dimensional quadrature at D = 1, L = 1 and against the GBM record resnet_sde.norm_gbm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from numerics.generated import resnet_sde_norm_gbm as norm_gbm
from numerics.resnet_sde.norm_exact import linear_log_norm_exact_limit, linear_log_norm_exact_moments


@pytest.mark.parametrize("sigma_w", [0.3, 1.0])
def test_one_layer_of_width_one_is_log_abs_one_plus_eps_g_by_quadrature(sigma_w):
    r"""$D = L = 1$: $\log|x_1|/|x_0| = \log|1 + \sigma_w g|$; moments by adaptive quadrature with the log
    singularity at $g = -1/\sigma_w$ as a break point (independent of the Poisson-mixture route)."""
    dens = lambda g: math.exp(-0.5 * g * g) / math.sqrt(2 * math.pi)  # noqa: E731
    f = lambda g, k: math.log(abs(1 + sigma_w * g)) ** k * dens(g)  # noqa: E731
    pole = -1.0 / sigma_w
    m1, m2 = (sum(integrate.quad(f, a, b, args=(k,), epsabs=1e-13, epsrel=1e-12, limit=200)[0]
                  for a, b in ((-np.inf, pole), (pole, 0.0), (0.0, np.inf))) for k in (1, 2))
    mean, var = linear_log_norm_exact_moments(1, sigma_w, 1)
    assert math.isclose(mean, m1, rel_tol=1e-9, abs_tol=1e-11)
    assert math.isclose(var, m2 - m1 * m1, rel_tol=1e-9)


@pytest.mark.parametrize("width", [1, 2, 5, 16])
@pytest.mark.parametrize("sigma_w", [0.3, 1.0])
def test_richardson_limit_is_the_gbm_of_the_record(width, sigma_w):
    """Two Richardson steps at L = 1024, 2048, 4096 agree with the record's GBM moments to 1e-7 of the limiting
    standard deviation (the claim's stated numerical tolerance; measured <= 3e-9)."""
    lim = np.array([float(norm_gbm.log_norm_mean(1.0, sigma_w, width, 1.0)),
                    float(norm_gbm.log_norm_variance(1.0, sigma_w, width, 1.0))])
    assert np.all(np.abs(linear_log_norm_exact_limit(width, sigma_w) - lim) <= 1e-7 * math.sqrt(lim[1]))


def test_finite_depth_moments_differ_from_the_limit_at_rate_one_over_depth():
    """The exact moments are not the limit at finite depth (the claim's Monte Carlo check is not the limit check in
    disguise): L (m(L) - m_inf) settles to a nonzero constant c_1 as L doubles."""
    lim = linear_log_norm_exact_limit(1, 1.0)
    c = [L * (linear_log_norm_exact_moments(1, 1.0, L) - lim) for L in (64, 128, 256)]
    assert np.all(np.abs(c[2]) > 1e-3)
    assert np.all(np.abs(c[2] - c[1]) < 0.6 * np.abs(c[1] - c[0]))


def test_bad_depth_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="depth"):
        linear_log_norm_exact_limit(2, 1.0, depth=0)
