r"""The order-to-chaos critical line $\sigma_w^2(\sigma_b^2)$, all points in one vectorised solve.

On the line (record ``propagation.critical_line``) $\sigma_w^2 = 1/D(q^*)$ and
$\sigma_b^2 = g(q^*) := q^* - V(q^*)/D(q^*)$ with $V(q) = E[\varphi(\sqrt q z)^2]$,
$D(q) = E[\varphi'(\sqrt q z)^2]$ (:mod:`.moments`: any activation).  For each requested $\sigma_b^2$ the
first up-crossing of $g = \sigma_b^2$ on a log grid of $[10^{-12}, q_{max}]$ brackets $q^*$ (none: a
``ValueError``, e.g. ReLU, whose $g \equiv 0$); vectorised geometric bisection, then Newton with
$g' = 1 - (V'D - VD')/D^2$ kept inside the bracket.  For tanh and erf $g$ increases from $g(0) = 0$;
:mod:`.certified` bounds one point rigorously up to mpmath's quadrature estimate.
"""

from __future__ import annotations

import numpy as np

from ..generated import propagation_critical_line as line
from ._checks import check_variance
from .moments import moments

__all__ = ["critical_line"]

_Q_MIN = 1e-12


def _g(m, q):
    return line.sigma_b2_on_line(q, m.variance(q), m.derivative_variance(q))


def critical_line(activation, sigma_b2) -> tuple[np.ndarray, np.ndarray]:
    r"""``(sigma_w2, q_star)`` on the critical line at each ``sigma_b2`` (array or scalar).

    ``activation``: a name or ``Activation`` (:func:`.moments.moments`).  ``ValueError`` when a ``sigma_b2`` is
    negative or no $q^* \in (10^{-12}, q_{max}]$ has $g(q^*) = \sigma_b^2$ (no critical point in range).
    """
    m = moments(activation)
    sb = np.atleast_1d(check_variance("sigma_b2", sigma_b2, positive=False))
    at_zero = float(m.phi(np.array(0.0))) == 0.0 and float(m.phi_prime(np.array(0.0))) != 0.0
    grid = np.geomspace(_Q_MIN, m.q_max, 241)
    g = _g(m, grid)
    # first up-crossing g(grid[k]) < sigma_b2 <= g(grid[k + 1]) for each sigma_b2
    up = (g[:-1, None] < sb[None, :]) & (g[1:, None] >= sb[None, :])
    found = up.any(axis=0) | (at_zero & (sb == 0.0))
    if not found.all():
        bad = float(sb[~found][0])
        raise ValueError(f"sigma_b2={bad!r}: activation={m.name!r} has no critical point with q* in "
                         f"({_Q_MIN:g}, {m.q_max:g}] (sigma_b2 = q - V(q)/E[phi'^2] takes the values "
                         f"[{g.min():.6g}, {g.max():.6g}] there)")
    k = np.where(up.any(axis=0), np.argmax(up, axis=0), 0)
    lo, hi = grid[k], grid[k + 1]
    for _ in range(45):  # geometric bisection inside the bracket, then Newton
        mid = np.sqrt(lo * hi)
        below = _g(m, mid) < sb
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    q = np.sqrt(lo * hi)
    for _ in range(8):
        v, d = m.variance(q), m.derivative_variance(q)
        slope = 1.0 - (m.variance_slope(q) * d - v * m.derivative_variance_slope(q)) / d**2
        step = np.divide(line.sigma_b2_on_line(q, v, d) - sb, slope, out=np.zeros_like(q), where=slope != 0)
        q = np.clip(q - step, lo, hi)
    q = np.where(at_zero & (sb == 0.0), 0.0, q)  # g(0) = phi(0)^2/phi'(0)^2 = 0: sigma_w2 = 1/phi'(0)^2
    return line.sigma_w2_on_line(m.derivative_variance(q)), q
