r"""Hermite coefficients at many variances by Chebyshev interpolation in $s = \sqrt q$, error-checked.

A layer of an $n$-input kernel needs the coefficients $b_k(q_i)$ and second moments $S(q_i)$
(:mod:`numerics.dual.hermite`) at its $n$ diagonal values, i.e. $n \times N$ activation values
($N$: quadrature nodes, 600-1600).  As functions of $s = \sqrt q > 0$,

$$b_k(s) = E[f(sZ)\,h_k(Z)] = \frac1s\int f(x)\, h_k(x/s)\,\phi(x/s)\,dx,$$

is analytic (the integrand is analytic in $s$ for every $x$), so on an interval
$[s_a, s_b] \subset (0, \infty)$ it is resolved to rounding by a few dozen Chebyshev points.  The
range $[s_{\min}, s_{\max}]$ of the variances is cut into pieces with $s_b / s_a \le 4$ (``_RATIO``) (and
$[0, 2^{-12}s_{\max}]$ when $s_{\min} = 0$; $b_k(s) = O(s^k)$ is analytic at 0 too), each
interpolated at ``POINTS`` $= 33$ Chebyshev--Lobatto points (barycentric formula).  **Check:** a
piece is accepted when the last three Chebyshev coefficients of its interpolant, as vectors over
$k$ (and $S$), have a norm at most ``TARGET`` $= 10^{-14}$ of $\min \sqrt{S}$ over the piece's points
(the decay of the coefficients of an analytic function: the tail estimates the error); otherwise it
is halved, up to ``MAX_HALVINGS`` $= 6$ times, and a piece that still fails is computed directly at
its variances.  This is an estimate, not a bound: the tests compare it with the direct route over
$q \in [10^{-4}, 10^2]$.

An interpolation error $\delta$ with $\|\delta\| \le 10^{-14}\sqrt{S}$ moves a Mehler sum by at most
$\|\delta_i\|\sqrt{S_j} + \|\delta_j\|\sqrt{S_i} \le 2\cdot 10^{-14}\sqrt{S_iS_j}$, 50 times below the
series' tolerance $10^{-12}$ (:mod:`numerics.dual.mehler`).  All points go to one call of the direct
routine with the largest variance among them, so the quadrature rule is the direct route's.
Below ``MIN_VARIANCES`` $= 132$ variances the direct route is used (it is then no dearer).

>>> import numpy as np
>>> q = np.linspace(0.5, 3.0, 400)
>>> b, s = interpolated_coefficients(np.tanh, q, order=40)
>>> d, t = hermite_coefficients(np.tanh, q, order=40)
>>> bool(np.max(np.abs(b - d)) < 1e-13 and np.max(np.abs(s - t)) < 1e-13)
True
"""

from __future__ import annotations

import numpy as np

from .hermite import _fixed_order_product, hermite_coefficients

__all__ = ["MAX_HALVINGS", "MIN_VARIANCES", "POINTS", "TARGET", "interpolated_coefficients"]

POINTS = 33
TARGET = 1e-14
MAX_HALVINGS = 6
MIN_VARIANCES = 4 * POINTS
_RATIO = 4.0  # s_b / s_a of the first pieces
_ZERO_PIECE = 2.0**-12  # [0, 2^-12 s_max] when s_min = 0


def _pieces(lo: float, hi: float) -> list[tuple[float, float]]:
    """Geometric pieces of $[lo, hi]$ ($lo < hi$) with ratio at most ``_RATIO``, the top one first; the
    lowest is $[0, \\cdot]$ when $lo < 2^{-12} hi$."""
    pieces, top = [], hi
    floor = max(lo, hi * _ZERO_PIECE)
    while top > floor * _RATIO:
        pieces.append((top / _RATIO, top))
        top /= _RATIO
    pieces.append((lo if lo >= hi * _ZERO_PIECE else 0.0, top))
    return pieces


