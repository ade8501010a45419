"""The shaped-ReLU pair simulator, the exact finite-width log-norm law and the backward-Kolmogorov prediction.

Independent routes cross-checked:

* the Gram recursion (:func:`shaped_relu_pair`) against the width-n simulator (:func:`shaped_relu_mlp`, exact in
  law, the same normals in the same order: equal to rounding) and against full weight matrices (in distribution);
* the exact mean of the log-norm (chi-square and sign-balance series) against Frullani's integral of the Laplace
  transform $E e^{-tR} = [\\tfrac12(1 + 2at)^{-1/2} + \\tfrac12(1 + 2bt)^{-1/2}]^n$ (quadrature), its variance against
  direct draws of $R$, its $c_\\pm = 0$ case against $\\psi$, $\\psi'$, and its limit against $(-1, 2)$;
* the backward Kolmogorov solution against Euler--Maruyama (Monte Carlo, Richardson) and against itself on a grid
  twice as fine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad
from scipy.special import polygamma, psi

from numerics.generated import covariance_sde_shaped_relu_finite_width as finite_width

from numerics.covariance_sde import (
    LIMIT_PER_T,
    correlation_expectations,
    correlation_sde_estimate,
    linear_pair_correlation,
    log_norm_moments,
    shaped_relu_mirrored_draws,
    shaped_relu_mlp,
    shaped_relu_pair,
    sign_balance_moments,
)

Z = 5.3  # two-sided z at a false-failure rate of about 1e-7 per comparison


def _inputs(rho0):
    return np.array([[1.0, 0.0], [rho0, math.sqrt(1 - rho0**2)]])


@pytest.mark.parametrize("c_plus, c_minus", [(0.0, 0.0), (1.2, -0.7)])
def test_gram_recursion_equals_the_width_n_simulator_on_the_same_normals(c_plus, c_minus):
    n, d, N, rho0 = 8, 6, 40, 0.3
    new = shaped_relu_pair(c_plus=c_plus, c_minus=c_minus, rho0=rho0, width=n, depth=d, n_samples=N, seed=11)
    old = shaped_relu_mlp(_inputs(rho0), width=n, depth=d, c_plus=c_plus, c_minus=c_minus, n_out=0, n_samples=N,
                          seed=11, record=("covariance_path",))
    np.testing.assert_allclose(new.rho, old.correlation_path[:, -1, 0, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(new.log_norm_ratio, old.log_norm_ratio[:, 0], rtol=0, atol=1e-11)


def test_gram_recursion_matches_full_weight_networks_in_distribution():
    # independent randomness (full n x n weights): two-sample KS on rho_d and L_d at a 1e-6 rate each
    n, d, N, rho0 = 8, 8, 3000, 0.5
    new = shaped_relu_pair(c_plus=1.0, c_minus=-1.0, rho0=rho0, width=n, depth=d, n_samples=N, seed=1)
    full = shaped_relu_mlp(_inputs(rho0), width=n, depth=d, c_plus=1.0, c_minus=-1.0, n_out=0, n_samples=N, seed=2,
                           method="full", record=("covariance_path",))
    assert stats.ks_2samp(new.rho, full.correlation_path[:, -1, 0, 1]).pvalue > 1e-6
    assert stats.ks_2samp(new.log_norm_ratio, full.log_norm_ratio[:, 0]).pvalue > 1e-6


def test_log_norm_factorises_into_identity_control_and_sign_balance():
    # one layer: ln A = ln(|g|^2/n) + ln(1 + delta Y), exactly (the identity behind the control variates)
    n, c_plus, c_minus = 12, 0.8, -1.1
    net = shaped_relu_pair(c_plus=c_plus, c_minus=c_minus, rho0=0.2, width=n, depth=1, n_samples=64, seed=3)
    delta = log_norm_moments(c_plus=c_plus, c_minus=c_minus, width=n, depth=1).delta
    np.testing.assert_allclose(net.log_norm_ratio - net.identity_log_norm_ratio, np.log1p(delta * net.sign_balance),
                               rtol=0, atol=1e-13)
    lin = shaped_relu_pair(c_plus=0.0, c_minus=0.0, rho0=0.2, width=n, depth=5, n_samples=64, seed=3)
    np.testing.assert_allclose(lin.log_norm_ratio, lin.identity_log_norm_ratio, rtol=0, atol=1e-12)


def test_sign_balance_moments_by_hand_and_by_the_record():
    # mu_2 = 3/(n+2); mu_4 = (n E[g^8] + 3n(n-1) E[g^4]^2) / E[chi2_n^4] = (105 + 27(n-1)) / ((n+2)(n+4)(n+6))
    for n in (1, 5, 32):
        mu = sign_balance_moments(n, 3)
        assert mu[0] == pytest.approx(3 / (n + 2), rel=1e-14)
        assert mu[1] == pytest.approx((105 + 27 * (n - 1)) / ((n + 2) * (n + 4) * (n + 6)), rel=1e-14)
        # the SymPy route (MGF series with symbolic n) of record covariance_sde.shaped_relu_finite_width
        assert mu[0] == pytest.approx(finite_width.sign_balance_second_moment(n), rel=1e-14)
        assert mu[1] == pytest.approx(finite_width.sign_balance_fourth_moment(n), rel=1e-14)
    assert sign_balance_moments(1, 3)[2] == pytest.approx(1.0)  # n = 1: Y = sign(g), every even moment is 1


@pytest.mark.parametrize("c_plus, c_minus, n", [(1.5, -1.5, 16), (1.0, 0.3, 32), (-0.4, 1.3, 12)])
def test_exact_mean_of_the_log_ratio_against_frullani_quadrature(c_plus, c_minus, n):
    m = log_norm_moments(c_plus=c_plus, c_minus=c_minus, width=n, depth=1)
    sp2, sm2 = (1 + c_plus / math.sqrt(n)) ** 2, (1 + c_minus / math.sqrt(n)) ** 2
    a, b = 2 * sp2 / ((sp2 + sm2) * n), 2 * sm2 / ((sp2 + sm2) * n)

    def integrand(t):  # E ln R = int_0^inf (e^{-t} - E e^{-tR}) / t dt
        return (math.exp(-t) - (0.5 / math.sqrt(1 + 2 * a * t) + 0.5 / math.sqrt(1 + 2 * b * t)) ** n) / t

    reference = quad(integrand, 0, np.inf, limit=500, epsabs=1e-13)[0]
    assert m.mean == pytest.approx(reference, abs=1e-10)


def test_exact_variance_of_the_log_ratio_against_direct_draws():
    n, c_plus, c_minus, N = 16, 1.5, -1.5, 200_000
    m = log_norm_moments(c_plus=c_plus, c_minus=c_minus, width=n, depth=1)
    sp, sm = 1 + c_plus / math.sqrt(n), 1 + c_minus / math.sqrt(n)
    g = np.random.default_rng(0).standard_normal((N, n))
    log_r = np.log(2 / (sp**2 + sm**2) / n * np.sum(np.where(g > 0, sp * g, sm * g) ** 2, axis=1))
    v = log_r.var(ddof=1)
    se = math.sqrt(np.mean((log_r - log_r.mean()) ** 4) - v**2) / math.sqrt(N)
    assert abs(v - m.variance) <= Z * se
    assert abs(log_r.mean() - m.mean) <= Z * log_r.std() / math.sqrt(N)


def test_identity_network_moments_and_the_limit_of_the_finite_width_formula():
    m = log_norm_moments(c_plus=0.0, c_minus=0.0, width=10, depth=7)
    assert m.mean == pytest.approx(7 * (psi(5) + math.log(0.2)), rel=1e-14)
    assert m.variance == pytest.approx(7 * polygamma(1, 5), rel=1e-14)
    assert m.mean == m.identity_mean and m.balance_variance == 0 and m.delta == 0
    # d = n: E L/T = -1 - [1/3 + 3 (c_+ - c_-)^2 / 2]/n + O(n^-2) (psi's expansion and E ln(1 + delta Y) ~
    # -delta^2 mu_2 / 2 with delta ~ (c_+ - c_-)/sqrt(n), mu_2 = 3/(n+2)); Var L/T = 2 + [2 + 3 (c_+ - c_-)^2]/n + ...
    # by hand, and by the record (its SymPy derivation from the asymptotic series of psi, psi')
    errors = []
    for n in (1000, 4000):
        m = log_norm_moments(c_plus=1.0, c_minus=-1.0, width=n, depth=n)
        assert finite_width.log_norm_mean_per_T_first_order(1.0, -1.0, n) == pytest.approx(-1 - (1 / 3 + 6) / n)
        assert finite_width.log_norm_variance_per_T_first_order(1.0, -1.0, n) == pytest.approx(2 + 14 / n)
        errors.append((n * (m.mean - LIMIT_PER_T[0]) + (1 / 3 + 6), n * (m.variance - LIMIT_PER_T[1]) - 14))
    for before, after in zip(*errors):  # the remainder after the 1/n term falls like 1/n (4x for 4x the width)
        assert abs(after) < abs(before) / 3 and abs(before) < 0.1


def test_log_norm_moments_rejects_a_divergent_series_and_bad_input():
    with pytest.raises(ValueError, match="tail bound"):
        log_norm_moments(c_plus=3.0, c_minus=-3.0, width=4, depth=1)
    with pytest.raises(ValueError, match="width"):
        log_norm_moments(c_plus=0.0, c_minus=0.0, width=0, depth=1)


def test_backward_equation_agrees_with_euler_maruyama_and_converges_in_the_grid():
    args, q = (1.0, -0.5, 0.3, 1.2), 0.5
    pde = correlation_expectations(*args, point=q)
    fine = correlation_expectations(*args, point=q, n_grid=8000, n_time=1600)
    # discretisation: far below what the network side resolves (its SE is ~5e-3)
    assert abs(pde[0] - fine[0]) < 1e-4 and abs(pde[1] - fine[1]) < 1e-4
    em = correlation_sde_estimate(*args, point=q, n_paths=50_000, n_steps=100, seed=4)
    assert abs(pde[0] - em.mean) <= Z * em.mean_stderr
    assert abs(pde[1] - em.cdf) <= Z * em.cdf_stderr


def test_backward_equation_without_ito_term_is_a_martingale_and_ito_pulls_down():
    # c = 0, no Ito term: u = r solves u_t = (1/2) sigma^2 u_rr, so E rho_T = rho_0 to rounding
    assert correlation_expectations(0.0, 0.0, 0.6, 1.5, point=0.6, ito=False)[0] == pytest.approx(0.6, abs=1e-10)
    assert correlation_expectations(0.0, 0.0, 0.6, 1.5, point=0.6)[0] < 0.5
    with pytest.raises(ValueError, match="point"):
        correlation_expectations(0.0, 0.0, 0.6, 1.5, point=1.5)


def test_mirrored_draws_have_the_limit_log_norm_at_every_width_and_an_unbiased_correlation():
    kw = dict(rho0=0.4, T=0.5, width=12)  # T n = 6: no depth-rounding shift
    x = shaped_relu_mirrored_draws(c_plus=1.2, c_minus=-0.9, n_samples=2000, seed=5, point=0.4, **kw)
    assert x.shape == (2000, 4)
    mean, se = x.mean(axis=0), x.std(axis=0, ddof=1) / math.sqrt(2000)
    assert abs(mean[2] - LIMIT_PER_T[0]) <= Z * se[2]
    assert abs(mean[3] - LIMIT_PER_T[1]) <= Z * se[3]
    assert se[2] < 0.01  # the controls work: sqrt(2/T)/sqrt(2000) = 0.045 without them
    # the linear control leaves the mean alone: plain mirrored networks on other seeds agree
    plain = [shaped_relu_pair(c_plus=s * 1.2, c_minus=s * -0.9, rho0=0.4, width=12, depth=6, n_samples=4000,
                              seed=s0).rho for s, s0 in ((1, 7), (-1, 8))]
    y = (plain[0] + plain[1]) / 2
    assert abs(mean[0] - y.mean()) <= Z * math.hypot(se[0], y.std(ddof=1) / math.sqrt(4000))
    assert x[:, 0].std() < 0.8 * y.std()  # and reduces the variance
    with pytest.raises(ValueError, match="T="):
        shaped_relu_mirrored_draws(c_plus=1.0, c_minus=0.0, rho0=0.4, T=0.0, width=8, n_samples=10, seed=0, point=0.4)


def test_bartlett_linear_network_matches_the_gram_recursion_in_distribution():
    n, d = 8, 12
    gram = shaped_relu_pair(c_plus=0.0, c_minus=0.0, rho0=0.5, width=n, depth=d, n_samples=20_000, seed=1)
    bartlett = linear_pair_correlation(rho0=0.5, width=n, depth=d, n_samples=100_000, seed=2)
    np.testing.assert_allclose(gram.rho, gram.identity_rho, rtol=0, atol=1e-12)  # c = 0: its own linear control
    assert stats.ks_2samp(gram.rho, bartlett).pvalue > 1e-6
    se = math.hypot(gram.rho.std() / math.sqrt(20_000), bartlett.std() / math.sqrt(100_000))
    assert abs(gram.rho.mean() - bartlett.mean()) <= Z * se
