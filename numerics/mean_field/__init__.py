"""Numerics of the ``mean_field`` family (NumPy): the quadratic two-layer example trained by gradient descent over
widths, the reduced mean-field map and ODE solvers (record ``mean_field.reduced_flow``), and the Gaussian cubature
that makes a finite data set's loss the population risk."""

from .cubature import gaussian_cubature
from .networks import init_first_layer, risk_curves
from .reduced_map import (
           ORDERS,
           check_step,
           matrix_risk,
           matrix_step,
           reduced_risk_curve,
           solve_reduced,
)

__all__ = ["ORDERS", "check_step", "gaussian_cubature", "init_first_layer", "matrix_risk", "matrix_step",
           "reduced_risk_curve", "risk_curves", "solve_reduced"]
