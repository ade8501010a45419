"""Synthetic weights of known law: the exact finite-depth means of the log statistics, three independent ways
(digamma closed form, Frullani quadrature, Monte Carlo), their limits, and the calibration study's columns."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from numerics.scaling_regimes import synthetic_weights as sw
from numerics.scaling_regimes.estimators_calibration import (
    COLUMNS,
    calibration_draws,
    calibration_truth,
)
from numerics.scaling_regimes.estimators_statistics import layer_statistic


@pytest.mark.parametrize("family", sw.FAMILIES)
@pytest.mark.parametrize("statistic", ["root_ssq", "quadratic_variation"])
def test_eigenvalues_match_explicit_quadratic_form(family, statistic):
    """The closed eigenvalues against C^{1/2} M C^{1/2} built from the covariance of simulated paths' law."""
    L = 9
    k = np.arange(L)
    cov = {"smooth": np.outer(np.exp(-k / L), np.exp(-k / L)), "iid": np.eye(L),
           "brownian_path": 1.0 + np.minimum.outer(k, k) / L}[family]
    diff = np.diff(np.eye(L), axis=0)
    form = np.eye(L) if statistic == "root_ssq" else diff.T @ diff
    w, v = np.linalg.eigh(cov)
    root = v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T
    explicit = np.sort(np.linalg.eigvalsh(root @ form @ root))
    closed = np.sort(sw._eigenvalues(family, statistic, L))
    explicit = explicit[explicit > 1e-12]
    assert np.allclose(explicit, closed[closed > 1e-12], rtol=1e-10)


@pytest.mark.parametrize("lam, m", [(np.full(7, 0.3), 5), (np.array([2.0]), 16)])
def test_frullani_quadrature_equals_digamma(lam, m):
    closed = math.log(2 * lam[0]) + special.digamma(lam.size * m / 2)
    perturbed = lam * (1 + 1e-9 * np.arange(lam.size))   # not all equal: the quadrature path
    assert sw._expected_log_form(lam, m) == pytest.approx(closed, rel=1e-12)
    assert sw._expected_log_form(perturbed, m) == pytest.approx(closed, abs=1e-7)


@pytest.mark.parametrize("family", sw.FAMILIES)
@pytest.mark.parametrize("statistic", ["root_ssq", "quadratic_variation", "max_norm"])
def test_expected_log_statistic_against_monte_carlo(family, statistic):
    """Monte Carlo mean of log S_L within z = 5.3 standard errors (false-failure rate 1e-7 per comparison)."""
    if statistic == "max_norm" and family != "smooth":
        with pytest.raises(ValueError, match="exact law"):
            sw.expected_log_statistic(family, statistic, beta=0.2, depth=12, entries=4)
        return
    w = sw.synthetic_weights(family, beta=0.2, depth=12, n_networks=20_000, entries=4, seed=7)
    logs = np.log(layer_statistic(w, statistic))
    exact = sw.expected_log_statistic(family, statistic, beta=0.2, depth=12, entries=4)
    assert abs(logs.mean() - exact) <= stats.norm.isf(0.5e-7) * logs.std() / math.sqrt(logs.size)


@pytest.mark.parametrize("family", sw.FAMILIES)
@pytest.mark.parametrize("statistic", ["root_ssq", "quadratic_variation"])
def test_expected_slope_tends_to_the_limit_exponent(family, statistic):
    near = [abs(sw.expected_slope(family, statistic, beta=0.5, depths=(a, 2 * a), entries=10)
                - sw.limit_slope(family, statistic, beta=0.5)) for a in (16, 128)]
    assert near[1] < near[0] / 4   # the finite-depth terms are O(1/L): the ratio tends to 1/8 (measured 0.11-0.13)


def test_calibration_columns_and_truth():
    draws = calibration_draws("smooth", beta=0.5, depths=(8, 16, 32), entries=9, n_studies=300, seed=1)
    assert draws.shape == (300, len(COLUMNS)) and set(np.unique(draws[:, 4:])) <= {0.0, 1.0}
    truth = calibration_truth("smooth", beta=0.5, depths=(8, 16, 32), entries=9)
    assert truth[0] == pytest.approx(0.5) and np.allclose(draws[:, 3], truth[3])   # gamma-hat: deterministic
    assert np.isnan(calibration_truth("iid", beta=0.5, depths=(8, 16, 32), entries=9)[[0, 3]]).all()


def test_planted_wrong_depth_normalisation_moves_the_estimate():
    """Root-mean-square instead of root-SSQ (a 1/L depth normalisation): the slope moves by -1/2, far beyond
    the noise; the claim's tests reject it through the harness."""
    def rms(x, name):
        value = layer_statistic(x, name)
        return value / np.sqrt(x.shape[-2]) if name == "root_ssq" else value
    kw = {"beta": 0.2, "depths": (8, 16, 32, 64, 128), "entries": 16, "n_studies": 400, "seed": 3}
    good, bad = calibration_draws("iid", **kw), calibration_draws("iid", statistic=rms, **kw)
    assert np.allclose(bad[:, 1] - good[:, 1], -0.5) and bad[:, 5].mean() < 0.01 and good[:, 5].mean() > 0.9


@pytest.mark.parametrize("kwargs, match", [
    ({"family": "gaussian"}, "family='gaussian'"), ({"beta": 3.0}, "beta=3.0"), ({"depth": 1}, "depth=1"),
    ({"entries": 0}, "entries=0"), ({"n_networks": 0}, "n_networks=0")])
def test_synthetic_weights_validates(kwargs, match):
    args = {"family": "iid", "beta": 0.2, "depth": 8} | kwargs
    with pytest.raises(ValueError, match=match):
        sw.synthetic_weights(args.pop("family"), **args)
