r"""The fixed design of ``claim.conv_resnet_sde``: inputs, compared positions, and the statistics of both sides.

Images of shape :data:`SHAPE` (6 or $6 \times 3$ positions), an input $x_0$ of :data:`INPUT_SCALE` times standard
normal entries from seed 2021 (:func:`conv_design_input`), and three positions (:func:`conv_design_positions`): an
interior $p$, its neighbour, and a position whose filter-3 patch shares no entry with $p$'s.  On both sides the
compared statistics are :func:`~numerics.resnet_sde.conv_sde.conv_moments` at those positions (channel mean at $p$,
channel-averaged covariances of $p$ with the other two):

* :func:`conv_network_moments`: finite convolutional ResNets (:func:`~numerics.resnet_sde.conv_resnet_outputs`);
* :func:`conv_coupled_moments`: per draw, the Richardson extrapolation in $1/L$ of the statistics of networks of
  depths :data:`COUPLED_DEPTHS` on common random numbers
  (:func:`~numerics.resnet_sde.conv_coupled.conv_coupled_outputs`), with the linear relative as a control variate
  (:mod:`~numerics.resnet_sde.conv_control`; its exact mean from the block's law,
  :mod:`~numerics.resnet_sde.conv_linear_exact`, never from the record), and the goodness-of-fit contrast of the extrapolation;
* :func:`conv_limit_moments`: the SDE of Corollary 13: exact (a matrix exponential) where it is linear
  ($\psi = \mathrm{id}$, no drift), otherwise Richardson-extrapolated Euler--Maruyama with the linear relative as
  a control variate (:func:`~numerics.resnet_sde.conv_control.conv_sde_moments_controlled`);
* :func:`conv_limit_scales`: the root mean squares $\sqrt{v_p}$, $\sqrt{v_pv_q}$ of the SDE (a fixed-seed normaliser
  for relative power, not a test).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.validation import check_integer
from ..generated import resnet_sde_conv as conv_forms
from ._model import ResNet
from .conv import conv_resnet_outputs
from .conv_control import controlled, conv_sde_moments_controlled, linear_relative_moments
from .conv_coupled import conv_coupled_outputs
from .conv_linear_exact import linear_network_moments
from .conv_sde import PHI, conv_moments, conv_sde_terminal

__all__ = ["ACTIVATIONS", "COUPLED_DEPTHS", "INPUT_SCALE", "POSITIONS", "PSI_SLOPE", "SHAPE", "conv_coupled_moments",
           "conv_design_input", "conv_design_positions", "conv_limit_moments", "conv_limit_scales",
           "conv_network_moments", "split_activations"]

#: the $(\phi, \psi)$ pairs covered.  Not swish/identity: with $\phi''(0) \ne 0$ and unbounded $\psi$ the drift is
#: quadratic and the SDE explodes with positive probability (JMLR Remark 8; Feller's test)
ACTIVATIONS = ("tanh/identity", "tanh/tanh", "swish/tanh")
#: image shape per number of spatial axes, and the positions (interior p, neighbour, distant) compared
SHAPE = {1: (6,), 2: (6, 3)}
POSITIONS = {1: ((2,), (3,), (5,)), 2: ((2, 1), (3, 1), (5, 1))}
INPUT_SCALE = 0.5
#: coupled depths: the limit is the Richardson extrapolation (quadratic in 1/L) through the three largest; the
#: smallest enters only the goodness-of-fit contrast (the same extrapolation through the three smallest, minus it)
COUPLED_DEPTHS = (8, 16, 32, 64)
RICHARDSON = np.array([0.0, 1 / 3, -2.0, 8 / 3])
FIT_CONTRAST = np.array([1 / 3, -2.0, 8 / 3, 0.0]) - RICHARDSON
#: the slope kappa of the linear relative's psi (y -> kappa y): 1 for the identity; for tanh a fixed 0.8, chosen for
#: variance only (any kappa leaves the estimators unbiased; measured in docs/claims/claim.conv_resnet_sde.md)
PSI_SLOPE = {"identity": 1.0, "tanh": 0.8}
SDE_STEPS = 32


def _dims(spatial_dims) -> int:
    dims = check_integer("spatial_dims", spatial_dims, minimum=1)
    if dims not in SHAPE:
        raise ValueError(f"spatial_dims={spatial_dims!r} is outside the allowed range: 1 or 2")
    return dims


def split_activations(activations: str) -> tuple[str, str]:
    """``"phi/psi"`` of :data:`ACTIVATIONS` as ``(phi, psi)``; a ValueError names the allowed values."""
    if activations not in ACTIVATIONS:
        raise ValueError(f"activations={activations!r} is not allowed; allowed values: "
                         f"{', '.join(map(repr, ACTIVATIONS))}")
    phi, psi = activations.split("/")
    return phi, psi


def conv_design_input(spatial_dims: int, width: int) -> np.ndarray:
    r"""The fixed input $x_0$, shape ``(1, *SHAPE[spatial_dims], width)``: :data:`INPUT_SCALE` times standard normal
    entries from seed 2021."""
    width = check_integer("width", width, minimum=1)
    return INPUT_SCALE * np.random.default_rng(2021).standard_normal((1,) + SHAPE[_dims(spatial_dims)] + (width,))


def conv_design_positions(spatial_dims: int) -> tuple[int, ...]:
    """Flat indices (C order) of the interior position p, its neighbour and the distant position."""
    dims = _dims(spatial_dims)
    return tuple(int(np.ravel_multi_index(q, SHAPE[dims])) for q in POSITIONS[dims])


def conv_network_moments(activations, spatial_dims, width, padding, sigma_w, sigma_b, depth, *, n_samples,
                         seed) -> np.ndarray:
    """The compared statistics of ``n_samples`` finite networks of depth ``depth`` (filter size 3), shape ``(n, 3)``."""
    phi, psi = split_activations(activations)
    net = ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi=PHI[phi][0], psi=psi)
    x = conv_resnet_outputs(net, conv_design_input(spatial_dims, width), kernel_size=3, n_samples=n_samples,
                            seed=seed, padding=padding, chunk_size=4096)
    return conv_moments(x[:, 0].reshape(n_samples, -1, width), conv_design_positions(spatial_dims))


def conv_coupled_moments(activations, spatial_dims, width, padding, sigma_w, sigma_b, *, n_samples,
                         seed) -> np.ndarray:
    r"""Per draw of coupled networks (filter size 3), shape ``(n, 6)``: the Richardson limit in $1/L$ of the
    compared statistics (:data:`RICHARDSON` over :data:`COUPLED_DEPTHS`), then their goodness-of-fit contrast
    (:data:`FIT_CONTRAST`, mean $O(L^{-3})$ if the quadratic describes the depths); each combination controlled by the
    same combination of the linear relative (:data:`PSI_SLOPE`) and its exact mean, computed from the block's own
    law (:func:`~numerics.resnet_sde.conv_linear_exact.linear_network_moments`), not from the record under test."""
    phi, psi = split_activations(activations)
    x0, pos, kappa = conv_design_input(spatial_dims, width)[0], conv_design_positions(spatial_dims), PSI_SLOPE[psi]
    nets, lins = conv_coupled_outputs(phi, psi, x0, sigma_w=sigma_w, sigma_b=sigma_b, padding=padding,
                                      depths=COUPLED_DEPTHS, n_samples=n_samples, seed=seed, psi_slope=kappa)
    stats = np.stack([conv_moments(nets[:, j], pos) for j in range(len(COUPLED_DEPTHS))], axis=-1)
    lin = np.stack([conv_moments(lins[:, j], pos) for j in range(len(COUPLED_DEPTHS))], axis=-1)
    lam = np.stack([linear_network_moments(x0, pos, depth=L, sigma_w=kappa * sigma_w, sigma_b=sigma_b,
                                           padding=padding, dphi0=PHI[phi][1]) for L in COUPLED_DEPTHS], axis=-1)
    return np.concatenate([controlled(stats @ w, lin @ w, lam @ w) for w in (RICHARDSON, FIT_CONTRAST)], axis=1)


def conv_limit_moments(activations, spatial_dims, width, padding, sigma_w, sigma_b, *, n_paths, seed,
                       drift=True, patch_scale=1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""The SDE's values of the compared statistics at $T = 1$ and their standard errors: exact (standard error 0)
    for $\psi = \mathrm{id}$ when the generated ``drift`` vanishes ($\phi''(0) = 0$), else
    :func:`~numerics.resnet_sde.conv_control.conv_sde_moments_controlled` with ``n_paths`` paths and
    :data:`SDE_STEPS` steps.  ``drift=False`` or ``patch_scale`` plant wrong laws."""
    phi, psi = split_activations(activations)
    x0, pos = conv_design_input(spatial_dims, width), conv_design_positions(spatial_dims)
    kw = dict(sigma_w=sigma_w, sigma_b=sigma_b, padding=padding, patch_scale=patch_scale)
    flat = all(float(conv_forms.drift(v, PHI[phi][2], sigma_w, sigma_b, width)) == 0.0 for v in (0.0, 1.0, 2.0))
    if psi == "identity" and (flat or not drift):
        return linear_relative_moments(x0[0], pos, depth=None, dphi0=PHI[phi][1], **kw), np.zeros(len(pos))
    return conv_sde_moments_controlled(phi, psi, x0, pos, n_paths=n_paths, n_steps=SDE_STEPS, seed=seed,
                                       drift=drift, psi_slope=PSI_SLOPE[psi], **kw)


def conv_limit_scales(activations, spatial_dims, width, padding, sigma_w, sigma_b, *, n_paths=1_000, n_steps=16,
                      seed=2021) -> list[float]:
    r"""$\sqrt{v_p}$, $\sqrt{v_pv_q}$, $\sqrt{v_pv_{far}}$: $v$ the SDE's channel-averaged variances (fine solution of
    a fixed-seed run), the sizes a discrepancy of each statistic is relative to."""
    phi, psi = split_activations(activations)
    x, _ = conv_sde_terminal(phi, psi, conv_design_input(spatial_dims, width), sigma_w=sigma_w, sigma_b=sigma_b,
                             padding=padding, n_paths=n_paths, n_steps=n_steps, seed=seed)
    v = [float(conv_moments(x, (j, j))[:, 1].mean()) for j in conv_design_positions(spatial_dims)]
    return [math.sqrt(v[0]), math.sqrt(v[0] * v[1]), math.sqrt(v[0] * v[2])]