def _lobatto(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """``POINTS`` Chebyshev--Lobatto points of $[a, b]$ (ends exact) and their $x \\in [-1, 1]$."""
    x = np.cos(np.pi * np.arange(POINTS) / (POINTS - 1))
    s = (a + b) / 2 + (b - a) / 2 * x
    s[0], s[-1] = b, a
    return s, x


def _barycentric(x_nodes: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Interpolation matrix ``(len(x), POINTS)`` of the Lobatto points (second barycentric form)."""
    w = (-1.0) ** np.arange(POINTS)
    w[0] *= 0.5
    w[-1] *= 0.5
    d = x[:, None] - x_nodes[None, :]
    hit = d == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = w / d
        m = t / np.sum(t, axis=1, keepdims=True)
    rows = np.any(hit, axis=1)
    m[rows] = hit[rows]
    return m


def _dct_tail(values: np.ndarray) -> np.ndarray:
    """The last three Chebyshev coefficients of the interpolant through the Lobatto values (DCT-I rows)."""
    j = np.arange(POINTS - 3, POINTS)[:, None]
    k = np.arange(POINTS)[None, :]
    rows = np.cos(np.pi * j * k / (POINTS - 1)) * (2.0 / (POINTS - 1))
    rows[:, [0, -1]] *= 0.5
    rows[-1] *= 0.5
    return _fixed_order_product(rows, values)


def _accepted(values: np.ndarray, second: np.ndarray) -> bool:
    """The check of the module docstring on one piece: ``values`` ``(POINTS, K+2)`` ($b_k$ and $S$)."""
    if not np.all(np.isfinite(values)):
        return False
    return float(np.sqrt(np.sum(_dct_tail(values) ** 2))) <= TARGET * float(np.sqrt(np.min(second)))


def interpolated_coefficients(f, q, *, order: int, direct=None):
    r"""$b_k(q_i)$, $k = 0..$``order``, and $S(q_i)$ as :func:`numerics.dual.hermite.hermite_coefficients`
    returns them, by interpolation in $\sqrt q$ (module docstring).

    ``direct``: the routine ``(q, order) -> (b, S)`` that the points (and any piece that fails its
    check) go to; default ``hermite_coefficients`` of ``f``."""
    if direct is None:
        def direct(qq, k):
            return hermite_coefficients(f, qq, order=k)
    q = np.asarray(q, dtype=np.float64)
    if q.size < MIN_VARIANCES:
        return direct(q, order)
    s = np.sqrt(q)
    lo, hi = float(np.min(s)), float(np.max(s))
    if hi == lo:
        b, t = direct(q[:1], order)
        return np.repeat(b, q.size, axis=0), np.repeat(t, q.size)
    todo = [(a, b, 0) for a, b in _pieces(lo, hi)]
    done = []
    while todo:
        points = [_lobatto(a, b) for a, b, _ in todo]
        b_all, s_all = direct(np.concatenate([p[0] ** 2 for p in points] + [[float(np.max(q))]]), order)
        nxt = []
        for i, ((a, b, depth), (sp, xp)) in enumerate(zip(todo, points)):
            rows = slice(i * POINTS, (i + 1) * POINTS)
            values = np.concatenate([b_all[rows], s_all[rows, None]], axis=1)
            if _accepted(values, s_all[rows]):
                done.append((a, b, xp, values))
            elif depth < MAX_HALVINGS and b > a:
                mid = (a + b) / 2 if a == 0.0 else np.sqrt(a * b)
                nxt += [(mid, b, depth + 1), (a, mid, depth + 1)]
            else:
                done.append((a, b, None, None))
        todo = nxt
    coefficients = np.empty((q.size, order + 1))
    second = np.empty(q.size)
    free = np.ones(q.size, dtype=bool)
    for a, b, xp, values in done:
        mine = free & (s >= a) & (s <= b)
        if not np.any(mine):
            continue
        free &= ~mine
        if values is None:  # the check failed after every halving: direct (with q_max: the same rule)
            b, t = direct(np.append(q[mine], np.max(q)), order)
            coefficients[mine], second[mine] = b[:-1], t[:-1]
            continue
        m = _barycentric(xp, (2 * s[mine] - (a + b)) / (b - a))
        out = _fixed_order_product(m, values)  # fixed-order sums (see numerics.dual.hermite)
        coefficients[mine], second[mine] = out[:, :-1], out[:, -1]
    return coefficients, second
