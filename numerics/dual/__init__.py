"""The ``dual`` family: activations with their generated functions and their Gaussian
expectations (closed forms where derived, quadrature otherwise)."""

from .activations import Activation, activation, from_functions, names

__all__ = ["Activation", "activation", "from_functions", "names"]
