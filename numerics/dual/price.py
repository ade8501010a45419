r"""Price's identity by quadrature: the slope of a dual in the covariance, and its natural magnitude.

Price's theorem (Price 1958) says that for $(u, v)$ centred Gaussian with
covariance $[[q_1, c], [c, q_2]]$,

$$\frac{\partial}{\partial c} E[\varphi(u)\varphi(v)] = E[\varphi'(u)\varphi'(v)].$$

:func:`dual_slope` computes the left side without using the identity: the
fourth-order central difference of the quadrature dual $V$ with step $h = \epsilon\sqrt{q_1 q_2}$,

$$V'(c) \approx \frac{V(c-2h) - 8V(c-h) + 8V(c+h) - V(c+2h)}{12h},$$

truncation $h^4 V^{(5)}(\xi)/30$.  (The second-order difference's truncation $h^2 V^{(3)}/6$ is not
small against the magnitude of $V'$: by Price, $V^{(3)} = E[\varphi^{(3)}(u)\varphi^{(3)}(v)]$, which is
$7.6\sqrt{E[\varphi'(u)^2]E[\varphi'(v)^2]}$ for $\varphi = \tanh^2$ at $q_1 = q_2 = 1$, $\rho = 0.875$.)
:func:`cauchy_schwarz_bound` gives the magnitude the right side is naturally measured in,

$$|E[g(u)g(v)]| \le \sqrt{E[g(u)^2]\,E[g(v)^2]},$$

both factors by one-dimensional quadrature: unlike $|E[g(u)g(v)]|$ it does not
vanish where the expectation does (e.g. $g$ odd and $c = 0$).

>>> import numpy as np
>>> round(float(dual_slope(np.sin, 1.0, 1.0, 0.0)), 9)      # E[cos u cos v] = e^{-1} at c = 0
0.367879441
>>> round(float(cauchy_schwarz_bound(np.cos, 1.0, 1.0)), 9)  # E[cos^2 u] = (1 + e^{-2}) / 2
0.567667642
"""

from __future__ import annotations

import math

from ..core import quadrature
from ..core.validation import check_scalar

__all__ = ["cauchy_schwarz_bound", "dual_slope"]


def dual_slope(phi, q1: float, q2: float, c: float, *, relative_step: float = 1e-3) -> float:
    r"""$\partial_c E[\varphi(u)\varphi(v)]$ by the fourth-order central difference of the quadrature dual.

    $(V(c-2h) - 8V(c-h) + 8V(c+h) - V(c+2h)) / (12h)$ with $h$ = ``relative_step`` $\cdot\sqrt{q_1 q_2}$ and
    $V$ from :func:`numerics.core.quadrature.gaussian_pair_expectation`; error $h^4 V^{(5)}/30$ plus at most
    $3/(2h)$ times the quadrature error.  Needs $q_1, q_2 > 0$, $0 <$ ``relative_step`` $< 1/2$ and
    $|c| + 2h \le \sqrt{q_1 q_2}$ (every stencil point is a covariance).
    """
    q1 = check_scalar("q1", q1, low=0.0, closed=(False, True))
    q2 = check_scalar("q2", q2, low=0.0, closed=(False, True))
    eps = check_scalar("relative_step", relative_step, low=0.0, high=0.5, closed=(False, False))
    s = math.sqrt(q1) * math.sqrt(q2)
    h = eps * s
    c = check_scalar("c", c, low=-(s - 2 * h), high=s - 2 * h)
    v = [float(quadrature.gaussian_pair_expectation(phi, phi, q1, q2, c + k * h)) for k in (-2, -1, 1, 2)]
    return (v[0] - 8 * v[1] + 8 * v[2] - v[3]) / (12 * h)


def cauchy_schwarz_bound(g, q1: float, q2: float) -> float:
    r"""$\sqrt{E[g(u)^2]\,E[g(v)^2]}$ for $u \sim N(0, q_1)$, $v \sim N(0, q_2)$ (bounds $|E[g(u)g(v)]|$).

    ``q1``, ``q2`` in $[0, \infty)$; each factor by :func:`numerics.core.quadrature.gaussian_expectation`.
    """
    q1 = check_scalar("q1", q1, low=0.0)
    q2 = check_scalar("q2", q2, low=0.0)
    m1, m2 = (float(quadrature.gaussian_expectation(lambda z: g(z) ** 2, q)) for q in (q1, q2))
    return math.sqrt(m1 * m2)
