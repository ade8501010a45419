r"""Rows of $L_d = \ln(\|z_d\|^2/\|z_0\|^2)$ with their zero-mean controls, and the records' finite-size log-moments.

What ``claim.log_gaussian`` simulates and subtracts, per width $n$ at depth $d = \max(1, \mathrm{round}(\beta n))$:

* :func:`log_norm_rows`: FC He-ReLU networks one per row, with the martingale control $b\,C$ of
  :mod:`._fc_control` (mean exactly 0) and the square's control $b^2(C^2 - S)$; standard and balanced ReLU ResNets
  as **antithetic pairs** per row (:mod:`._antithetic`), with the martingale $\sum_\ell (R_\ell - \alpha^2 - 2\lambda^2 r_\ell)$
  (mean exactly 0).  In the pair's average, $L_d$ minus its control keeps the mean of $L_d$ and loses the fresh
  noise and the first-order noise of the activation mass (0.09-0.19 against 1.5 per network, measured);
* :func:`finite_size_log_moments`: $(E L_d, \operatorname{Var} L_d)$ at width $n$ and depth $d$ as the records derive
  them: FC exactly ($d\,m_1(n)$, $d\,v_1(n)$, ``log_gaussian.fc_relu``), the standard ResNet to $O(d/n^2)$ (the limit
  plus the boundary terms ``finite_depth_mean``/``finite_depth_variance`` of ``log_gaussian.resnet_standard``), the
  balanced ResNet as the limit times $d/n$ (stationary martingale increments from layer 0, no boundary term).
"""

from __future__ import annotations

import math

import numpy as np

from ..generated import log_gaussian_fc_relu as fc_relu
from ..generated import log_gaussian_resnet_balanced as resnet_balanced
from ..generated import log_gaussian_resnet_standard as resnet_standard
from ._antithetic import antithetic_activation_statistics
from ._fc_control import fc_controlled_draws, layer_ratio_moments

__all__ = ["ARCHITECTURES", "finite_size_log_moments", "finite_size_log_slope", "limit_log_moments", "log_norm_rows"]

#: the architectures of ``log_gaussian.*`` these functions know
ARCHITECTURES = ("fc_relu", "resnet_balanced", "resnet_standard")


def _check_architecture(architecture) -> str:
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture={architecture!r} is not allowed; allowed values: {', '.join(ARCHITECTURES)}")
    return architecture


def limit_log_moments(architecture: str, lambda2: float) -> np.ndarray:
    r"""$(\mu/\beta, \sigma^2/\beta)$ of the log-Gaussian limit (records ``log_gaussian.*``; $\lambda^2$ unused for FC)."""
    if _check_architecture(architecture) == "fc_relu":
        return np.array([fc_relu.limit_mean(1.0), fc_relu.limit_variance(1.0)], dtype=float)
    module = resnet_balanced if architecture == "resnet_balanced" else resnet_standard
    lam = math.sqrt(lambda2)
    return np.array([module.limit_mean(lam, 1.0), module.limit_variance(lam, 1.0)], dtype=float)


def finite_size_log_moments(architecture: str, lambda2: float, width: int, depth: int) -> np.ndarray:
    r"""$(E L_d, \operatorname{Var} L_d)$ at width $n$ and depth $d$ as the records derive them (module docstring).

    >>> round(float(finite_size_log_moments("resnet_balanced", 0.5, 100, 100)[1]), 12)
    2.25
    """
    if _check_architecture(architecture) == "fc_relu":
        return depth * np.array([fc_relu.log_ratio_mean(width), fc_relu.log_ratio_variance(width)], dtype=float)
    if architecture == "resnet_standard":
        lam = math.sqrt(lambda2)
        return np.array([resnet_standard.finite_depth_mean(lam, width, depth),
                         resnet_standard.finite_depth_variance(lam, width, depth)], dtype=float)
    return limit_log_moments(architecture, lambda2) * depth / width


def finite_size_log_slope(architecture: str, lambda2: float) -> np.ndarray:
    r"""$(\mu, \sigma^2)$ per unit $\beta$ as the large-size slope of :func:`finite_size_log_moments`, **without** the limit
    records (so an offset built from it does not cancel them: ``claim.log_gaussian``, issue 12, finding 4).

    FC: the Richardson limit $2(2N)m_1(2N) - N m_1(N)$ of the exact per-layer moments, $N = 10^4$ (the rest is
    $O(N^{-2})$: 6e-8 on the mean, 4e-7 on the variance).  Standard ResNet: $[F(2D) - F(D)]/D$ of the finite-depth
    moments at $n = 1$, exact up to $O(D\alpha^D)$ with $\alpha^D < e^{-60}$.  Balanced ResNet: its finite-size moments
    are the limit's times $d/n$, so the slope is the limit record.

    >>> [round(float(v), 6) for v in finite_size_log_slope("resnet_standard", 1.0)]
    [-2.5, 5.0]
    """
    if _check_architecture(architecture) == "fc_relu":
        n = 10_000
        per_layer = [finite_size_log_moments(architecture, lambda2, m, 1) * m for m in (n, 2 * n)]
        return 2 * per_layer[1] - per_layer[0]
    if architecture == "resnet_standard":
        alpha = math.sqrt(max(0.0, 1.0 - lambda2))
        depth = max(64, math.ceil(60.0 / -math.log(alpha))) if alpha > 0 else 64
        return (finite_size_log_moments(architecture, lambda2, 1, 2 * depth)
                - finite_size_log_moments(architecture, lambda2, 1, depth)) / depth
    return limit_log_moments(architecture, lambda2)


def log_norm_rows(architecture: str, *, lambda2: float, width: int, depth: int, n_rows: int, seed):
    r"""``(L, A, square)``: $L_d$ per network, shape ``(n_rows, k)``, $A = L_d - \text{control}$ (same shape), and the
    FC square's control $b^2(C^2 - S)$, shape ``(n_rows,)`` (None for ResNets).

    FC ReLU: $k = 1$, one network per row; ResNets: $k = 2$, an antithetic pair per row (module docstring).
    Rows are i.i.d.; $E A = E L_d$ and $E[\text{square}] = 0$ exactly.
    """
    if _check_architecture(architecture) == "fc_relu":
        L, c, sq = fc_controlled_draws("relu", width=width, depth=depth, n_samples=n_rows, seed=seed).T
        b = layer_ratio_moments("relu", width)[2]
        return L[:, None], (L - b * c)[:, None], b * b * (c * c - sq)
    o = antithetic_activation_statistics(architecture.removeprefix("resnet_"), branch_weight=math.sqrt(lambda2),
                                         width=width, n_pairs=n_rows, seed=seed, burn_in=0, window=depth,
                                         log_norm_only=True)
    return o["log_norm"], o["log_norm"] - o["martingale"], None
