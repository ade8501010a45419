r"""Doubly infinite ResNets ($L = D$): the NNGP and NTK parts of a finite network, variance- and bias-reduced.

For a ResNet with outer activation $\phi$ ($\phi'(0) = 1$, $\phi''(0) = 0$, $\psi = \mathrm{id}$) at $L = D$, per network

$$Z = k_\phi - k_{\mathrm{lin}} + \big(\bar k_{\mathrm{lin}}(L) - \bar k_\phi(L)\big) + \bar k_\phi(\infty),$$

with $k$ the statistic ($\lambda_L$, $K_W$ or $K_b$ at $z = 1$, $z'$) of the $\phi$ network and of the linear one on
the same weights (a control variate: its mean $\bar k_{\mathrm{lin}}(L)$ is exact at every width,
:mod:`~numerics.resnet_sde.linear_kernels`), $\bar k_\phi(L)$ the infinite-width value at depth $L$ and
$\bar k_\phi(\infty)$ its $L \to \infty$ limit (:mod:`~numerics.resnet_sde.wide_finite_depth`, Richardson), both
computed, not drawn.  $EZ = \bar k_\phi(\infty) + (Ek_\phi - \bar k_\phi(L))$: the depth bias is removed and what
is left is the finite-width deviation of the finite network from the infinite-width recursion (measured
$O(1/D)$ with a small coefficient: docs/claims/claim.doubly_infinite_kernels.md), so a low-order fit in $1/D$
extrapolates it; $\operatorname{Var}Z = \operatorname{Var}(k_\phi - k_{\mathrm{lin}})$ is 10-100 times smaller
than $\operatorname{Var}k_\phi$ at $D \ge 32$.  For $\phi = \mathrm{id}$, $Z$ is the constant $\bar k(\infty)$.
"""

from __future__ import annotations

import functools

import numpy as np

from .coupled import coupled_final_states
from .doubly_infinite import doubly_infinite_ntk
from .linear_kernels import linear_kernels_finite_depth
from .wide_finite_depth import wide_kernels_finite_depth, wide_kernels_limit

__all__ = ["controlled_nngp", "controlled_ntk", "wide_limit"]


@functools.lru_cache(maxsize=64)
def wide_limit(phi, sigma_w, sigma_b, z2) -> np.ndarray:
    r"""$\bar k_\phi(\infty)$: :func:`wide_kernels_limit` (cached: every size of a sweep needs it)."""
    return wide_kernels_limit(phi, float(sigma_w), float(sigma_b), float(z2))


def _correction(phi, size, sigma_w, sigma_b, z2) -> np.ndarray:
    return (linear_kernels_finite_depth(z2, sigma_w, sigma_b, size) - wide_kernels_finite_depth(
        phi, sigma_w, sigma_b, z2, size) + wide_limit(phi, sigma_w, sigma_b, z2))


def controlled_nngp(phi, size, sigma_w, sigma_b, z2, *, n_samples, seed) -> np.ndarray:
    r"""$Z$ for $\lambda_L = \langle x_L(1), x_L(z')\rangle/D$ at $L = D$ = ``size``, shape ``(n,)`` (the pair of networks
    drawn jointly in law by :func:`~numerics.resnet_sde.coupled.coupled_final_states`)."""
    x, y = coupled_final_states(phi, size, sigma_w, sigma_b, size, np.array([1.0, z2]), n_samples=n_samples,
                                seed=seed)
    own, lin = (np.mean(u[:, :, 0] * u[:, :, 1], axis=1) for u in (x, y))
    return own - lin + _correction(phi, size, sigma_w, sigma_b, z2)[0]


def controlled_ntk(phi, size, sigma_w, sigma_b, z2, *, n_samples, seed) -> np.ndarray:
    r"""$Z$ for $(K_W, K_b)$ at $L = D$ = ``size``, shape ``(n, 2)`` (explicit weights, the same ``seed`` for both
    networks: :func:`~numerics.resnet_sde.doubly_infinite.doubly_infinite_ntk` draws independently of $\phi$)."""
    own = doubly_infinite_ntk(phi, size, sigma_w, sigma_b, z2, n_samples=n_samples, seed=seed)
    lin = doubly_infinite_ntk("identity", size, sigma_w, sigma_b, z2, n_samples=n_samples, seed=seed)
    return own - lin + _correction(phi, size, sigma_w, sigma_b, z2)[1:]
