r"""Regime F6: a ResNet with Brownian-increment weights and its Itô SDE limit, driven by one Brownian path.

Network (depth $L$, $\delta = 1$, state $h \in \mathbb R^d$, batched over networks):
$h_{k+1} = h_k + \sigma(A_k h_k + b_k)$, $A_k = \bar A/L + s_A\,\Delta B^A_k$, $b_k = \bar b/L + s_b\,\Delta B^b_k$.

Limit (record ``scaling_regimes.diffusive_sde``), by Euler-Maruyama with step $1/N$:
$dH = \sigma'(0)[(\bar A H + \bar b)dt + s_A\,dB^A H + s_b\,dB^b] + \tfrac{\sigma''(0)}{2}(s_A^2|H|^2 + s_b^2)\mathbf 1\,dt$.

The Brownian path is drawn once on the finest grid by :func:`numerics.core.sde.brownian_increments`
(noise dimension $d^2 + d$: the entries of $B^A$ row-major, then $B^b$); a network of depth $L$ and an Euler
scheme of $N$ steps read it through :func:`numerics.core.sde.coarsen_increments` (sums of the fine increments),
so both are driven by the same path (strong coupling: $E|h_L - H_1| = O(L^{-1/2})$).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sde import brownian_increments, coarsen_increments
from ..core.validation import check_integer, check_scalar
from .activations import get_activation

__all__ = ["brownian_path", "diffusive_resnet", "diffusive_sde_euler", "richardson_mean"]


def brownian_path(seed, *, n_networks: int, n_steps: int, d: int = 1) -> np.ndarray:
    r"""Increments of $(B^A, B^b)$ on $[0, 1]$ in ``n_steps`` steps: shape ``(n_steps, n_networks, d*d + d)``."""
    d = check_integer("d", d, minimum=1)
    return brownian_increments(seed, n_steps=n_steps, n_paths=n_networks, noise_dim=d * d + d)


def _split(dw: np.ndarray, d: int):
    if dw.ndim != 3 or dw.shape[2] != d * d + d:
        raise ValueError(f"increments must have shape (n_steps, n_networks, d*d + d) = (., ., {d * d + d}), "
                         f"got {dw.shape}")
    return dw[..., : d * d].reshape(*dw.shape[:2], d, d), dw[..., d * d:]


def _start(x, dw, d):
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (d,) or not np.all(np.isfinite(x)):
        raise ValueError(f"x must be a finite vector of shape ({d},), got shape {x.shape}")
    return np.broadcast_to(x, (dw.shape[1], d)).copy()


def _apply(m: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Per network $m_n h_n$ (``m``: ``(n, d, d)``, ``h``: ``(n, d)``); elementwise for d = 1 (no einsum overhead)."""
    return m[:, :, 0] * h if h.shape[1] == 1 else np.einsum("nij,nj->ni", m, h)


def _drift_matrix(a_bar, d):
    a = np.asarray(a_bar, dtype=np.float64)
    a = a * np.eye(d) if a.ndim == 0 else a
    if a.shape != (d, d) or not np.all(np.isfinite(a)):
        raise ValueError(f"a_bar must be a finite scalar or a ({d}, {d}) matrix, got shape {a.shape}")
    return a


def diffusive_resnet(x, increments, *, activation: str, a_bar, b_bar: float, s_a: float, s_b: float,
                     depth: int) -> np.ndarray:
    r"""$h_L$ of the F6 ResNet of depth ``depth`` for each network; ``increments`` on any grid that ``depth``
    divides (coarsened by summation).  ``a_bar``: scalar ($\bar A = a I$) or $d\times d$; ``b_bar``: scalar
    (every component).  Returns shape ``(n_networks, d)``."""
    act = get_activation(activation)
    d = len(np.atleast_1d(x))
    depth = check_integer("depth", depth, minimum=1)
    if increments.shape[0] % depth:
        raise ValueError(f"depth={depth} must divide the number of fine steps {increments.shape[0]}")
    dba, dbb = _split(coarsen_increments(increments, increments.shape[0] // depth), d)
    a, b0 = _drift_matrix(a_bar, d) / depth, check_scalar("b_bar", b_bar) / depth
    s_a, s_b = check_scalar("s_a", s_a, low=0.0), check_scalar("s_b", s_b, low=0.0)
    h = _start(x, increments, d)
    for k in range(depth):
        z = h @ a.T + s_a * _apply(dba[k], h) + b0 + s_b * dbb[k]
        h += act.fn(z)
    return h


def diffusive_sde_euler(x, increments, *, sigma1: float, sigma2: float, a_bar, b_bar: float, s_a: float,
                        s_b: float, n_steps: int, ito: bool = True) -> np.ndarray:
    r"""$H_1$ by Euler-Maruyama with ``n_steps`` steps on the path ``increments`` (coarsened); ``ito=False``
    drops the correction $\tfrac{\sigma''(0)}{2}(s_A^2|H|^2 + s_b^2)$ (a planted error).  Shape ``(n, d)``."""
    d = len(np.atleast_1d(x))
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    if increments.shape[0] % n_steps:
        raise ValueError(f"n_steps={n_steps} must divide the number of fine steps {increments.shape[0]}")
    dba, dbb = _split(coarsen_increments(increments, increments.shape[0] // n_steps), d)
    a, dt = _drift_matrix(a_bar, d), 1.0 / n_steps
    s1, s2 = check_scalar("sigma1", sigma1), check_scalar("sigma2", sigma2) if ito else 0.0
    b_bar, s_a, s_b = check_scalar("b_bar", b_bar), check_scalar("s_a", s_a, low=0.0), check_scalar("s_b", s_b, low=0.0)
    h = _start(x, increments, d)
    for k in range(n_steps):
        noise = s_a * _apply(dba[k], h) + s_b * dbb[k]
        correction = 0.5 * s2 * (s_a ** 2 * np.sum(h * h, axis=1, keepdims=True) + s_b ** 2) * dt
        h = h + s1 * ((h @ a.T + b_bar) * dt + noise) + correction
    return h


def richardson_mean(f_fine, f_coarse) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard error of $2f(H^{h}) - f(H^{2h})$ per path (weak order 1 gives bias $O(h^2)$)."""
    rich = 2.0 * np.asarray(f_fine, dtype=np.float64) - np.asarray(f_coarse, dtype=np.float64)
    return rich.mean(0), rich.std(0, ddof=1) / math.sqrt(rich.shape[0])
