r"""An independent reference for Gaussian pair expectations: the ground truth of the closed-form duals.

For $(u, v)$ centred Gaussian with variances $q_1, q_2$ and correlation $\rho$, write
$u = \sqrt{q_1}\,z_1$, $v = \sqrt{q_2}\,w$, $w = \rho z_1 + s z_2$, $s = \sqrt{1-\rho^2}$, with
$z_1, z_2$ independent standard normal (1-D conditioning):

$$E[f(u)g(v)] = \int \phi(z_1) f(\sqrt{q_1} z_1) \int \phi(z_2)\, g\big(\sqrt{q_2}(\rho z_1 + s z_2)\big)\,dz_2\,dz_1 .$$

The activations enter as numeric functions only (``numerics.dual.activations``'
``phi`` and ``phi_prime``), never through a derived closed form.  Everything is
rescaled to each variance (the variables are $z_1, z_2$, not $u, v$), so any
$q \in [0, \infty)$ and $\rho \in [-1, 1]$ is handled the same way; $s = 0$
($|\rho| = 1$) takes the inner expectation as $g(\sqrt{q_2}\rho z_1)$ exactly, and
$q = 0$ makes the integrand constant in that variable.

**Truncation.** The window $W_1$ of $z_1$ is where $\log(f(\sqrt{q_1}z)^2\phi(z))$ lies within
``LOG_DEPTH`` $= 75$ of its maximum (located on a grid of $[-80, 80]$, geometric near 0), so a
growing $f$ (e.g. $e^{bu}$) has its window where its mass is; $W_2$ likewise for $w$ and $g$.
By Cauchy--Schwarz, $|E[f(u)g(v)1_A]| \le \sqrt{E[f(u)^2 1_A]\,E[g(v)^2]}$: leaving out
$z_1 \notin W_1$ (a fraction $\approx e^{-75}$ of $E f^2$) costs at most $e^{-37.5} = 5\cdot 10^{-17}$
of the Cauchy--Schwarz bound $\sqrt{E f(u)^2 E g(v)^2}$, and likewise $w \notin W_2$.  The inner
variable runs over $|z_2| \le 12$: $z_2$ is independent of $u$, so the rest costs at most
$\sqrt{P(|z_2| > 12)} = 6\cdot 10^{-17}$ of the bound.

**Discretisation.** Composite Gauss--Legendre (``NODES`` $= 20$ per panel) on even panels of
width at most 3, split at the kinks of the catalog's activations ($u = 0$: $z_1 = 0$; $v = 0$:
$z_2 = -\rho z_1/s$) and graded geometrically (ratio 2) towards them down to the width of a
smoothed kink ($s/|\rho|$ for the inner expectation seen from $z_1$, $1/\sqrt{q}$ for an
activation that turns on the scale $|u| \sim 1$).  The embedded ``LOW_NODES`` $= 12$ rule
estimates the error; the outer and the inner panels are bisected separately (each where its own
estimate is the larger) until the two rules agree to ``tol`` $= 10^{-13}$ of the bound, and that
difference is returned as the error estimate (the 20-node sum is the better of the two).  The
cost grows like the number of oscillations of the integrand in the window squared (e.g. $b^2 q$
for $\sin(bu)$); past ``max_nodes`` evaluations the reference raises rather than answer badly.

>>> import numpy as np
>>> relu = lambda x: np.maximum(x, 0.0)
>>> ref = pair_expectation(relu, relu, 1.0, 1.0, 0.0)
>>> round(ref.value * 2 * np.pi, 12)   # arc-cosine kernel at rho = 0: 1 / (2 pi)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core.validation import check_scalar

__all__ = ["LOG_DEPTH", "NODES", "TOL", "PairReference", "pair_expectation", "second_moment"]

NODES = 20
LOW_NODES = 12  # the embedded lower-order rule: |Q_20 - Q_12| estimates the error of Q_20
LOG_DEPTH = 75.0  # a tail fraction e^-75 of E f^2 costs at most e^-37.5 = 5e-17 of the bound
TOL = 1e-13
_Z = 80.0
_H = 3.0  # width of the even panels (before bisection)
_INNER_MARGIN = 12.0  # P(|z_2| > 12) = 3.6e-33: at most 6e-17 of the bound
_CHUNK = 1 << 21  # evaluations per block


@dataclass(frozen=True)
class PairReference:
    r"""$E[f(u)g(v)]$ with its error estimate and the Cauchy--Schwarz bound $\sqrt{E f(u)^2 E g(v)^2}$."""

    value: float
    error: float
    bound: float
    nodes: int


@lru_cache(maxsize=4)
def _legendre(n: int):
    t, w = np.polynomial.legendre.leggauss(n)
    return (t + 1) / 2, w / 2  # on [0, 1]


_LOG_ROOT_2PI = 0.5 * math.log(2 * math.pi)


def _weighted(f, x, z, power: float = 1.0):
    r"""$|f(x)|^p\phi(z)$ with the sign of $f$, formed in log space: $f$ may be near overflow where the Gaussian
    density is subnormal (e.g. $e^{u}$ at $z = 40$), and their product is an ordinary number."""
    fx = _finite(f, x)
    with np.errstate(divide="ignore", under="ignore"):
        return np.sign(fx) ** power * np.exp(power * np.log(np.abs(fx)) - 0.5 * z * z - _LOG_ROOT_2PI)


def _finite(f, x):
    with np.errstate(all="ignore"):
        return np.asarray(f(x), dtype=float)


def _window(f, q: float) -> tuple[float, float]:
    r"""Where $f(\sqrt q z)^2\phi(z)$ is within $e^{-75}$ of its largest value (grid points just outside)."""
    geo = np.geomspace(1e-12, _Z, 400)
    z = np.unique(np.concatenate([-geo, [0.0], geo, np.linspace(-_Z, _Z, 3201)]))
    fz = _finite(f, math.sqrt(q) * z)
    with np.errstate(divide="ignore", invalid="ignore"):
        logm = np.where(np.isfinite(fz), 2 * np.log(np.abs(fz)) - 0.5 * z * z, np.nan)
    if np.any(np.isnan(logm) & (np.abs(z) < 40)):
        raise ValueError(f"the activation is not finite where the Gaussian has mass (q={q!r}): no float64 reference")
    logm = np.nan_to_num(logm, nan=-np.inf)
    top = np.max(logm)
    if not np.isfinite(top):
        return 0.0, 0.0  # f = 0 on the grid
    keep = np.flatnonzero(logm >= top - LOG_DEPTH)
    lo, hi = max(keep[0] - 1, 0), min(keep[-1] + 1, z.size - 1)
    return float(z[lo]), float(z[hi])


def _graded(floor: float) -> np.ndarray:
    """Offsets 0, +-1, +-1/2, +-1/4, ... down to ``floor``: panels graded towards a (smoothed) kink."""
    k = max(0, math.ceil(math.log2(1 / max(floor, 1e-300))))
    g = 2.0 ** -np.arange(0, min(k, 40) + 1)
    return np.concatenate([-g, [0.0], g[::-1]])


def _breaks(lo, hi, kink, h: float, floor: float, level: int):
    """Panel ends on [lo, hi] per row: equal panels of width at most h, graded towards ``kink`` down to ``floor``,
    every panel bisected ``level`` times; graded points clipped to [lo, hi] make empty panels (zero weight)."""
    lo, hi, kink = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lo, hi, kink)))
    m = max(1, math.ceil(float(np.max(hi - lo)) / h))
    even = lo[..., None] + (hi - lo)[..., None] * (np.arange(m + 1) / m)
    pts = np.concatenate([even, kink[..., None] + _graded(floor)], axis=-1)
    pts = np.sort(np.clip(pts, lo[..., None], hi[..., None]), axis=-1)
    for _ in range(level):
        pts = np.sort(np.concatenate([pts, (pts[..., :-1] + pts[..., 1:]) / 2], axis=-1), axis=-1)
    return pts


def _nodes(b, n: int):
    """Gauss--Legendre nodes and weights (``n`` per panel) on the panels ``b`` (..., p+1) -> (..., p * n)."""
    t, w = _legendre(n)
    left, width = b[..., :-1, None], (b[..., 1:] - b[..., :-1])[..., None]
    shape = b.shape[:-1] + ((b.shape[-1] - 1) * n,)
    return (left + width * t).reshape(shape), (width * w).reshape(shape)


def _moment(f, q: float, b, n: int) -> float:
    z, w = _nodes(b, n)
    return float(np.sum(w * _weighted(f, math.sqrt(q) * z, z, 2.0)))


def second_moment(f, q: float, *, tol: float = TOL, max_level: int = 14) -> float:
    r"""$E[f(u)^2]$ for $u \sim N(0, q)$: composite Gauss--Legendre on the window, refined until the embedded
    lower-order rule agrees to ``tol`` relative."""
    q = check_scalar("q", q, low=0.0)
    lo, hi = _window(f, q)
    if lo == hi:
        return 0.0
    for level in range(max_level):
        b = _breaks(lo, hi, 0.0, _H, 0.25 / max(1.0, math.sqrt(q)), level)
        high, low = _moment(f, q, b, NODES), _moment(f, q, b, LOW_NODES)
        if abs(high - low) <= tol * abs(high):
            return high
    raise ValueError(f"second_moment did not converge at q={q!r} (last change {abs(high - low):.3g})")


def _pair(f, g, q1, q2, rho, w1, w2, level, n, level2, n2):
    """One Gauss--Legendre sum of the double integral: ``n`` nodes per outer panel (bisected ``level`` times),
    ``n2`` per inner panel (bisected ``level2`` times)."""
    s = math.sqrt((1 - rho) * (1 + rho))
    floor = 0.25 * min(1.0, s / max(abs(rho), 1e-300), 1 / math.sqrt(max(q1, q2, 1.0)))
    z1, a1 = (x[0] for x in _nodes(_breaks(w1[0], w1[1], 0.0, _H, floor, level)[None, :], n))
    outer = a1 * _weighted(f, math.sqrt(q1) * z1, z1)
    if s == 0.0 or q2 == 0.0:
        return float(np.sum(outer * _finite(g, math.sqrt(q2) * rho * z1))), z1.size
    t = _INNER_MARGIN
    lo = np.clip((w2[0] - rho * z1) / s, -t, t)
    hi = np.clip((w2[1] - rho * z1) / s, -t, t)
    floor2 = 0.25 / max(1.0, math.sqrt(q2) * s)
    total, count = 0.0, 0
    rows = max(1, _CHUNK // ((int(2 * t) + 2 * len(_graded(floor2))) * n2 << level2))
    for start in range(0, z1.size, rows):
        sl = slice(start, start + rows)
        b2 = _breaks(lo[sl], hi[sl], np.clip(-rho * z1[sl] / s, lo[sl], hi[sl]), _H, floor2, level2)
        z2, a2 = _nodes(b2, n2)
        inner = np.sum(a2 * _weighted(g, math.sqrt(q2) * (rho * z1[sl, None] + s * z2), z2), axis=1)
        total += float(np.sum(outer[sl] * inner))
        count += z2.size
    return total, count


def pair_expectation(f, g, q1: float, q2: float, rho: float, *, tol: float = TOL,
                     max_nodes: int = 200_000_000) -> PairReference:
    r"""$E[f(u)g(v)]$ for $(u, v)$ centred Gaussian, variances $q_1, q_2 \ge 0$, correlation $\rho \in [-1, 1]$.

    ``f`` and ``g`` are vectorised numeric functions.  Bisects every panel until the
    ``NODES``-point and ``LOW_NODES``-point sums differ by at most ``tol`` times
    $\sqrt{E f(u)^2 E g(v)^2}$ (returned as ``bound``, the difference as ``error``); raises
    ``ValueError`` past ``max_nodes`` evaluations.
    """
    q1, q2 = check_scalar("q1", q1, low=0.0), check_scalar("q2", q2, low=0.0)
    rho = check_scalar("rho", rho, low=-1.0, high=1.0)
    bound = math.sqrt(second_moment(f, q1)) * math.sqrt(second_moment(g, q2))
    w1, w2 = _window(f, q1), _window(g, q2)
    if bound == 0.0 or w1[0] == w1[1]:
        return PairReference(0.0, 0.0, bound, 0)
    used, level, level2 = 0, 0, 0
    while True:  # refine the outer and the inner variable separately, each by its own embedded estimate
        high, n_high = _pair(f, g, q1, q2, rho, w1, w2, level, NODES, level2, NODES)
        low, n_low = _pair(f, g, q1, q2, rho, w1, w2, level, LOW_NODES, level2, LOW_NODES)
        used += n_high + n_low
        if abs(high - low) <= tol * bound:
            return PairReference(high, abs(high - low), bound, used)
        if used > max_nodes:
            raise ValueError(f"pair_expectation did not converge within max_nodes={max_nodes} at q1={q1!r}, "
                             f"q2={q2!r}, rho={rho!r} (last change {abs(high - low) / bound:.3g} of the bound)")
        outer, n_outer = _pair(f, g, q1, q2, rho, w1, w2, level, LOW_NODES, level2, NODES)
        used += n_outer
        err_outer, err_inner = abs(high - outer), abs(outer - low)
        level += err_outer >= err_inner / 4
        level2 += err_inner >= err_outer / 4
