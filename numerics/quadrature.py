r"""Numerical Gaussian expectations: the fallback when a dual has no closed form.

Write $u = \sqrt{q_1}\,z_1$ and $v = \sqrt{q_2}(\rho z_1 + \sqrt{1-\rho^2}\, z_2)$ with
independent standard normal $z_1, z_2$.  Then

$$E[f(u) g(v)] = \int \phi(z_1) f(\sqrt{q_1} z_1) \int \phi(z_2)\, g(v(z_1, z_2))\, dz_2\, dz_1 .$$

Both integrals use Gauss--Legendre panels on $[-L, L]$ ($L = 10$: the mass
outside is below $10^{-22}$), split where the integrand has a kink: $z_1 = 0$
for the outer variable and $z_2 = -\rho z_1/\sqrt{1-\rho^2}$ (where $v = 0$) for the
inner one.  On each panel the integrand is smooth, so the rule converges
exponentially; with the default 48 nodes per panel, smooth and piecewise-smooth
activations reach about $10^{-12}$ relative accuracy for moderate variances.
Evaluation is vectorised over the broadcast inputs, in chunks.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["gaussian_pair_expectation", "gaussian_expectation", "DEFAULT_NODES"]

DEFAULT_NODES = 48
HALF_WIDTH = 10.0
_CHUNK = 256


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


def gaussian_expectation(f, q, *, nodes: int = DEFAULT_NODES):
    r"""$E[f(u)]$ for $u \sim N(0, q)$, split at $u = 0$."""
    q = np.asarray(q, dtype=np.float64)
    lo = np.full(q.shape + (1,), -HALF_WIDTH)
    z = np.concatenate([_panel(lo[..., 0], np.zeros(q.shape), nodes)[0], _panel(np.zeros(q.shape), -lo[..., 0], nodes)[0]], -1)
    w = np.concatenate([_panel(lo[..., 0], np.zeros(q.shape), nodes)[1]] * 2, -1)
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
    m = q1.size
    zero, L = np.zeros(m), np.full(m, HALF_WIDTH)
    z1a, w1a = _panel(-L, zero, n)
    z1b, w1b = _panel(zero, L, n)
    z1, w1 = np.concatenate([z1a, z1b], 1), np.concatenate([w1a, w1b], 1)  # (m, 2n)
    # inner kink where rho z1 + comp z2 = 0, clipped into [-L, L]
    with np.errstate(invalid="ignore", divide="ignore"):
        kink = np.where(comp > 0, -rho[:, None] * z1 / comp[:, None], 0.0)
    kink = np.clip(kink, -HALF_WIDTH, HALF_WIDTH)
    Lm = np.full(kink.shape, HALF_WIDTH)
    z2a, w2a = _panel(-Lm, kink, n)
    z2b, w2b = _panel(kink, Lm, n)
    z2, w2 = np.concatenate([z2a, z2b], 2), np.concatenate([w2a, w2b], 2)  # (m, 2n, 2n)
    v = np.sqrt(q2)[:, None, None] * (rho[:, None, None] * z1[:, :, None] + comp[:, None, None] * z2)
    inner = np.sum(w2 * _std_normal_pdf(z2) * g(v), axis=2)
    outer = w1 * _std_normal_pdf(z1) * f(np.sqrt(q1)[:, None] * z1) * inner
    return np.sum(outer, axis=1)
