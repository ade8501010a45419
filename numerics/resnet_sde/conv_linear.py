r"""Exact finite-depth second moments of the linear convolutional ResNet ($\phi = \psi = \mathrm{id}$, JMLR §3.2).

With $\phi = \psi = \mathrm{id}$ the block of :func:`~numerics.resnet_sde.conv_resnet_outputs` is linear in the state
with independent centred filters and biases, so $E x_L = x_0$ and the channel-averaged second moments
$C_{pp'} = E\langle x_p, x_{p'}\rangle/D$ follow one deterministic recursion per layer,

$$C^{(l+1)}_{pp'} = C^{(l)}_{pp'} + \Delta t\;\mathrm{cross\_covariation}\Big(D\sum_k (M_k C^{(l)} M_k^\top)_{pp'}\Big),$$

$M_k$ the selection matrix of filter offset $k$ (:func:`shift_matrices`) and ``cross_covariation`` Corollary 13's
(record ``resnet_sde.conv``), affine in the expected patch inner product: exact at every depth $L$.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..core.validation import check_finite_array, check_integer, check_scalar
from ..generated import resnet_sde_conv as conv_forms
from .conv import PADDINGS

__all__ = ["conv_covariance_finite_depth", "shift_matrices"]


def shift_matrices(shape, *, kernel_size, padding) -> list[np.ndarray]:
    r"""Selection matrices $M_k$ (positions by positions, C order) with $(M_k c)_p = c_{p+k}$ for the offsets
    $k \in \{-(K-1)/2, \dots, (K-1)/2\}^s$ (C order): 0 outside the image with ``padding="zero"``, wrapped with
    ``"circular"``.  A construction independent of :func:`~numerics.resnet_sde.conv.patch_sources` (tests compare
    the two).

    >>> [m.astype(int).tolist() for m in shift_matrices((2,), kernel_size=3, padding="zero")]
    [[[0, 0], [1, 0]], [[1, 0], [0, 1]], [[0, 1], [0, 0]]]
    """
    K = check_integer("kernel_size", kernel_size, minimum=1)
    if K % 2 == 0:
        raise ValueError(f"kernel_size={K!r} is outside the allowed range: odd integers >= 1")
    if padding not in PADDINGS:
        raise ValueError(f"padding={padding!r} is not allowed; allowed values: {', '.join(map(repr, PADDINGS))}")
    shape = tuple(check_integer("shape", n, minimum=1) for n in shape)
    if len(shape) not in (1, 2):
        raise ValueError(f"shape={shape!r} must have 1 or 2 spatial sizes")
    pos = list(itertools.product(*(range(n) for n in shape)))
    index = {q: i for i, q in enumerate(pos)}
    half = (K - 1) // 2
    mats = []
    for k in itertools.product(range(-half, half + 1), repeat=len(shape)):
        M = np.zeros((len(pos), len(pos)))
        for i, q in enumerate(pos):
            t = tuple(a + b for a, b in zip(q, k))
            if padding == "circular":
                t = tuple(c % n for c, n in zip(t, shape))
            if t in index:
                M[i, index[t]] = 1.0
        mats.append(M)
    return mats


def conv_covariance_finite_depth(x0, *, kernel_size, padding, sigma_w, sigma_b, depth, dphi0=1.0,
                                 patch_scale=1.0) -> np.ndarray:
    r"""$E\langle x_{L,p}, x_{L,p'}\rangle/D$ (positions flattened in C order) of the linear conv ResNet from ``x0``.

    ``x0`` has shape ``(*spatial, D)`` (one input).  Each of the ``depth`` layers ($\Delta t = 1/L$) adds
    $\Delta t$ times ``cross_covariation`` (at $\phi'(0)$ = ``dphi0``: 1 for the identity) of the expected patch
    inner products (module docstring): exact at finite $L$ for $\phi = \psi = \mathrm{id}$.  ``patch_scale``
    multiplies the patch inner product (a planted error: $1/K^s$ is the per-position scaling).

    Returns the ``(P, P)`` matrix.

    >>> float(conv_covariance_finite_depth(np.ones((1, 1)), kernel_size=1, padding="zero", sigma_w=1.0,
    ...                                    sigma_b=0.0, depth=2)[0, 0])  # (1 + 1/2)^2
    2.25
    """
    x0 = check_finite_array("x0", x0)
    if x0.ndim not in (2, 3):
        raise ValueError(f"x0 must have shape (U, D) or (U, V, D), got shape {x0.shape}")
    depth = check_integer("depth", depth, minimum=1)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0)
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    D = x0.shape[-1]
    mats = shift_matrices(x0.shape[:-1], kernel_size=kernel_size, padding=padding)
    X = x0.reshape(-1, D)
    C = X @ X.T / D
    dt = 1.0 / depth
    for _ in range(depth):
        patch = sum(M @ C @ M.T for M in mats) * D * patch_scale
        C = C + dt * conv_forms.cross_covariation(patch, dphi0, sigma_w, sigma_b, D)
    return C
