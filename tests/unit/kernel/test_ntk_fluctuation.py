"""The derived variance of the empirical NTK (record kernel.ntk_fluctuation) and its O(n) in-law simulator.

Independent paths: a tensor Gauss-Hermite rule for the exact one-hidden-layer variance; the explicit network
(``fc_empirical_ntk``, every weight drawn) against the in-law simulator; the control of ``fluctuation_draws``
against its stated zero mean.  z-tests at |z| <= 5 (false-failure rate 6e-7 each).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from numerics.dual.activations import activation
from numerics.kernel import two_inputs
from numerics.kernel.networks import fc_empirical_ntk
from numerics.kernel.ntk_fluctuation import (
    expansion,
    fluctuation_draws,
    ntk_fluctuation_coefficient,
)
from numerics.kernel.ntk_in_law import ntk_draws_in_law

Z = 5.0


def _hermite_pair(f, k, nodes=80):
    """E f(u_a, u_b) for (u_a, u_b) ~ N(0, k) by a tensor Gauss-Hermite_e rule (smooth f only)."""
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    l11 = math.sqrt(k[0, 0]); l21 = k[0, 1] / l11; l22 = math.sqrt(k[1, 1] - l21 * l21)
    z1, z2 = np.meshgrid(t, t, indexing="ij")
    return float(np.sum(np.outer(w, w) * f(l11 * z1, l21 * z1 + l22 * z2)))


@pytest.mark.parametrize("name", ["erf", "gelu"])
def test_one_hidden_layer_variance_is_the_exact_variance_of_a_unit(name):
    """L = 1: Theta_hat = b^2 + (1/n) sum_k Y_k with i.i.d. Y = s_w^2 (phi_a phi_b + K_ab w^2 phi'_a phi'_b), so
    n Var = Var Y exactly; Var Y by a tensor Hermite rule (independent of the pair quadrature and of the record)."""
    act, sw, sb = activation(name), 1.3, 0.2
    x = two_inputs(r1=0.8, r2=1.4, angle=1.1)
    k = sw**2 * (x @ x.T) / x.shape[1] + sb**2
    phi, dphi = act.phi, act.phi_prime

    def y_moment(power):  # E[(phi_a phi_b + K w^2 phi'_a phi'_b)^power] with E w^2 = 1, E w^4 = 3
        a = lambda u, v: phi(u) * phi(v)
        b = lambda u, v: k[0, 1] * dphi(u) * dphi(v)
        if power == 1:
            return _hermite_pair(lambda u, v: a(u, v) + b(u, v), k)
        return _hermite_pair(lambda u, v: a(u, v) ** 2 + 2 * a(u, v) * b(u, v) + 3 * b(u, v) ** 2, k)

    var_y = sw**4 * (y_moment(2) - y_moment(1) ** 2)
    theta, a_coef = ntk_fluctuation_coefficient(x, activation=name, depth=1, W_std=sw, b_std=sb)
    assert a_coef == pytest.approx(var_y, rel=1e-9)
    assert theta == pytest.approx(sb**2 + sw**2 * y_moment(1), rel=1e-10)


def _layer_one(name, depth, x, sw, sb):
    """K^1 (input kernel, computed here) and expansion's layer-1 mean, covariance and gradient."""
    e = expansion(x, activation=name, depth=depth, W_std=sw, b_std=sb)
    return sw**2 * (x @ x.T) / x.shape[1] + sb**2, e


