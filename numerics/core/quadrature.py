r"""Numerical Gaussian expectations: the fallback when a dual has no closed form.

Write $u = \sqrt{q_1}\,z_1$ and $v = \sqrt{q_2}(\rho z_1 + \sqrt{1-\rho^2}\, z_2)$ with
independent standard normal $z_1, z_2$.  Then

$$E[f(u) g(v)] = \int \phi(z_1) f(\sqrt{q_1} z_1) \int \phi(z_2)\, g(v(z_1, z_2))\, dz_2\, dz_1 .$$

Both integrals use Gauss--Legendre panels on $[-L, L]$ ($L = 10$: the mass
outside is below $10^{-22}$), split where the integrand has a kink: $z_1 = 0$
for the outer variable and $z_2 = -\rho z_1/\sqrt{1-\rho^2}$ (where $v = 0$) for the
inner one, and graded around those points on the scale where activations vary
($|u| \sim 1$).  On each panel the integrand is smooth, so the rule converges
exponentially; with the default 16 nodes on each of up to 18 panels, smooth and
piecewise-smooth activations reach about $10^{-12}$ relative accuracy.
Evaluation is vectorised over the broadcast inputs, in chunks.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["gaussian_pair_expectation", "gaussian_expectation", "DEFAULT_NODES"]

DEFAULT_NODES = 16
HALF_WIDTH = 10.0
_CHUNK = 64


@lru_cache(maxsize=8)
def _legendre(n: int):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return nodes, weights


def _panel(lo, hi, n):
    """Nodes and weights of Gauss-Legendre on [lo, hi] (broadcast over leading axes)."""
    t, w = _legendre(n)
    mid, half = (hi + lo) / 2, (hi - lo) / 2
    return mid[..., None] + half[..., None] * t, half[..., None] * w


def _std_normal_pdf(z):
    return np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


_OFFSETS = np.array([-16.0, -4.0, -1.0, -0.25, 0.0, 0.25, 1.0, 4.0, 16.0])


def _graded_breaks(centre, scale, scale2=None):
    """Panel boundaries on [-L, L]: at ``centre`` and centre +- (1/4, 1, 4, 16) * each scale, clipped and sorted.

    Activations vary on the scale |u| ~ 1, i.e. |z| ~ 1/sqrt(q): grading the
    panels there keeps the rule accurate from q = 1e-2 to q = 1e4.
    """
    pts = centre[..., None] + scale[..., None] * _OFFSETS
    # the Gaussian weight's own scale, around 0
    fixed = np.broadcast_to(np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0]), pts.shape[:-1] + (7,))
    pts = np.concatenate([pts, fixed], axis=-1)
    if scale2 is not None:
        pts = np.concatenate([pts, centre[..., None] + scale2[..., None] * _OFFSETS[_OFFSETS != 0]], axis=-1)
    pts = np.clip(pts, -HALF_WIDTH, HALF_WIDTH)
    ends = np.broadcast_to(np.array([-HALF_WIDTH, HALF_WIDTH]), pts.shape[:-1] + (2,))
    return np.sort(np.concatenate([ends[..., :1], pts, ends[..., 1:]], axis=-1), axis=-1)


def _graded_rule(centre, scale, n, scale2=None):
    """Nodes and weights of Gauss-Legendre on the graded panels (empty panels get zero weight)."""
    b = _graded_breaks(centre, scale, scale2)
    z, w = _panel(b[..., :-1], b[..., 1:], n)  # (..., panels, n)
    return z.reshape(z.shape[:-2] + (-1,)), w.reshape(w.shape[:-2] + (-1,))


def gaussian_expectation(f, q, *, nodes: int = DEFAULT_NODES):
    r"""$E[f(u)]$ for $u \sim N(0, q)$."""
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore"):
        scale = np.where(q > 0, 1 / np.sqrt(q), HALF_WIDTH)
    z, w = _graded_rule(np.zeros(q.shape), scale, nodes)
    return np.sum(w * _std_normal_pdf(z) * f(np.sqrt(q)[..., None] * z), axis=-1)


def gaussian_pair_expectation(f, g, q1, q2, c, *, nodes: int = DEFAULT_NODES):
    r"""$E[f(u)g(v)]$ for $(u, v)$ centred Gaussian with covariance $[[q_1, c], [c, q_2]]$."""
    q1, q2, c = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (q1, q2, c)))
    shape = q1.shape
    q1, q2, c = q1.ravel(), q2.ravel(), c.ravel()
    out = np.empty(q1.size)
    for start in range(0, q1.size, _CHUNK):
        sl = slice(start, start + _CHUNK)
        out[sl] = _pair_chunk(f, g, q1[sl], q2[sl], c[sl], nodes)
    return out.reshape(shape) if shape else out[0]


def _pair_chunk(f, g, q1, q2, c, n):
    s = np.sqrt(q1) * np.sqrt(q2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(s > 0, np.clip(c / s, -1.0, 1.0), 0.0)
        comp = np.sqrt((1 - rho) * (1 + rho))
        scale1 = np.where(q1 > 0, 1 / np.sqrt(q1), HALF_WIDTH)
    # given z1, E[g(v) | z1] changes on the scale comp/|rho| in z1 (v's kink smoothed by z2)
    z1, w1 = _graded_rule(np.zeros(q1.size), scale1, n, np.maximum(comp, 1e-300))  # (m, p)
    # inner variable: v = sqrt(q2) (rho z1 + comp z2) vanishes at z2 = -rho z1 / comp
    with np.errstate(invalid="ignore", divide="ignore"):
        kink = np.where(comp[:, None] > 0, -rho[:, None] * z1 / comp[:, None], 0.0)
        scale2 = np.where((q2 > 0) & (comp > 0), 1 / (np.sqrt(q2) * comp), HALF_WIDTH)
    kink = np.clip(kink, -HALF_WIDTH, HALF_WIDTH)
    z2, w2 = _graded_rule(kink, np.broadcast_to(scale2[:, None], kink.shape), n)  # (m, p, p)
    v = np.sqrt(q2)[:, None, None] * (rho[:, None, None] * z1[:, :, None] + comp[:, None, None] * z2)
    inner = np.sum(w2 * _std_normal_pdf(z2) * g(v), axis=2)
    outer = w1 * _std_normal_pdf(z1) * f(np.sqrt(q1)[:, None] * z1) * inner
    return np.sum(outer, axis=1)
