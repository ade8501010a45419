r"""The $L = \infty$ law of the input Jacobian of deep ResNets ($\psi = \mathrm{id}$, $\phi''(0) = 0$), and the
per-network statistics compared with it (Peluchetti and Favaro, JMLR 2021, Theorem 14, Corollary 15, §5.4).

The backward SDE $dg = c\,dB\,g + \text{drift}\,\mathbf 1(\psi\psi')^\top g\,dt$ (record ``resnet_sde.backward``)
has no drift when $\phi''(0) = 0$; then $y = gv$ solves the linear SDE of record ``resnet_sde.norm_gbm``, so
$\log|g_T v|$ is normal with mean ``log_norm_mean`` and variance ``log_norm_variance``
(:func:`jacobian_limit_moments`; $c^2$ = ``norm_variance_rate``, tested).

* :func:`jacobian_rates`: $(c^2, \text{drift})$;
* :func:`jacobian_limit_moments`, :func:`jacobian_limit_cuts`: the limit law and its quantiles;
  :func:`jacobian_limit_means`: the limits of the means of :func:`jacobian_limit_statistics`;
* :func:`jacobian_limit_statistics`: per network, $\log|gv|$, $\log|g^\top u|$, their variance summands and
  the indicators at the cuts (the means of these columns tend to the limit's mean, variance and CDF);
* :func:`jacobian_exact_statistics`: the $\phi = \mathrm{id}$ statistics whose laws are exact at finite depth,
  and :func:`linear_jacobian_exact_means` their exact means.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm as _norm

from numerics.generated import resnet_sde_backward as _backward
from numerics.generated import resnet_sde_norm_gbm as _norm_gbm
from numerics.generated import resnet_sde_norm_moments as _norm_moments

from ..core.validation import check_integer, check_scalar
from .jacobian_law import (jacobian_gram_diagonal, jacobian_gram_off_diagonal, jacobian_log_norms,
                           linear_jacobian_log_norm_moments)
from .moments import variance_summands

__all__ = ["PHI_DERIVATIVES", "jacobian_exact_statistics", "jacobian_limit_cuts", "jacobian_limit_moments",
           "jacobian_limit_means", "jacobian_limit_statistics", "jacobian_rates", "linear_jacobian_exact_means"]

#: $(\phi'(0), \phi''(0))$ of the outer activations the Jacobian law covers
PHI_DERIVATIVES = {"identity": (1.0, 0.0), "tanh": (1.0, 0.0), "swish": (0.5, 0.5)}


def _phi(phi) -> tuple[float, float]:
    if phi not in PHI_DERIVATIVES:
        raise ValueError(f"phi={phi!r} is not allowed; allowed values: {', '.join(map(repr, PHI_DERIVATIVES))}")
    return PHI_DERIVATIVES[phi]


def jacobian_rates(phi, width, sigma_w) -> tuple[float, float]:
    r"""$(c^2, \text{drift})$ of the backward SDE for $\psi = \mathrm{id}$ (record ``resnet_sde.backward``).

    >>> jacobian_rates("identity", 1, 1.0)   # c^2 = phi'(0)^2 sigma_w^2 / D, no drift
    (1.0, 0.0)
    """
    d1, d2 = _phi(phi)
    width = check_integer("width", width, minimum=1)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True))
    c = float(_backward.noise_coefficient(1.0, d1, sigma_w, width))
    return c * c, float(_backward.drift_coefficient(1.0, d2, sigma_w, width))


def jacobian_limit_moments(phi, width, sigma_w) -> tuple[float, float]:
    r"""Mean and variance of the normal limit law of $\log|g_T v|$ ($T = 1$); a ValueError if $\phi''(0) \ne 0$
    (the backward SDE then has a drift, not covered).

    >>> jacobian_limit_moments("identity", 2, 1.0)   # ((D - 2)/(2D), 1/D) sigma_w^2
    (0.0, 0.5)
    """
    if jacobian_rates(phi, width, sigma_w)[1] != 0.0:
        raise ValueError(f"phi={phi!r} has phi''(0) != 0: the backward SDE has a drift; not covered")
    d1 = _phi(phi)[0]
    return (float(_norm_gbm.log_norm_mean(d1, sigma_w, width, 1.0)),
            float(_norm_gbm.log_norm_variance(d1, sigma_w, width, 1.0)))


def jacobian_limit_cuts(phi, width, sigma_w, quantiles) -> np.ndarray:
    """The ``quantiles`` (each in (0, 1)) of the limit law of $\\log|g_T v|$."""
    q = np.asarray(quantiles, dtype=float)
    if q.ndim != 1 or not np.all((q > 0) & (q < 1)):
        raise ValueError(f"quantiles={quantiles!r} must be a 1-D sequence in (0, 1)")
    mean, var = jacobian_limit_moments(phi, width, sigma_w)
    return mean + math.sqrt(var) * _norm.ppf(q)


def jacobian_limit_statistics(phi, width, sigma_w, sigma_b, depth, quantiles, *, n_samples, seed) -> np.ndarray:
    r"""Per network of depth ``depth``: $\log|gv|$, its variance summands, the same for $\log|g^\top u|$, and
    $\mathbf 1\{\log|gv| \le c_j\}$ at the limit's ``quantiles`` $c_j$; shape ``(n, 4 + len(quantiles))``."""
    cuts = jacobian_limit_cuts(phi, width, sigma_w, quantiles)
    _, yv, yu = jacobian_log_norms(phi, width, sigma_w, sigma_b, depth, n_samples=n_samples, seed=seed)
    return np.column_stack([yv, variance_summands(yv), yu, variance_summands(yu), yv[:, None] <= cuts])


