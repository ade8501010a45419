r"""$E f(\rho_T)$ for the correlation SDE by its backward Kolmogorov equation (no Monte Carlo error).

For $d\rho = \mu(\rho)\,dt + \sigma(\rho)\,dW$ (record ``covariance_sde.shaped_relu``:
$\mu = \nu(\rho) - \tfrac12\rho(1-\rho^2)$, $\sigma = 1-\rho^2$), $u(t, r) = E[f(\rho_t)\mid\rho_0 = r]$ solves

$$\partial_t u = \mu(r)\,\partial_r u + \tfrac12\sigma(r)^2\,\partial_r^2 u,\qquad u(0, r) = f(r),\qquad r \in [-1, 1].$$

$\sigma$ vanishes at $\pm1$ and $\mu(\pm1) \cdot (\mp 1) \ge 0$ ($\mu(1) = 0$, $\mu(-1) = \nu(-1) \ge 0$), so the
boundaries need no condition: there the equation is the transport $\partial_t u = \mu\,\partial_r u$, taken
one-sided from the inside.  Space: a uniform grid of ``n_grid`` cells, the Il'in--Allen--Southwell fitted
scheme (central differences with the diffusion replaced by $\tfrac{\mu h}2\coth\tfrac{\mu h}{\sigma^2}$:
second order where diffusion dominates, upwind where the drift does, monotone everywhere).  Time:
Crank--Nicolson after four implicit half steps (Rannacher start-up, for the indicator's jump).  The
terminal data: $f(r) = r$ at the nodes; for $f = 1\{r \le q\}$ the cell average (the fraction of the cell
$[r_i - h/2, r_i + h/2]$ below $q$), second order across the jump.  The
discretisation error is measured in the tests by halving both steps.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import solve_banded

from ..core.validation import check_integer, check_scalar
from ..generated import covariance_sde_shaped_relu as shaped_relu

__all__ = ["correlation_expectations"]


def _operator(mu: np.ndarray, sig2: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, diagonal, upper) of the fitted generator on the grid."""
    half = 0.5 * sig2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pe = mu * h / np.where(sig2 > 0, sig2, 1.0)  # cell Peclet number mu h / (2 * half)
        fitted = np.where(np.abs(pe) > 1e-8, 0.5 * mu * h / np.tanh(pe), half)
    fitted = np.where(sig2 > 0, fitted, 0.5 * np.abs(mu) * h)  # pure transport: upwind
    d = fitted / h**2
    lower = d - mu / (2 * h)
    upper = d + mu / (2 * h)
    diag = -(lower + upper)
    # boundaries: one-sided transport from the inside (sigma = 0 there; mu points inward or vanishes)
    lower[0], upper[0], diag[0] = 0.0, max(mu[0], 0.0) / h, -max(mu[0], 0.0) / h
    lower[-1], upper[-1], diag[-1] = max(-mu[-1], 0.0) / h, 0.0, -max(-mu[-1], 0.0) / h
    return lower, diag, upper


def _step(u, lower, diag, upper, dt, theta):
    """One theta step of u_t = A u (columns of ``u`` independent): (I - theta dt A) u' = (I + (1 - theta) dt A) u."""
    au = diag[:, None] * u
    au[1:] += lower[1:, None] * u[:-1]
    au[:-1] += upper[:-1, None] * u[1:]
    rhs = u + (1 - theta) * dt * au
    ab = np.zeros((3, u.shape[0]))
    ab[0, 1:] = -theta * dt * upper[:-1]
    ab[1] = 1 - theta * dt * diag
    ab[2, :-1] = -theta * dt * lower[1:]
    return solve_banded((1, 1), ab, rhs)


def correlation_expectations(c_plus: float, c_minus: float, rho0: float, T: float, *, point: float,
                             n_grid: int = 4000, n_time: int = 800, ito: bool = True) -> tuple[float, float]:
    r"""$(E\rho_T, P(\rho_T \le q))$ of the correlation SDE started at ``rho0``, ``q = point`` (module docstring).

    ``n_grid`` cells on $[-1, 1]$, ``n_time`` time steps; ``ito=False`` drops Itô's correction from the
    drift (the planted error of the tests).  The solution is interpolated linearly at ``rho0``.
    """
    c_plus, c_minus = check_scalar("c_plus", c_plus), check_scalar("c_minus", c_minus)
    rho0 = check_scalar("rho0", rho0, low=-1.0, high=1.0)
    T = check_scalar("T", T, low=0.0, closed=(False, True))
    point = check_scalar("point", point, low=-1.0, high=1.0)
    n_grid = check_integer("n_grid", n_grid, minimum=8)
    n_time = check_integer("n_time", n_time, minimum=8)
    r = np.linspace(-1.0, 1.0, n_grid + 1)
    h = 2.0 / n_grid
    mu = np.asarray((shaped_relu.correlation_drift if ito else shaped_relu.nu)(c_plus, c_minus, r), dtype=float)
    mu = np.broadcast_to(mu, r.shape).copy()
    mu[-1] = 0.0 if ito else mu[-1]
    sig2 = np.asarray(shaped_relu.correlation_diffusion(r), dtype=float) ** 2
    lower, diag, upper = _operator(mu, sig2, h)
    # terminal data: r at the nodes; the indicator averaged over [r_i - h/2, r_i + h/2] (half cells at the ends)
    left, right = np.maximum(r - h / 2, -1.0), np.minimum(r + h / 2, 1.0)
    below = np.clip((point - left) / (right - left), 0.0, 1.0)
    u = np.column_stack([r, below])
    dt = T / n_time
    for _ in range(4):
        u = _step(u, lower, diag, upper, dt / 2, 1.0)
    for _ in range(n_time - 2):
        u = _step(u, lower, diag, upper, dt, 0.5)
    return float(np.interp(rho0, r, u[:, 0])), float(np.interp(rho0, r, u[:, 1]))
