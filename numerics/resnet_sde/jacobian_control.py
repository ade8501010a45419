r"""Control variates for the Jacobian statistics: the linear network on the same draws, whose law is exact.

A ResNet with outer activation $\phi$ ($\phi'(0) = 1$, $\phi''(0) = 0$, $\psi = \mathrm{id}$) and the linear one
($\phi = \mathrm{id}$) built from the same weights have Jacobians $g^\phi_L$, $g^{\mathrm{id}}_L$ that differ per
layer by $(\operatorname{diag}\phi'(h_l) - I)A_l = O(\Delta t^{3/2})$ with conditional mean 0 (so by $O(1/L)$ in
all, and the two limits agree).  For each column $f$ of
:func:`~numerics.resnet_sde.jacobian_limit.jacobian_limit_statistics`,

$$f(g^\phi_L) - f(g^{\mathrm{id}}_L) + \lim_{L'\to\infty}E f(g^{\mathrm{id}}_{L'})$$

has mean $E f(g^\phi_L) - E f(g^{\mathrm{id}}_L) + f^{\mathrm{id}}_\infty$: it tends to the same limit as $E f(g^\phi_L)$,
its finite-depth bias is that of the difference alone (the linear network's own $1/L$ series, with its heavy
left tail at small $L$, is removed exactly), and its variance is that of the difference, small when the two
networks are close.  The constant $f^{\mathrm{id}}_\infty$ (mean and variance of $\log|gv|$, CDF at the cuts) comes
from the exact finite-depth law of the linear network (Poisson mixture, Gil-Pelaez inversion:
:mod:`numerics.resnet_sde.jacobian_law`) by two Richardson steps in $1/L$, not from the record it is compared
with.  For $\phi = \mathrm{id}$ the draws are the linear network's own minus its exact depth-$L$ means plus the
constant: unbiased at every depth, no extrapolation needed.
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_integer
from .jacobian_law import linear_jacobian_log_norm_cdf, linear_jacobian_log_norm_moments
from .jacobian_limit import jacobian_limit_cuts, jacobian_limit_statistics
from .norm_exact import RICHARDSON_DEPTH

__all__ = ["jacobian_control_statistics", "linear_jacobian_column_means", "linear_jacobian_limit_means"]


def linear_jacobian_column_means(width, sigma_w, depth, quantiles) -> np.ndarray:
    r"""Exact means at depth $L$ = ``depth`` of the columns of :func:`jacobian_limit_statistics` for
    $\phi = \mathrm{id}$: mean and variance of $\log|g_Lv|$ (:func:`linear_jacobian_log_norm_moments`), the same for
    $\log|g_L^\top u|$ (one law), then $P(\log|g_Lv| \le c_j)$ at the limit's ``quantiles`` $c_j$ (inversion)."""
    mean, var = linear_jacobian_log_norm_moments(width, sigma_w, depth)
    cuts = jacobian_limit_cuts("identity", width, sigma_w, quantiles)
    return np.concatenate([[mean, var, mean, var], linear_jacobian_log_norm_cdf(cuts, width, sigma_w, depth)])


def linear_jacobian_limit_means(width, sigma_w, quantiles, *, depth=RICHARDSON_DEPTH) -> np.ndarray:
    r"""$L = \infty$ means of the columns of :func:`jacobian_limit_statistics` for $\phi = \mathrm{id}$: two
    Richardson steps over $L = N, 2N, 4N$ ($N$ = ``depth``) of :func:`linear_jacobian_column_means` (their limits
    are the record's GBM moments and quantile levels when the record is right).

    >>> np.round(linear_jacobian_limit_means(2, 1.0, (0.5,)), 7).tolist()   # GBM: mean 0, variance 1/2, median
    [0.0, 0.5, 0.0, 0.5, 0.5]
    """
    n = check_integer("depth", depth, minimum=1)
    m1, m2, m4 = (linear_jacobian_column_means(width, sigma_w, k * n, quantiles) for k in (1, 2, 4))
    return (8.0 * m4 - 6.0 * m2 + m1) / 3.0


def jacobian_control_statistics(phi, width, sigma_w, sigma_b, depth, quantiles, *, n_samples, seed,
                                limit=None) -> np.ndarray:
    r"""Per network: the columns of :func:`jacobian_limit_statistics` for ``phi`` minus those of the linear
    network on the same draws (same ``seed``), plus the linear network's $L = \infty$ means (``limit``, default
    :func:`linear_jacobian_limit_means`); shape ``(n, 4 + len(quantiles))``.  For ``phi="identity"`` the draws are
    those of the linear network minus its exact depth-$L$ means plus ``limit`` (unbiased at every depth)."""
    limit = linear_jacobian_limit_means(width, sigma_w, quantiles) if limit is None else np.asarray(limit, float)
    own = jacobian_limit_statistics(phi, width, sigma_w, sigma_b, depth, quantiles, n_samples=n_samples, seed=seed)
    if phi == "identity":
        return own - linear_jacobian_column_means(width, sigma_w, depth, quantiles) + limit
    linear = jacobian_limit_statistics("identity", width, sigma_w, sigma_b, depth, quantiles,
                                       n_samples=n_samples, seed=seed)
    return own - linear + limit
