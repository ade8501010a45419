r"""The NNGP and NTK recursion entry by entry, every dual by adaptive quadrature: an independent reference.

For inputs $x_1, \dots, x_m \in \mathbb{R}^d$, $K^{(0)} = \sigma_w^2\, x x^\top / d + \sigma_b^2$,
$\Theta^{(0)} = K^{(0)}$ and, per layer,
$K^{(l+1)}_{ij} = \sigma_w^2\, E[\phi(u)\phi(v)] + \sigma_b^2$,
$\Theta^{(l+1)}_{ij} = K^{(l+1)}_{ij} + \sigma_w^2\, E[\phi'(u)\phi'(v)]\, \Theta^{(l)}_{ij}$, with
$(u, v)$ centred Gaussian of variances $K_{ii}, K_{jj}$ and correlation $K_{ij}/\sqrt{K_{ii}K_{jj}}$.
Each expectation is :func:`numerics.dual.reference.pair_expectation` (error at most about $10^{-13}$ of the
Cauchy-Schwarz bound), one pair at a time: no Mehler series, no closed form, no vectorised route.  It
costs $O(m^2)$ quadratures per layer, so it checks sampled entries of the fast routes (tests, benchmarks).
"""

from __future__ import annotations

import numpy as np

from ..dual.reference import pair_expectation

__all__ = ["entrywise_nngp_ntk"]


def entrywise_nngp_ntk(act, x, *, depth: int, W_std: float, b_std: float) -> tuple[np.ndarray, np.ndarray]:
    """``(nngp, ntk)`` after ``depth`` layers for the rows of ``x`` (``act``: an Activation with phi, phi_prime)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x has shape {x.shape}; it must be 2-D (inputs x features), non-empty")
    if int(depth) != depth or depth < 0:
        raise ValueError(f"depth={depth!r} must be an integer >= 0")
    m = x.shape[0]
    k = W_std**2 * x @ x.T / x.shape[1] + b_std**2
    ntk = k.copy()
    for _ in range(int(depth)):
        v, vd = np.empty((m, m)), np.empty((m, m))
        for i in range(m):
            for j in range(i, m):
                rho = 1.0 if i == j else float(np.clip(k[i, j] / np.sqrt(k[i, i] * k[j, j]), -1, 1))
                v[i, j] = v[j, i] = pair_expectation(act.phi, act.phi, k[i, i], k[j, j], rho).value
                vd[i, j] = vd[j, i] = pair_expectation(act.phi_prime, act.phi_prime, k[i, i], k[j, j], rho).value
        k = W_std**2 * v + b_std**2
        ntk = k + W_std**2 * vd * ntk
    return k, ntk
