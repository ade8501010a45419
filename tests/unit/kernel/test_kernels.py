"""NNGP/NTK recursions: exact values, structure, and bad input."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from numerics.kernel import recursions as kernels
from numerics.dual.activations import activation


def exact_depth2_relu(x, W_std, b_std):
    """By hand, in exact rationals: ReLU halves the variance on the diagonal (V(q,q,q) = q/2, Vdot = 1/2)."""
    w2, b2 = Fraction(W_std) ** 2, Fraction(b_std) ** 2
    k = w2 * sum(Fraction(xi) ** 2 for xi in x) / len(x) + b2
    theta = k
    for _ in range(2):
        k_next = w2 * k / 2 + b2
        theta = k_next + w2 * Fraction(1, 2) * theta
        k = k_next
    return k, theta


def test_depth2_relu_exact_rationals():
    # Dense(512, 1.5, 0.05), Relu, Dense(512, 1.5, 0.05), Relu, Dense(1, 1.5, 0.05) at x = (1, 0, 0)
    k, theta = exact_depth2_relu((1, 0, 0), Fraction(3, 2), Fraction(1, 20))
    assert (k, theta) == (Fraction("0.9576953125"), Fraction("2.8652734375"))
    nngp, ntk = kernels.nngp_ntk(np.array([[1.0, 0.0, 0.0]]), activation="relu", depth=2, W_std=1.5, b_std=0.05)
    assert nngp[0, 0] == pytest.approx(float(k), rel=1e-15)
    assert ntk[0, 0] == pytest.approx(float(theta), rel=1e-15)


def test_gram_shapes_symmetry_and_x2():
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    k, t = kernels.nngp_ntk(x1, activation="erf", depth=3, W_std=1.2, b_std=0.1)
    assert k.shape == t.shape == (5, 5)
    np.testing.assert_allclose(k, k.T, rtol=1e-14)
    k12, t12 = kernels.nngp_ntk(x1, x2, activation="erf", depth=3, W_std=1.2, b_std=0.1)
    kall, tall = kernels.nngp_ntk(np.vstack([x1, x2]), activation="erf", depth=3, W_std=1.2, b_std=0.1)
    np.testing.assert_allclose(k12, kall[:5, 5:], rtol=1e-13)
    np.testing.assert_allclose(t12, tall[:5, 5:], rtol=1e-13)
    assert np.all(np.linalg.eigvalsh(k) > -1e-12)


def test_recursion_matches_scalar_loop():
    """Independent path: a plain Python loop over entries with the scalar duals."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    act = activation("gelu")
    k, t = kernels.nngp_ntk(x, activation=act, depth=4, W_std=1.3, b_std=0.2)
    for i in range(3):
        for j in range(3):
            kii = 1.69 * x[i] @ x[i] / 4 + 0.04
            kjj = 1.69 * x[j] @ x[j] / 4 + 0.04
            kij = 1.69 * x[i] @ x[j] / 4 + 0.04
            th = kij
            for _ in range(4):
                v = float(act.dual(kii, kjj, kij)) if i != j else float(act.variance(kii))
                vd = float(act.dual_derivative(kii, kjj, kij)) if i != j else float(act.derivative_variance(kii))
                kii = 1.69 * float(act.dual(kii, kii, kii)) + 0.04
                kjj = 1.69 * float(act.dual(kjj, kjj, kjj)) + 0.04
                kij = 1.69 * v + 0.04
                th = kij + 1.69 * vd * th
            assert k[i, j] == pytest.approx(kij, rel=1e-12)
            assert t[i, j] == pytest.approx(th, rel=1e-12)


