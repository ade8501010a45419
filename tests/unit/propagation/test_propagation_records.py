"""propagation records: ReLU closed forms against direct iteration of the maps; the critical line's equations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.generated import propagation_critical_line as line
from numerics.generated import propagation_maps as maps
from numerics.generated import propagation_relu as relu


def _critical_relu_step(eps):
    """1 - f(1 - eps) for the arc-cosine map at (2, 0), written without cancellation in 1 - c."""
    theta = 2.0 * np.arcsin(np.sqrt(eps / 2.0))
    return (np.pi * eps - np.sqrt(eps * (2.0 - eps)) + theta * (1.0 - eps)) / np.pi


def _iterate(eps0, depths):
    eps, out = eps0, {}
    for l in range(1, max(depths) + 1):
        eps = _critical_relu_step(eps)
        if l in depths:
            out[l] = eps
    return out


def test_relu_q_star_is_a_fixed_point_and_slopes_match_generic_maps():
    for sw, sb in [(1.0, 0.3), (1.5, 0.05), (1.9, 1.0)]:
        qs = relu.q_star(sw, sb)
        assert relu.length_map(qs, sw, sb) == pytest.approx(qs, rel=1e-14)
        # generic record with V = q/2, E phi'^2 = 1/2, E phi phi'' = 0 (Stein path)
        assert maps.chi_1(0.5, sw) == pytest.approx(relu.chi_1(sw), rel=1e-15)
        assert maps.chi_q(0.5, 0.0, sw) == pytest.approx(relu.chi_1(sw), rel=1e-15)
        # c = 1 is a fixed point of the correlation map at q*, with slope chi_1 there
        assert relu.correlation_map(qs, 1.0, sw, sb) == pytest.approx(1.0, rel=1e-14)
        assert relu.chi_c(1.0, sw) == pytest.approx(relu.chi_1(sw), rel=1e-15)
        assert maps.depth_scale(relu.chi_1(sw)) == pytest.approx(relu.xi_q(sw), rel=1e-15)


def test_relu_chi_c_is_the_slope_of_the_correlation_map():
    sw, sb, c, h = 1.7, 0.2, 0.3, 1e-6
    qs = relu.q_star(sw, sb)
    slope = (relu.correlation_map(qs, c + h, sw, sb) - relu.correlation_map(qs, c - h, sw, sb)) / (2 * h)
    assert slope == pytest.approx(relu.chi_c(c, sw), rel=1e-8)


def test_relu_critical_point_has_chi_1_one_and_every_q_fixed():
    assert relu.chi_1(2.0) == 1.0
    for q in (0.3, 1.0, 7.0):
        assert relu.length_map(q, 2.0, 0.0) == q


def test_critical_approach_two_terms_leave_an_l_cubed_remainder():
    """l^3 (eps_l - formula) tends to a constant; with the leading term only it drifts like (27 pi^2/2) ln l."""
    depths = (1000, 10000)
    eps = _iterate(0.5, depths)
    two_term = [l**3 * (eps[l] - relu.critical_one_minus_c(l)) for l in depths]
    one_term = [l**3 * (eps[l] - relu.critical_leading(l)) for l in depths]
    drift_per_decade = 27 * math.pi**2 / 2 * math.log(10)
    assert abs(two_term[1] - two_term[0]) < 0.2 * drift_per_decade
    assert abs(one_term[1] - one_term[0]) > 0.8 * drift_per_decade  # the planted omission is caught
    flipped = [l**3 * (eps[l] - (2 * relu.critical_leading(l) - relu.critical_one_minus_c(l))) for l in depths]
    assert abs(flipped[1] - flipped[0]) > 0.8 * drift_per_decade  # sign flip of the ln term is caught
    assert eps[10000] == pytest.approx(relu.critical_leading(10000), rel=5e-3)


def test_critical_line_parametrisation_zeroes_both_residuals():
    q, v, v1 = 0.7, 0.31, 0.62
    sw, sb = line.sigma_w2_on_line(v1), line.sigma_b2_on_line(q, v, v1)
    assert line.length_residual(q, v, sw, sb) == pytest.approx(0.0, abs=1e-15)
    assert line.chi_1_residual(v1, sw) == pytest.approx(0.0, abs=1e-15)
