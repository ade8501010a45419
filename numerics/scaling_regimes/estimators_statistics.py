r"""Per-network weight statistics of Cohen, Cont, Rossier and Xu (``regression.py`` of their code), vectorised.

A network of depth $L$ gives a weight sequence $(A_k)_{k<L}$; each $A_k$ is flattened to its $m$ entries, so the
sequence is an array ``(..., L, m)`` (leading axes: independent networks).  $\|\cdot\|$ is the Frobenius norm.

=========================  ==============================================================================
``max_norm``               $\max_k\|A_k\|$ (the code's ``Maximum``; $\hat\beta = -$ its log-log slope in $L$)
``increment``              $L^{f}\max_{k\ge1}\|A_k - A_{k-1}\|$ (``Increment``, ``factor`` $= f$)
``root_ssq``               $(\sum_k\|A_k\|^2)^{1/2}$ (``Root SSQ``; slope $\tfrac12 - \beta$ for i.i.d. weights)
``quadratic_variation``    $\sum_{k\ge1}\|A_k - A_{k-1}\|^2$ (``QuadraticVariation``)
``sobolev``                $(L\sum_{k\ge1}\|A_k - A_{k-1}\|^2)^{1/2}$ (``Sobolev``: the discrete $H^1$ seminorm)
``cumsum``                 $\|\sum_k A_k\|$ (``cumsum``)
``detrended_cumsum``       $\max_{1\le k<L}\|W_k - \bar W_k\|$, $W_k = \sum_{j<k}A_j$ ($W_0 = 0$), $\bar W_k$ the
                           centred moving average of $W_0..W_{L-1}$ with half-window $w = \max(3, \lfloor L/10\rfloor)$:
                           $W_{k-w..k+w-1}$ inside, $W_{0..2k-1}$ near 0, $W_{2k-L..L-1}$ near $L$; for $L < 10$ the
                           bridge $\max_{1\le k\le L}\|W_k - (k/L)W_L\|$ (``detrended-cumsum``, as coded)
=========================  ==============================================================================

(The code's ``L2`` statistic, $\sqrt{\sum_k\|A_k\|^2/L}$, is overwritten by ``Root SSQ`` there because its test
``stats == "SSQ" or "SqrtSSQ" or ...`` is always true; it is not offered here.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["STATISTICS", "layer_statistic"]

STATISTICS = ("max_norm", "increment", "root_ssq", "quadratic_variation", "sobolev", "cumsum",
              "detrended_cumsum")


def _norms(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("...km,...km->...k", x, x))


def _detrended_cumsum(x: np.ndarray) -> np.ndarray:
    L = x.shape[-2]
    w = np.concatenate([np.zeros_like(x[..., :1, :]), np.cumsum(x, axis=-2)], axis=-2)  # W_0..W_L
    if L < 10:
        k = np.arange(1, L + 1)[:, None] / L
        return _norms(w[..., 1:, :] - k * w[..., -1:, :]).max(axis=-1)
    half = max(3, int(0.10 * L))
    prefix = np.concatenate([np.zeros_like(w[..., :1, :]), np.cumsum(w, axis=-2)], axis=-2)  # sum of W_0..W_{j-1}
    k = np.arange(1, L)
    lo = np.where(k < half, 0, np.where(k < L - half, k - half, 2 * k - L))
    hi = np.where(k < half, 2 * k, np.where(k < L - half, k + half, L))
    mean = (prefix[..., hi, :] - prefix[..., lo, :]) / (hi - lo)[:, None]
    return _norms(w[..., 1:L, :] - mean).max(axis=-1)


def layer_statistic(x: np.ndarray, statistic: str, *, factor: float = 0.0) -> np.ndarray:
    """One statistic of weight sequences ``x`` of shape ``(..., L, m)``: an array of shape ``x.shape[:-2]``.

    ``statistic`` is one of :data:`STATISTICS` (validated by the caller); ``factor`` is the power of $L$ of
    ``increment`` (the code passes $\\hat\\beta$).
    """
    L = x.shape[-2]
    if statistic == "max_norm":
        return _norms(x).max(axis=-1)
    if statistic == "root_ssq":
        return np.sqrt(np.einsum("...km,...km->...", x, x))
    if statistic == "cumsum":
        s = x.sum(axis=-2)
        return np.sqrt(np.einsum("...m,...m->...", s, s))
    if statistic == "detrended_cumsum":
        return _detrended_cumsum(x)
    dx = np.diff(x, axis=-2)
    if statistic == "increment":
        return float(L) ** factor * _norms(dx).max(axis=-1, initial=0.0)
    qv = np.einsum("...km,...km->...", dx, dx)
    if statistic == "quadratic_variation":
        return qv
    if statistic == "sobolev":
        return np.sqrt(L * qv)
    raise ValueError(f"statistic={statistic!r} must be one of {STATISTICS}")
