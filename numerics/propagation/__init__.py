"""The ``propagation`` family, numerics: fixed points, depth scales and the critical line
(vectorised Gauss-Hermite), one certified critical point (mpmath), for tanh and erf.

>>> round(float(critical_line("tanh", 0.05)[0][0]), 6)
1.760955
"""

from __future__ import annotations

from .certified import CertifiedPoint, certified_critical_point
from .critical_line import critical_line
from .fixed_points import Propagation, c_star, propagation, q_star

FAMILY = "propagation"

__all__ = ["CertifiedPoint", "FAMILY", "Propagation", "c_star", "certified_critical_point", "critical_line",
           "propagation", "q_star"]
