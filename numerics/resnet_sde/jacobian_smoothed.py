r"""The Jacobian limit law by moments and a *smoothed* CDF, with the linear network on the same weights as control.

The statistics of :mod:`numerics.resnet_sde.jacobian_limit` compare the CDF of $Y = \log|g_Lv|$ at cuts $c_j$ through
indicators $\mathbf 1\{Y \le c_j\}$.  Against the linear twin on the same weights
(:mod:`numerics.resnet_sde.jacobian_control`) an indicator difference is $\pm1$ whenever the two networks straddle
the cut, so the control variate removes only a factor 3-4 of its standard deviation.  Here the indicator is
replaced by $\Phi((c_j - Y)/h)$: its mean is the CDF of $Y + hZ$ at $c_j$ ($Z \sim N(0,1)$ independent), a smooth
function of $Y$, so the difference between the two networks is $O(|Y^\phi - Y^{\mathrm{id}}|/h)$.

With the limit law $N(m, s^2)$ of the record, cuts $c_j = m + s\,z_j$ ($z_j = \Phi^{-1}(q_j)$) and bandwidth
$h = \kappa s$, the limit of the smoothed CDF is

$$E\,\Phi\big((c_j - Y)/h\big) = \Phi\big((c_j - m)/\sqrt{s^2 + h^2}\big) = \Phi\big(z_j/\sqrt{1 + \kappa^2}\big),$$

(:func:`smoothed_levels`); the mean and variance columns are those of
:func:`~numerics.resnet_sde.jacobian_limit.jacobian_limit_statistics`.  The linear network's exact depth-$L$ means
of the same columns come from its exact law (Poisson mixture; smoothed Gil-Pelaez inversion,
:func:`~numerics.resnet_sde.jacobian_law.linear_jacobian_log_norm_cdf` with ``smoothing``), and their
$L \to \infty$ limit by two Richardson steps, not from the record.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from ..core.validation import check_integer, check_scalar
from .jacobian_coupled import coupled_jacobian_log_norms
from .jacobian_law import linear_jacobian_log_norm_cdf, linear_jacobian_log_norm_moments
from .jacobian_limit import jacobian_limit_cuts, jacobian_limit_moments
from .moments import variance_summands
from .norm_exact import RICHARDSON_DEPTH

__all__ = ["jacobian_smoothed_limit_means", "jacobian_smoothed_statistics", "linear_smoothed_column_means",
           "linear_smoothed_limit_means", "smoothed_levels"]


def _bandwidth(phi, width, sigma_w, kappa) -> float:
    kappa = check_scalar("kappa", kappa, low=0.0, closed=(False, True))
    return kappa * math.sqrt(jacobian_limit_moments(phi, width, sigma_w)[1])


def smoothed_levels(quantiles, kappa) -> np.ndarray:
    r"""$\Phi(\Phi^{-1}(q_j)/\sqrt{1 + \kappa^2})$: the smoothed CDF of the normal limit law at its ``quantiles``.

    >>> smoothed_levels((0.5,), 0.2).tolist()
    [0.5]
    """
    from scipy.stats import norm

    kappa = check_scalar("kappa", kappa, low=0.0, closed=(False, True))
    return ndtr(norm.ppf(np.asarray(quantiles, dtype=float)) / math.sqrt(1.0 + kappa**2))


def jacobian_smoothed_limit_means(phi, width, sigma_w, quantiles, kappa) -> np.ndarray:
    r"""The record's limits of the columns of :func:`jacobian_smoothed_statistics`: mean and variance of the normal
    limit law of $\log|g_Tv|$ (twice: $\log|g_T^\top u|$ has the same law), then :func:`smoothed_levels`."""
    mean, var = jacobian_limit_moments(phi, width, sigma_w)
    jacobian_limit_cuts(phi, width, sigma_w, quantiles)  # validates the quantiles
    return np.concatenate([[mean, var, mean, var], smoothed_levels(quantiles, kappa)])


def linear_smoothed_column_means(width, sigma_w, depth, quantiles, kappa) -> np.ndarray:
    r"""Exact depth-$L$ means of the columns of :func:`jacobian_smoothed_statistics` for the linear network."""
    mean, var = linear_jacobian_log_norm_moments(width, sigma_w, depth)
    cuts = jacobian_limit_cuts("identity", width, sigma_w, quantiles)
    cdf = linear_jacobian_log_norm_cdf(cuts, width, sigma_w, depth, smoothing=_bandwidth("identity", width, sigma_w,
                                                                                       kappa))
    return np.concatenate([[mean, var, mean, var], cdf])


def linear_smoothed_limit_means(width, sigma_w, quantiles, kappa, *, depth=RICHARDSON_DEPTH) -> np.ndarray:
    r"""$L = \infty$ limit of :func:`linear_smoothed_column_means`: two Richardson steps over $L = N, 2N, 4N$
    ($N$ = ``depth``); equal to :func:`jacobian_smoothed_limit_means` when the record is right (tested)."""
    n = check_integer("depth", depth, minimum=1)
    m1, m2, m4 = (linear_smoothed_column_means(width, sigma_w, k * n, quantiles, kappa) for k in (1, 2, 4))
    return (8.0 * m4 - 6.0 * m2 + m1) / 3.0


def _columns(yv, yu, cuts, h):
    return np.column_stack([yv, variance_summands(yv), yu, variance_summands(yu), ndtr((cuts - yv[:, None]) / h)])


def jacobian_smoothed_statistics(phi, width, sigma_w, sigma_b, depth, quantiles, kappa, *, n_samples, seed,
                                 limit) -> np.ndarray:
    r"""Per weight draw, shape ``(n, 4 + len(quantiles))``: $\log|gv|$, its variance summands, the same for
    $\log|g^\top u|$, and $\Phi((c_j - \log|gv|)/h)$ at the limit's ``quantiles`` $c_j$, $h = \kappa s$;
    for ``phi="tanh"`` the tanh network's columns minus its linear twin's (same weights) plus ``limit`` (the
    linear network's $L = \infty$ means, :func:`linear_smoothed_limit_means`); for ``phi="identity"`` the linear
    network's columns minus their exact depth-$L$ means plus ``limit``: unbiased at every depth."""
    cuts, h = jacobian_limit_cuts(phi, width, sigma_w, quantiles), _bandwidth(phi, width, sigma_w, kappa)
    yv, yu, lv, lu = coupled_jacobian_log_norms(phi, width, sigma_w, sigma_b, depth, n_samples=n_samples, seed=seed)
    lin = _columns(lv, lu, cuts, h)
    centre = lin if phi != "identity" else linear_smoothed_column_means(width, sigma_w, depth, quantiles, kappa)
    own = _columns(yv, yu, cuts, h) if phi != "identity" else lin
    return own - centre + np.asarray(limit, dtype=float)
