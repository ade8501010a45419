r"""Infinite-width NNGP and NTK parts of the finite-depth ResNet ($\psi = \mathrm{id}$), by the layer recursion.

Block $x_{l+1} = x_l + \phi(h_l)$, $h_l = A_lx_l + a_l$, $\operatorname{Var}A_{ij} = \sigma_w^2\Delta t/D$,
$\operatorname{Var}a_i = \sigma_b^2\Delta t$, $\Delta t = 1/L$, inputs $z = 1$, $z'$ copied to every unit, output
$y = x_{L,1}$.  As $D \to \infty$ at fixed $L$ (the gradient-independence heuristic for the backward part):

* **NNGP.** $\Sigma_l$ = the $2\times2$ per-unit second moments at $(z, z')$; given the past, a unit's
  $(h_l, h'_l) \sim N(0, C_l)$, $C_l = \Delta t(\sigma_w^2\Sigma_l + \sigma_b^2)$, and $E[x_{l,i}\phi(h'_{l,i})] = 0$
  (for odd $\phi$, $h$ is conditionally symmetric), so
  $$\Sigma_{l+1} = \Sigma_l + E_{u\sim N(0, C_l)}[\phi(u)\phi(u)^\top].$$
* **NTK parts.** With $\delta_{l+1} = \partial y/\partial x_{l+1}$, $\Pi_{l+1} = \langle\delta_{l+1}, \delta'_{l+1}\rangle$
  and $\Phi_l = E_{N(0, C_l)}[\phi'(u)\phi'(u')]$: $\Pi_L = 1$, $\Pi_l = \Pi_{l+1}(1 + \sigma_w^2\Delta t\,\Phi_l)$, and
  $$K_W = \sum_{l<L}\sigma_w^2\Delta t\,\lambda_l\,\Phi_l\,\Pi_{l+1},\qquad K_b = \sum_{l<L}\sigma_b^2\Delta t\,\Phi_l\,\Pi_{l+1}$$
  ($\lambda_l = \Sigma_{l,12}$; gradients with respect to the standard normals of the weights and biases).

For $\phi = \mathrm{id}$ these are the exact finite-width values of :mod:`numerics.resnet_sde.linear_kernels`
(tested).  For $\phi = \tanh$ a finite network's means differ from them through the fluctuation of the empirical
Gram at width $D$ (it enters the nonlinear part of $E[\phi\phi^\top]$, $O(\Delta t^2)$ per layer) and, for the NTK,
through the dependence between $\delta_{l+1}$ and $h_l$ that gradient independence ignores: measured close to $c/D$
along $L = D$ with $|c| \approx 0.1$-$0.2$ at $\sigma_w = \sigma_b = 0.8$, against a depth bias of about $-8/D$
(docs/claims/claim.doubly_infinite_kernels.md).
The Gaussian expectations use a tensor Gauss-Hermite rule (``nodes`` per axis); :func:`wide_kernels_limit` takes
$L \to \infty$ by two Richardson steps in $1/L$.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import psd_factor
from ..core.validation import check_integer, check_scalar
from ._model import ResNet

__all__ = ["wide_kernels_finite_depth", "wide_kernels_limit"]

NODES = 48  #: Gauss-Hermite nodes per axis


def _rule(nodes):
    g, w = np.polynomial.hermite_e.hermegauss(nodes)
    G = np.stack(np.meshgrid(g, g, indexing="ij"), 0).reshape(2, -1)
    return G, np.outer(w, w).ravel() / (2.0 * math.pi)


def wide_kernels_finite_depth(phi, sigma_w, sigma_b, z2, depth, *, nodes=NODES) -> np.ndarray:
    r"""$(\lambda_L, K_W, K_b)$ at $(z, z') = (1, z_2)$ of the infinite-width ResNet of depth ``depth``.

    >>> np.round(wide_kernels_finite_depth("identity", 1.0, 0.0, 1.0, 1), 12).tolist()   # (1 + 1), 1, 0
    [2.0, 1.0, 0.0]
    """
    net = ResNet(depth=check_integer("depth", depth, minimum=1), width=1, sigma_w=sigma_w, sigma_b=sigma_b, phi=phi,
                 psi="identity")
    z2 = check_scalar("z2", z2)
    f, df, L, dt = net._phi.f, net._phi.df, net.depth, net.dt
    G, w = _rule(check_integer("nodes", nodes, minimum=2))
    S = np.array([[1.0, z2], [z2, z2 * z2]])
    lams, Phis = np.empty(L), np.empty(L)
    for l in range(L):
        C = dt * (net.sigma_w**2 * S + net.sigma_b**2)
        u = psd_factor(C) @ G
        fu, dfu = np.asarray(f(u), float), np.asarray(df(u), float)
        lams[l], Phis[l] = S[0, 1], w @ (dfu[0] * dfu[1])
        S = S + (fu * w) @ fu.T
    steps = 1.0 + net.sigma_w**2 * dt * Phis
    Pi_next = np.append(np.cumprod(steps[::-1])[::-1][1:], 1.0)  # Pi_{l+1} = prod_{k > l} steps_k
    return np.array([S[0, 1], net.sigma_w**2 * dt * np.sum(lams * Phis * Pi_next),
                     net.sigma_b**2 * dt * np.sum(Phis * Pi_next)])


def wide_kernels_limit(phi, sigma_w, sigma_b, z2, *, depth=512, nodes=NODES) -> np.ndarray:
    r"""$\lim_{L\to\infty}$ of :func:`wide_kernels_finite_depth` by two Richardson steps over $L = N, 2N, 4N$
    ($N$ = ``depth``): $\tfrac13(8m(4N) - 6m(2N) + m(N))$."""
    n = check_integer("depth", depth, minimum=1)
    m1, m2, m4 = (wide_kernels_finite_depth(phi, sigma_w, sigma_b, z2, k * n, nodes=nodes) for k in (1, 2, 4))
    return (8.0 * m4 - 6.0 * m2 + m1) / 3.0
