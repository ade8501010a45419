r"""The studentised mean of a skewed statistic: Hall's (1992) cubic transformation.

For i.i.d. draws with skewness $\gamma = \mu_3/\sigma^3$, the studentised mean
$Z = (\bar x - \mu)/\widehat{SE}$ is not $N(0, 1)$ to first order: its Edgeworth expansion
(P. Hall, *The Bootstrap and Edgeworth Expansion*, Springer 1992) is

.. math::

    P(Z \le x) = \Phi(x) + \frac{s}{6}\,(2x^2 + 1)\,\phi(x) + O(n^{-1}),
    \qquad s = \frac{\gamma}{\sqrt n},

so a low mean comes with a low standard error and the left tail is heavier: at a nominal two-sided
$10^{-2}$, $E f^4$ of a width-4 ReLU layer ($\gamma \approx 30$, $n = 20\,000$, $s \approx 0.2$) was
rejected 2.1 times too often, almost all in the left tail (``tests/quality/test_calibration.py``).

Hall's transformation removes the $n^{-1/2}$ term and stays monotone:

.. math::

    T = H_s(Z) = Z + \frac{s}{3} Z^2 + \frac{s^2}{27} Z^3 + \frac{s}{6}
      = \frac{(1 + sZ/3)^3 - 1}{s} + \frac{s}{6},
    \qquad P(T \le x) = \Phi(x) + O(n^{-1})

(P. Hall, "On the removal of skewness by transformation", J. R. Statist. Soc. B 54 (1992) 221-228;
Johnson's (1978) modified t, $Z + s/6 + sZ^2/3$, has the same first-order correction but is not monotone).
A test at rate $\alpha$ accepts iff $-c \le T \le c$, $c = \Phi^{-1}(1 - \alpha/2)$, i.e. iff $Z$ lies in
$[H_s^{-1}(-c), H_s^{-1}(c)]$ with

.. math::

    H_s^{-1}(y) = \frac{3}{s}\left(\sqrt[3]{1 + s\,(y - s/6)} - 1\right)
    \quad (\to y \text{ as } s \to 0),

an interval shifted towards the long tail: for $s > 0$ it reaches further left than right.

**The skewness of a difference.** With a Monte Carlo prediction (standard error $SE_p$, its own skewness
neglected) the compared statistic is $D = \bar x - \hat\mu$ with $\widehat{SE}^2 = s_x^2/n + SE_p^2$; the
$n^{-1/2}$ terms of its Edgeworth expansion come from $\kappa_3(D) = \mu_3/n^2$ and from
$\mathrm{cov}(D, \widehat{SE}^2) = \mu_3/n^2$ alone, so the same expansion holds with
$s = \kappa_3(D)/SE^3 = \hat\mu_3 / (n^2 SE^3)$ (:func:`mean_skewness`), which is $\gamma/\sqrt n$ when $SE_p = 0$.

**Range.** The expansion is asymptotic: the remainder is $O(n^{-1})$ at fixed $x$ and grows in the far tail.
Where $1 + s(y - s/6) \le 0$ (i.e. $|s|\,c \gtrsim 1$) the bound lies beyond the turning point of the cubic,
where the transformation is only its monotone continuation; :func:`beyond_range` flags it and the check says
so in its detail.  With $s \to 0$ (light tails, many draws) the interval is $[-c, c]$: the z-test.

**Where it is used.** The :class:`~verify.core.Exact` check (:mod:`verify.core.evaluate`).  Not the intercept of
:class:`~verify.core.Extrapolated`: that is a weighted least-squares combination $\sum_i w_i m_i$ of the
means at several sizes whose weights alternate in sign (so the sizes' skewness partly cancels, with
$\kappa_3 = \sum_i w_i^3\mu_{3,i}/n^2$) and depend on the estimated standard errors themselves, so the
expansion above does not carry over as it stands; on the same heavy-tailed $f^4$ over widths 2..16 its
measured rate at a nominal $10^{-2}$ was 25/2000 for 19.9 expected (``tests/quality/test_calibration.py``).

**Power.** A mean off by $\delta$ is rejected with probability at least $1 - \beta$ once
$\delta/SE \ge H_s^{-1}(c) - H_s^{-1}(-z_\beta)$ (upper side) or $\delta/SE \ge H_s^{-1}(z_\beta) - H_s^{-1}(-c)$
(lower side), $z_\beta = \Phi^{-1}(1 - \beta)$ (:func:`detectable`): for $s = 0$, $(c + z_\beta)\,SE$.

>>> round(float(inverse_hall(1.959964, 0.0)), 6)
1.959964
>>> round(float(hall(inverse_hall(-2.5, 0.3), 0.3)), 12)
-2.5
"""

