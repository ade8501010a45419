r"""Fixed points $q^*$, $c^*$ of the length and correlation maps, their slopes and the depth scales.

For any activation with the moments of :mod:`.moments`.  $q^*$ is the first down-crossing of
$\sigma_w^2 V(q) + \sigma_b^2 - q$ on a log grid of $[10^{-12}, q_{max}]$ (a fixed point the length map
approaches from both sides), refined by Brent's method; none there is a ``ValueError``.  $c^*$ is the
stable fixed point of the correlation map: $c^* = 1$ when $\chi_1 \le 1$ (ordered phase), otherwise a
root in $[0, 1)$ of $\text{map}(c) - c$ by Brent's method (chaotic phase; at $c = 0$ the map is
$(\sigma_w^2 E[\varphi]^2 + \sigma_b^2)/q^* \ge 0$, at $1 - 10^{-4}$ below $c$).  Slopes (record
``propagation.maps``): $\chi_1 = \sigma_w^2 D(q^*)$, $\chi_q = \sigma_w^2 V'(q^*)$,
$\chi_c = \sigma_w^2 E[\varphi'(u_1)\varphi'(u_2)]$ at $c^*$; depth scales (Schoenholz et al. 2017, eqs. 7, 9,
11): $\xi_q = -1/\ln\chi_q$, $\xi_c = -1/\ln\chi_c(c^*)$, $\xi_\nabla = -1/\ln\chi_1$ (negative when gradients grow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..generated import propagation_maps as maps
from ._checks import check_variance
from .moments import moments

__all__ = ["Propagation", "propagation", "q_star", "c_star"]

_Q_FLOOR = 1e-12


def _label(m) -> str:
    return repr(m.name)


def q_star(activation, sigma_w2: float, sigma_b2: float) -> float:
    """The stable nonzero length fixed point; ``ValueError`` when there is none in $(0, q_{max}]$."""
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    m = moments(activation)
    grid = np.geomspace(_Q_FLOOR, m.q_max, 121)
    excess = sw * m.variance(grid) + sb - grid  # > 0 below a stable fixed point, < 0 above it
    down = np.flatnonzero((excess[:-1] > 0) & (excess[1:] <= 0))
    if down.size == 0:
        raise ValueError(f"sigma_w2={sw!r}, sigma_b2={sb!r}: the length map of activation={_label(m)} has no "
                         f"fixed point q* in ({_Q_FLOOR:g}, {m.q_max:g}] that it approaches (need sigma_b2 > 0 or "
                         f"sigma_w2 > 1/phi'(0)^2 for tanh and erf; a map growing faster than q diverges)")
    lo, hi = grid[down[0]], grid[down[0] + 1]
    return float(optimize.brentq(lambda q: sw * float(m.variance(q)) + sb - q, lo, hi, xtol=1e-18, rtol=1e-15))


def c_star(activation, sigma_w2: float, sigma_b2: float, *, q: float | None = None) -> float:
    """Stable fixed point of the correlation map (1 in the ordered phase)."""
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    m = moments(activation)
    qs = q_star(m, sw, sb) if q is None else q
    if sw * float(m.derivative_variance(qs)) <= 1.0:
        return 1.0

    def gap(c):
        return maps.correlation_map(qs, m.pair(qs, c), sw, sb) - c

    top = 1.0 - 1e-4  # the 2-d rule's error (~1e-9 at q* <= 4) must stay below the gap there
    if gap(top) >= 0.0:
        raise ValueError(f"sigma_w2={sw!r}, sigma_b2={sb!r} is too close to the critical line of activation="
                         f"{_label(m)}: c* is within 1e-4 of 1 (use the ordered-side formulas)")
    # gap(0) = (sigma_w2 E[phi]^2 + sigma_b2) / q* >= 0 (independent inputs at c = 0), so a root lies in [0, top]
    return float(optimize.brentq(gap, 0.0, top, xtol=1e-15, rtol=1e-15))


@dataclass(frozen=True)
class Propagation:
    """Fixed points, slopes and depth scales at one $(\\sigma_w^2, \\sigma_b^2)$."""

    q_star: float
    c_star: float
    chi_1: float
    chi_q: float
    chi_c: float
    xi_q: float
    xi_c: float
    xi_grad: float


def propagation(activation, *, sigma_w2: float, sigma_b2: float) -> Propagation:
    """All propagation quantities of ``activation`` (a name or ``Activation``, see :func:`.moments.moments`)."""
    m = moments(activation)
    qs = q_star(m, sigma_w2, sigma_b2)
    cs = c_star(m, sigma_w2, sigma_b2, q=qs)
    v1 = float(m.derivative_variance(qs))
    chi_1 = float(maps.chi_1(v1, sigma_w2))
    chi_q = float(maps.chi_q(v1, float(m.variance_slope(qs)) - v1, sigma_w2))  # E[phi phi''] = V' - E[phi'^2]
    chi_c = chi_1 if cs == 1.0 else float(maps.chi_c(m.pair_derivative(qs, cs), sigma_w2))

    def xi(chi):
        return float(maps.depth_scale(chi)) if chi != 1.0 else np.inf

    return Propagation(qs, cs, chi_1, chi_q, chi_c, xi(chi_q), xi(chi_c), xi(chi_1))
