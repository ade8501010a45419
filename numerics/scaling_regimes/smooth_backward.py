r"""Backpropagation in the smooth regimes (B1, B2): the ResNet's exact adjoint pass and the adjoint ODE.

For $h_{k+1} = h_k + L^{-\alpha}\sigma(z_k)$, $z_k = L^{-\beta}(\bar A(t_k)h_k + \bar b(t_k))$ (module
:mod:`.smooth`), $p_k = p_{k+1} + L^{-\alpha-\beta}\bar A(t_k)^\top(\sigma'(z_k)\odot p_{k+1})$, $p_L = c$; its limit on
$\alpha + \beta = 1$ is $\dot P = -(\partial_H f)^\top P$, $P_1 = c$, for the limit drift $f$ (record
``scaling_regimes.backward``: ``adjoint_rate_neural_ode_tanh``, ``adjoint_rate_linear``), solved with the state
backward from $(H_1, c)$ by DOP853.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..core.validation import check_integer, check_scalar
from .activations import ACTIVATIONS
from .smooth import (
    _GRADS,
    DEFAULT_PATH,
    SmoothPath,
    _activation,
    _inputs,
    smooth_limit,
)

__all__ = ["smooth_adjoint", "smooth_adjoint_limit"]


def smooth_adjoint(x, *, activation: str, alpha: float, beta: float, depth: int, cotangent,
                   path: SmoothPath = DEFAULT_PATH) -> np.ndarray:
    r"""$p_0 = \nabla_x(c\cdot h_L)$ per input by the exact adjoint pass $p_k = p_{k+1} + L^{-\alpha-\beta}
    \bar A(t_k)^\top(\sigma'(z_k)\odot p_{k+1})$, $z_k = L^{-\beta}(\bar A(t_k)h_k + \bar b(t_k))$.  Shape ``(n, d)``."""
    fn, grad = _activation(activation), _GRADS.get(activation)
    depth = check_integer("depth", depth, minimum=1)
    alpha, beta = check_scalar("alpha", alpha, low=0.0), check_scalar("beta", beta, low=0.0)
    h = _inputs(x, path.d).copy()
    c = np.asarray(cotangent, dtype=np.float64)
    if c.shape != (path.d,) or not np.all(np.isfinite(c)):
        raise ValueError(f"cotangent must be a finite vector of shape ({path.d},), got shape {c.shape}")
    delta, scale = depth ** -alpha, depth ** -beta
    slopes = np.empty((depth, *h.shape))
    for k in range(depth):
        a, t = path.a(k / depth), k / depth
        z = scale * (h @ a.T + path.b(t))
        slopes[k] = grad(z)
        h += delta * fn(z)
    p = np.broadcast_to(c, h.shape).copy()
    for k in range(depth - 1, -1, -1):
        p += delta * scale * (slopes[k] * p) @ path.a(k / depth)
    return p


def smooth_adjoint_limit(x, *, activation: str, beta: float, cotangent, path: SmoothPath = DEFAULT_PATH,
                         rtol: float = 1e-12) -> np.ndarray:
    r"""$P_0$ of the adjoint ODE $\dot P = -(\partial_H f)^\top P$, $P_1 = c$, for the limit drift $f$ of
    :func:`smooth_limit`: $-\bar A^\top(\sigma'(\bar AH + \bar b)\odot P)$ (neural ODE, B1) or $-\sigma'(0)\bar A^\top P$
    (linear ODE, B2); the state and the adjoint are integrated together backward from $(H_1, c)$.  Shape ``(n, d)``."""
    h1 = smooth_limit(x, activation=activation, beta=beta, path=path, rtol=rtol)
    n, d = h1.shape
    linear = not (beta == 0.0 or activation == "relu")
    fn, grad = _activation(activation), _GRADS[activation]
    s1 = ACTIVATIONS[activation].sigma1 if linear else None

    def rhs(t, y):
        h, p = y[: n * d].reshape(n, d), y[n * d:].reshape(n, d)
        u = h @ path.a(t).T + path.b(t)
        if linear:
            return np.concatenate([(s1 * u).ravel(), (-s1 * p @ path.a(t)).ravel()])
        return np.concatenate([fn(u).ravel(), (-(grad(u) * p) @ path.a(t)).ravel()])
    start = np.concatenate([h1.ravel(), np.broadcast_to(np.asarray(cotangent, dtype=np.float64), (n, d)).ravel()])
    sol = solve_ivp(rhs, (1.0, 0.0), start, method="DOP853", rtol=rtol, atol=rtol)
    if not sol.success:  # pragma: no cover
        raise RuntimeError(f"the adjoint ODE solve failed: {sol.message}")
    return sol.y[n * d:, -1].reshape(n, d)
