r"""The bootstrap over weight entries, fast for the statistics that are sums over entries.

Root-SSQ, quadratic variation, Sobolev and cumsum are $\phi_L(\sum_e c_e)$ of per-entry terms $c_e$ (an entry's
whole path over the layers $k$): $c_e = \sum_k A_{k,e}^2$ with $\phi = \sqrt{\cdot}$; $c_e = \sum_k(A_{k+1,e} -
A_{k,e})^2$ with $\phi = \mathrm{id}$ or $\sqrt{L\,\cdot}$; $c_e = (\sum_k A_{k,e})^2$ with $\sqrt{\cdot}$.  Resampling
the entries with replacement then resamples the $m$ terms, at cost $O(Bm)$ per network instead of $O(BLm)$, with
the same draws as resampling the whole paths (same indices, same result).  Vectorised over independent studies
(leading axes), for the calibration claim.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ENTRY_SUMS", "bootstrap_slopes", "entry_terms", "finish"]

ENTRY_SUMS = ("root_ssq", "quadratic_variation", "sobolev", "cumsum")


def entry_terms(x: np.ndarray, statistic: str) -> np.ndarray:
    """Per-entry terms $c_e$ of ``x`` ``(..., L, m)``: shape ``(..., m)``."""
    if statistic == "root_ssq":
        return np.einsum("...km,...km->...m", x, x)
    if statistic == "cumsum":
        return x.sum(axis=-2) ** 2
    if statistic in ("quadratic_variation", "sobolev"):
        dx = np.diff(x, axis=-2)
        return np.einsum("...km,...km->...m", dx, dx)
    raise ValueError(f"statistic={statistic!r} is not a sum over entries; those are {ENTRY_SUMS}")


def finish(total, statistic: str, depth: int):
    r"""$\phi_L$: the statistic from the sum of the entry terms."""
    if statistic == "quadratic_variation":
        return total
    return np.sqrt(total * depth if statistic == "sobolev" else total)


def bootstrap_slopes(terms, depths, statistic: str, *, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    r"""Least-squares log-log slopes of ``n_boot`` entry-resampled copies: ``terms`` is a list over ``depths`` of
    arrays ``(..., m)``; returns ``(..., n_boot)`` (entries resampled independently per depth and study)."""
    x = np.log(np.asarray(depths, dtype=float))
    xc = (x - x.mean()) / ((x - x.mean()) @ (x - x.mean()))
    slope = 0.0
    for c, L, w in zip(terms, depths, xc):
        m = c.shape[-1]
        idx = rng.integers(0, m, size=(*c.shape[:-1], n_boot, m))
        total = np.take_along_axis(c[..., None, :], idx, axis=-1).sum(axis=-1)
        slope = slope + w * np.log(finish(total, statistic, L))
    return slope
