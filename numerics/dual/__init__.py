"""The ``dual`` family: activations with their generated functions and their Gaussian
expectations (closed forms where derived, quadrature otherwise); Price's identity by quadrature
(:mod:`.price`); an independent, error-controlled reference for the duals over the whole domain
(:mod:`.reference`, the ground truth of ``claim.dual_closed_forms``)."""

from .activations import Activation, activation, from_functions, names
from .price import cauchy_schwarz_bound, dual_slope

__all__ = ["Activation", "activation", "cauchy_schwarz_bound", "dual_slope", "from_functions", "names"]
