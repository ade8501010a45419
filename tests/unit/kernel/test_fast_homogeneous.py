"""The fused ReLU-family recursion (numerics.kernel.homogeneous) against the generic route."""

from __future__ import annotations

import numpy as np
import pytest

import numerics.kernel.homogeneous as homogeneous
from numerics.dual.activations import activation, from_functions
from numerics.kernel.recursions import nngp_ntk

FAMILY = [("relu", {}), ("leaky_relu", {"alpha": 0.1}), ("abrelu", {"a": -0.3, "b": 1.2}), ("abs", {}),
          ("identity", {})]


def _inputs():
    x = np.random.default_rng(5).standard_normal((70, 6))  # > 2 row blocks of 32
    x[5] = x[3]  # rho = 1 off the diagonal
    x[7] = -x[2]  # rho = -1 (b_std = 0) or near it
    x[40] = 1e-3 * x[41]
    x[9] = 0.0  # zero variance when b_std = 0
    return x


def _generic(monkeypatch, x, act, **kw):
    with monkeypatch.context() as m:
        m.setattr(homogeneous, "unit_dual_body", lambda act: None)
        return nngp_ntk(x, activation=act, **kw)


@pytest.mark.parametrize("name,params", FAMILY)
@pytest.mark.parametrize("b_std", [0.0, 0.05])
def test_fused_equals_generic_route(monkeypatch, name, params, b_std):
    act = activation(name, **params)
    assert homogeneous.unit_dual_body(act) is not None
    x = _inputs()
    kw = dict(depth=4, W_std=1.5, b_std=b_std)
    fast, ref = nngp_ntk(x, activation=act, **kw), _generic(monkeypatch, x, act, **kw)
    # pairs at |rho| = 1 (inputs 3 and 5, 2 and 7) are ill-conditioned: Vdot has an infinite slope
    # there, so an ulp in rho moves it by ~sqrt(eps); they are checked by exact identities instead
    regular = np.ones(fast[0].shape, bool)
    regular[[3, 5, 2, 7], [5, 3, 7, 2]] = False
    for a, b in zip(fast, ref):
        assert np.all(a == a.T)
        np.testing.assert_allclose(a[regular], b[regular], rtol=4e-15, atol=1e-300)
        np.testing.assert_array_equal(a[3], a[5])  # the repeated input: exactly the same row
        if name in ("abs", "identity") and b_std == 0.0:  # even in the input sign: x and -x alike
            assert abs(a[2, 7]) == pytest.approx(a[2, 2], rel=1e-15)


def test_relu_unit_matches_generated_body():
    """The lean ReLU form equals the generated record on both sides of rho = -1/2 and at the edges."""
    act = activation("relu")
    rho = np.concatenate([np.linspace(-1, 1, 2001), [-0.5, np.nextafter(-0.5, 0), np.nextafter(-0.5, -1),
                                                   -1 + 1e-12, 1 - 1e-16]])
    v, vd = homogeneous.unit_dual_body(act)(rho.copy())
    gv, gvd = act.dual_and_derivative(1.0, 1.0, rho)
    np.testing.assert_allclose(v, gv, rtol=2e-16, atol=0)
    np.testing.assert_allclose(vd, gvd, rtol=2e-16, atol=0)


@pytest.mark.parametrize("name,params", FAMILY)
def test_family_is_homogeneous(name, params):
    """V(l q1, m q2, sqrt(l m) c) = sqrt(l m) V(q1, q2, c), Vdot unchanged: what the route assumes."""
    act = activation(name, **params)
    q1, q2, c = 0.7, 2.3, np.linspace(-1, 1, 9) * np.sqrt(0.7 * 2.3)
    lam, mu = 3.7, 0.21
    v, vd = act.dual_and_derivative(q1, q2, c)
    w, wd = act.dual_and_derivative(lam * q1, mu * q2, np.sqrt(lam * mu) * c)
    np.testing.assert_allclose(w, np.sqrt(lam * mu) * v, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(wd, vd, rtol=1e-14, atol=1e-15)


def test_homogeneity_check_can_fail():
    """erf is not homogeneous (the check above is not vacuous) and does not take the route."""
    act = activation("erf")
    assert homogeneous.unit_dual_body(act) is None
    v = act.dual(1.0, 1.0, 0.5)
    w = act.dual(4.0, 4.0, 2.0)
    assert abs(w - 4.0 * v) > 1e-3 * abs(w)


def test_user_activation_named_relu_takes_generic_route():
    fake = from_functions("relu", {"phi": np.tanh, "phi_prime": lambda x: 1 - np.tanh(x) ** 2,
                                   "dual_and_derivative": lambda q1, q2, c: (q1 * 0, q1 * 0)}, method="user")
    assert homogeneous.unit_dual_body(fake) is None


def test_cross_kernel_unchanged():
    """x2 given: the generic route (the fused one is for one input set); blocks agree with the fused kernel."""
    x = _inputs()[:20]
    full = nngp_ntk(x, activation="relu", depth=3, W_std=1.5, b_std=0.05)
    cross = nngp_ntk(x[:8], x[8:], activation="relu", depth=3, W_std=1.5, b_std=0.05)
    np.testing.assert_allclose(cross[0], full[0][:8, 8:], rtol=1e-14)
    np.testing.assert_allclose(cross[1], full[1][:8, 8:], rtol=1e-14)
