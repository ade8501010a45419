"""Weight-regime estimators: statistics against plain loops, exact p-variation against brute force, intervals,
validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from numerics.scaling_regimes.estimators import (
    STATISTICS,
    EstimatorResult,
    alpha_hat,
    beta_hat,
    delta_scaled,
    depth_slope,
    holder_exponent,
    p_variation,
    p_variation_brute_force,
    regression_slope,
    statistic_interval,
    weight_statistic,
)


def _loop_statistic(a, statistic, factor=0.0):
    """The statistics written as the plain per-layer loops of the authors' description (independent path)."""
    L = len(a)
    fro = [float(np.sqrt((w ** 2).sum())) for w in a]
    inc = [float(np.sqrt(((a[k] - a[k - 1]) ** 2).sum())) for k in range(1, L)]
    if statistic == "max_norm":
        return max(fro)
    if statistic == "increment":
        return L ** factor * max(inc, default=0.0)
    if statistic == "root_ssq":
        return float(np.sqrt(sum(f * f for f in fro)))
    if statistic == "quadratic_variation":
        return sum(i * i for i in inc)
    if statistic == "sobolev":
        return float(np.sqrt(L * sum(i * i for i in inc)))
    if statistic == "cumsum":
        return float(np.sqrt((sum(a) ** 2).sum()))
    W = [np.zeros_like(a[0])]
    for k in range(L):
        W.append(W[-1] + a[k])
    if L < 10:
        return max(float(np.sqrt(((W[k] - k / L * W[L]) ** 2).sum())) for k in range(1, L + 1))
    window, best = max(3, int(0.10 * L)), 0.0
    for k in range(1, L):
        if k < window:
            part = W[0:2 * k]
        elif k < L - window:
            part = W[k - window:k + window]
        else:
            part = W[2 * k - L:L]
        best = max(best, float(np.sqrt(((W[k] - sum(part) / len(part)) ** 2).sum())))
    return best


@pytest.mark.parametrize("statistic", STATISTICS)
@pytest.mark.parametrize("L", [2, 7, 10, 33])
def test_statistics_match_plain_loops(statistic, L):
    a = np.random.default_rng(L).standard_normal((L, 3, 2))
    assert weight_statistic(a, statistic, factor=0.3) == pytest.approx(_loop_statistic(a, statistic, 0.3),
                                                                       rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 9), m=st.integers(1, 3), p=st.sampled_from([1.0, 1.5, 2.0, 2.5, 4.0]),
       seed=st.integers(0, 2 ** 32 - 1))
def test_p_variation_dynamic_programme_equals_brute_force(n, m, p, seed):
    x = np.random.default_rng(seed).standard_normal((n, m))
    assert p_variation(x, p=p) == pytest.approx(p_variation_brute_force(x, p=p), rel=1e-12, abs=1e-14)


def test_p_variation_limits():
    x = np.cumsum(np.random.default_rng(0).standard_normal(50))
    assert p_variation(x, p=1.0) == pytest.approx(np.abs(np.diff(x)).sum())   # total variation
    mono = np.arange(10.0)
    assert p_variation(mono, p=2.0) == pytest.approx(81.0)                     # the chord wins for p > 1
    assert p_variation(x, p=2.0) >= weight_statistic(x[:, None], "quadratic_variation")


def test_regression_slope_exact_line_and_t_interval():
    x = np.log([8, 16, 32, 64])
    s, lo, hi = regression_slope(x, 1.0 - 0.3 * x)
    assert s == pytest.approx(-0.3) and lo == pytest.approx(-0.3) and hi == pytest.approx(-0.3)
    noisy = 1.0 - 0.3 * x + np.array([0.01, -0.02, 0.015, 0.0])
    s, lo, hi = regression_slope(x, noisy, level=0.9)
    ref = stats.linregress(x, noisy)                       # independent path: scipy's slope and its stderr
    half = stats.t.ppf(0.95, 2) * ref.stderr
    assert (s, lo, hi) == pytest.approx((ref.slope, ref.slope - half, ref.slope + half), rel=1e-12)


def test_beta_hat_recovers_exact_power_law():
    rng = np.random.default_rng(3)
    g = rng.standard_normal((4, 4))
    nets = [L ** -0.2 * g * np.exp(-np.arange(L) / L)[:, None, None] for L in (16, 32, 64, 128)]
    r = beta_hat(nets)
    assert isinstance(r, EstimatorResult) and r.value == pytest.approx(0.2, abs=1e-12) and r.covers(0.2)
    assert holder_exponent(nets).value == pytest.approx(1.0, abs=0.01)   # Lipschitz profile: gamma = 1


def test_bootstrap_interval_contains_estimate():
    a = np.random.default_rng(1).standard_normal((20, 5, 5))
    r = statistic_interval(a, "root_ssq", n_boot=199, seed=2)
    assert r.lower <= r.value <= r.upper and r.level == 0.95
    nets = [L ** -0.5 * np.random.default_rng(L).standard_normal((L, 4, 4)) for L in (16, 64)]
    b = depth_slope(nets, "root_ssq", method="bootstrap", n_boot=199)
    assert b.lower < b.value < b.upper


