r"""Backpropagation in regime F6: the ResNet's adjoint pass and the backward SDE with its $\Gamma$ term, on one path.

Network adjoint (exact; $\ell(h) = c\cdot h$, so $p_L = c$), batched over networks:
$p_k = (I + J_k)^\top p_{k+1}$, $J_k = \partial h_{k+1}/\partial h_k - I = \operatorname{diag}(\sigma'(z_k))A_k$,
$A_k = \bar A/L + s_A\Delta B^A_k$; the forward pass stores the $z_k$ and reads the weights from the path.

Limit (record ``scaling_regimes.backward``): $P_t = c + \int_t^1 \sigma'(0)(\bar A\,ds + s_A\,d^{\leftarrow}B^A_s)^\top P_s
+ \int_t^1 \sigma''(0)\,s_A^2\,(\mathbf 1^\top P_s)\,H_s\,ds$, solved by the discrete adjoint of Euler-Maruyama:
the forward scheme of :func:`~numerics.scaling_regimes.diffusive.diffusive_sde_euler` stores $H_k$, then
$P_k = P_{k+1} + \sigma'(0)(\bar A\,dt + s_A\Delta B^A_k)^\top P_{k+1} + \sigma''(0)s_A^2(\mathbf 1^\top P_{k+1})H_k\,dt$
(the right-point, backward-Itô sum: $\Delta B^A_k$ is independent of $P_{k+1}$), with $\Gamma$ evaluated by the record's
generated ``gamma_isotropic``.  ``gamma=False`` drops the $\Gamma$ term (a planted error).  Both return $(h_L, p_0)$ of shape ``(n_networks, d)`` each.
"""

from __future__ import annotations

import numpy as np

from ..core.sde import coarsen_increments
from ..core.validation import check_integer, check_scalar
from ..generated import scaling_regimes_backward as _record
from .activations import get_activation
from .diffusive import _apply, _drift_matrix, _split, _start

__all__ = ["backward_sde_euler", "diffusive_adjoint"]


def _cotangent(cotangent, d: int) -> np.ndarray:
    c = np.asarray(cotangent, dtype=np.float64)
    if c.shape != (d,) or not np.all(np.isfinite(c)):
        raise ValueError(f"cotangent must be a finite vector of shape ({d},), got shape {c.shape}")
    return c


def _coarse(increments, steps: int, what: str, d: int):
    steps = check_integer(what, steps, minimum=1)
    if increments.shape[0] % steps:
        raise ValueError(f"{what}={steps} must divide the number of fine steps {increments.shape[0]}")
    return _split(coarsen_increments(increments, increments.shape[0] // steps), d)


def _transpose_apply(m: np.ndarray, p: np.ndarray) -> np.ndarray:
    r"""Per network $m_n^\top p_n$."""
    return m[:, 0, :] * p if p.shape[1] == 1 else np.einsum("nij,ni->nj", m, p)


def diffusive_adjoint(x, increments, *, activation: str, a_bar, b_bar: float, s_a: float, s_b: float, depth: int,
                      cotangent) -> tuple[np.ndarray, np.ndarray]:
    r"""$(h_L, p_0)$ of the F6 ResNet of depth ``depth`` (as :func:`diffusive_resnet`) and its exact adjoint for
    $\ell(h) = c\cdot h$, ``cotangent`` $= c$: $p_0 = \nabla_x(c\cdot h_L)$ per network."""
    act = get_activation(activation)
    d = len(np.atleast_1d(x))
    dba, dbb = _coarse(increments, depth, "depth", d)
    a, b0 = _drift_matrix(a_bar, d) / depth, check_scalar("b_bar", b_bar) / depth
    s_a, s_b = check_scalar("s_a", s_a, low=0.0), check_scalar("s_b", s_b, low=0.0)
    h = _start(x, increments, d)
    grads = np.empty((depth, *h.shape))
    for k in range(depth):
        z = h @ a.T + s_a * _apply(dba[k], h) + b0 + s_b * dbb[k]
        grads[k] = act.grad(z)
        h = h + act.fn(z)
    p = np.broadcast_to(_cotangent(cotangent, d), h.shape).copy()
    for k in range(depth - 1, -1, -1):
        q = grads[k] * p   # diag(sigma'(z_k)) p_{k+1}
        p = p + q @ a + s_a * _transpose_apply(dba[k], q)
    return h, p


def backward_sde_euler(x, increments, *, sigma1: float, sigma2: float, a_bar, b_bar: float, s_a: float, s_b: float,
                       n_steps: int, cotangent, gamma: bool = True) -> tuple[np.ndarray, np.ndarray]:
    r"""$(H_1, P_0)$: Euler-Maruyama forward (storing $H_k$) and the discrete adjoint backward, ``n_steps`` steps
    on the path ``increments`` (coarsened); ``gamma=False`` drops $\sigma''(0)s_A^2(\mathbf 1^\top P)H\,dt$."""
    d = len(np.atleast_1d(x))
    dba, dbb = _coarse(increments, n_steps, "n_steps", d)
    a, dt = _drift_matrix(a_bar, d), 1.0 / n_steps
    s1, s2 = check_scalar("sigma1", sigma1), check_scalar("sigma2", sigma2)
    b_bar, s_a, s_b = check_scalar("b_bar", b_bar), check_scalar("s_a", s_a, low=0.0), check_scalar("s_b", s_b, low=0.0)
    h = _start(x, increments, d)
    path = np.empty((n_steps, *h.shape))
    for k in range(n_steps):
        path[k] = h
        noise = s_a * _apply(dba[k], h) + s_b * dbb[k]
        correction = 0.5 * s2 * (s_a ** 2 * np.sum(h * h, axis=1, keepdims=True) + s_b ** 2) * dt
        h = h + s1 * ((h @ a.T + b_bar) * dt + noise) + correction
    p = np.broadcast_to(_cotangent(cotangent, d), h.shape).copy()
    for k in range(n_steps - 1, -1, -1):
        drift = s1 * (dt * (p @ a) + s_a * _transpose_apply(dba[k], p))
        # Gamma from the record (generated from the SymPy derivation), so a planted record error reaches the claim
        p = p + drift + (dt * _record.gamma_isotropic(path[k], p.sum(axis=1, keepdims=True), s_a, s2) if gamma else 0.0)
    return h, p
