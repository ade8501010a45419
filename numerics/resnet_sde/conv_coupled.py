r"""Convolutional ResNets of several depths on common random numbers, with their linear relative.

For variance reduction in ``claim.conv_resnet_sde``.  One draw is a family of networks of depths
$L_1 < \dots < L_m$ (each dividing $L_m$) built from one set of standard normals at the finest depth: layer $l$
of depth $L = L_m/r$ takes the filter $E^{(L)}_l = r^{-1/2}\sum_{j=0}^{r-1}E^{(L_m)}_{rl+j}$ (and the bias alike),
again standard normal and independent over layers, so each network has exactly the law of
:func:`~numerics.resnet_sde.conv_resnet_outputs`; the depths are coupled as Euler schemes on one Brownian path.

The same draws drive the *linear relative* $y_{l+1} = y_l + \phi'(0)\big(\sum_k A_{l,k}\,\kappa\,y_{l,p+k} +
a_l\big)$ ($\phi$ replaced by its first-order term at 0, $\psi$ by $y \mapsto \kappa y$), whose mean ($x_0$) and
channel-averaged second moments are exact at every depth
(:func:`~numerics.resnet_sde.conv_control.linear_relative_moments`: $\sigma_w\kappa$, ``dphi0`` $= \phi'(0)$): a
control variate.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_finite_array, check_integer, check_scalar
from .conv import patch_sources

__all__ = ["COUPLED_PHI", "COUPLED_PSI", "conv_coupled_outputs"]

#: $\phi$ by name: (function, $\phi'(0)$)
COUPLED_PHI = {"tanh": (np.tanh, 1.0), "swish": (lambda h: h * expit(h), 0.5)}
COUPLED_PSI = {"identity": lambda x: x, "tanh": np.tanh}


def _depths(depths) -> tuple[int, ...]:
    out = tuple(sorted(check_integer("depths", d, minimum=1) for d in depths))
    if not out or len(set(out)) != len(out) or any(out[-1] % d for d in out):
        raise ValueError(f"depths={tuple(depths)!r} must be distinct positive integers that divide the largest")
    return out


def conv_coupled_outputs(phi, psi, x0, *, sigma_w, sigma_b, padding, depths, n_samples, seed, kernel_size=3,
                         psi_slope=1.0, chunk_size=2048) -> tuple[np.ndarray, np.ndarray]:
    r"""Final states of coupled networks of each depth in ``depths`` and of their linear relatives (module docstring).

    ``phi`` is a key of :data:`COUPLED_PHI` (``"tanh"``, ``"swish"``), ``psi`` of :data:`COUPLED_PSI`; ``x0`` has
    shape ``(*spatial, D)`` (one input, 1 or 2 spatial axes); filters of odd size ``kernel_size``, ``padding``
    ``"zero"`` or ``"circular"``; ``psi_slope`` $= \kappa$ of the linear relative; draw $s$ from the fixed blocks of
    ``seed`` (independent of ``chunk_size``): per block, the filters ``(n, L_max, K^s, D_in, D_out)`` then the biases
    ``(n, L_max, D)``.

    Returns ``(networks, linear)``, each of shape ``(n_samples, len(depths), P, D)`` (positions flattened, C order;
    depths sorted).
    """
    if phi not in COUPLED_PHI or psi not in COUPLED_PSI:
        raise ValueError(f"phi={phi!r}, psi={psi!r}: allowed phi {sorted(COUPLED_PHI)}, psi {sorted(COUPLED_PSI)}")
    x0 = check_finite_array("x0", x0)
    if x0.ndim not in (2, 3):
        raise ValueError(f"x0 must have shape (U, D) or (U, V, D), got shape {x0.shape}")
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0)
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    psi_slope = check_scalar("psi_slope", psi_slope, low=0.0)
    depths = _depths(depths)
    n = check_integer("n_samples", n_samples, minimum=1)
    src = patch_sources(x0.shape[:-1], kernel_size=kernel_size, padding=padding)   # (T, P); index P: zero row
    T, P = src.shape
    D = x0.shape[-1]
    f_phi, dphi0 = COUPLED_PHI[phi]
    f_psi = COUPLED_PSI[psi]
    L_max = depths[-1]
    blocks = SeedBlocks(seed, n)
    nets, lins = np.empty((n, len(depths), P, D)), np.empty((n, len(depths), P, D))
    start = x0.reshape(P, D)
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, 8 * L_max * (T * D + 1) * D, n)):
        lo, hi = blocks.span(chunk)
        S = hi - lo
        Fz = blocks.normals(chunk, (L_max, T, D, D)).transpose(1, 2, 3, 4, 0)          # (L, T, D_in, D_out, S)
        bz = blocks.normals(chunk, (L_max, D)).transpose(1, 2, 0)                      # (L, D, S)
        for j, L in enumerate(depths):
            r = L_max // L
            F = np.ascontiguousarray(Fz.reshape(L, r, T, D, D, S).sum(1) * (sigma_w * math.sqrt(1.0 / (L * D * r))))
            b = np.ascontiguousarray(bz.reshape(L, r, D, S).sum(1) * (sigma_b * math.sqrt(1.0 / (L * r))))
            X = np.repeat(start[..., None], S, axis=-1)                                  # (P, D, S)
            Y = X.copy()
            for layer in range(L):
                X += f_phi(_conv(f_psi(X), F[layer], src) + b[layer])
                Y += dphi0 * (_conv(psi_slope * Y, F[layer], src) + b[layer])
            nets[lo:hi, j], lins[lo:hi, j] = X.transpose(2, 0, 1), Y.transpose(2, 0, 1)
    return nets, lins


def _conv(X, F, src):
    r"""$\big(\sum_k F_k^\top X_{p+k}\big)_p$ per sample: ``X`` (P, D_in, S), ``F`` (T, D_in, D_out, S) ->
    (P, D_out, S); ``src`` of :func:`~numerics.resnet_sde.conv.patch_sources` (index P: a zero row)."""
    Xp = np.concatenate([X, np.zeros((1,) + X.shape[1:])])
    return np.einsum("tpis,tios->pos", Xp[src], F)
