"""The mpmath reference (numerics.dual.mp_reference) against closed forms, and the Mehler route against a
depth-10 recursion built on it (rho = +-1, near-singular and generic pairs)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from numerics.dual.activations import activation
from numerics.dual.mp_reference import mp_pair_expectation
from numerics.kernel.recursions import nngp_ntk

W_STD, B_STD, DEPTH = 1.5, 0.05, 10


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


MP = {  # phi, phi' as mpmath functions (independent of the generated NumPy code)
    "tanh": (mpmath.tanh, lambda x: mpmath.sech(x) ** 2),
    "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), _sigmoid),
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x)))),
    "erf": (mpmath.erf, lambda x: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x)),
    "sin": (mpmath.sin, mpmath.cos),
    "exp": (mpmath.exp, mpmath.exp),
    "relu": (lambda x: max(x, 0), lambda x: mpmath.mpf(x > 0)),
}


def _closed(name, q1, q2, rho, derivative=False):
    act = activation(name)
    c = rho * math.sqrt(q1 * q2)
    return float((act.dual_derivative if derivative else act.dual)(q1, q2, c))


@pytest.mark.parametrize("name", ["erf", "sin", "exp", "relu"])
@pytest.mark.parametrize("rho", [1.0, -1.0])
def test_one_dimensional_edges_against_closed_forms(name, rho):
    """rho = +-1: the exact one-dimensional integral, phi and phi' (relu' has its kink at the node-free cut)."""
    for derivative in (False, True):
        if name == "relu" and derivative:
            continue  # E[step(u) step(v)] at rho = -1 is 0 but the closed form's arccos branch is at its edge
        f = MP[name][derivative]
        got = mp_pair_expectation(f, f, 0.7, 1.9, rho, kinks=name == "relu")
        want = _closed(name, 0.7, 1.9, rho, derivative)
        assert abs(float(got.value) - want) <= 1e-14 * float(got.bound), (name, rho, derivative)


@pytest.mark.slow
@pytest.mark.parametrize("name, q1, q2, rho", [("erf", 0.8, 2.5, 0.55), ("relu", 1.3, 0.4, -0.7),
                                               ("sin", 1.2, 0.9, 0.3), ("exp", 0.5, 0.7, -0.6)])
def test_pairs_against_closed_forms(name, q1, q2, rho):
    f = MP[name][0]
    got = mp_pair_expectation(f, f, q1, q2, rho, kinks=name == "relu")
    want = _closed(name, q1, q2, rho)
    assert abs(float(got.value) - want) <= 1e-14 * abs(want), (float(got.value), want)


@pytest.mark.slow
def test_missing_kink_split_is_detected():
    """relu without ``kinks=True``: the two degrees disagree and the reference raises instead of answering."""
    f = MP["relu"][0]
    with pytest.raises(ValueError, match="disagree"):
        mp_pair_expectation(f, f, 1.0, 2.0, 0.3)


def _inputs():
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal(4)
    e = rng.standard_normal(4)
    e -= (e @ x0) / (x0 @ x0) * x0
    e *= np.linalg.norm(x0) / np.linalg.norm(e)
    near = math.cos(1e-6) * x0 + math.sin(1e-6) * e  # angle 1e-6 to x0
    return np.vstack([x0, x0, -x0, near])  # rho = 1 (repeat), rho near -1 (bias), near-singular


def _mp_recursion(name, x):
    """The same recursion entry by entry at 24 digits, every dual by mp_pair_expectation (cached per key)."""
    phi, dphi = MP[name]
    w2, b2 = mpmath.mpf(W_STD) ** 2, mpmath.mpf(B_STD) ** 2
    n, d = x.shape
    k = [[w2 * mpmath.fsum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(x[i], x[j])) / d + b2 for j in range(n)]
         for i in range(n)]
    ntk = [row[:] for row in k]
    for _ in range(DEPTH):
        cache = {}
        new_k, new_ntk = [[None] * n for _ in range(n)], [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                rho = k[i][j] / mpmath.sqrt(k[i][i] * k[j][j]) if i != j else mpmath.mpf(1)
                rho = min(max(rho, -1), 1)
                key = (k[i][i], k[j][j], rho)
                if key not in cache:
                    cache[key] = tuple(mp_pair_expectation(f, f, k[i][i], k[j][j], rho).value for f in (phi, dphi))
                v, vd = cache[key]
                new_k[i][j] = new_k[j][i] = w2 * v + b2
                new_ntk[i][j] = new_ntk[j][i] = new_k[i][j] + w2 * vd * ntk[i][j]
        k, ntk = new_k, new_ntk
    return np.array(k, dtype=float), np.array(ntk, dtype=float)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tanh", "softplus", "silu"])
def test_mehler_route_against_mp_recursion(name):
    act = activation(name)
    assert not act.closed_form  # the route under test
    x = _inputs()
    nngp, ntk = nngp_ntk(x, activation=act, depth=DEPTH, W_std=W_STD, b_std=B_STD)
    k_ref, ntk_ref = _mp_recursion(name, x)
    np.testing.assert_allclose(nngp, k_ref, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ntk, ntk_ref, rtol=1e-10, atol=0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tanh", "softplus", "silu"])
def test_mehler_route_at_scale_against_mp_recursion(name):
    """The same four inputs among 196 others: the route then sorts the inputs by variance, interpolates the
    coefficients in sqrt(q) (numerics.dual.interpolation) and sums the series per row block; the four inputs'
    kernels must not notice."""
    x = np.vstack([_inputs(), np.random.default_rng(8).standard_normal((196, 4)) * np.linspace(0.3, 2.5, 196)[:, None]])
    nngp, ntk = nngp_ntk(x, activation=name, depth=DEPTH, W_std=W_STD, b_std=B_STD)
    k_ref, ntk_ref = _mp_recursion(name, x[:4])
    np.testing.assert_allclose(nngp[:4, :4], k_ref, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ntk[:4, :4], ntk_ref, rtol=1e-10, atol=0)
