"""Numerics behind the kernel and dual claims: two inputs, output second moments, the empirical NTK entry,
Price's slope by central differences and the Cauchy-Schwarz bound, against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.dual import cauchy_schwarz_bound, dual_slope
from numerics.kernel import (
    empirical_ntk_cross,
    fc_empirical_ntk,
    fc_outputs,
    nngp_second_moments,
    output_second_moments,
    two_inputs,
)

NET = {"activation": "erf", "depth": 2, "W_std": 1.3, "b_std": 0.1}


def test_two_inputs_have_the_stated_norms_and_angle():
    x = two_inputs(r1=0.7, r2=1.9, angle=2.0)
    assert np.linalg.norm(x, axis=1) == pytest.approx([0.7, 1.9], rel=1e-15)
    assert x[0] @ x[1] / (0.7 * 1.9) == pytest.approx(math.cos(2.0), rel=1e-15)


@pytest.mark.parametrize("kw, name", [({"r1": -1.0, "r2": 1.0, "angle": 1.0}, "r1"),
                                      ({"r1": 1.0, "r2": 1.0, "angle": 4.0}, "angle")])
def test_two_inputs_reject_bad_input_by_name(kw, name):
    with pytest.raises(ValueError, match=name):
        two_inputs(**kw)


def test_output_second_moments_are_the_products_of_the_network_outputs():
    x = two_inputs(r1=1.0, r2=1.5, angle=1.0)
    m = output_second_moments(x, width=8, n_samples=64, seed=3, **NET)
    f = fc_outputs(x, width=8, n_samples=64, seed=3, **NET)
    assert m.shape == (64, 3)
    np.testing.assert_array_equal(m, np.stack([f[:, 0] ** 2, f[:, 1] ** 2, f[:, 0] * f[:, 1]], axis=1))
    with pytest.raises(ValueError, match="two inputs"):
        output_second_moments(np.ones((3, 2)), width=8, n_samples=4, seed=0, **NET)


def test_nngp_second_moments_of_relu_at_depth_one_are_the_arc_cosine_kernel():
    # K = sigma_w^2 (q1 q2)^{1/2} (sin t + (pi - t) cos t) / (2 pi) + sigma_b^2, q = sigma_w^2 r^2 / 3 (d = 3)
    r1, r2, g, w, b = 1.2, 0.8, 1.1, 1.4, 0.2
    q1, q2 = (w**2 * r**2 / 3 + b**2 for r in (r1, r2))
    c = w**2 * r1 * r2 * math.cos(g) / 3 + b**2
    t = math.acos(c / math.sqrt(q1 * q2))
    k12 = w**2 * math.sqrt(q1 * q2) * (math.sin(t) + (math.pi - t) * math.cos(t)) / (2 * math.pi) + b**2
    got = nngp_second_moments(two_inputs(r1=r1, r2=r2, angle=g), activation="relu", depth=1, W_std=w, b_std=b)
    assert got == pytest.approx([w**2 * q1 / 2 + b**2, w**2 * q2 / 2 + b**2, k12], rel=1e-13)


def test_empirical_ntk_cross_is_the_off_diagonal_entry():
    x = two_inputs(r1=1.0, r2=1.0, angle=0.5)
    v = empirical_ntk_cross(x, width=8, n_samples=16, seed=5, **NET)
    _, ntk = fc_empirical_ntk(x, width=8, n_samples=16, seed=5, **NET)
    np.testing.assert_array_equal(v, ntk[:, 0, 1])


@pytest.mark.parametrize("q1, q2, rho", [(1.0, 1.0, 0.0), (0.3, 2.0, 0.7), (4.0, 0.5, -0.9)])
def test_dual_slope_of_sin_is_the_closed_form_expectation_of_cos_cos(q1, q2, rho):
    # d/dc E[sin u sin v] = E[cos u cos v] = exp(-(q1 + q2)/2) cosh(c); error h^4 V^(5)/30 ~ 1e-13 plus
    # 3/(2h) = 1.5e3 times the quadrature's ~1e-12 relative error: 1e-8 bounds both
    c = rho * math.sqrt(q1 * q2)
    exact = math.exp(-(q1 + q2) / 2) * math.cosh(c)
    assert dual_slope(np.sin, q1, q2, c) == pytest.approx(exact, rel=1e-8)


def test_dual_slope_of_relu_is_the_orthant_probability():
    # d/dc E[relu u relu v] = P(u > 0, v > 0) = 1/4 + asin(rho) / (2 pi)
    assert dual_slope(lambda z: np.maximum(z, 0.0), 2.0, 0.5, 0.4) == pytest.approx(
        0.25 + math.asin(0.4) / (2 * math.pi), rel=1e-8)


@pytest.mark.parametrize("kw, name", [({"q1": 0.0, "q2": 1.0, "c": 0.0}, "q1"),
                                      ({"q1": 1.0, "q2": 1.0, "c": 1.0}, "c"),
                                      ({"q1": 1.0, "q2": 1.0, "c": 0.0, "relative_step": 0.0}, "relative_step")])
def test_dual_slope_rejects_bad_input_by_name(kw, name):
    with pytest.raises(ValueError, match=name):
        dual_slope(np.sin, **kw)


def test_cauchy_schwarz_bound_is_the_closed_form_and_bounds_the_pair_expectation():
    # E[cos^2 u] = (1 + exp(-2 q)) / 2
    q1, q2 = 0.4, 3.0
    exact = math.sqrt((1 + math.exp(-2 * q1)) / 2 * (1 + math.exp(-2 * q2)) / 2)
    assert cauchy_schwarz_bound(np.cos, q1, q2) == pytest.approx(exact, rel=1e-12)
    for rho in (-1.0, -0.5, 0.0, 0.5, 1.0):
        pair = math.exp(-(q1 + q2) / 2) * math.cosh(rho * math.sqrt(q1 * q2))
        assert pair <= exact * (1 + 1e-12)
    with pytest.raises(ValueError, match="q2"):
        cauchy_schwarz_bound(np.cos, 1.0, -1.0)
