"""Stein's identity for the derivative's Hermite coefficients against the direct quadrature."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.dual.activations import activation
from numerics.dual.hermite import (
    hermite_coefficients,
    quadrature_rule,
    second_moments,
    stein_derivative_coefficients,
)

EPS = np.finfo(float).eps


@pytest.mark.parametrize("name", ["tanh", "softplus", "silu"])
@pytest.mark.parametrize("order", [64, 256])
def test_stein_equals_direct_within_rounding(name, order):
    r"""$|b^{\rm Stein}_k - b^{\rm direct}_k| \le \sqrt{(k+1)/q}\,\gamma\sqrt{S} + \gamma\sqrt{S'}$ with
    $\gamma = (N + K)\,\epsilon$: each coefficient is an $N$-term sum bounded by Cauchy--Schwarz by
    $\sqrt{S}$ ($\sum_a w_a\phi_a h_k^2 = 1$) after $K$ recurrence steps of the Hermite table."""
    act = activation(name)
    q = np.array([0.3, 1.0, 3.0, 20.0])
    b, s = hermite_coefficients(act.phi, q, order=order + 1)
    direct, s_prime = hermite_coefficients(act.phi_prime, q, order=order)
    stein = stein_derivative_coefficients(b, q)
    n_nodes = quadrature_rule(float(q.max()), order + 1)[0].size
    gamma = (n_nodes + order + 1) * EPS
    k = np.arange(order + 1)
    bound = np.sqrt((k[None, :] + 1) / q[:, None]) * gamma * np.sqrt(s)[:, None] + gamma * np.sqrt(s_prime)[:, None]
    assert np.all(np.abs(stein - direct) <= bound)
    # the identity is not vacuous here: the largest coefficient is far above the bound
    assert np.max(np.abs(direct)) > 1e6 * np.max(bound)


def test_stein_catches_a_planted_error():
    """A 1.05 factor on one coefficient of phi (or a shift of one order) is seen far outside the bound."""
    act = activation("tanh")
    q = np.array([1.0])
    b, _ = hermite_coefficients(act.phi, q, order=65)
    direct, _ = hermite_coefficients(act.phi_prime, q, order=64)
    planted = b.copy()
    planted[0, 2] *= 1.05  # b_2 of tanh is 0 (odd): plant on b_1 instead
    planted[0, 1] *= 1.05
    assert np.max(np.abs(stein_derivative_coefficients(planted, q) - direct)) > 1e-3
    shifted = np.concatenate([b[:, 1:], b[:, :1]], axis=1)  # b_{k+2} instead of b_{k+1}
    assert np.max(np.abs(stein_derivative_coefficients(shifted, q) - direct)) > 1e-3


def test_second_moments_are_those_of_the_coefficient_rule():
    act = activation("silu")
    q = np.array([0.5, 2.0, 7.0])
    _, s = hermite_coefficients(act.phi_prime, q, order=64)
    np.testing.assert_array_equal(second_moments(act.phi_prime, q, order=64), s)


@pytest.mark.parametrize("name", ["tanh", "softplus", "silu"])
@pytest.mark.parametrize("order", [64, 256])
def test_stein_backwards_equals_direct_within_rounding(name, order):
    r"""$b^f_{k+1} = \sqrt{q/(k+1)}\,b^{f'}_k$: $|{\rm Stein} - {\rm direct}| \le \sqrt{q/(k+1)}\,\gamma\sqrt{S'} + \gamma\sqrt{S}$."""
    from numerics.dual.hermite import stein_antiderivative_coefficients

    act = activation(name)
    q = np.array([0.3, 1.0, 3.0, 20.0])
    b_prime, s_prime = hermite_coefficients(act.phi_prime, q, order=order)
    direct, s = hermite_coefficients(act.phi, q, order=order + 1)
    stein = stein_antiderivative_coefficients(b_prime, q, direct[:, 0])
    n_nodes = quadrature_rule(float(q.max()), order + 1)[0].size
    gamma = (n_nodes + order + 1) * EPS
    k = np.arange(order + 2)
    bound = np.sqrt(q[:, None] / np.maximum(k[None, :], 1)) * gamma * np.sqrt(s_prime)[:, None] \
        + gamma * np.sqrt(s)[:, None]
    assert np.all(np.abs(stein - direct) <= bound)
    assert np.max(np.abs(direct)) > 1e6 * np.max(bound)
    planted = b_prime.copy()
    planted[:, 0] *= 1.05
    assert np.any(np.abs(stein_antiderivative_coefficients(planted, q, direct[:, 0]) - direct) > bound)