@pytest.mark.parametrize("name", ["erf", "gelu"])
def test_layer_one_covariance_matches_the_tensor_hermite_rule(name):
    """C^1 and the mean of s/s_w^2 = (phi_a^2, phi_b^2, phi_a phi_b, phi_a phi_b + Theta^1 phi'_a phi'_b) at K^1:
    pair quadrature (expansion) vs a tensor Hermite rule on the 4x4 outer products (tolerance 1e-9 of the largest
    entry, the accuracy the one-hidden-layer test above demands of the same quadrature)."""
    act, sw, sb = activation(name), 1.3, 0.2
    x = two_inputs(r1=0.8, r2=1.4, angle=1.1)
    k, e = _layer_one(name, 2, x, sw, sb)
    phi, dphi = act.phi, act.phi_prime
    stats = [lambda u, v: phi(u) ** 2, lambda u, v: phi(v) ** 2, lambda u, v: phi(u) * phi(v),
             lambda u, v: phi(u) * phi(v) + k[0, 1] * dphi(u) * dphi(v)]
    mean = np.array([_hermite_pair(f, k) for f in stats])
    cov = np.array([[_hermite_pair(lambda u, v, f=f, g=g: f(u, v) * g(u, v), k) for g in stats] for f in stats])
    cov -= np.outer(mean, mean)
    assert e["theta_layers"][0] == pytest.approx(k[0, 1], rel=1e-12)
    np.testing.assert_allclose(e["mean_1"], mean, rtol=0, atol=1e-9 * np.abs(mean).max())
    np.testing.assert_allclose(e["cov_1"], cov, rtol=0, atol=1e-9 * np.abs(cov).max())


def _polar_expectation(terms, k, nodes=40):
    """E sum_i r^{2 m_i} a_i(t) for u = L r (cos t, sin t) ~ N(0, k): r^2 ~ Exp(mean 2) (E r^{2m} = 2^m m!) is
    independent of the uniform angle t; Gauss-Legendre on the arcs between the zeros of u_a and u_b, where
    the ReLU statistics are smooth (``terms``: pairs (m, a(u_a, u_b)) with a homogeneous of degree 2m)."""
    l11 = math.sqrt(k[0, 0]); l21 = k[0, 1] / l11; l22 = math.sqrt(k[1, 1] - l21 * l21)
    zb = math.atan2(-l21, l22) % math.pi
    cuts = np.array(sorted({0.0, math.pi / 2, 3 * math.pi / 2, zb, zb + math.pi, 2 * math.pi}))
    t, w = np.polynomial.legendre.leggauss(nodes)
    total = 0.0
    for lo, hi in itertools.pairwise(cuts):
        ang = (lo + hi) / 2 + (hi - lo) / 2 * t
        ua, ub = l11 * np.cos(ang), l21 * np.cos(ang) + l22 * np.sin(ang)
        total += sum(2**m * math.factorial(m) * np.sum(w * a(ua, ub)) * (hi - lo) / 2 for m, a in terms)
    return total / (2 * math.pi)


def test_layer_one_covariance_matches_a_polar_rule_for_relu():
    """ReLU (the pinned example; phi' is a step, so no Hermite rule): C^1 and the mean by an exact polar rule
    (tolerance 1e-9 of the largest entry); then H^1 = hidden_increment = s_w^4 grad^T C^1 grad, the number the
    claim's layer-1 control now computes without the record."""
    sw, sb = 1.5, 0.05
    x = two_inputs(r1=1.0, r2=1.3, angle=1.0)
    k, e = _layer_one("relu", 2, x, sw, sb)
    pa, pb = (lambda a, b: np.maximum(a, 0)), (lambda a, b: np.maximum(b, 0))
    step = lambda a, b: k[0, 1] * (a > 0) * (b > 0)
    stats = [[(1, lambda a, b: pa(a, b) ** 2)], [(1, lambda a, b: pb(a, b) ** 2)],
             [(1, lambda a, b: pa(a, b) * pb(a, b))], [(1, lambda a, b: pa(a, b) * pb(a, b)), (0, step)]]
    mean = np.array([_polar_expectation(f, k) for f in stats])
    cov = np.array([[_polar_expectation([(mi + mj, lambda a, b, p=ai, q=aj: p(a, b) * q(a, b))
                                         for mi, ai in f for mj, aj in g], k) for g in stats] for f in stats])
    cov -= np.outer(mean, mean)
    np.testing.assert_allclose(e["mean_1"], mean, rtol=0, atol=1e-9 * np.abs(mean).max())
    np.testing.assert_allclose(e["cov_1"], cov, rtol=0, atol=1e-9 * np.abs(cov).max())
    assert e["hidden"][0] == pytest.approx(sw**4 * e["grad"][0] @ cov @ e["grad"][0], rel=1e-9)


