"""Per-network draws of numerics.log_gaussian and numerics.covariance_sde behind the depth-and-width claims.

Each estimator is checked against an exact value (a sample variance, a ratio, a martingale's mean,
a digamma formula) or a law that is exact at finite size; z-tests at |z| <= 5 (false-failure rate
below 1e-6 per assertion).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import digamma

from numerics.covariance_sde import (
    correlation_sde_estimate,
    correlation_sde_paths,
    shaped_relu_terminal_draws,
)
from numerics.generated import log_gaussian_fc_relu as fc_relu
from numerics.log_gaussian import (
    fc_log_norm_ratio,
    hypoactivation_draws,
    log_gaussian_output_sample,
    ratio_draws,
    variance_draws,
)

Z = 5.0


def _z(x, expected):
    return abs(x.mean() - expected) / (x.std(ddof=1) / math.sqrt(x.size))


def test_fc_log_norm_ratio_redraws_dead_networks_and_has_the_exact_conditioned_mean():
    # width 2: a layer dies with probability 1/4, so at depth 3 about 58% of the nets die and are redrawn
    x = fc_log_norm_ratio("relu", width=2, depth=3, n_samples=20_000, seed=1)
    assert x.shape == (20_000,) and np.all(np.isfinite(x))
    assert _z(x, 3 * fc_relu.log_ratio_mean(2)) <= Z
    np.testing.assert_array_equal(x, fc_log_norm_ratio("relu", width=2, depth=3, n_samples=20_000, seed=1))


def test_fc_log_norm_ratio_validates():
    with pytest.raises(ValueError, match="activation='tanh'"):
        fc_log_norm_ratio("tanh", width=2, depth=3, n_samples=5, seed=0)
    with pytest.raises(ValueError, match="width=0"):
        fc_log_norm_ratio("relu", width=0, depth=3, n_samples=5, seed=0)


def test_variance_and_ratio_draws_reproduce_their_estimators():
    rng = np.random.default_rng(0)
    x = rng.normal(size=101)
    assert variance_draws(x).mean() == pytest.approx(x.var(ddof=1), rel=1e-12)
    u, v = rng.normal(size=200), rng.uniform(1, 2, size=200)
    r = ratio_draws(u, v)
    ratio = u.sum() / v.sum()
    assert r.mean() == pytest.approx(ratio, rel=1e-12)
    # the delta-method standard error of sum u / sum v
    assert r.std(ddof=1) == pytest.approx((u - ratio * v).std(ddof=1) / v.mean(), rel=1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        variance_draws([1.0])
    with pytest.raises(ValueError, match="denominator"):
        ratio_draws([1.0, 2.0], [-1.0, -1.0])


def test_hypoactivation_draws_shape_and_validation():
    x = hypoactivation_draws("balanced", branch_weight=math.sqrt(0.5), width=8, n_samples=20, seed=3, burn_in=5,
                             window=10)
    assert x.shape == (20, 4) and np.all(np.isfinite(x))
    assert np.all((x[:, 3] >= 0) & (x[:, 3] <= 1))  # an overlap is a probability
    with pytest.raises(ValueError, match="block='two_matrix'"):
        hypoactivation_draws("two_matrix", branch_weight=0.5, width=8, n_samples=20, seed=3)


@pytest.mark.parametrize("block", ["standard", "balanced"])
def test_antithetic_partner_is_the_negated_network(block):
    """At layer 0 the partner's ReLU input is exactly -u (active fraction and mass are one minus the
    network's); with the noise negated too, both columns follow the law of :func:`relu_resnet` (the same
    statistic by both simulators, independent seeds, z-test), and the pair average cancels the field noise."""
    from numerics.log_gaussian import relu_resnet
    from numerics.log_gaussian._antithetic import antithetic_activation_statistics
    lam, n = math.sqrt(0.2), 32
    o = antithetic_activation_statistics(block, branch_weight=lam, width=n, n_pairs=400, seed=5, burn_in=0, window=1)
    np.testing.assert_allclose(o["fraction"].sum(axis=1), 1.0, rtol=0, atol=1e-15)  # both see u and -u
    np.testing.assert_allclose(o["mass"].sum(axis=1), 1.0, rtol=0, atol=1e-12)
    depth, window = 30, 20
    o = antithetic_activation_statistics(block, branch_weight=lam, width=n, n_pairs=600, seed=6, burn_in=depth - window,
                                         window=window)
    ref = relu_resnet(np.ones(n), width=n, depth=depth, branch_weight=lam, block=block, n_out=0, n_samples=1200, seed=7,
                      record=("active_mass",))
    ref_mass = ref.active_mass[:, depth - window:, 0].mean(axis=1)
    for col in (0, 1):
        mine = o["mass"][:, col] / window
        se = math.sqrt(mine.var(ddof=1) / mine.size + ref_mass.var(ddof=1) / ref_mass.size)
        assert abs(mine.mean() - ref_mass.mean()) <= Z * se
    pair = o["mass"].mean(axis=1) / window
    assert pair.var(ddof=1) < 0.25 * (o["mass"][:, 0] / window).var(ddof=1)  # measured ~0.04-0.1 at n = 32


def test_antithetic_hypoactivation_draws_validate_and_estimate_the_same_means():
    kw = dict(branch_weight=math.sqrt(0.5), width=16, burn_in=20, window=40)
    x = hypoactivation_draws("standard", n_samples=300, seed=8, antithetic=True, **kw)
    y = hypoactivation_draws("standard", n_samples=600, seed=9, **kw)
    assert x.shape == (300, 4) and np.all(np.isfinite(x))
    for col in (0, 1, 3):
        se = math.sqrt(x[:, col].var(ddof=1) / x.shape[0] + y[:, col].var(ddof=1) / y.shape[0])
        assert abs(x[:, col].mean() - y[:, col].mean()) <= Z * se
    with pytest.raises(ValueError, match="antithetic"):
        hypoactivation_draws("standard", n_samples=10, seed=8, antithetic=1, **kw)


def test_log_gaussian_output_sample_mean_is_exact():
    n, d, n_out, mu, s2 = 16, 8, 10, -2.0, 5.0
    y = log_gaussian_output_sample(width=n, depth=d, mu=mu, sigma2=s2, n_out=n_out, n_samples=200_000, seed=4)
    # E ln chi2_k = psi(k/2) + ln 2
    expected = digamma(n / 2) + math.log(2 / n) + mu * d / n + digamma(n_out / 2) + math.log(2)
    assert _z(y, expected) <= Z
    with pytest.raises(ValueError, match="sigma2"):
        log_gaussian_output_sample(width=n, depth=d, mu=mu, sigma2=-1.0, n_out=n_out, n_samples=10, seed=4)


def test_correlation_sde_without_ito_term_is_a_martingale_and_boundaries_absorb():
    # c_+ = c_- = 0 and no Ito term: d rho = (1 - rho^2) dW, so E rho_T = rho_0 (Euler keeps it exactly)
    e = correlation_sde_estimate(0.0, 0.0, 0.3, 0.25, point=0.3, n_paths=20_000, n_steps=20, seed=5, ito=False)
    assert abs(e.mean - 0.3) <= Z * e.mean_stderr
    assert 0 < e.cdf < 1 and e.cdf_stderr > 0
    # with Ito's correction the drift -rho(1 - rho^2)/2 pulls E rho_T below rho_0 > 0
    ito = correlation_sde_estimate(0.0, 0.0, 0.6, 1.5, point=0.6, n_paths=20_000, n_steps=40, seed=5)
    assert ito.mean < 0.6 - Z * ito.mean_stderr
    assert np.all(correlation_sde_paths(0.0, 0.0, 1.0, 1.0, n_paths=10, n_steps=10, seed=0) == 1.0)
    with pytest.raises(ValueError, match="point=2"):
        correlation_sde_estimate(0.0, 0.0, 0.3, 0.25, point=2.0, n_paths=10, n_steps=4, seed=0)


def test_shaped_relu_terminal_draws_columns():
    x = shaped_relu_terminal_draws(c_plus=0.5, c_minus=-0.5, rho0=0.2, T=0.5, width=8, n_samples=50, seed=6,
                                   point=0.2)
    assert x.shape == (50, 4) and np.all(np.isfinite(x))
    assert np.all(np.abs(x[:, 0]) <= 1) and set(np.unique(x[:, 1])) <= {0.0, 1.0}
    np.testing.assert_array_equal(x[:, 1], (x[:, 0] <= 0.2).astype(float))
    with pytest.raises(ValueError, match="rho0"):
        shaped_relu_terminal_draws(c_plus=0.5, c_minus=-0.5, rho0=1.5, T=0.5, width=8, n_samples=50, seed=6, point=0.2)