from __future__ import annotations

import numpy as np

__all__ = ["beyond_range", "detectable", "hall", "inverse_hall", "mean_skewness"]


def hall(z, s):
    r"""Hall's transformation $H_s(z) = z + s z^2/3 + s^2 z^3/27 + s/6$ (vectorised; increasing in $z$)."""
    z, s = np.asarray(z, dtype=float), np.asarray(s, dtype=float)
    return z + s * z**2 / 3 + s**2 * z**3 / 27 + s / 6


def _cbrt_minus_one(u):
    """$\\sqrt[3]{1 + u} - 1$ without cancellation for small $|u|$ (real cube root, any $u$)."""
    u = np.asarray(u, dtype=float)
    small = np.abs(u) < 0.5
    safe = np.where(small, u, 0.0)
    return np.where(small, np.expm1(np.log1p(safe) / 3), np.cbrt(1 + u) - 1)


def inverse_hall(y, s):
    r"""$H_s^{-1}(y) = 3(\sqrt[3]{1 + s(y - s/6)} - 1)/s$, and $y$ where $s = 0$ (vectorised)."""
    y, s = np.broadcast_arrays(np.asarray(y, dtype=float), np.asarray(s, dtype=float))
    nonzero = s != 0
    safe = np.where(nonzero, s, 1.0)
    return np.where(nonzero, 3 * _cbrt_minus_one(safe * (y - safe / 6)) / safe, y)


def beyond_range(y, s):
    """Whether $H_s^{-1}(y)$ lies beyond the turning point of the cubic ($1 + s(y - s/6) \\le 0$)."""
    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)
    return 1 + s * (y - s / 6) <= 0


def mean_skewness(draws, total_se):
    r"""$s = \hat\mu_3/(n^2\,SE^3)$ per column of ``draws`` (shape ``(n, k)``): the skewness of the compared
    mean with standard error ``total_se`` (the draws' $s_x/\sqrt n$, combined with a prediction's); 0 where
    ``total_se`` is 0.  $\hat\mu_3 = n^{-1}\sum (x_i - \bar x)^3$."""
    x = np.asarray(draws, dtype=float)
    n = x.shape[0]
    mu3 = np.mean((x - x.mean(axis=0)) ** 3, axis=0)
    se = np.asarray(total_se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(se > 0, mu3 / (n**2 * np.where(se > 0, se, 1.0) ** 3), 0.0)


def detectable(c, z_beta, s, *, sides: str = "two-sided"):
    r"""The smallest $|\delta|/SE$ rejected with probability $\ge 1 - \beta$ (see the module docstring).

    ``sides``: ``"two-sided"`` (the larger of the two sides), ``"upper"`` or ``"lower"`` (one side).
    """
    upper = inverse_hall(c, s) - inverse_hall(-z_beta, s)
    lower = inverse_hall(z_beta, s) - inverse_hall(-c, s)
    if sides == "upper":
        return upper
    if sides == "lower":
        return lower
    if sides != "two-sided":
        raise ValueError(f"sides={sides!r} must be 'two-sided', 'upper' or 'lower'")
    return np.maximum(upper, lower)
