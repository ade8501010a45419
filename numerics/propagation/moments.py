r"""The Gaussian moments that propagation needs, for any activation: tanh and erf with closed-form
derivatives, every other one through the dual engine (:mod:`numerics.dual`).

With $u \sim N(0, q)$ and $(u_1, u_2)$ of variances $q$ and correlation $c$:

* ``variance(q)`` $= V(q) = E[\varphi(u)^2]$, ``derivative_variance(q)`` $= D(q) = E[\varphi'(u)^2]$;
* their $q$-slopes.  For tanh and erf (:class:`SmoothMoments`) by Stein's lemma,
  $V' = E[\varphi'^2 + \varphi\varphi'']$,
  $D' = E[\varphi''^2 + \varphi'\varphi''']$; for any other activation by the heat-equation identity
  $\frac{d}{dq}E[f(\sqrt q z)] = \frac{1}{2q}E[(z^2 - 1) f(\sqrt q z)]$, which needs $f$ only (so
  kinked activations such as ReLU are fine), by the graded Gauss-Legendre rule of
  :mod:`numerics.core.quadrature`;
* ``pair(q, c)`` $= E[\varphi(u_1)\varphi(u_2)]$ and ``pair_derivative(q, c)`` $= E[\varphi'(u_1)\varphi'(u_2)]$:
  the dual activation and its derivative (closed forms where the catalog derived them, quadrature otherwise).

:func:`moments` accepts ``"tanh"``, ``"erf"``, any other catalog name (``numerics.dual.names()``) or a
:class:`numerics.dual.Activation` (e.g. a user's expression through ``verify.core.activations.user_activation``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.quadrature import gaussian_expectation
from ..dual import Activation, activation as dual_activation
from .activations import SMOOTH, SmoothActivation, smooth_activation
from .gaussian import pair_expect

__all__ = ["DualMoments", "SmoothMoments", "moments"]


@dataclass(frozen=True)
class SmoothMoments:
    """tanh and erf: closed-form derivatives (Stein's lemma for the slopes); one-dimensional moments by the graded
    Gauss-Legendre rule (relative error ~1e-12 up to q ~ 1e2), the pair moments by the 2-d Gauss-Hermite rule of
    :mod:`.gaussian` (Gauss-Hermite of degree 160 alone loses digits as q grows: tanh's poles at $\\pm i\\pi/2$
    move to $\\pm i\\pi/(2\\sqrt q)$; measured 1.5e-9 relative at q = 1.46, 5e-5 at q = 5)."""

    act: SmoothActivation
    #: largest q the solvers search
    q_max: float = 4.0

    @property
    def name(self) -> str:
        return self.act.name

    def phi(self, x):
        return self.act.derivatives[0](x)

    def phi_prime(self, x):
        return self.act.derivatives[1](x)

    def variance(self, q):
        d0 = self.act.derivatives[0]
        return gaussian_expectation(lambda x: d0(x) ** 2, q)

    def derivative_variance(self, q):
        d1 = self.act.derivatives[1]
        return gaussian_expectation(lambda x: d1(x) ** 2, q)

    def variance_slope(self, q):
        d0, d1, d2, _ = self.act.derivatives
        return gaussian_expectation(lambda x: d1(x) ** 2 + d0(x) * d2(x), q)

    def derivative_variance_slope(self, q):
        _, d1, d2, d3 = self.act.derivatives
        return gaussian_expectation(lambda x: d2(x) ** 2 + d1(x) * d3(x), q)

    def pair(self, q: float, c: float) -> float:
        return pair_expect(self.act.derivatives[0], self.act.derivatives[0], q, c)

    def pair_derivative(self, q: float, c: float) -> float:
        return pair_expect(self.act.derivatives[1], self.act.derivatives[1], q, c)


@dataclass(frozen=True)
class DualMoments:
    """Any :class:`numerics.dual.Activation`: its variance and duals (closed or quadrature), slopes by quadrature."""

    act: Activation
    q_max: float = 100.0

    @property
    def name(self) -> str:
        return self.act.name

    def phi(self, x):
        return self.act.phi(x)

    def phi_prime(self, x):
        return self.act.phi_prime(x)

    def variance(self, q):
        return np.asarray(self.act.variance(np.asarray(q, dtype=np.float64)), dtype=np.float64)

    def derivative_variance(self, q):
        return np.asarray(self.act.derivative_variance(np.asarray(q, dtype=np.float64)), dtype=np.float64)

    def _slope(self, f, q):
        q = np.asarray(q, dtype=np.float64)
        return gaussian_expectation(lambda x: (x * x / q[..., None] - 1.0) * f(x) ** 2, q) / (2.0 * q)

    def variance_slope(self, q):
        return self._slope(self.act.phi, q)

    def derivative_variance_slope(self, q):
        return self._slope(self.act.phi_prime, q)

    def pair(self, q: float, c: float) -> float:
        return float(self.act.dual(q, q, q * c))

    def pair_derivative(self, q: float, c: float) -> float:
        return float(self.act.dual_derivative(q, q, q * c))


def moments(activation) -> SmoothMoments | DualMoments:
    """The moments of ``activation``: "tanh"/"erf" (closed-form derivatives), another catalog name, or an
    ``Activation``."""
    if isinstance(activation, (SmoothMoments, DualMoments)):
        return activation
    if isinstance(activation, str) and activation in SMOOTH:
        return SmoothMoments(smooth_activation(activation))
    if isinstance(activation, Activation):
        return DualMoments(activation)
    if isinstance(activation, str):
        try:
            return DualMoments(dual_activation(activation))
        except ValueError:
            raise ValueError(f"activation={activation!r} is not supported by propagation numerics; allowed: "
                             f"{sorted(SMOOTH)} (closed-form derivatives), any catalog name of numerics.dual.names(), "
                             f"or a "
                             f"numerics.dual.Activation (a user expression: verify.core.activations.user_activation)"
                             ) from None
    raise ValueError(f"activation={activation!r} must be a catalog name or a numerics.dual.Activation")