def jacobian_exact_statistics(width, sigma_w, sigma_b, depth, *, n_samples, seed) -> np.ndarray:
    r"""$\phi = \mathrm{id}$: $\log|g^\top u|$, $\operatorname{tr}(g^\top g)/D$, $\log|gv|$ and (for $D > 1$) the
    off-diagonal mean of $g^\top g$; shape ``(n, 3 or 4)`` (columns 1: are the finite-depth moments)."""
    g, yv, yu = jacobian_log_norms("identity", width, sigma_w, sigma_b, depth, n_samples=n_samples, seed=seed)
    return np.column_stack([yu, jacobian_gram_diagonal(g), yv] + ([jacobian_gram_off_diagonal(g)] if width > 1 else []))


def linear_jacobian_exact_means(width, sigma_w, depth) -> tuple[np.ndarray, np.ndarray]:
    r"""$\phi = \psi = \mathrm{id}$ at depth $L$: the exact means of columns 1: of :func:`jacobian_exact_statistics`,
    $E\operatorname{tr}(g^\top g)/D = (1 + \sigma_w^2/L)^L$ (record ``resnet_sde.norm_moments``), $E\log|gv|$
    (:func:`~numerics.resnet_sde.linear_jacobian_log_norm_moments`) and, for $D > 1$, the off-diagonal mean 0;
    and the scale of each ($E\operatorname{tr}/D$, the standard deviation of $\log|gv|$, $E\operatorname{tr}/D$).

    >>> linear_jacobian_exact_means(1, 1.0, 1)[0][0]   # (1 + 1)^1
    2.0
    """
    width, depth = check_integer("width", width, minimum=1), check_integer("depth", depth, minimum=1)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True))
    gram = float(_norm_moments.mean_q_finite_depth(1.0, sigma_w, 0.0, 1.0, depth))
    m, v = linear_jacobian_log_norm_moments(width, sigma_w, depth)
    k = 3 if width > 1 else 2
    return np.array([gram, m, 0.0][:k]), np.array([gram, math.sqrt(v), gram][:k])


def jacobian_limit_means(phi, width, sigma_w, quantiles) -> np.ndarray:
    r"""The $L = \infty$ means of the columns of :func:`jacobian_limit_statistics`: mean and variance of
    $\log|gv|$ and of $\log|g^\top u|$ (one law), then the limit CDF at its own ``quantiles`` (the quantiles).

    >>> jacobian_limit_means("identity", 2, 1.0, (0.5,)).tolist()
    [0.0, 0.5, 0.0, 0.5, 0.5]
    """
    mean, var = jacobian_limit_moments(phi, width, sigma_w)
    q = np.asarray(quantiles, dtype=float)
    jacobian_limit_cuts(phi, width, sigma_w, q)  # validates the quantiles
    return np.concatenate([[mean, var, mean, var], q])
