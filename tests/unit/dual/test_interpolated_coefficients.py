"""Hermite coefficients interpolated in sqrt(q) (numerics.dual.interpolation) against the direct quadrature.

Contract (module docstring): every variance's coefficient vector within about 1e-14 of sqrt(S) of the
direct route, S within about 1e-14 relative; a piece whose Chebyshev tail is too large is halved,
and computed directly when halving does not help.
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.dual import interpolation
from numerics.dual.activations import activation
from numerics.dual.hermite import hermite_coefficients
from numerics.dual.interpolation import MIN_VARIANCES, interpolated_coefficients

LIMIT = 2e-14  # TARGET (1e-14) with the factor the tail estimate may miss by (measured <= 4e-15 here)


def _variances(lo, hi, n=300, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([[lo, hi], np.exp(rng.uniform(np.log(max(lo, 1e-8)), np.log(hi), n))])


def _errors(f, q, order):
    b, s = interpolated_coefficients(f, q, order=order)
    d, t = hermite_coefficients(f, q, order=order)
    zero = t == 0  # q = 0 for an odd activation: S = 0 and every b_k = 0, compared absolutely
    assert np.all(np.abs(b[zero]) <= 1e-300) and np.all(s[zero] == 0)
    t, b, d, s = t[~zero], b[~zero], d[~zero], s[~zero]
    return np.max(np.linalg.norm(b - d, axis=1) / np.sqrt(t)), np.max(np.abs(s - t) / t)


@pytest.mark.parametrize("name", ["tanh", "softplus", "silu", "relu"])
@pytest.mark.parametrize("which", ["phi_block", "phi_prime_block"])
def test_interpolation_matches_direct_over_the_range(name, which):
    """q over [1e-4, 1e2] (17 pieces) and a narrow layer-like range, order 128."""
    f = getattr(activation(name), which)
    for lo, hi in ((1e-4, 1e2), (0.6, 5.9)):
        coef, second = _errors(f, _variances(lo, hi), 128)
        assert coef <= LIMIT and second <= LIMIT, (lo, hi, coef, second)


def test_zero_variance_and_equal_variances():
    f = activation("tanh").phi_block
    q = np.concatenate([[0.0], _variances(1e-3, 4.0)])
    coef, second = _errors(f, q, 64)
    assert coef <= LIMIT and second <= LIMIT
    same = np.full(MIN_VARIANCES + 5, 1.7)
    b, s = interpolated_coefficients(f, same, order=20)
    d, t = hermite_coefficients(f, same[:1], order=20)
    np.testing.assert_array_equal(b, np.repeat(d, same.size, axis=0))
    np.testing.assert_array_equal(s, np.repeat(t, same.size))


def test_few_variances_take_the_direct_route():
    f = activation("silu").phi_block
    q = _variances(0.1, 3.0, n=MIN_VARIANCES - 3)
    b, s = interpolated_coefficients(f, q, order=32)
    d, t = hermite_coefficients(f, q, order=32)
    np.testing.assert_array_equal(b, d)
    np.testing.assert_array_equal(s, t)


def _spy(f):
    """A direct routine recording the number of variances of each call."""
    sizes = []

    def direct(q, order):
        sizes.append(q.size)
        return hermite_coefficients(f, q, order=order)

    return direct, sizes


def test_failed_check_falls_back_to_direct(monkeypatch):
    """TARGET = 0 cannot be met: every piece is halved MAX_HALVINGS times, then computed directly."""
    monkeypatch.setattr(interpolation, "TARGET", 0.0)
    monkeypatch.setattr(interpolation, "MAX_HALVINGS", 1)
    f = activation("tanh").phi_prime_block
    q = _variances(0.5, 3.0)
    direct, sizes = _spy(f)
    b, s = interpolated_coefficients(f, q, order=48, direct=direct)
    d, t = hermite_coefficients(f, q, order=48)
    assert sum(sizes[2:]) == q.size + len(sizes[2:])  # after two rounds of points, every variance directly
    np.testing.assert_allclose(b, d, rtol=0, atol=4e-16)  # the same rule (up to the GEMM pieces' grouping)
    np.testing.assert_allclose(s, t, rtol=4e-16)


def test_the_check_catches_too_few_points(monkeypatch):
    """With 7 points per piece and no halving the tail check rejects the pieces (all variances direct);
    with halving allowed the pieces shrink until they pass and the contract holds."""
    monkeypatch.setattr(interpolation, "POINTS", 7)
    monkeypatch.setattr(interpolation, "MAX_HALVINGS", 0)
    f = activation("silu").phi_prime_block
    q = _variances(0.05, 8.0)
    d, t = hermite_coefficients(f, q, order=64)
    direct, sizes = _spy(f)
    interpolated_coefficients(f, q, order=64, direct=direct)
    assert sum(sizes[1:]) == q.size + len(sizes[1:])
    monkeypatch.setattr(interpolation, "POINTS", 13)
    monkeypatch.setattr(interpolation, "MAX_HALVINGS", 12)
    direct, sizes = _spy(f)
    b, s = interpolated_coefficients(f, q, order=64, direct=direct)
    assert np.max(np.linalg.norm(b - d, axis=1) / np.sqrt(t)) <= LIMIT
    assert np.max(np.abs(s - t) / t) <= LIMIT
    assert len(sizes) > 1 and all(n % 13 == 1 for n in sizes)  # rounds of points (+ q_max) only, no fallback


def test_planted_error_in_interpolation_is_visible(monkeypatch):
    """The comparison above can fail: a barycentric matrix off by 1e-12 moves the coefficients past LIMIT."""
    real = interpolation._barycentric
    monkeypatch.setattr(interpolation, "_barycentric", lambda xn, x: real(xn, x) * (1 + 1e-12))
    coef, _ = _errors(activation("tanh").phi_block, _variances(0.6, 5.9), 64)
    assert coef > LIMIT

