r"""An mpmath reference for Gaussian pair expectations, with an a-posteriori error check.

For $(u, v)$ centred Gaussian with variances $q_1, q_2$ and correlation $\rho$, condition on
$u = \sqrt{q_1}\,z_1$: $v = \sqrt{q_2}\,(\rho z_1 + s z_2)$, $s = \sqrt{1-\rho^2}$, $z_1, z_2$
independent standard normal, so

$$E[f(u)g(v)] = \sum_i W_i\, f(\sqrt{q_1} z_i) \sum_j W_j\, g\big(\sqrt{q_2}(\rho z_i + s z_j)\big),$$

with a product rule $(z_i, W_i)$ for the standard normal weight $\phi(z)$.  At $|\rho| = 1$ the inner sum is
$g(\pm\sqrt{q_2}\,z_i)$ exactly (a one-dimensional integral), and $q = 0$ makes that factor constant.

**Rule.** Composite Gauss--Legendre of degree $N$ per panel for the weight $\phi(z)$ (nodes by Newton
at ``DPS`` $+ 10$ digits from NumPy's seeds), on $[-12, -8]$, $[8, 12]$ (one panel each: there
$\phi < 1.4\cdot 10^{-14}$) and on $[-8, 8]$ in panels of width at most $2/\max(1, \sigma)$, where
$\sigma$ is the scale at which the integrand varies: $\max(\sqrt{q_1}, \sqrt{q_2}|\rho|)$ for $z_1$,
$\sqrt{q_2}\,s$ for $z_2$ (so a tanh at large variance, or a near-singular pair, is resolved in the
variable where it varies).  $[-8, 8]$ is broken at $z_1 = 0$, and with ``kinks=True`` (activations
with a kink at 0) the inner variable also at $z_2 = -\rho z_i/s$ (the kink of $g$ seen from $z_2$).
Cutting at $|z| = 12$ costs at most $\sqrt{P(|Z|>12)} = 6\cdot 10^{-17}$ of the Cauchy--Schwarz bound
$B = \sqrt{E f(u)^2\, E g(v)^2}$.  For $f$ analytic within a distance $d$ of the real axis in $z$
(tanh at variance $q$: $d = \pi/(2\sqrt q)$, at least $\pi/2$ times the panel's half-width), $N$
nodes on a panel of half-width $a$ converge like $(d/a + \sqrt{1 + d^2/a^2})^{-2N}$.

**Error check.** The value is computed with two degrees, ``DEGREES``: $(20, 14)$ and $(26, 18)$ nodes per panel for $(z_1, z_2)$ (the outer integrand $f\,G$ is the rougher), $(24, 32)$ at $|\rho| = 1$ or $q_2 = 0$ (``DEGREES_1D``); if they differ by
more than ``tol`` $= 10^{-14}$ times $B$ (computed with the higher degree) the function raises
``ValueError``; otherwise it returns the higher degree's value, the difference as its error estimate (an
estimate of the lower degree's error, so a conservative one for the value returned), and $B$.  Measured:
about 2.5 s per pair at load ~19 on 2 cores (the pure-Python mpmath backend).

>>> import mpmath
>>> relu = lambda x: max(x, 0)
>>> r = mp_pair_expectation(relu, relu, 1.0, 1.0, 0.0, kinks=True)
>>> abs(r.value * 2 * mpmath.pi - 1) < 1e-18   # arc-cosine kernel at rho = 0: 1 / (2 pi)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from ..core.validation import check_scalar

__all__ = ["DEGREES", "DEGREES_1D", "DPS", "TOL", "MpPairReference", "mp_pair_expectation"]

DPS = 24
DEGREES = ((20, 14), (26, 18))  # (outer, inner) degree per panel, lower and higher rule
DEGREES_1D = ((24, 0), (32, 0))  # |rho| = 1 or q2 = 0: one-dimensional, cheap
TOL = 1e-14
_Z = 12


@dataclass(frozen=True)
class MpPairReference:
    r"""$E[f(u)g(v)]$ (an ``mpf``), the two degrees' difference and the bound $\sqrt{E f^2 E g^2}$."""

    value: object
    error: object
    bound: object


@lru_cache(maxsize=8)
def _legendre_rule(n: int, dps: int):
    """Gauss--Legendre nodes and weights on $[-1, 1]$ at ``dps`` digits (Newton from NumPy's seeds)."""
    with mpmath.workdps(dps + 10):
        t, _ = np.polynomial.legendre.leggauss(n)
        nodes, weights = [], []
        for t0 in t:
            x = mpmath.mpf(float(t0))
            for _ in range(100):
                p, p1 = _legendre_pair(x, n)
                dp = n * (x * p - p1) / (x * x - 1)
                x -= p / dp
                if abs(p / dp) < mpmath.mpf(10) ** (-dps - 5):
                    break
            else:
                raise ValueError(f"Gauss-Legendre nodes did not converge for n={n!r}")
            p, p1 = _legendre_pair(x, n)
            dp = n * (x * p - p1) / (x * x - 1)
            nodes.append(+x)
            weights.append(2 / ((1 - x * x) * dp * dp))
    return tuple(nodes), tuple(weights)