@pytest.mark.parametrize("name, depth", [("relu", 2), ("tanh", 3)])
def test_in_law_ntk_has_the_law_of_the_explicit_network(name, depth):
    """Mean and variance of the three NTK entries at width 3: in-law draws vs explicit weights (two-sample z)."""
    x, n, opts = two_inputs(r1=1.0, r2=1.3, angle=1.0), 20_000, dict(activation=name, depth=depth, width=3,
                                                                       W_std=1.4, b_std=0.1)
    a = ntk_draws_in_law(x, n_samples=n, seed=1, **opts)
    _, full = fc_empirical_ntk(x, n_samples=n, seed=2, **opts)
    b = np.stack([full[:, 0, 0], full[:, 1, 1], full[:, 0, 1]], axis=1)
    for stat in (lambda v: v, lambda v: (v - v.mean(axis=0)) ** 2):
        sa, sb = stat(a), stat(b)
        z = (sa.mean(axis=0) - sb.mean(axis=0)) / np.sqrt(sa.var(axis=0) / n + sb.var(axis=0) / n)
        assert np.all(np.abs(z) < Z), z


@pytest.mark.parametrize("name, depth", [("gelu", 2), ("relu", 3), ("tanh", 2)])
def test_the_control_has_mean_zero_at_small_width(name, depth):
    """Y = n (Theta_hat - Theta)^2 - column 2 has mean 0 exactly at every width (here 4, where the linearisation
    is poor: only its mean is claimed), and it reduces the variance."""
    x, n = two_inputs(r1=1.0, r2=1.3, angle=0.7), 20_000
    opts = dict(activation=name, depth=depth, W_std=1.5, b_std=0.05)
    terms = expansion(x, **opts)
    d = fluctuation_draws(x, width=4, n_samples=n, seed=3, terms=terms, **opts)
    y = 4 * (d[:, 0] - terms["theta"]) ** 2 - d[:, 1]
    assert abs(y.mean()) < Z * y.std() / math.sqrt(n)
    wide = fluctuation_draws(x, width=64, n_samples=3_000, seed=4, terms=terms, **opts)
    assert wide[:, 1].var() < (64 * (wide[:, 0] - terms["theta"]) ** 2).var()


def test_identical_inputs_give_a_finite_coefficient_on_the_boundary():
    """x_a = x_b (rho = 1 at every layer for ReLU without bias): the differences stay on the PSD boundary."""
    x = two_inputs(r1=1.0, r2=1.0, angle=0.0)
    theta, a = ntk_fluctuation_coefficient(x, activation="relu", depth=3, W_std=1.5, b_std=0.0)
    assert math.isfinite(a) and a > 0 and theta > 0


@pytest.mark.parametrize("kwargs, name", [({"depth": 0}, "depth"), ({"W_std": -1.0}, "W_std"),
                                          ({"x": np.ones((3, 2))}, "x")])
def test_bad_options_name_the_parameter(kwargs, name):
    opts = {"x": two_inputs(r1=1.0, r2=1.0, angle=1.0), "activation": "relu", "depth": 2, "W_std": 1.0, "b_std": 0.0}
    opts.update(kwargs)
    x = opts.pop("x")
    with pytest.raises(ValueError, match=name):
        ntk_fluctuation_coefficient(x, **opts)
    with pytest.raises(ValueError, match=name):
        ntk_draws_in_law(x, width=4, n_samples=2, seed=0, **opts)
