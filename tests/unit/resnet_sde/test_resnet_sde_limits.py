"""numerics.resnet_sde: the limit SDE pair and Richardson mean, the claim statistics, and their validation.

Deterministic or cross-checked against independent routes (the exact linear-Jacobian law is tested in
``tests/claims/test_resnet_sde_claims.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.core.sde import DiagonalNoise, solve
from numerics.resnet_sde import (doubly_infinite_nngp, doubly_infinite_ntk, euler_maruyama_pair,
                                 jacobian_gram_diagonal, jacobian_gram_off_diagonal, jacobian_log_norms,
                                 linear_resnet_sq_norm, resnet_sde_terminal, resnet_terminal, richardson_mean,
                                 variance_summands, weak_moments)


def _ou_drift(t, y, args):
    return -y


def _unit_noise(t, y, args):
    return np.ones_like(y)


def test_euler_maruyama_pair_fine_solution_is_that_of_solve_and_chunks_use_child_seeds():
    y0 = np.zeros((1, 1))
    fine, coarse = euler_maruyama_pair(_ou_drift, DiagonalNoise(_unit_noise), y0, n_paths=300, n_steps=8, seed=5)
    ref = solve(_ou_drift, DiagonalNoise(_unit_noise), y0, n_steps=8, n_paths=300, seed=5).y
    np.testing.assert_array_equal(fine, ref)
    assert fine.shape == coarse.shape == (300, 1) and not np.array_equal(fine, coarse)
    a = euler_maruyama_pair(_ou_drift, DiagonalNoise(_unit_noise), y0, n_paths=300, n_steps=8, seed=5, chunk_size=100)
    b = euler_maruyama_pair(_ou_drift, DiagonalNoise(_unit_noise), y0, n_paths=300, n_steps=8,
                            seed=np.random.SeedSequence(5), chunk_size=100)
    np.testing.assert_array_equal(a[0], b[0])  # an integer seed and its SeedSequence: the same children


def test_richardson_removes_the_first_order_weak_bias_of_euler_maruyama():
    r"""Ornstein-Uhlenbeck $dy = -y\,dt + dW$, $y_0 = 1$: $E y_1 = e^{-1}$; Euler at $h$ gives $(1 - h)^n$ exactly in
    mean, so the Richardson mean of $y$ is $2(1 - h)^n - (1 - 2h)^{n/2}$ up to Monte Carlo error (the noise is
    the same in both, so their difference has small variance)."""
    n = 8
    fine, coarse = euler_maruyama_pair(_ou_drift, DiagonalNoise(_unit_noise), np.ones((1, 1)), n_paths=200_000,
                                       n_steps=n, seed=1)
    mean, se = richardson_mean(fine[:, 0], coarse[:, 0])
    expected = 2 * (1 - 1 / n) ** n - (1 - 2 / n) ** (n // 2)
    assert abs(mean - expected) < 5.5 * se
    assert abs(expected - math.exp(-1)) < 0.25 * abs((1 - 1 / n) ** n - math.exp(-1))  # the bias is cut


def test_limit_sde_inputs_are_validated():
    noise = DiagonalNoise(_unit_noise)
    with pytest.raises(ValueError, match="n_steps=7"):
        euler_maruyama_pair(None, noise, np.zeros((1, 1)), n_paths=10, n_steps=7, seed=0)
    with pytest.raises(ValueError, match="y0 has shape"):
        euler_maruyama_pair(None, noise, np.zeros((2, 1)), n_paths=10, n_steps=8, seed=0)
    with pytest.raises(ValueError, match="chunk_size=0"):
        euler_maruyama_pair(None, noise, np.zeros((1, 1)), n_paths=10, n_steps=8, seed=0, chunk_size=0)
    with pytest.raises(ValueError, match="f_fine and f_coarse"):
        richardson_mean(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="phi='relu'"):
        resnet_sde_terminal("relu", 2, 1.0, 0.0, (1.0,), n_paths=10, n_steps=4, seed=0)
    with pytest.raises(ValueError, match="3 inputs"):
        resnet_sde_terminal("tanh", 2, 1.0, 0.0, (1.0, 0.0, 2.0), n_paths=10, n_steps=4, seed=0)
    with pytest.raises(ValueError, match="sigma_w=0.0"):
        resnet_sde_terminal("tanh", 2, 0.0, 0.0, (1.0,), n_paths=10, n_steps=4, seed=0)


def test_sde_with_zero_scales_stays_at_its_input_and_the_network_too():
    """sigma_b = 0 and the input z = 0: tanh(0) = 0 makes both the SDE and the network stay at 0 exactly."""
    fine, coarse = resnet_sde_terminal("swish", 3, 1.0, 0.0, (0.0, 1.0), n_paths=50, n_steps=4, seed=2)
    assert fine.shape == (50, 2, 3) and np.all(fine[:, 0] == 0) and np.all(coarse[:, 0] == 0)
    x = resnet_terminal("tanh", 3, 1.0, 0.0, (0.0, 1.0), depth=4, n_samples=20, seed=2)
    assert x.shape == (20, 2, 3) and np.all(x[:, 0] == 0)


def test_weak_moments_and_variance_summands():
    x = np.array([[[1.0, 3.0], [2.0, 0.0]], [[0.0, 2.0], [1.0, 1.0]]])
    np.testing.assert_allclose(weak_moments(x), [[2.0, 5.0, 1.0], [1.0, 2.0, 1.0]])
    y = np.random.default_rng(0).normal(size=(50, 2))
    np.testing.assert_allclose(variance_summands(y).mean(0), y.var(0, ddof=1), rtol=1e-12)
    with pytest.raises(ValueError, match="expected"):
        weak_moments(np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match="at least 2 draws"):
        variance_summands(np.zeros(1))


def test_linear_norm_at_depth_one_has_the_exact_mean():
    r"""$L = 1$, $\sigma_b = 0$: $x_1 = (I + A)\mathbf 1$, $E q_1 = 1 + \sigma_w^2$ (exact)."""
    q = linear_resnet_sq_norm(4, 0.7, 0.0, 1, n_samples=40_000, seed=3)
    assert abs(q.mean() - (1 + 0.49)) < 5.5 * q.std(ddof=1) / math.sqrt(q.size)


def test_doubly_infinite_draws_have_their_shapes_and_identity_nngp_is_exact():
    r"""$\phi = \mathrm{id}$: $E\lambda_L = (\lambda_0 + \beta)(1 + \sigma_w^2/L)^L - \beta$ at every $L = D$."""
    sw, sb, z2, L = 0.6, 0.5, -0.4, 4
    lam = doubly_infinite_nngp("identity", L, sw, sb, z2, n_samples=40_000, seed=4)
    beta = sb**2 / sw**2
    exact = (z2 + beta) * (1 + sw**2 / L) ** L - beta
    assert abs(lam.mean() - exact) < 5.5 * lam.std(ddof=1) / math.sqrt(lam.size)
    assert doubly_infinite_ntk("tanh", 3, sw, sb, z2, n_samples=5, seed=4).shape == (5, 2)


def test_jacobian_statistics():
    g = np.array([[[1.0, 1.0], [0.0, 1.0]]])
    assert jacobian_gram_diagonal(g).tolist() == [1.5] and jacobian_gram_off_diagonal(g).tolist() == [1.0]
    with pytest.raises(ValueError, match="D >= 2"):
        jacobian_gram_off_diagonal(np.ones((1, 1, 1)))
    gs, yv, yu = jacobian_log_norms("identity", 3, 0.8, 0.0, 4, n_samples=7, seed=1)
    np.testing.assert_allclose(yv, np.log(np.linalg.norm(gs[:, :, 0], axis=1)))
    np.testing.assert_allclose(yu, np.log(np.linalg.norm(gs[:, 0, :], axis=1)))
