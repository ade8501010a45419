"""The derivation engine: routes, symbolic checks, user activations, fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import catalog, custom_activation
from derivations.core.parameters import Domain, Parameter
from derivations.core.record import Method
from derivations.core.symbols import x as x_sym
from numerics.core import quadrature
from numerics.dual.activations import activation, from_functions

CLOSED = ["relu", "leaky_relu", "abrelu", "abs", "step", "sign", "rectified_monomial_2", "rectified_monomial_3",
          "identity", "monomial_2", "monomial_3", "monomial_4", "monomial_5", "erf", "gelu", "sin", "cos", "exp",
          "gaussian", "rbf"]


@pytest.mark.parametrize("name", CLOSED)
def test_closed_forms_are_derived_and_checked(name):
    rec = catalog.get(f"dual.{name}")
    assert rec.derivation.method is Method.DERIVED
    checks = " ".join(rec.derivation.checks)
    if name in ("step", "sign"):  # phi jumps: Price's identity does not hold, and the record says so
        assert "Price" not in checks and "jumps" in " ".join(rec.derivation.steps)
    else:
        assert "Price identity" in checks


@pytest.mark.parametrize("name", ["tanh", "softplus", "silu", "elu"])
def test_no_closed_form_falls_back_to_accurate_quadrature(name):
    rec = catalog.get(f"dual.{name}")
    assert rec.derivation.method is Method.NUMERICAL_FALLBACK
    act = activation(name)
    # independent path: Monte Carlo-free 2-D Gauss-Hermite at high degree for a smooth check point
    z, w = np.polynomial.hermite_e.hermegauss(160)
    w = w / w.sum()
    q1, q2, c = 0.7, 1.3, 0.55
    rho = c / np.sqrt(q1 * q2)
    u = np.sqrt(q1) * z[:, None]
    v = np.sqrt(q2) * (rho * z[:, None] + np.sqrt(1 - rho**2) * z[None, :])
    want = np.sum(w[:, None] * w[None, :] * act.phi(u) * act.phi(v))
    tol = 1e-12 if name != "elu" else 2e-5  # the Gauss-Hermite reference itself converges slowly across ELU's kink (~5e-6 at 160 nodes)
    assert float(act.dual(q1, q2, c)) == pytest.approx(want, rel=tol)


@pytest.mark.parametrize("expr", ["x*erf(x)", "sin(x) + x**2"])
def test_user_activation_closed_form_agrees_with_quadrature(expr):
    rec = custom_activation(expr)
    assert rec.derivation.method is Method.DERIVED
    f = sp.lambdify([rec.parameter(n).symbol for n in ("q1", "q2", "c")], rec.expressions["dual"], "numpy")
    fd = sp.lambdify([rec.parameter(n).symbol for n in ("q1", "q2", "c")], rec.expressions["dual_derivative"], "numpy")
    phi = sp.lambdify(rec.parameter("x").symbol, rec.expressions["phi"], "scipy")
    dphi = sp.lambdify(rec.parameter("x").symbol, rec.expressions["phi_prime"], "scipy")
    for q1, q2, c in [(0.7, 1.3, 0.55), (2.0, 0.5, -0.9), (1.0, 1.0, 1.0)]:
        assert f(q1, q2, c) == pytest.approx(quadrature.gaussian_pair_expectation(phi, phi, q1, q2, c), rel=1e-11)
        assert fd(q1, q2, c) == pytest.approx(quadrature.gaussian_pair_expectation(dphi, dphi, q1, q2, c), rel=1e-11)


def test_user_activation_without_closed_form_reports_fallback():
    rec = custom_activation("tanh(x)**2", name="tanh_squared")
    assert rec.derivation.method is Method.NUMERICAL_FALLBACK
    phi = sp.lambdify(rec.parameter("x").symbol, rec.expressions["phi"], "numpy")
    dphi = sp.lambdify(rec.parameter("x").symbol, rec.expressions["phi_prime"], "numpy")
    act = from_functions("tanh_squared", {"phi": phi, "phi_prime": dphi}, method=rec.derivation.method.value)
    assert not act.closed_form and np.isfinite(act.dual(1.0, 2.0, 0.3))


def test_bad_user_activation_and_parameters():
    with pytest.raises(ValueError, match="unknown name 'y'"):
        custom_activation("x*y")
    y = sp.Symbol("y")
    with pytest.raises(ValueError, match=r"symbols \['y'\]"):  # a SymPy expression is checked too
        custom_activation(x_sym * y)
    with pytest.raises(ValueError, match="name must be a Python identifier"):
        custom_activation("x", name="not valid")
    with pytest.raises(ValueError, match="not inside its domain"):
        Parameter("p", Domain(0, 1), "p", (-1.0, 1.0))
    with pytest.raises(ValueError, match="unknown record id"):
        catalog.get("dual.nope")


def test_kinked_duals_are_homogeneous_and_cauchy_schwarz():
    relu = catalog.get("dual.rectified_monomial_2")
    q1, q2, c = (relu.parameter(n).symbol for n in ("q1", "q2", "c"))
    lam = sp.Symbol("lam", positive=True)
    v = relu.expressions["dual"]
    assert sp.simplify(v.subs({q1: lam * q1, q2: lam * q2, c: lam * c}, simultaneous=True) - lam**2 * v) == 0
    act = activation("rectified_monomial_2")
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.1, 3, 50), rng.uniform(0.1, 3, 50)
    cc = rng.uniform(-1, 1, 50) * np.sqrt(a * b)
    assert np.all(np.abs(act.dual(a, b, cc)) <= np.sqrt(act.variance(a) * act.variance(b)) * (1 + 1e-14))
