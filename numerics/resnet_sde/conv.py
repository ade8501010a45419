r"""Convolutional deep ResNets of the P&F block (JMLR §3.2, Theorem 10, Corollary 13).

The state $x_l$ has shape $U \times D$ or $U \times V \times D$ (positions by
channels).  With stride 1, an odd filter size $K$ and padding that keeps the size,

$$x_{l+1,p} = x_{l,p} + \phi\Big(\sum_{k} A_{l,k}\,\psi(x_l)_{p+k} + a_l\Big),\qquad
  A_{l,k} = \mu_w\Delta t\,[k = 0]\,I + \sigma_w\sqrt{\Delta t/D}\,E_{l,k},\quad
  a_l = \mu_b\Delta t\,\mathbf 1 + \sigma_b\sqrt{\Delta t}\,e_l,$$

with offsets $k \in \{-(K-1)/2, \dots, (K-1)/2\}^{s}$ ($s$ = 1 or 2 spatial
axes), the same filter $E_l$ ($D \times K^s \times D$, standard normal) at every
position, and $\psi(x_l)$ padded by zeros (``padding="zero"``: the padded
entries of $\psi(x)$ are 0, as in a CNN applied to the activation tensor) or
periodically (``"circular"``).  Filter entries have variance $\sigma_w^2\Delta t/D$
(scaled by $D$, not $K^s D$: Corollary 13).

With $K = 1$ the block acts on every position as the fully connected block with
the *same* $(E_l, e_l)$: the $U$ (or $UV$) positions are the inputs of one fully
connected network (equal in law to it, and here equal draw by draw: the filter
$(D, 1, D)$ is drawn like $E_l$ $(D, D)$).  They are not independent networks.

Randomness: as in :mod:`numerics.resnet_sde.forward` (fixed blocks with
child seeds); per layer the filter ``(D, K[, K], D)`` then the bias ``(D, 1)``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_finite_array, check_integer
from ._model import ResNet

__all__ = ["PADDINGS", "conv_resnet_outputs", "patch_sources"]

PADDINGS = ("zero", "circular")


def patch_sources(spatial, *, kernel_size, padding) -> np.ndarray:
    r"""The gather index of the patches: ``src[j, p]`` is the position $p + k_j - (K-1)/2$ (positions and offsets
    $k_j \in \{0, \dots, K-1\}^s$ in C order), or $P$ = the number of positions (a zero row appended by the caller)
    outside a zero-padded image; wrapped periodically with ``padding="circular"``.  Shape ``(K^s, P)``.

    >>> patch_sources((4,), kernel_size=3, padding="zero").tolist()
    [[4, 0, 1, 2], [0, 1, 2, 3], [1, 2, 3, 4]]
    """
    K = check_integer("kernel_size", kernel_size, minimum=1)
    if K % 2 == 0:
        raise ValueError(f"kernel_size={K!r} is outside the allowed range: odd integers >= 1")
    if not isinstance(padding, str) or padding not in PADDINGS:
        raise ValueError(f"padding={padding!r} is not allowed; allowed values: {', '.join(map(repr, PADDINGS))}")
    spatial = tuple(int(n) for n in spatial)
    if len(spatial) not in (1, 2) or min(spatial) < 1 or (padding == "circular" and K > min(spatial)):
        raise ValueError(f"shape={spatial!r} must have 1 or 2 positive sizes (>= kernel_size={K} with circular "
                         "padding)")
    P, r = math.prod(spatial), (K - 1) // 2
    shape = np.array(spatial)
    grid = np.indices(spatial).reshape(len(spatial), P).T
    src = np.empty((K ** len(spatial), P), dtype=np.intp)
    for j, k in enumerate(itertools.product(range(-r, r + 1), repeat=len(spatial))):
        t = grid + np.array(k)
        inside = np.all((t >= 0) & (t < shape), axis=1) | (padding == "circular")
        src[j] = np.where(inside, np.ravel_multi_index(tuple((t % shape).T), spatial), P)
    return src


def conv_resnet_outputs(model: ResNet, x, *, kernel_size, n_samples, seed, padding="zero",
                        chunk_size=None) -> np.ndarray:
    r"""Final states $x_L$ of ``n_samples`` independent convolutional ResNets on the inputs ``x``.

    Parameters
    ----------
    model:
        A :class:`~numerics.resnet_sde.ResNet` with ``input="state"`` and no readout;
        ``width`` is the number of channels $D$.
    x:
        Initial states, shape ``(m, U, D)`` or ``(m, U, V, D)``; all ``m`` inputs share each network.
    kernel_size:
        Odd filter size $K \ge 1$.
    n_samples, seed, chunk_size:
        As in :func:`~numerics.resnet_sde.resnet_outputs`.
    padding:
        ``"zero"`` or ``"circular"``.

    Returns
    -------
    ndarray of shape ``(n_samples,) + x.shape``.

    Reference: Peluchetti & Favaro, JMLR 2021, §3.2 (Theorem 10, Corollary 13).
    """
    if not isinstance(model, ResNet):
        raise ValueError(f"model={model!r} must be a numerics.resnet_sde.ResNet")
    if model.input != "state" or model.sigma_y is not None:
        raise ValueError(f"conv_resnet_outputs needs input='state' and sigma_y=None, got input={model.input!r}, "
                         f"sigma_y={model.sigma_y!r}")
    K = check_integer("kernel_size", kernel_size, minimum=1)
    if K % 2 == 0:
        raise ValueError(f"kernel_size={K!r} is outside the allowed range: odd integers >= 1")
    if not isinstance(padding, str) or padding not in PADDINGS:
        raise ValueError(f"padding={padding!r} is not allowed; allowed values: {', '.join(map(repr, PADDINGS))}")
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    if chunk_size is not None:
        chunk_size = check_integer("chunk_size", chunk_size, minimum=1)
    x = check_finite_array("x", x)
    D = model.width
    if x.ndim not in (3, 4) or x.shape[-1] != D or min(x.shape) < 1:
        raise ValueError(f"x must have shape (m, U, {D}) or (m, U, V, {D}) (channels = width), got shape {x.shape}")
    spatial = x.shape[1:-1]
    ns = len(spatial)
    if padding == "circular" and K > min(spatial):
        raise ValueError(f"kernel_size={K!r} exceeds the spatial size {spatial}; circular padding needs "
                         f"kernel_size <= {min(spatial)}")
    m, n_pos = x.shape[0], math.prod(spatial)
    dt = model.dt
    phi, psi = model._phi.f, model._psi.f
    src = patch_sources(spatial, kernel_size=K, padding=padding)  # (T, P); index P: the zero row (zero padding)
    T = src.shape[0]
    taps = np.arange(T)[:, None]
    w_scale, b_scale = model.sigma_w * math.sqrt(dt / D), model.sigma_b * math.sqrt(dt)

    blocks = SeedBlocks(seed, n_samples)
    per_sample = 8 * (2 * T * D * D + m * D * (2 * T * (n_pos + 1) + 6 * n_pos))
    out = np.empty((n_samples,) + x.shape)
    x_t = x.reshape(m, n_pos, D).transpose(1, 2, 0)              # (P, D, m)
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        S = hi - lo
        # The sample axis is last inside (long inner loops): the state is X[p, i, input, sample].
        X = np.ascontiguousarray(np.broadcast_to(x_t[..., None], (n_pos, D, m, S)))
        Y = np.zeros((T, n_pos + 1, D, m, S))                    # row n_pos stays 0
        for _ in range(model.depth):
            filt = blocks.normals(chunk, (D,) + (K,) * ns + (D,), np.float64)
            e = blocks.normals(chunk, (D, 1), np.float64)
            F = np.ascontiguousarray(filt.reshape(S, D, T, D).transpose(2, 3, 1, 0))   # F[k, i, o, sample]
            P = np.asarray(psi(X), dtype=np.float64)
            # Y[k, q, o] = sum_i F[k, i, o] psi(x_q)_i; the pre-activation at p is sum_k Y[k, p + k]
            np.multiply(P[None, :, 0, None], F[:, None, 0, :, None], out=Y[:, :n_pos])
            for i in range(1, D):
                Y[:, :n_pos] += P[None, :, i, None] * F[:, None, i, :, None]
            h = Y[taps, src].sum(0)                                # (P, D, m, S)
            h *= w_scale
            h += b_scale * e[:, :, 0].T[:, None, :]
            if model.mu_w:
                h += (model.mu_w * dt) * P
            if model.mu_b:
                h += model.mu_b * dt
            X += np.asarray(phi(h), dtype=np.float64)
        out[lo:hi] = X.transpose(3, 2, 0, 1).reshape((S,) + x.shape)
    return out
