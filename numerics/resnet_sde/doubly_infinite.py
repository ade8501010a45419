r"""Doubly infinite ResNets ($L = D \to \infty$, $\psi = \mathrm{id}$): NNGP and NTK parts at two inputs.

The inputs $z = 1$ and $z'$ are copied to every unit.  :func:`doubly_infinite_nngp` draws
$\lambda_L = \langle x_L(z), x_L(z')\rangle/D$ exactly in law; :func:`doubly_infinite_ntk` draws the
residual-weight and bias parts $K_W(z, z')$, $K_b(z, z')$ of the empirical NTK with explicit weights
($O(LD^2)$ per network).  Their limits are the closed forms of record ``resnet_sde.ntk`` (JMLR §5.3-5.4).
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_integer, check_scalar
from ._model import ResNet
from .forward import resnet_outputs
from .ntk import resnet_ntk

__all__ = ["doubly_infinite_nngp", "doubly_infinite_ntk"]

CHUNK = 4096  # networks per batch of the simulators


def _net(phi, size, sigma_w, sigma_b):
    size = check_integer("size", size, minimum=1)
    return ResNet(depth=size, width=size, sigma_w=sigma_w, sigma_b=sigma_b, phi=phi, psi="identity", input="copy")


def doubly_infinite_nngp(phi, size, sigma_w, sigma_b, z2, *, n_samples, seed) -> np.ndarray:
    r"""$\lambda_L = \langle x_L(1), x_L(z')\rangle/D$ of ``n_samples`` networks with $L = D$ = ``size``, shape ``(n,)``."""
    z = np.array([1.0, check_scalar("z2", z2)])
    r = resnet_outputs(_net(phi, size, sigma_w, sigma_b), z, n_samples=n_samples, seed=seed, gram=True,
                       chunk_size=CHUNK)
    return r.gram[:, 0, 0, 1]


def doubly_infinite_ntk(phi, size, sigma_w, sigma_b, z2, *, n_samples, seed) -> np.ndarray:
    r"""$(K_W(1, z'), K_b(1, z'))$ of ``n_samples`` networks with $L = D$ = ``size``, shape ``(n, 2)``."""
    z = np.array([1.0, check_scalar("z2", z2)])
    r = resnet_ntk(_net(phi, size, sigma_w, sigma_b), z, n_samples=n_samples, seed=seed, chunk_size=CHUNK)
    return np.stack([r.ntk["W"][:, 0, 1], r.ntk["b"][:, 0, 1]], axis=1)
