r"""One critical-line point with a stated error bound (mpmath, 30 digits).

We solve $g(q) = q - V(q)/D(q) = \sigma_b^2$ (see :mod:`.critical_line`) and then bracket:
$g(q_-) < \sigma_b^2 < g(q_+)$ is checked with each Gaussian integral's quadrature error
(mpmath's tanh-sinh estimate, ``quad(..., error=True)``) propagated to $g$, so the sign change,
and hence a root $q^* \in [q_-, q_+]$, holds whenever those estimates do.  Because $\varphi'^2$ is
even and decreasing in $|x|$ for tanh and erf, $D(q) = E[\varphi'(\sqrt q z)^2]$ decreases in $q$,
so $\sigma_w^2 = 1/D(q^*) \in [1/D(q_-), 1/D(q_+)]$; the returned bound is that interval's width
plus the quadrature errors of its end points.  The bound is a posteriori and rigorous up to
mpmath's quadrature error estimates (not interval arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath

from ._checks import check_variance
from .activations import smooth_activation
from .critical_line import critical_line

__all__ = ["CertifiedPoint", "certified_critical_point"]


@dataclass(frozen=True)
class CertifiedPoint:
    """$\\sigma_w^2$ on the critical line at ``sigma_b2``, with ``|sigma_w2 - exact| <= bound``."""

    sigma_b2: float
    sigma_w2: float
    bound: float
    q_star: float


def _gauss(f, q):
    s = mpmath.sqrt(q)
    value, err = mpmath.quad(lambda z: f(s * z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf], error=True)
    norm = mpmath.sqrt(2 * mpmath.pi)
    return value / norm, abs(err) / norm


def certified_critical_point(activation: str, sigma_b2: float, *, half_width: float = 1e-12) -> CertifiedPoint:
    """Critical $\\sigma_w^2$ at ``sigma_b2`` with an a posteriori bound (see module docstring)."""
    sb = float(check_variance("sigma_b2", sigma_b2, positive=True))
    acts = smooth_activation(activation)
    _, q0 = critical_line(activation, sb)
    with mpmath.workdps(30):
        phi, dphi = acts.mp_phi, acts.mp_phi_prime

        def g_and_err(q):
            v, ev = _gauss(lambda x: phi(x) ** 2, q)
            d, ed = _gauss(lambda x: dphi(x) ** 2, q)
            # |delta(V/D)| <= ev/d + v ed/d^2 to first order, doubled for safety of the second order
            return q - v / d, 2 * (ev / d + v * ed / d**2), d, ed

        q = mpmath.findroot(lambda x: g_and_err(x)[0] - sb, mpmath.mpf(float(q0[0])), tol=mpmath.mpf(10) ** -28)
        q_lo, q_hi = q - half_width, q + half_width
        g_lo, e_lo, d_lo, ed_lo = g_and_err(q_lo)
        g_hi, e_hi, d_hi, ed_hi = g_and_err(q_hi)
        if not (g_lo + e_lo < sb < g_hi - e_hi):
            raise ValueError(f"sigma_b2={sb!r}: the bracket [{q_lo}, {q_hi}] for q* is not certified "
                             f"(g - sigma_b2 = {g_lo - sb}, {g_hi - sb}; errors {e_lo}, {e_hi})")
        w_lo, w_hi = 1 / d_lo, 1 / d_hi  # D decreasing: w_lo < w_hi
        bound = (w_hi + ed_hi / d_hi**2) - (w_lo - ed_lo / d_lo**2)
        mid = (w_lo + w_hi) / 2
        return CertifiedPoint(sb, float(mid), float(bound / 2) + 1e-16 * float(mid), float(q))
