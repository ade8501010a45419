"""Numerics of the ``scaling_regimes`` family (NumPy/SciPy): ResNets whose weights scale with depth by a
regime, and their depth limits: smooth weights (F1-F4) against the limit ODEs, diffusive weights (F6) against the
Ito SDE on the same Brownian path, forward and backward (the adjoint pass and the backward SDE with its Gamma term)."""

from .activations import ACTIVATIONS, Activation, get_activation, shifted_softplus
from .backward import backward_sde_euler, diffusive_adjoint
from .diffusive import (
           brownian_path,
           diffusive_resnet,
           diffusive_sde_euler,
           richardson_mean,
)
from .moments import linear_sde_moments
from .relu import relu_resnet
from .smooth import DEFAULT_PATH, SmoothPath, smooth_limit, smooth_resnet
from .smooth_backward import smooth_adjoint, smooth_adjoint_limit

__all__ = [
           "ACTIVATIONS",
           "DEFAULT_PATH",
           "Activation",
           "SmoothPath",
           "backward_sde_euler",
           "brownian_path",
           "diffusive_adjoint",
           "diffusive_resnet",
           "diffusive_sde_euler",
           "get_activation",
           "linear_sde_moments",
           "relu_resnet",
           "richardson_mean",
           "shifted_softplus",
           "smooth_adjoint",
           "smooth_adjoint_limit",
           "smooth_limit",
           "smooth_resnet",
]
