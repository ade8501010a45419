r"""The order-to-chaos critical line $\sigma_w^2(\sigma_b^2)$, all points in one vectorised solve.

On the line (record ``propagation.critical_line``) $\sigma_w^2 = 1/D(q^*)$ and
$\sigma_b^2 = g(q^*) := q^* - V(q^*)/D(q^*)$ with $V(q) = E[\varphi(\sqrt q z)^2]$,
$D(q) = E[\varphi'(\sqrt q z)^2]$.  For each requested $\sigma_b^2$ we solve $g(q) = \sigma_b^2$
for $q$: vectorised bisection on a bracket, then Newton with the Stein derivatives
$V' = E[\varphi'^2 + \varphi\varphi'']$, $D' = E[\varphi''^2 + \varphi'\varphi''']$, so
$g' = 1 - (V'D - VD')/D^2$.  Gauss-Hermite of degree :data:`.gaussian.DEGREE` evaluates all
points at once; :mod:`.certified` bounds one point rigorously up to mpmath's quadrature estimate.
"""

from __future__ import annotations

import numpy as np

from ..generated import propagation_critical_line as line
from ._checks import check_variance
from .activations import smooth_activation
from .gaussian import expect

__all__ = ["critical_line"]

_Q_MIN, _Q_MAX = 1e-12, 4.0


def _moments(acts, q):
    d0, d1, d2, d3 = acts.derivatives
    v = expect(lambda x: d0(x) ** 2, q)
    d = expect(lambda x: d1(x) ** 2, q)
    dv = expect(lambda x: d1(x) ** 2 + d0(x) * d2(x), q)
    dd = expect(lambda x: d2(x) ** 2 + d1(x) * d3(x), q)
    return v, d, dv, dd


def critical_line(activation: str, sigma_b2) -> tuple[np.ndarray, np.ndarray]:
    """``(sigma_w2, q_star)`` on the critical line at each ``sigma_b2`` (array or scalar).

    ``ValueError`` when a ``sigma_b2`` is negative or beyond the solvable range
    ($g(10^3)$, i.e. $q^* \\le 10^3$).
    """
    acts = smooth_activation(activation)
    sb = np.atleast_1d(check_variance("sigma_b2", sigma_b2, positive=False))
    d0, d1 = acts.derivatives[:2]

    def g(q):
        return line.sigma_b2_on_line(q, expect(lambda x: d0(x) ** 2, q), expect(lambda x: d1(x) ** 2, q))

    top = float(g(np.array(_Q_MAX)))
    if np.any(sb >= top):
        raise ValueError(f"sigma_b2={float(sb.max())!r} is outside the range [0, {top:.6g}) where the critical line "
                         f"of {activation} is solved (q* <= {_Q_MAX:g})")
    lo, hi = np.full_like(sb, _Q_MIN), np.full_like(sb, _Q_MAX)
    for _ in range(40):  # g increases from g(0) = 0 (tanh, erf): bisection to a Newton-safe bracket
        mid = np.sqrt(lo * hi)
        below = g(mid) < sb
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    q = np.sqrt(lo * hi)
    for _ in range(8):
        v, d, dv, dd = _moments(acts, q)
        slope = 1.0 - (dv * d - v * dd) / d**2
        q = np.clip(q - (line.sigma_b2_on_line(q, v, d) - sb) / slope, lo, hi)
    q = np.where(sb == 0.0, 0.0, q)  # g(0) = 0 exactly: sigma_w2 = 1/phi'(0)^2
    sw = line.sigma_w2_on_line(expect(lambda x: d1(x) ** 2, q))
    return sw, q
