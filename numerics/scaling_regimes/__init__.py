"""Numerics of the ``scaling_regimes`` family (NumPy/SciPy): ResNets whose weights scale with depth by a
regime, and their depth limits on the same Brownian path (so far: regime F6, diffusive weights)."""

from .activations import ACTIVATIONS, Activation, get_activation, shifted_softplus
from .diffusive import (
           brownian_path,
           diffusive_resnet,
           diffusive_sde_euler,
           richardson_mean,
)
from .moments import linear_sde_moments

__all__ = ["ACTIVATIONS", "Activation", "brownian_path", "diffusive_resnet", "diffusive_sde_euler",
           "get_activation", "linear_sde_moments", "richardson_mean", "shifted_softplus"]
