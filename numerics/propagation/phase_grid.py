r"""The phase diagram on a grid: $q^*$, $\chi_1$, $c^*$ and $\xi_c$ at every $(\sigma_w^2, \sigma_b^2)$ at once.

Plot grade, not certified.  $q^*$ as in :func:`.fixed_points.q_star` (first down-crossing of
$\sigma_w^2V(q) + \sigma_b^2 - q$ on a log grid, then 40 geometric bisection steps, all points at once);
$c^*$ (where $\chi_1 > 1$) by 20 bisection steps of $\text{map}(c) - c$ on $[0, 1 - 10^{-4}]$, and
$\chi_c = \sigma_w^2E[\varphi'(u_1)\varphi'(u_2)]$ there, both pair expectations by a tensor Gauss-Hermite rule
of degree :data:`DEGREE`.  Measured against the pointwise solvers (tanh, $\sigma_w^2 \le 4$,
$\sigma_b^2 \le 0.5$): $q^*$ to $10^{-13}$, $c^*$ to $10^{-3}$, $\xi_c$ to 1.2% (worst at the largest $q^*$;
coarser for kinked activations).  $\xi_c = -1/\ln\chi_c(c^*)$, with $\chi_c = \chi_1$ in the ordered phase
($\xi_c = \infty$ on the critical line).  Points where the length map has no fixed point in range are NaN.
The pointwise solvers (:func:`.fixed_points.propagation`) are the accurate path; the tests compare the two.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_variance
from .moments import moments

__all__ = ["DEGREE", "phase_grid"]

DEGREE = 32


def _rule():
    x, w = np.polynomial.hermite_e.hermegauss(DEGREE)
    return x, w / np.sqrt(2.0 * np.pi)


def _pair(f, q, c):
    """E[f(u1) f(u2)] for arrays q, c (same shape), by the tensor rule."""
    x, w = _rule()
    s = np.sqrt(q)[..., None, None]
    cc = c[..., None, None]
    u1 = s * x[:, None]
    u2 = s * (cc * x[:, None] + np.sqrt(np.maximum(1.0 - cc * cc, 0.0)) * x[None, :])
    return np.einsum("...ij,i,j->...", f(u1) * f(u2), w, w)


def phase_grid(activation, sigma_w2, sigma_b2) -> dict[str, np.ndarray]:
    """``{"sigma_w2", "sigma_b2", "q_star", "chi_1", "c_star", "xi_c"}`` on the grid ``sigma_w2 x sigma_b2``
    (2-d arrays indexed ``[i_b, i_w]``)."""
    m = moments(activation)
    sw1 = np.atleast_1d(check_variance("sigma_w2", sigma_w2, positive=True))
    sb1 = np.atleast_1d(check_variance("sigma_b2", sigma_b2, positive=False))
    sw, sb = np.meshgrid(sw1, sb1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # an unbounded phi may overflow far out
        return _solve(m, sw, sb)


def _solve(m, sw, sb):
    grid = np.geomspace(1e-12, m.q_max, 121)
    excess = sw[..., None] * m.variance(grid) + sb[..., None] - grid  # as in .fixed_points.q_star
    down = (excess[..., :-1] > 0) & (excess[..., 1:] <= 0)
    alive = down.any(axis=-1)
    k = np.argmax(down, axis=-1)
    lo, hi = grid[k], grid[k + 1]
    for _ in range(40):  # geometric bisection in the bracket of the first down-crossing
        mid = np.sqrt(lo * hi)
        up = sw * m.variance(mid) + sb - mid > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    q = np.where(alive, np.sqrt(lo * hi), 1.0)  # dead points carry a harmless 1.0
    chi_1 = sw * m.derivative_variance(q)
    chaotic = alive & (chi_1 > 1.0)
    lo, hi = np.zeros_like(q), np.full_like(q, 1.0 - 1e-4)
    for _ in range(20):  # bisection: map(c) - c > 0 below c*, < 0 above (up to 1 - 1e-4)
        mid = (lo + hi) / 2
        above = (sw * _pair(m.phi, q, mid) + sb) / q - mid > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    c = np.where(chaotic, (lo + hi) / 2, 1.0)
    chi_c = np.where(chaotic, sw * _pair(m.phi_prime, q, np.where(chaotic, c, 0.0)), chi_1)
    safe = np.where((chi_c > 0) & (chi_c != 1.0), chi_c, 0.5)
    xi_c = np.where((chi_c > 0) & (chi_c != 1.0), -1.0 / np.log(safe), np.inf)

    def dead(x):
        return np.where(alive, x, np.nan)

    return {"sigma_w2": sw, "sigma_b2": sb, "q_star": dead(q), "chi_1": dead(chi_1), "c_star": dead(c),
            "xi_c": dead(xi_c)}
