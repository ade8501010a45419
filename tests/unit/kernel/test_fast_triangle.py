"""The Mehler route of one input set at scale (numerics.kernel.fast.fused_nngp_ntk): sorted inputs, the upper
triangle only, coefficients interpolated in sqrt(q) (>= MIN_VARIANCES inputs), against the entry-wise
reference recursion on sampled pairs and against the generic layer-by-layer route."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.dual.activations import activation
from numerics.dual.interpolation import MIN_VARIANCES
from numerics.kernel.entrywise import entrywise_nngp_ntk
from numerics.kernel import fast
from numerics.kernel.recursions import nngp_ntk

W_STD, B_STD, DEPTH = 1.5, 0.05, 2


def _inputs():
    x = np.random.default_rng(11).standard_normal((MIN_VARIANCES + 18, 4)) * np.linspace(0.2, 2.0, 150)[:, None]
    x[7] = x[3]  # rho = 1 off the diagonal
    x[9] = -x[4] + 1e-7  # nearly antipodal
    x[11] = 1e-3 * x[5]  # tiny
    return x


def _pair_reference(act, x2):
    """The recursion of two inputs with every dual by pair_expectation (independent path)."""
    return entrywise_nngp_ntk(act, x2, depth=DEPTH, W_std=W_STD, b_std=B_STD)


@pytest.mark.parametrize("name", ["tanh", "silu"])
def test_sampled_pairs_against_reference(name):
    act = activation(name)
    x = _inputs()
    nngp, ntk = nngp_ntk(x, activation=act, depth=DEPTH, W_std=W_STD, b_std=B_STD)
    assert np.array_equal(nngp, nngp.T) and np.array_equal(ntk, ntk.T)
    for i, j in ((3, 7), (4, 9), (5, 11), (20, 140)):
        k, t = _pair_reference(act, x[[i, j]])
        block = np.ix_([i, j], [i, j])
        np.testing.assert_allclose(nngp[block], k, rtol=1e-10, atol=0)
        np.testing.assert_allclose(ntk[block], t, rtol=1e-10, atol=0)


def test_fused_route_equals_generic_route(monkeypatch):
    """The triangle route (sorted, interpolated coefficients) against the layer-by-layer one on full matrices
    with direct coefficients: both certify 1e-12 of the Cauchy-Schwarz bound per dual."""
    from numerics.dual.hermite import hermite_coefficients
    from numerics.kernel.recursions import _fc, _input_kernels

    act = activation("tanh")
    x = _inputs()
    fused = nngp_ntk(x, activation=act, depth=DEPTH, W_std=W_STD, b_std=B_STD)
    monkeypatch.setattr(fast, "interpolated_coefficients", lambda f, q, order: hermite_coefficients(f, q, order=order))
    k11, _, k12 = _input_kernels(x, x, True, W_STD, B_STD)
    ntk = k12.copy()
    for _ in range(DEPTH):
        v, vd, var11, _ = fast.layer_duals(act, k11, k11, k12, True)
        k12, ntk = _fc.layer(v, vd, ntk, W_STD, B_STD)
        k11 = _fc.nngp_step(var11, W_STD, B_STD)
    for a, b in zip(fused, (k12, ntk)):
        scale = np.sqrt(np.outer(np.diag(b), np.diag(b)))
        assert np.max(np.abs(a - b) / scale) < 1e-11


def test_user_functions_at_scale_take_the_same_route():
    """SiLU given as plain NumPy phi, phi' (no generated body: the coefficients call them as given) equals the
    catalog's SiLU through the same sorted, interpolated triangle route."""
    from scipy.special import expit

    from numerics.dual.activations import from_functions

    user = from_functions("user_silu", {"phi": lambda x: x * expit(x),
                                        "phi_prime": lambda x: expit(x) * (1 + x * (1 - expit(x)))},
                          method="numerical fallback")
    x = _inputs()
    a = nngp_ntk(x, activation=user, depth=DEPTH, W_std=W_STD, b_std=B_STD)
    b = nngp_ntk(x, activation="silu", depth=DEPTH, W_std=W_STD, b_std=B_STD)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-12)
