r"""The exact finite-width mean of the lazy NTK shift of the uv model, by one quadrature over the law of $w_0$.

Record ``catapult.uv_phases`` ($x = 1$, $y = 0$): gradient descent is the width-free map $w' = w(1 - c + w)^2$,
$c' = c + w(c - 4)$ in $w = \eta^2 f^2/n$, $c = \eta\lambda$, and $\eta$ is fixed, so the NTK's relative fall after
$K$ steps is $s_K(w_0) = 1 - c_K/c_0$, a function of $w_0$ alone.  The width enters only through the law of
$w_0 = c_0^2 T/4$, $T = (2B - 1)^2 \sim \mathrm{Beta}(1/2, n/2)$ exactly (:func:`.limit_orbit.phase_weights`).
With $T = r^2$, $r$ has density $2(1 - r^2)^{n/2 - 1}/B(1/2, n/2)$ on $[0, 1]$ (no singularity), so

$$E_n[s_K] = \frac{\int_0^1 s_K(c_0^2 r^2/4)\,(1 - r^2)^{n/2 - 1}\,dr}{\int_0^1 (1 - r^2)^{n/2 - 1}\,dr},$$

computed by Gauss-Legendre on $[0, \min(1, 40/\sqrt n)]$ (the cut loses mass below $e^{-790}$), both integrals on the
same nodes.  To first order $s_K = w_0(4 - c_0)/(c_0(2 - c_0))$ and $E_n[w_0] = c_0^2/(4(n + 1))$, so
$n E_n[s] \to (4 - c_0)/(4(2 - c_0))$ (``lazy_ntk_shift_mean``, negated): the quadrature adds every higher order.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..core.validation import check_integer, check_scalar
from ..generated import catapult_uv_phases as uv

__all__ = ["lazy_shift_mean"]


@lru_cache(maxsize=8)
def _gauss_legendre(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [-1, 1] (read-only; ``leggauss`` costs ~0.1 s at 256 nodes, so they are cached)."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    x.flags.writeable = w.flags.writeable = False
    return x, w


def lazy_shift_mean(rate_times_ntk: float, width: int, *, steps: int = 150, nodes: int = 256) -> float:
    r"""$E_n[1 - \lambda_K/\lambda_0]$ for $c_0 = $ ``rate_times_ntk`` $\in (0, 2)$, $n = $ ``width``,
    $K = $ ``steps`` (see the module docstring); ``nodes`` Gauss-Legendre nodes."""
    c0 = check_scalar("rate_times_ntk", rate_times_ntk, low=0, high=2, closed=(False, False))
    n = check_integer("width", width, minimum=2)
    steps = check_integer("steps", steps, minimum=1)
    x, wts = _gauss_legendre(check_integer("nodes", nodes, minimum=2))
    top = min(1.0, 40.0 / math.sqrt(n))
    r = 0.5 * top * (x + 1.0)
    dens = wts * np.exp((n / 2 - 1) * np.log1p(-r * r))
    w, c = c0 * c0 * r * r / 4, np.full_like(r, c0)
    for _ in range(steps):
        w, c = uv.scaled_loss_next(w, c), uv.scaled_ntk_next(w, c)
    return float(dens @ (1.0 - c / c0) / dens.sum())
