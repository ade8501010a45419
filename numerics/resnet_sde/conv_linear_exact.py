r"""Exact finite-depth moments of the linear relative of the coupled networks, from the block's own Gaussian law.

The linear relative of :mod:`~numerics.resnet_sde.conv_coupled` ($\phi \to \phi'(0)\,\mathrm{id}$,
$\psi \to \mathrm{id}$ at filter scale $\sigma_w$) has the block

$$y_{l+1,p,o} = y_{l,p,o} + \phi'(0)\Big(\sigma_w\sqrt{\Delta t/D}\sum_k\sum_i W_{l,o,k,i}\,y_{l,p+k,i}
  + \sigma_b\sqrt{\Delta t}\,b_{l,o}\Big),$$

$W$, $b$ independent standard normals independent of $y_l$ (zero outside a zero-padded image, wrapped with
circular padding).  The noise is centred, so $E y_L = y_0$, and the second moment of a linear form in independent
standard normals gives the exact one-layer map of $C_{pq} = E\langle y_p, y_q\rangle/D$:

$$C^{(l+1)}_{pq} = C^{(l)}_{pq} + \Delta t\,\phi'(0)^2\Big(\sigma_w^2\sum_k C^{(l)}_{p+k,\,q+k} + \sigma_b^2\Big),$$

iterated $L$ times.  Coded from the block (as
:func:`~numerics.resnet_sde.conv_linear_fast.last_layer_second_moments`), with the simulator's gather index
:func:`~numerics.resnet_sde.conv.patch_sources`, and NOT from the derivation record ``resnet_sde.conv``: a control
mean taken from the record under test would move with an error of the record and cancel it (review of issue 12).
While the record is right it equals :func:`~numerics.resnet_sde.conv_linear.conv_covariance_finite_depth` to
rounding (tested).
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_finite_array, check_integer, check_scalar
from .conv import patch_sources

__all__ = ["linear_block_covariance", "linear_network_moments"]


def linear_block_covariance(x0, *, kernel_size, padding, sigma_w, sigma_b, depth, dphi0=1.0) -> np.ndarray:
    r"""$E\langle y_{L,p}, y_{L,q}\rangle/D$ (positions flattened in C order) of the linear relative from ``x0``
    (shape ``(*spatial, D)``), by the block's one-layer map (module docstring), $\Delta t = 1/$``depth``.

    Returns the ``(P, P)`` matrix.

    >>> float(linear_block_covariance(np.ones((1, 1)), kernel_size=1, padding="zero", sigma_w=1.0, sigma_b=0.0,
    ...                               depth=2)[0, 0])  # (1 + 1/2)^2
    2.25
    """
    x0 = check_finite_array("x0", x0)
    if x0.ndim not in (2, 3) or min(x0.shape) < 1:
        raise ValueError(f"x0 must have shape (U, D) or (U, V, D), got shape {x0.shape}")
    depth = check_integer("depth", depth, minimum=1)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0)
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    dphi0 = check_scalar("dphi0", dphi0)
    src = patch_sources(x0.shape[:-1], kernel_size=kernel_size, padding=padding)  # (K^s, P); P: outside
    D = x0.shape[-1]
    X = x0.reshape(-1, D)
    P = X.shape[0]
    C = np.zeros((P + 1, P + 1))  # row and column P stay 0 (the zero padding)
    C[:P, :P] = X @ X.T / D
    dt = 1.0 / depth
    for _ in range(depth):
        patch = sum(C[np.ix_(row, row)] for row in src)  # sum_k C[p + k, q + k]
        C[:P, :P] += dt * dphi0**2 * (sigma_w**2 * patch + sigma_b**2)
    return C[:P, :P]


def linear_network_moments(x0, positions, *, depth, sigma_w, sigma_b, padding, dphi0=1.0,
                           kernel_size=3) -> np.ndarray:
    r"""Exact $E\,m(y)$ of the depth-``depth`` linear relative for the statistics of
    :func:`~numerics.resnet_sde.conv_sde.conv_moments`: $(\bar x_{0,p},\ C_{pq_1} - \langle x_{0,p},
    x_{0,q_1}\rangle/D, \dots)$ with $C$ of :func:`linear_block_covariance`; ``positions`` $= (p, q_1, \dots)$.

    >>> linear_network_moments(np.array([[1.0], [2.0]]), (0, 0), depth=1, sigma_w=0.0, sigma_b=0.5,
    ...                        padding="zero").tolist()
    [1.0, 0.25]
    """
    x0 = check_finite_array("x0", x0)
    C = linear_block_covariance(x0, kernel_size=kernel_size, padding=padding, sigma_w=sigma_w, sigma_b=sigma_b,
                                depth=depth, dphi0=dphi0)
    X = x0.reshape(-1, x0.shape[-1])
    p = positions[0]
    return np.array([X[p].mean()] + [C[p, q] - X[p] @ X[q] / X.shape[1] for q in positions[1:]])
