r"""The first Edgeworth term of a standardised CDF, with its sampling noise carried row by row.

For $Z = (L - m)/\sqrt v$ with skewness $\gamma$ (one-term Edgeworth expansion):

.. math::
    P(Z \le t) = \Phi(t) - \varphi(t)\,\frac{\gamma}{6}(t^2 - 1) + O(\gamma^2, \kappa_4).

Adding the term back with the sample skewness $\hat\gamma$ leaves a statistic whose standard error must count
$\hat\gamma$'s own noise.  The influence function of the (biased, ``ddof = 0``) sample skewness at
$y = (x - \bar x)/s$ is

.. math::
    \mathrm{IF}(y) = y^3 - 3y - \gamma - \tfrac32\,\gamma\,(y^2 - 1),

so $\hat\gamma = \gamma + \frac1N \sum_i \mathrm{IF}(y_i) + O_p(1/N)$ (the $-\gamma$ makes $E\,\mathrm{IF} = 0$,
as $E y^3 = \gamma$).  Giving each row
$\hat\gamma + \overline{\mathrm{IF}}_{\text{row}}$ instead of the constant $\hat\gamma$ leaves the mean of the rows
unchanged (the IFs sum to exactly 0 when evaluated at $\hat\gamma$ with the sample's own mean and ``ddof = 0``
standard deviation) and makes the rows' spread, and their covariance with the indicator, carry $\hat\gamma$'s variance.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sstats

__all__ = ["edgeworth_skew_rows", "skewness_influence"]


def skewness_influence(x: np.ndarray) -> tuple[float, np.ndarray]:
    r"""$(\hat\gamma, \mathrm{IF}(y_i))$ for all entries of ``x`` (any shape, pooled), IF of the same shape.

    >>> g, infl = skewness_influence(np.array([0.0, 1.0, 5.0]))
    >>> bool(abs(infl.sum()) < 1e-12)
    True
    """
    x = np.asarray(x, dtype=float)
    if x.size < 3 or not np.all(np.isfinite(x)):
        raise ValueError(f"x must hold at least 3 finite values, got size={x.size}")
    sd = x.std()
    if not sd > 0:
        raise ValueError(f"x must not be constant, got standard deviation {sd!r} (allowed: > 0)")
    y = (x - x.mean()) / sd
    gamma = float(np.mean(y**3))
    return gamma, y**3 - 3.0 * y - gamma - 1.5 * gamma * (y * y - 1.0)


def edgeworth_skew_rows(L: np.ndarray, points) -> np.ndarray:
    r"""Per row of ``L`` (shape ``(rows, k)``), $\varphi(t)\,(t^2 - 1)/6 \cdot (\hat\gamma + \overline{\mathrm{IF}}_{\text{row}})$
    at each $t$ of ``points``: shape ``(rows, len(points))``, mean over the rows exactly
    $\varphi(t)\,\hat\gamma\,(t^2 - 1)/6$ (:func:`skewness_influence`, pooled over all entries of ``L``)."""
    L = np.asarray(L, dtype=float)
    if L.ndim != 2:
        raise ValueError(f"L must have shape (rows, k), got ndim={L.ndim}")
    t = np.asarray(points, dtype=float)
    gamma, infl = skewness_influence(L)
    weight = sstats.norm.pdf(t) * (t * t - 1.0) / 6.0
    return (gamma + infl.mean(axis=1))[:, None] * weight[None, :]
