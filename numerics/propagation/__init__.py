"""The ``propagation`` family, numerics: fixed points, depth scales and the critical line (vectorised) of any
activation (tanh and erf with closed-form derivatives; catalog names and user activations through the dual
engine, :mod:`.moments`), one certified critical point (mpmath, tanh and erf), and finite networks simulated
exactly in law (:mod:`.networks`, :mod:`.deep`, :mod:`.gradients`).

>>> round(float(critical_line("tanh", 0.05)[0][0]), 6)
1.760955
"""

from __future__ import annotations

from .certified import CertifiedPoint, certified_critical_point
from .critical_line import critical_line
from .fixed_points import Propagation, c_star, propagation, q_star
from .moments import DualMoments, SmoothMoments, moments

FAMILY = "propagation"

__all__ = ["CertifiedPoint", "DualMoments", "FAMILY", "Propagation", "SmoothMoments", "c_star",
           "certified_critical_point", "critical_line", "moments", "propagation", "q_star"]