def _legendre_pair(x, n):
    """$(P_n(x), P_{n-1}(x))$ by the three-term recurrence."""
    prev, cur = mpmath.mpf(1), x
    for k in range(1, n):
        prev, cur = cur, ((2 * k + 1) * x * cur - k * prev) / (k + 1)
    return cur, prev


def _panels(a, b, n, width):
    r"""Composite Gauss--Legendre on $[a, b]$ (panels of width at most ``width``) with $\phi(z)$ folded in."""
    t, w = _legendre_rule(n, DPS)
    m = max(1, int(mpmath.ceil((b - a) / width))) if b > a else 0
    z, wz = [], []
    for p in range(m):
        left, right = a + (b - a) * p / m, a + (b - a) * (p + 1) / m
        half, mid = (right - left) / 2, (left + right) / 2
        for ti, wi in zip(t, w):
            zi = mid + half * ti
            z.append(zi)
            wz.append(half * wi * mpmath.npdf(zi))
    return z, wz


@lru_cache(maxsize=64)
def _rule(n, scale, cut=0):
    r"""Nodes and weights for $\phi(z)dz$ on $[-Z, Z]$ broken at ``cut`` (clipped to $[-8, 8]$) and at $\pm 8$
    (beyond which $\phi < 1.4\cdot 10^{-14}$: one panel each side), panels of width $\le 2/\max(1, \text{scale})$
    inside."""
    cut = min(max(mpmath.mpf(cut), -8), mpmath.mpf(8))
    width = 2 / max(mpmath.mpf(1), scale)
    z, w = [], []
    for a, b, h in ((-_Z, -8, 4), (-8, cut, width), (cut, 8, width), (8, _Z, 4)):
        za, wa = _panels(mpmath.mpf(a), mpmath.mpf(b), n, h)
        z += za
        w += wa
    return z, w


def _moment(f, q, n):
    r = mpmath.sqrt(q)
    z, w = _rule(n, r)
    return mpmath.fsum(wi * f(r * zi) ** 2 for zi, wi in zip(z, w))


def _pair(f, g, q1, q2, rho, degrees, kinks):
    n, n2 = degrees
    r1, r2 = mpmath.sqrt(q1), mpmath.sqrt(q2)
    s = mpmath.sqrt((1 - rho) * (1 + rho))
    z, w = _rule(n, max(r1, r2 * abs(rho)))
    total = []
    for zi, wi in zip(z, w):
        if s == 0 or q2 == 0:
            inner = g(r2 * rho * zi)
        else:
            z2, w2 = _rule(n2, r2 * s, -rho * zi / s if kinks else 0)
            inner = mpmath.fsum(wj * g(r2 * (rho * zi + s * zj)) for zj, wj in zip(z2, w2))
        total.append(wi * f(r1 * zi) * inner)
    return mpmath.fsum(total)


def mp_pair_expectation(f, g, q1, q2, rho, *, kinks: bool = False, tol: float = TOL) -> MpPairReference:
    r"""$E[f(u)g(v)]$ at ``DPS`` digits; ``f``, ``g`` take and return ``mpf``.

    ``q1``, ``q2`` $\ge 0$ and ``rho`` $\in [-1, 1]$ may be floats or ``mpf`` (taken exactly).
    Raises ``ValueError`` when the two degrees
    differ by more than ``tol`` times the Cauchy--Schwarz bound.
    """
    for name, value, low, high in (("q1", q1, 0.0, math.inf), ("q2", q2, 0.0, math.inf), ("rho", rho, -1.0, 1.0)):
        check_scalar(name, float(value), low=low, high=high)
    tol = check_scalar("tol", tol, low=1e-25, high=1e-3)
    with mpmath.workdps(DPS):
        q1, q2, rho = mpmath.mpf(q1), mpmath.mpf(q2), mpmath.mpf(rho)
        degrees = DEGREES_1D if abs(rho) == 1 or q2 == 0 else DEGREES
        bound = mpmath.sqrt(_moment(f, q1, DEGREES_1D[1][0]) * _moment(g, q2, DEGREES_1D[1][0]))
        low, high = (_pair(f, g, q1, q2, rho, n, kinks) for n in degrees)
        err = abs(high - low)
        if err > tol * bound:
            raise ValueError(f"mp_pair_expectation: degrees {degrees} disagree by {float(err / bound):.3g} of the "
                             f"bound at q1={float(q1)!r}, q2={float(q2)!r}, rho={float(rho)!r} (allowed {tol!r})")
        return MpPairReference(+high, +err, +bound)
