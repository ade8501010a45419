r"""Fixed points $q^*$, $c^*$ of the length and correlation maps, their slopes and the depth scales.

$q^*$ solves $q = \sigma_w^2 E[\varphi(\sqrt q z)^2] + \sigma_b^2$ (Newton, derivative
$\sigma_w^2 E[\varphi'^2 + \varphi\varphi'']$ by Stein's lemma, started above the fixed point
where the map is concave for the bounded activations here); $c^*$ is the stable fixed point of
the correlation map: $c^* = 1$ when $\chi_1 \le 1$ (ordered phase), otherwise the root in $[0, 1)$
(odd activations: the map exceeds $c$ at $0$) found by bisection on $c - \text{map}(c)$ (chaotic phase).  Depth scales (Schoenholz et al.
2017, eqs. 7, 9, 11): $\xi_q = -1/\ln\chi_q$, $\xi_c = -1/\ln\chi_c(c^*)$,
$\xi_\nabla = -1/\ln\chi_1$ (negative when gradients grow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..generated import propagation_maps as maps
from ._checks import check_variance
from .activations import smooth_activation
from .gaussian import expect, pair_expect

__all__ = ["Propagation", "propagation", "q_star", "c_star"]

_Q_FLOOR = 1e-12


def q_star(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """The nonzero length fixed point; ``ValueError`` when none exists (sigma_b2 = 0 and chi_1(0) <= 1)."""
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    d0, d1, d2, _ = smooth_activation(activation).derivatives
    if sb == 0.0 and sw * float(expect(lambda x: d1(x) ** 2, 0.0)) <= 1.0:
        raise ValueError(f"sigma_b2=0.0 with sigma_w2={sw!r}: the length map of {activation} has no fixed point "
                         f"q* > 0 (need sigma_b2 > 0 or sigma_w2 > 1/phi'(0)^2)")
    q = sw * max(1.0, float(expect(lambda x: d0(x) ** 2, 1e4))) + sb  # above q*: phi bounded
    for _ in range(100):
        g = sw * expect(lambda x: d0(x) ** 2, q) + sb - q
        dg = sw * expect(lambda x: d1(x) ** 2 + d0(x) * d2(x), q) - 1.0
        step = g / dg
        q = max(q - step, q / 2)
        if abs(step) <= 1e-15 * q:
            return float(q)
    raise ValueError(f"length map of {activation} at sigma_w2={sw!r}, sigma_b2={sb!r}: Newton did not converge")


def c_star(activation: str, sigma_w2: float, sigma_b2: float, *, q: float | None = None) -> float:
    """Stable fixed point of the correlation map (1 in the ordered phase)."""
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    qs = q_star(activation, sw, sb) if q is None else q
    d0, d1, _, _ = smooth_activation(activation).derivatives
    if sw * float(expect(lambda x: d1(x) ** 2, qs)) <= 1.0:
        return 1.0

    def gap(c):
        return maps.correlation_map(qs, pair_expect(d0, d0, qs, c), sw, sb) - c

    top = 1.0 - 1e-4  # the 2-d rule's error (~1e-9 at q* <= 4) must stay below the gap there
    if gap(top) >= 0.0:
        raise ValueError(f"sigma_w2={sw!r}, sigma_b2={sb!r} is too close to the critical line of {activation}: "
                         f"c* is within 1e-4 of 1 (use the ordered-side formulas)")
    # tanh and erf are odd: gap(0) = sigma_b2 / q* >= 0, so the stable root lies in [0, top]
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


def propagation(activation: str, *, sigma_w2: float, sigma_b2: float) -> Propagation:
    """All propagation quantities of ``activation`` ("tanh" or "erf") at the given variances."""
    d0, d1, d2, _ = smooth_activation(activation).derivatives
    qs = q_star(activation, sigma_w2, sigma_b2)
    cs = c_star(activation, sigma_w2, sigma_b2, q=qs)
    v1 = float(expect(lambda x: d1(x) ** 2, qs))
    chi_1 = float(maps.chi_1(v1, sigma_w2))
    chi_q = float(maps.chi_q(v1, float(expect(lambda x: d0(x) * d2(x), qs)), sigma_w2))
    chi_c = chi_1 if cs == 1.0 else float(maps.chi_c(pair_expect(d1, d1, qs, cs), sigma_w2))

    def xi(chi):
        return float(maps.depth_scale(chi)) if chi != 1.0 else np.inf

    return Propagation(qs, cs, chi_1, chi_q, chi_c, xi(chi_q), xi(chi_c), xi(chi_1))
