"""nngp_ntk without a closed form (Mehler route) against an entry-wise recursion on the adaptive reference."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.dual.activations import activation
from numerics.kernel.entrywise import entrywise_nngp_ntk
from numerics.kernel.recursions import nngp_ntk

W_STD, B_STD = 1.5, 0.05


def _inputs():
    x = np.random.default_rng(3).standard_normal((3, 4))
    # a repeated input (rho = 1 off the diagonal), a nearly antipodal one, a tiny one
    return np.vstack([x, x[0], -x[1] + 1e-7, 1e-3 * x[2]])


def _reference_kernels(act, x, depth):
    """The same recursion entry by entry, each dual by pair_expectation (independent path)."""
    return entrywise_nngp_ntk(act, x, depth=depth, W_std=W_STD, b_std=B_STD)


@pytest.mark.parametrize("name", ["tanh"])
def test_fast_route_against_entrywise_reference(name):
    act = activation(name)
    assert not act.closed_form  # the route under test
    x = _inputs()
    nngp, ntk = nngp_ntk(x, activation=act, depth=2, W_std=W_STD, b_std=B_STD)
    k_ref, ntk_ref = _reference_kernels(act, x, 2)
    np.testing.assert_allclose(nngp, k_ref, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ntk, ntk_ref, rtol=1e-10, atol=0)


def test_user_functions_take_the_same_route():
    """An activation given only as NumPy phi, phi' (what a user expression compiles to) gives SiLU's kernels."""
    from scipy.special import expit

    from numerics.dual.activations import from_functions

    user = from_functions("user_silu", {"phi": lambda x: x * expit(x),
                                        "phi_prime": lambda x: expit(x) * (1 + x * (1 - expit(x)))},
                          method="numerical fallback")
    x = _inputs()
    a = nngp_ntk(x, activation=user, depth=2, W_std=W_STD, b_std=B_STD)
    b = nngp_ntk(x, activation="silu", depth=2, W_std=W_STD, b_std=B_STD)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("expression,name", [("x*sigmoid(x)", "silu"), ("log(1 + exp(x))", "softplus")])
def test_user_expression_takes_the_same_route(expression, name):
    """SiLU and softplus written by a user give the catalog's kernels (both by the Mehler route)."""
    from verify.core.activations import user_activation

    user = user_activation(expression)
    assert not user.closed_form
    x = _inputs()
    a = nngp_ntk(x, activation=user, depth=2, W_std=W_STD, b_std=B_STD)
    b = nngp_ntk(x, activation=name, depth=2, W_std=W_STD, b_std=B_STD)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-12)


def test_cross_inputs_match_one_set():
    """x2 given (no symmetry used) equals the one-set kernel's block."""
    x = _inputs()[:5]
    full = nngp_ntk(x, activation="tanh", depth=2, W_std=W_STD, b_std=B_STD)
    cross = nngp_ntk(x[:3], x[3:], activation="tanh", depth=2, W_std=W_STD, b_std=B_STD)
    np.testing.assert_allclose(cross[0], full[0][:3, 3:], rtol=1e-11)
    np.testing.assert_allclose(cross[1], full[1][:3, 3:], rtol=1e-11)
