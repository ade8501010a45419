"""Exact inference with the NNGP and the NTK: linearised MSE ensembles (gradient flow and
gradient descent), the NNGP posterior and the learning-rate stability threshold."""

from .ensemble import MSEEnsemble, gradient_descent_mse_ensemble, max_learning_rate, nngp_posterior

__all__ = ["MSEEnsemble", "gradient_descent_mse_ensemble", "max_learning_rate", "nngp_posterior"]
