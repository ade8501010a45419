"""Numerics of the ``catapult`` family (NumPy): the uv model trained by gradient descent, batched over
networks and widths, the width-free limit orbit of its scaled map (record ``catapult.uv_phases``), and the exact
finite-width mean of the lazy NTK shift."""

from .lazy_shift import lazy_shift_mean
from .limit_orbit import LimitOrbit, limit_orbit, periodic_widths, phase_of, phase_weights
from .two_layer import TwoLayerRun, two_layer_catapult
from .uv_training import UVSummary, UVTrajectories, uv_init, uv_summary, uv_trajectories

__all__ = ["LimitOrbit", "TwoLayerRun", "UVSummary", "UVTrajectories", "lazy_shift_mean", "limit_orbit", "periodic_widths", "phase_of",
           "phase_weights", "two_layer_catapult", "uv_init", "uv_summary", "uv_trajectories"]
