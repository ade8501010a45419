"""Numerics of the ``catapult`` family (NumPy): the uv model trained by gradient descent, batched over
networks and widths, and the width-free limit orbit of its scaled map (record ``catapult.uv_phases``)."""

from .limit_orbit import LimitOrbit, limit_orbit, phase_of, phase_weights
from .uv_training import UVSummary, UVTrajectories, uv_init, uv_summary, uv_trajectories

__all__ = ["LimitOrbit", "UVSummary", "UVTrajectories", "limit_orbit", "phase_of", "phase_weights", "uv_init", "uv_summary",
           "uv_trajectories"]
