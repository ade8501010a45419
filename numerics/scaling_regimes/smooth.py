r"""Regimes F1-F5: smooth weights $A_k = L^{-\beta}\bar A(t_k)$, $b_k = L^{-\beta}\bar b(t_k)$, $\delta = L^{-\alpha}$.

Network (record ``scaling_regimes.smooth_weights``), $t_k = k/L$, batched over inputs $x$ (one row each):
$h_{k+1} = h_k + L^{-\alpha}\sigma(L^{-\beta}(\bar A(t_k)h_k + \bar b(t_k)))$.

Limits on $\alpha + \beta = 1$ (scaling_regimes.md section 4; the adjoints in :mod:`.smooth_backward`):

* $\beta = 0$ (F1) or ReLU (F3, positive homogeneity): the neural ODE $\dot H = \sigma(\bar A_t H + \bar b_t)$;
* $\beta \in (0, 1)$, smooth $\sigma$ (F2): the linear ODE $\dot H = \sigma'(0)(\bar A_t H + \bar b_t)$;

$\alpha + \beta > 1$ (F4): $H \equiv x$.  The reference solution is DOP853 at ``rtol = atol = 1e-12`` on all inputs
at once (one flattened system).  :data:`DEFAULT_PATH` is the fixed smooth weight path of the claims ($d = 3$).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from ..core.validation import check_integer, check_scalar
from .activations import ACTIVATIONS

__all__ = ["DEFAULT_PATH", "SmoothPath", "smooth_limit", "smooth_resnet"]


def _relu(x):
    return np.maximum(x, 0.0)


def _relu_grad(x):
    return (x > 0).astype(np.float64)


#: the activations of the smooth regimes: the smooth ones and ReLU (homogeneous, F3), and their derivatives
_FNS: dict[str, Callable] = {**{k: v.fn for k, v in ACTIVATIONS.items()}, "relu": _relu}
_GRADS: dict[str, Callable] = {**{k: v.grad for k, v in ACTIVATIONS.items()}, "relu": _relu_grad}


@dataclass(frozen=True)
class SmoothPath:
    r"""A smooth weight path: ``a(t)`` of shape ``(d, d)`` and ``b(t)`` of shape ``(d,)`` for $t \in [0, 1]$."""

    a: Callable[[float], np.ndarray]
    b: Callable[[float], np.ndarray]
    d: int


def _a_default(t: float) -> np.ndarray:
    c, s = math.cos(math.pi * t), math.sin(2 * math.pi * t)
    return np.array([[-0.4, 0.8 * c, 0.3 * s], [-0.6, 0.2, 0.5 * t], [0.4 * s, -0.3, -0.5 + 0.3 * c]])


def _b_default(t: float) -> np.ndarray:
    return np.array([0.3 * math.cos(2 * math.pi * t), -0.2 + 0.4 * t, 0.5 * math.sin(math.pi * t)])


#: the claims' path: $d = 3$, trigonometric entries of size at most 0.8 (Lipschitz in t)
DEFAULT_PATH = SmoothPath(_a_default, _b_default, 3)


def _activation(name) -> Callable:
    if name not in _FNS:
        raise ValueError(f"activation={name!r} must be one of {sorted(_FNS)}")
    return _FNS[name]


def _inputs(x, d: int) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if x.shape[1] != d or not np.all(np.isfinite(x)):
        raise ValueError(f"x must be finite with shape (n, {d}), got shape {x.shape}")
    return x


def smooth_resnet(x, *, activation: str, alpha: float, beta: float, depth: int,
                  path: SmoothPath = DEFAULT_PATH) -> np.ndarray:
    r"""$h_L$ for each row of ``x`` (shape ``(n, d)``): $h_{k+1} = h_k + L^{-\alpha}\sigma(L^{-\beta}(\bar A(k/L)h_k
    + \bar b(k/L)))$."""
    fn = _activation(activation)
    depth = check_integer("depth", depth, minimum=1)
    alpha, beta = check_scalar("alpha", alpha, low=0.0), check_scalar("beta", beta, low=0.0)
    h = _inputs(x, path.d).copy()
    delta, scale = depth ** -alpha, depth ** -beta
    for k in range(depth):
        t = k / depth
        h += delta * fn(scale * (h @ path.a(t).T + path.b(t)))
    return h


def smooth_limit(x, *, activation: str, beta: float, path: SmoothPath = DEFAULT_PATH,
                 rtol: float = 1e-12) -> np.ndarray:
    r"""$H_1$ of the limit on $\alpha + \beta = 1$: the neural ODE if ``beta == 0`` or ReLU, else the linear
    ODE $\dot H = \sigma'(0)(\bar A H + \bar b)$ (DOP853, ``rtol = atol``).  Shape ``(n, d)``."""
    fn = _activation(activation)
    beta = check_scalar("beta", beta, low=0.0, high=1.0, closed=(True, False))
    x = _inputs(x, path.d)
    n, d = x.shape
    if beta == 0.0 or activation == "relu":
        def rhs(t, y):
            return fn(y.reshape(n, d) @ path.a(t).T + path.b(t)).ravel()
    else:
        s1 = ACTIVATIONS[activation].sigma1

        def rhs(t, y):
            return (s1 * (y.reshape(n, d) @ path.a(t).T + path.b(t))).ravel()
    sol = solve_ivp(rhs, (0.0, 1.0), x.ravel(), method="DOP853", rtol=rtol, atol=rtol)
    if not sol.success:  # pragma: no cover - a smooth bounded right-hand side
        raise RuntimeError(f"the limit ODE solve failed: {sol.message}")
    return sol.y[:, -1].reshape(n, d)