@pytest.mark.parametrize("call, match", [
    (lambda: beta_hat([np.ones((4, 2))] * 3), "distinct depths"),
    (lambda: beta_hat([np.ones((4, 2)), np.ones((8, 2))]), "at least 3"),
    (lambda: beta_hat([np.ones((4, 2)), np.ones((8, 3)), np.ones((16, 2))]), "entries per layer"),
    (lambda: beta_hat([np.full((4, 2), np.nan), np.ones((8, 2)), np.ones((16, 2))]), "finite"),
    (lambda: beta_hat([np.ones((L, 2)) for L in (4, 8, 16)], level=1.5), "level=1.5"),
    (lambda: depth_slope([np.ones((L, 2)) for L in (4, 8, 16)], method="jackknife"), "method='jackknife'"),
    (lambda: weight_statistic(np.ones((4, 2)), "l2"), "statistic='l2'"),
    (lambda: p_variation(np.ones(4), p=0.5), "p=0.5"),
    (lambda: statistic_interval(np.ones((4, 2)), n_boot=5), "n_boot=5"),
    (lambda: alpha_hat([0.1, 0.05], depths=[4, 8]), "at least 3"),
    (lambda: delta_scaled(np.ones((4, 2)), [1.0, 2.0]), "deltas has 2"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_alpha_hat_and_delta_scaled():
    depths = [8, 16, 32, 64]
    r = alpha_hat([3.0 / L ** 0.7 for L in depths], depths=depths)
    assert r.value == pytest.approx(0.7)
    a = np.ones((3, 2, 2))
    assert np.allclose(delta_scaled(a, [-1.0, 2.0, 0.5])[:, 0, 0], [1.0, 2.0, 0.5])


@settings(max_examples=25, deadline=None)
@given(beta=st.floats(-1.0, 2.0), scale=st.floats(1e-3, 1e3), seed=st.integers(0, 2 ** 32 - 1))
def test_slopes_are_invariant_to_scale_and_entry_order(beta, scale, seed):
    """Independent path: multiplying every network by c leaves each log-log slope unchanged, permuting the
    entries leaves every statistic unchanged, and an exact power law L^-beta f(k/L) gives beta-hat = beta."""
    rng = np.random.default_rng(seed)
    nets = [rng.standard_normal((L, 6)) for L in (5, 9, 17, 33)]
    perm = rng.permutation(6)
    for statistic in ("max_norm", "root_ssq", "quadratic_variation", "sobolev", "detrended_cumsum"):
        base = depth_slope(nets, statistic)
        scaled = depth_slope([scale * w for w in nets], statistic)
        permuted = depth_slope([w[:, perm] for w in nets], statistic)
        assert scaled.value == pytest.approx(base.value, abs=1e-9)
        assert (permuted.lower, permuted.upper) == pytest.approx((base.lower, base.upper), abs=1e-9)
    g = rng.standard_normal(6)
    power = [L ** -beta * np.outer(1 + np.cos(np.pi * np.arange(L) / L), g) for L in (5, 9, 17, 33)]
    assert beta_hat(power).value == pytest.approx(beta, abs=1e-9)   # f's max sits at k = 0 for every L


def test_hc3_standard_error_is_the_sandwich_of_the_design_matrix():
    """Independent path: HC3 as the matrix sandwich (X'X)^-1 X' diag(e_i^2 / (1 - h_ii)^2) X (X'X)^-1."""
    x = np.log([8, 16, 32, 64, 128])
    y = 0.3 - 0.4 * x + np.array([0.05, -0.03, 0.02, -0.06, 0.01])
    X = np.column_stack([np.ones_like(x), x])
    bread = np.linalg.inv(X.T @ X)
    e = y - X @ (bread @ X.T @ y)
    h = np.einsum("ij,jk,ik->i", X, bread, X)
    cov = bread @ X.T @ np.diag(e ** 2 / (1 - h) ** 2) @ X @ bread
    half = stats.t.ppf(0.975, 3) * np.sqrt(cov[1, 1])
    s, lo, hi = regression_slope(x, y, variance="hc3")
    assert s == pytest.approx((bread @ X.T @ y)[1], rel=1e-12)
    assert (lo, hi) == pytest.approx((s - half, s + half), rel=1e-12)
    with pytest.raises(ValueError, match="variance='hc2'"):
        regression_slope(x, y, variance="hc2")


@pytest.mark.parametrize("scale", [1e-200, 1e200, 1e300])
def test_huge_or_tiny_finite_weights_give_the_slopes_of_the_rescaled_ones(scale):
    """Issue 15 review item: entries ~1e200 overflowed the squares (RuntimeWarnings, then a wrong 'vanishes'
    error).  Every statistic is homogeneous, so one constant leaves every slope unchanged; one network scaled
    alone shifts its log statistic by degree * log(scale) (independent path: the shifted least squares)."""
    rng = np.random.default_rng(7)
    nets = [rng.standard_normal((L, 6)) / np.sqrt(L) for L in (5, 9, 17, 33)]
    for statistic, degree in [(s, 2.0 if s == "quadratic_variation" else 1.0) for s in STATISTICS] + [
            ("p_variation", 2.0)]:
        for method in ("regression", "hc3", "bootstrap"):
            base = depth_slope(nets, statistic, method=method, n_boot=99, seed=3)
            big = depth_slope([scale * w for w in nets], statistic, method=method, n_boot=99, seed=3)
            assert (big.value, big.lower, big.upper) == pytest.approx((base.value, base.lower, base.upper), abs=1e-9)
        logs = np.log([weight_statistic(w, statistic) for w in nets])
        logs[-1] += degree * np.log(scale)
        mixed = depth_slope(nets[:-1] + [scale * nets[-1]], statistic, method="hc3")
        s, lo, hi = regression_slope(np.log([5, 9, 17, 33]), logs, variance="hc3")
        assert (mixed.value, mixed.lower, mixed.upper) == pytest.approx((s, lo, hi), rel=1e-9, abs=1e-12)
    assert holder_exponent([scale * w for w in nets]).value == pytest.approx(holder_exponent(nets).value, abs=1e-9)
