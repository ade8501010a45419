"""The laws of the output log-norm (numerics.log_gaussian.output_law) against independent references.

* the Gaussian law is scipy's chi-square CDF of e^y (to the discretisation's O(h^2));
* the log-Gaussian CDF equals nested adaptive quadrature of its defining integral
  int g_C(c) int g_A(a) Phi((y - a - c - mu beta) / s) da dc at interior and tail points;
* the mean shifts the law exactly; sigma^2 = 0 leaves the law of A + C;
* law_distance equals the maximum over a fine grid of both CDFs, is symmetric and 0 for one law;
* crossing_depth finds the first grid depth beyond the bound, and none for one law against itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from numerics.log_gaussian.output_law import (
    OutputLaw,
    crossing_depth,
    gaussian_output_law,
    law_distance,
    log_gaussian_output_law,
)

MU, S2 = -1.98, 5.44  # the standard ResNet's limit per unit beta at lambda^2 = 1/2 (rounded; any values do)


def _log_chi2_pdf(u, k):
    return np.exp(k * u / 2 - np.exp(u) / 2 - (k / 2) * math.log(2.0) - special.gammaln(k / 2))


def _quadrature_cdf(y, *, width, depth, mu, sigma2, n_out):
    beta, s = depth / width, math.sqrt(sigma2 * depth / width)

    def inner(v):  # P(A + G <= v), A = ln(chi^2_n / n)
        f = lambda a: _log_chi2_pdf(a + math.log(width), width) * special.ndtr((v - a - mu * beta) / s)
        return integrate.quad(f, -1.5, 1.0, epsabs=1e-12, epsrel=1e-10, limit=200)[0]

    outer = lambda c: _log_chi2_pdf(c, n_out) * inner(y - c)
    return integrate.quad(outer, -12.0, 4.5, epsabs=1e-11, epsrel=1e-9, limit=200)[0]


def test_gaussian_law_is_the_chi_square_law_of_e_to_the_y():
    y = np.linspace(-5.0, 4.5, 400)
    law = gaussian_output_law(width=128, n_out=10)
    assert np.max(np.abs(law.cdf(y, depth=33) - stats.chi2.cdf(np.exp(y), 10))) < 1e-5


@pytest.mark.parametrize("y", [-1.0, 1.2, 2.6])
def test_log_gaussian_cdf_matches_nested_quadrature(y):
    kw = {"width": 32, "depth": 8, "mu": MU, "sigma2": S2, "n_out": 3}
    law = log_gaussian_output_law(width=32, n_out=3, mu=MU, sigma2=S2)
    assert abs(float(law.cdf(y, depth=8)) - _quadrature_cdf(y, **kw)) < 1e-5  # measured 0.8-1.6e-6 (h = 2e-3)


def test_mean_shifts_the_law_and_zero_variance_leaves_a_plus_c():
    y = np.linspace(-3.0, 5.0, 201)
    shifted = log_gaussian_output_law(width=64, n_out=5, mu=MU, sigma2=0.0)
    centred = log_gaussian_output_law(width=64, n_out=5, mu=0.0, sigma2=0.0)
    d = 16
    assert np.max(np.abs(shifted.cdf(y + MU * d / 64, depth=d) - centred.cdf(y, depth=d))) < 1e-12
    # A + C at sigma^2 = 0 is the depth-0 law at every depth
    assert np.max(np.abs(centred.cdf(y, depth=d) - centred.cdf(y, depth=0))) < 1e-12


def test_law_distance_is_the_sup_over_a_fine_grid_and_symmetric():
    g = gaussian_output_law(width=128, n_out=10)
    lg = log_gaussian_output_law(width=128, n_out=10, mu=MU, sigma2=S2)
    y = np.linspace(-15.0, 10.0, 250_001)
    brute = float(np.max(np.abs(lg.cdf(y, depth=16) - g.cdf(y, depth=16))))
    assert law_distance(lg, g, depth=16) == pytest.approx(brute, abs=1e-6)
    assert law_distance(g, lg, depth=16) == law_distance(lg, g, depth=16)
    assert law_distance(lg, lg, depth=16) == 0.0


def test_crossing_depth_is_the_first_grid_depth_beyond_the_bound():
    g = gaussian_output_law(width=128, n_out=10)
    lg = log_gaussian_output_law(width=128, n_out=10, mu=MU, sigma2=S2)
    grid = (1, 2, 4, 8, 16, 32, 64, 128)
    d = crossing_depth(g, lg, depths=grid, bound=0.2)
    before = grid[grid.index(d) - 1]
    assert law_distance(lg, g, depth=d) > 0.2 >= law_distance(lg, g, depth=before)
    assert crossing_depth(lg, lg, depths=grid, bound=0.01) is None


@pytest.mark.parametrize(("kwargs", "name"), [({"sigma2": -1.0}, "sigma2"), ({"width": 0}, "width"),
                                              ({"n_out": 0}, "n_out"), ({"mu": math.nan}, "mu")])
def test_bad_law_parameters_are_value_errors_naming_them(kwargs, name):
    args = {"width": 8, "n_out": 2, "mu": 0.0, "sigma2": 1.0, **kwargs}
    with pytest.raises(ValueError, match=name):
        OutputLaw(**args)


def test_bad_depth_and_bound_are_value_errors():
    g = gaussian_output_law(width=8, n_out=2)
    with pytest.raises(ValueError, match="depth"):
        g.cdf(0.0, depth=-1)
    with pytest.raises(ValueError, match="bound"):
        crossing_depth(g, g, depths=(1,), bound=1.5)


def test_scaled_law_is_the_law_of_the_scaled_variable():
    law = log_gaussian_output_law(width=64, n_out=5, mu=MU, sigma2=S2)
    y = np.linspace(-4.0, 6.0, 101)
    assert np.max(np.abs(law.scaled(1.05).cdf(1.05 * y, depth=16) - law.cdf(y, depth=16))) < 1e-12
    assert law.scaled(2.0).scaled(0.5) == law
    with pytest.raises(ValueError, match="factor"):
        law.scaled(0.0)