def test_residual_recursion():
    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    k, t = kernels.residual_nngp_ntk(x, activation="relu", depth=3, W_std=1.0, b_std=0.1, alpha=0.5)
    kk = x @ x.T / 2 + 0.01
    tt = kk.copy()
    relu = activation("relu")
    for _ in range(3):
        d = np.diag(kk)
        v = relu.dual(d[:, None], d[None, :], kk)
        vd = relu.dual_derivative(d[:, None], d[None, :], kk)
        np.fill_diagonal(v, d / 2)  # exact rho = 1 values on the diagonal
        np.fill_diagonal(vd, 0.5)
        tt = tt + 0.25 * (v + 0.01 + vd * tt)
        kk = kk + 0.25 * (v + 0.01)
    np.testing.assert_allclose(k, kk, rtol=1e-13)
    np.testing.assert_allclose(t, tt, rtol=1e-13)
    # alpha = 0: the blocks are the identity
    k0, t0 = kernels.residual_nngp_ntk(x, activation="relu", depth=3, W_std=1.0, b_std=0.1, alpha=0.0)
    np.testing.assert_allclose(k0, x @ x.T / 2 + 0.01, rtol=1e-15)


def test_activation_objects_and_parameters():
    x = np.array([[1.0, -0.5]])
    a, _ = kernels.nngp_ntk(x, activation=activation("leaky_relu", alpha=1.0), depth=2, W_std=1.0, b_std=0.0)
    b, _ = kernels.nngp_ntk(x, activation="identity", depth=2, W_std=1.0, b_std=0.0)
    np.testing.assert_allclose(a, b, rtol=1e-14)  # leaky relu with slope 1 is the identity


# -- bad input: a ValueError naming the parameter, the value and the range ---------
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: kernels.dual("relu", -1.0, 1.0, 0.0), r"q1=-1.0.*allowed range \[0"),
        (lambda: kernels.dual("relu", 1.0, -2.0, 0.0), r"q2=-2.0.*allowed range"),
        (lambda: kernels.dual("relu", 1.0, 1.0, 1.5), r"c=1.5.*\|c\| <= sqrt\(q1\*q2\)"),
        (lambda: kernels.dual_derivative("erf", np.array([1.0, 1.0]), 4.0, np.array([0.0, -2.5])), r"c=-2.5 at index \(1,\)"),
        (lambda: kernels.dual("relu", float("nan"), 1.0, 0.0), r"q1=nan"),
        (lambda: kernels.dual("relu", 1.0, 1.0, float("nan")), r"c=nan.*not finite"),
        (lambda: kernels.dual("tanhh", 1.0, 1.0, 0.0), r"unknown activation 'tanhh'; known activations:"),
        (lambda: kernels.nngp_ntk(np.ones((2, 2)), activation="relu", depth=1.5, W_std=1.0, b_std=0.0), r"depth=1.5 must be an integer"),
        (lambda: kernels.nngp_ntk(np.ones((2, 2)), activation="relu", depth=-1, W_std=1.0, b_std=0.0), r"depth=-1 is outside the allowed range"),
        (lambda: kernels.nngp_ntk(np.ones((2, 2)), activation="relu", depth=True, W_std=1.0, b_std=0.0), r"depth=True must be an integer"),
        (lambda: kernels.nngp_ntk(np.ones((2, 2)), activation="relu", depth=1, W_std=-1.0, b_std=0.0), r"W_std=-1.0.*allowed range"),
        (lambda: kernels.nngp_ntk(np.array([[1.0, np.nan]]), activation="relu", depth=1, W_std=1.0, b_std=0.0), r"x1=nan at index \(0, 1\)"),
        (lambda: activation("leaky_relu", slope=0.1), r"has no parameter\(s\) \['slope'\]"),
        (lambda: activation("erf", b=-1.0), r"b=-1.0 is outside the allowed range \(0"),
        (lambda: kernels.dual(activation("gaussian", b=0.5), 1.0, 1.0, 0.0), r"2\*b\*\(q1\+q2\) < 1"),
    ],
)
def test_bad_input_raises_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_rounding_slack_on_covariance_is_accepted():
    q1, q2 = 0.7, 1.3
    c = np.sqrt(q1 * q2) * (1 + 4e-16)  # rounding, not a bad input
    assert np.isfinite(kernels.dual("relu", q1, q2, c))
