"""Width-first kernel and NTK ODEs: closed forms (deterministic, tight tolerances) and the Euler recursion."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from numerics.resnet_sde.kernel_odes import solve_kernel_odes
from numerics.kernel.recursions import residual_nngp_ntk
from verify.core.stats import assert_rate

K0 = np.array([[1.0, 0.3, -0.2], [0.3, 2.0, 0.5], [-0.2, 0.5, 0.7]])


@settings(deadline=None, max_examples=10)
@given(sw=st.floats(0.1, 2.0), sb=st.floats(0.0, 1.5), d0=st.floats(-1.5, 1.5), T=st.floats(0.0, 2.0))
def test_identity_closed_forms(sw, sb, d0, T):
    r"""psi = id: K_T = K_0 + (K_0 + beta)(E - 1), Theta_T = E (Theta_0 + C (K_0 + beta)).

    C = phi'(0)^2 sigma_w^2 T, E = e^C, beta = sigma_b^2 / sigma_w^2 (JMLR §5.3-5.5).  The
    solver runs at rtol 1e-10, so a relative error below 1e-8 is asked.
    """
    theta0 = K0 + 0.5
    t = np.linspace(0.0, T, 4) if T > 1e-6 else None      # distinct times (a subnormal T gives duplicates)
    sol = solve_kernel_odes(K0, theta0, T=T, sigma_w=sw, sigma_b=sb, psi="identity", phi_prime0=d0, t_eval=t)
    beta = sb**2 / sw**2
    for i, ti in enumerate(sol.t):
        C = d0**2 * sw**2 * ti
        E = math.exp(C)
        np.testing.assert_allclose(sol.K[i], K0 + (K0 + beta) * (E - 1), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(sol.Theta[i], E * (theta0 + C * (K0 + beta)), rtol=1e-8, atol=1e-10)


def _f_relu(rho):
    """f(rho) = (sqrt(1 - rho^2) + (pi - arccos rho) rho) / pi: the normalised ReLU dual."""
    return (math.sqrt(max(1 - rho * rho, 0.0)) + (math.pi - math.acos(rho)) * rho) / math.pi


def test_relu_dual_formula_against_mpmath():
    """E[relu(u) relu(v)] = f(rho)/2 for unit variances, by 1-D mpmath quadrature (independent of the catalog).

    With v = rho u + s w (s = sqrt(1 - rho^2)), E[relu(v) | u] = mu Phi(mu/s) + s phi(mu/s), mu = rho u.
    """
    for rho in (-0.9, -0.3, 0.0, 0.4, 0.95):
        with mpmath.workdps(25):
            s = mpmath.sqrt(1 - mpmath.mpf(rho) ** 2)
            def integrand(u, rho=rho, s=s):
                mu = rho * u
                return u * (mu * mpmath.ncdf(mu / s) + s * mpmath.npdf(mu / s)) * mpmath.npdf(u)

            val = mpmath.quad(integrand, [0, mpmath.inf])
        assert abs(float(val) - _f_relu(rho) / 2) < 1e-13


@pytest.mark.parametrize("sw, d0, T", [(1.0, 1.0, 1.0), (1.7, 0.8, 2.5)])
def test_relu_norm_and_correlation(sw, d0, T):
    r"""psi = relu, sigma_b = 0: q_t = q_0 exp(a t / 2) and d rho/dt = (a/2)(f(rho) - rho), a = phi'(0)^2 sigma_w^2.

    The correlation ODE is solved separately (scalar, solve_ivp at rtol 1e-12) and compared with
    rho_t = K_12 / sqrt(K_11 K_22) of the matrix solution.
    """
    t = np.linspace(0.0, T, 6)
    sol = solve_kernel_odes(K0, T=T, sigma_w=sw, sigma_b=0.0, psi="relu", phi_prime0=d0, t_eval=t)
    a = d0**2 * sw**2
    np.testing.assert_allclose(np.diagonal(sol.K, axis1=1, axis2=2), np.exp(a * t / 2)[:, None] * np.diag(K0),
                               rtol=1e-9)
    q = np.diagonal(sol.K, axis1=1, axis2=2)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        rho0 = K0[i, j] / math.sqrt(K0[i, i] * K0[j, j])
        ref = solve_ivp(lambda _t, r: [a / 2 * (_f_relu(r[0]) - r[0])], (0, T), [rho0], t_eval=t, rtol=1e-12,
                        atol=1e-14, method="DOP853").y[0]
        np.testing.assert_allclose(sol.K[:, i, j] / np.sqrt(q[:, i] * q[:, j]), ref, rtol=1e-8, atol=1e-10)
        assert np.all(np.diff(ref) > 0) and ref[-1] < 1          # the correlation rises and stays below 1


def test_relu_ntk_against_scalar_ode():
    """psi = relu, sigma_b = 0, one input: dTheta = a (q/2 + Theta/2) with q = q_0 e^{a t/2}, so
    Theta_T = e^{aT/2}(Theta_0 + a T q_0 / 2) (E[relu'(u)^2] = 1/2)."""
    sw, T = 1.3, 1.5
    a = sw**2
    sol = solve_kernel_odes(np.array([[0.8]]), np.array([[1.1]]), T=T, sigma_w=sw, sigma_b=0.0, psi="relu")
    np.testing.assert_allclose(sol.Theta[-1, 0, 0], math.exp(a * T / 2) * (1.1 + a * T * 0.8 / 2), rtol=1e-9)


@pytest.mark.parametrize("psi", ["erf", "relu"])
def test_residual_recursion_is_first_order_euler(psi):
    r"""numerics.kernel.recursions.residual_nngp_ntk with alpha = sqrt(T/L) is explicit Euler for these ODEs:
    its error against the ODE solution must fall like 1/L (slope 1 in dt = T/L, tolerance +-0.1:
    deterministic, only higher-order terms bend the slope)."""
    x = np.array([[1.0, 0.5, -0.3], [-0.2, 0.8, 0.4]])
    sw, sb, T = 1.4, 0.3, 1.0
    k0 = sw**2 * x @ x.T / x.shape[1] + sb**2            # the recursion's input layer (= its Theta_0)
    sol = solve_kernel_odes(k0, k0, T=T, sigma_w=sw, sigma_b=sb, psi=psi)
    depths = np.array([16, 32, 64, 128])
    errs = []
    for L in depths:
        nngp, ntk = residual_nngp_ntk(x, activation=psi, depth=int(L), W_std=sw, b_std=sb, alpha=math.sqrt(T / L))
        errs.append(max(np.abs(nngp - sol.K[-1]).max(), np.abs(ntk - sol.Theta[-1]).max()))
    assert_rate(T / depths, errs, predicted_order=1.0, tolerance=0.1)


def test_zero_horizon_and_quadrature_fallback():
    sol = solve_kernel_odes(K0, K0, T=0.0, sigma_w=1.0, sigma_b=0.2, psi="tanh")
    np.testing.assert_array_equal(sol.K[-1], K0)
    np.testing.assert_array_equal(sol.Theta[-1], K0)
    # softplus: duals by quadrature; a short horizon against one explicit midpoint step (local error O(h^3))
    from numerics.dual.activations import activation
    act = activation("softplus")
    h, sw, sb, k = 1e-3, 1.0, 0.5, K0[:2, :2]

    def rhs(kk):
        v = act.dual(np.diag(kk)[:, None], np.diag(kk)[None, :], kk)
        np.fill_diagonal(v, act.variance(np.diag(kk)))
        return sb**2 + sw**2 * v

    mid = k + h / 2 * rhs(k)
    sol = solve_kernel_odes(k, T=h, sigma_w=sw, sigma_b=sb, psi="softplus")
    np.testing.assert_allclose(sol.K[-1], k + h * rhs(mid), rtol=0, atol=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    (dict(K0=np.array([[1.0, 2.0], [2.0, 1.0]])), "K0 has eigenvalue"),
    (dict(K0=np.array([[1.0, 0.1], [0.2, 1.0]])), "K0 is not symmetric"),
    (dict(K0=np.ones(3)), r"K0 must be a square"),
    (dict(Theta0=np.eye(3)), r"Theta0 has shape \(3, 3\)"),
    (dict(T=-1.0), "T=-1.0"),
    (dict(sigma_w=-0.1), "sigma_w=-0.1"),
    (dict(psi="nope"), "unknown activation"),
    (dict(t_eval=[0.5, 0.2]), "t_eval must be strictly increasing"),
    (dict(rtol=0.0), "rtol=0.0"),
])
def test_validation(kwargs, match):
    opts = dict(K0=np.eye(2), Theta0=None, T=1.0, sigma_w=1.0, sigma_b=0.0, psi="tanh") | kwargs
    with pytest.raises(ValueError, match=match):
        solve_kernel_odes(opts.pop("K0"), opts.pop("Theta0"), **opts)
