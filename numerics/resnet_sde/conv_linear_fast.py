r"""A batched simulator of the linear convolutional ResNet ($\phi = \psi = \mathrm{id}$), and its last layer's
conditional second moments (a Rao-Blackwellisation).

The block of :func:`~numerics.resnet_sde.conv_resnet_outputs` with $\phi = \psi = \mathrm{id}$ is

$$x_{l+1,p,o} = x_{l,p,o} + \sigma_w\sqrt{\Delta t/D}\sum_{k}\sum_{i} W_{l,o,k,i}\,x_{l,p+k,i}
  + \sigma_b\sqrt{\Delta t}\,b_{l,o},$$

$W$, $b$ independent standard normals, $x_{p+k} = 0$ outside a zero-padded image (wrapped with circular padding).
:func:`linear_conv_states` runs it for all networks at once: the patches of each layer are one gather
(:func:`~numerics.resnet_sde.conv.patch_sources`) and the filter one batched ``(P, K^s D) @ (K^s D, D)`` product per
network; each seed block draws all its layers' normals in one call, in the order
:func:`~numerics.resnet_sde.conv_resnet_outputs` draws them (filters then biases, layer by layer), so the two
simulators give the same networks for the same seed (tests compare them to rounding).

:func:`last_layer_second_moments` integrates the last layer out: given $x_{L-1}$ the noise of the last block is
centred Gaussian, independent of $x_{L-1}$'s own value, with

$$E\big[\langle x_{L,p}, x_{L,q}\rangle/D \,\big|\, x_{L-1}\big] = \langle x_{L-1,p}, x_{L-1,q}\rangle/D
  + \Delta t\Big(\frac{\sigma_w^2}{D}\sum_k\langle x_{L-1,p+k}, x_{L-1,q+k}\rangle + \sigma_b^2\Big),
\qquad E[x_L \mid x_{L-1}] = x_{L-1},$$

read off the block above (the second moment of a linear form in independent standard normals), not from the
derivation record ``resnet_sde.conv`` nor from the recursion
:func:`~numerics.resnet_sde.conv_linear.conv_covariance_finite_depth`.  A check that compares the mean of this
statistic with that recursion therefore still simulates $L - 1$ of its $L$ layers: an error of the record or of
the recursion (a factor, a dropped term, a wrong patch sum) changes the prediction at every layer and the
statistic at none, so the check keeps all but the last layer's share of its sensitivity to it.  The conditional
mean has the unconditional mean of the drawn statistic and a smaller variance (the last layer's noise is gone).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import SeedBlocks
from ..core.validation import check_finite_array, check_integer, check_scalar
from .conv import patch_sources

__all__ = ["last_layer_second_moments", "linear_conv_states"]

#: samples per chunk (whole seed blocks): small enough for the temporaries to stay in cache (measured, 40,960
#: networks at K = 3, s = 2, D = 2, 15 layers: 1.9 s CPU at 4096, 0.55 s at 256, 0.53 s at 128, 0.59 s at 64)
CHUNK_SAMPLES = 256


def _gather_index(src, D):
    """Flat column index into the zero-row-padded state ``(S, D, P + 1)`` whose ``(K^s D, P)`` reshape holds the
    patches: row $(k, i)$ (C order), column $p$ is $x_{p + k, i}$ (0 outside a zero-padded image)."""
    P = src.shape[1]
    return (np.arange(D)[None, :, None] * (P + 1) + src[:, None, :]).ravel()


def _patches(X, index):
    """``(S, K^s D, P)``: the patches of the channel-major states ``X`` of shape ``(S, D, P)``."""
    S, D, P = X.shape
    padded = np.zeros((S, D, P + 1))
    padded[:, :, :P] = X
    return padded.reshape(S, -1)[:, index].reshape(S, -1, P)


def linear_conv_states(x0, *, kernel_size, padding, sigma_w, sigma_b, depth, n_samples, seed,
                       layers=None) -> np.ndarray:
    r"""States of ``n_samples`` independent linear conv ResNets after ``layers`` blocks of step $\Delta t = 1/$``depth``.

    ``x0`` has shape ``(*spatial, D)`` (one input, 1 or 2 spatial axes, $D$ channels).  ``layers`` defaults to
    ``depth`` (the final state $x_L$); ``layers = depth - 1`` gives $x_{L-1}$ for
    :func:`last_layer_second_moments`.  The networks are those of
    :func:`~numerics.resnet_sde.conv_resnet_outputs` with ``phi = psi = "identity"`` and the same seed.

    Returns an array of shape ``(n_samples, P, D)``, positions $P$ flattened in C order.

    >>> x = linear_conv_states(np.ones((3, 1)), kernel_size=1, padding="zero", sigma_w=0.0, sigma_b=0.0,
    ...                        depth=4, n_samples=2, seed=0)
    >>> x.shape, float(x.max()), float(x.min())
    ((2, 3, 1), 1.0, 1.0)
    """
    x0 = check_finite_array("x0", x0)
    if x0.ndim not in (2, 3) or min(x0.shape) < 1:
        raise ValueError(f"x0 must have shape (U, D) or (U, V, D), got shape {x0.shape}")
    depth = check_integer("depth", depth, minimum=1)
    layers = depth if layers is None else check_integer("layers", layers, minimum=0)
    if layers > depth:
        raise ValueError(f"layers={layers!r} is outside the allowed range: 0 <= layers <= depth={depth}")
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0)
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    src = patch_sources(x0.shape[:-1], kernel_size=kernel_size, padding=padding)  # validates K and padding
    T, P = src.shape
    D = x0.shape[-1]
    dt = 1.0 / depth
    w_scale, b_scale = sigma_w * math.sqrt(dt / D), sigma_b * math.sqrt(dt)
    index = _gather_index(src, D)
    n_filt = D * T * D  # per network and layer: filters W[o, k, i], then D biases (conv_resnet_outputs' order)
    blocks = SeedBlocks(seed, n_samples)
    out = np.empty((n_samples, P, D))
    full = [j for j, (a, b) in enumerate(blocks.bounds) if b - a == blocks.bounds[0][1]]
    groups = [range(j, min(j + CHUNK_SAMPLES // 16, len(full))) for j in range(0, len(full), CHUNK_SAMPLES // 16)]
    groups += [range(len(full), blocks.n_blocks)] if len(full) < blocks.n_blocks else []  # the short last block
    buffers = {}  # reused across chunks of one size: fresh large arrays per chunk cost page faults (system time)
    for chunk in groups:
        lo, hi = blocks.span(chunk)
        S, B = hi - lo, blocks.bounds[chunk[0]][1] - blocks.bounds[chunk[0]][0]
        if S not in buffers:
            buffers[S] = (np.empty((len(chunk), layers, B * (n_filt + D))), np.zeros((S, D, P + 1)),
                          np.empty((S, T * D, P)), np.empty((S, D, T * D)), np.empty((S, D, P)))
        noise, padded, Z, filt, h = buffers[S]
        # each block's generator draws, layer by layer, its B networks' filters then their biases
        for jj, j in enumerate(chunk if layers else ()):
            blocks.gens[j].standard_normal(out=noise[jj])
        X = padded[:, :, :P]  # column P stays 0: the zero padding of the gather
        X[...] = x0.reshape(P, D).T
        for l in range(layers):
            filt.reshape(len(chunk), B * n_filt)[...] = noise[:, l, :B * n_filt]  # filt[s, o, (k, i)] = W[o, k, i]
            np.take(padded.reshape(S, -1), index, axis=1, out=Z.reshape(S, -1))
            np.matmul(filt, Z, out=h)                                       # (S, D, P)
            h *= w_scale
            h += b_scale * noise[:, l, B * n_filt:].reshape(S, D, 1)
            X += h
        out[lo:hi] = X.transpose(0, 2, 1)
    return out


def last_layer_second_moments(x_prev, pairs, *, kernel_size, padding, sigma_w, sigma_b, depth) -> np.ndarray:
    r"""$E[\langle x_{L,p}, x_{L,q}\rangle/D \mid x_{L-1}]$ for each ``(p, q)`` in ``pairs`` (module docstring).

    ``x_prev`` has shape ``(S, *spatial, D)`` (the states $x_{L-1}$ of $S$ networks); positions are flattened in
    C order; $\Delta t = 1/$``depth``.  Returns shape ``(S, len(pairs))``.

    >>> x = np.ones((1, 2, 1))
    >>> last_layer_second_moments(x, [(0, 0), (0, 1)], kernel_size=3, padding="zero", sigma_w=1.0,
    ...                           sigma_b=0.0, depth=1).tolist()  # 1 + |patch|^2 = 1 + 2; 1 + <(0,1,1),(1,1,0)> = 2
    [[3.0, 2.0]]
    """
    x_prev = check_finite_array("x_prev", x_prev)
    if x_prev.ndim not in (3, 4) or min(x_prev.shape) < 1:
        raise ValueError(f"x_prev must have shape (S, U, D) or (S, U, V, D), got shape {x_prev.shape}")
    depth = check_integer("depth", depth, minimum=1)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0)
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    src = patch_sources(x_prev.shape[1:-1], kernel_size=kernel_size, padding=padding)
    S, D = x_prev.shape[0], x_prev.shape[-1]
    X = x_prev.reshape(S, -1, D)
    P = X.shape[1]
    for p, q in pairs:
        if not (0 <= p < P and 0 <= q < P):
            raise ValueError(f"pairs entry {(p, q)!r} is outside the allowed range: positions 0..{P - 1}")
    padded = np.zeros((S, D, P + 1))
    padded[:, :, :P] = X.transpose(0, 2, 1)
    index = _gather_index(src, D).reshape(-1, P)  # (K^s D, P)
    patch = {p: padded.reshape(S, -1)[:, index[:, p]] for p in {p for pair in pairs for p in pair}}  # (S, K^s D)
    dt = 1.0 / depth
    cols = [np.sum(X[:, p] * X[:, q], axis=-1) / D
            + dt * (sigma_w**2 / D * np.sum(patch[p] * patch[q], axis=-1) + sigma_b**2) for p, q in pairs]
    return np.stack(cols, axis=1)
