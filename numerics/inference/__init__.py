r"""Exact inference with the NNGP and the NTK: linearised MSE ensembles (gradient flow and
gradient descent), the NNGP posterior and the learning-rate stability threshold.

From inputs to predictions (kernels of a one-hidden-layer erf network, :func:`numerics.kernel.nngp_ntk`):

>>> import numpy as np
>>> from numerics.kernel import nngp_ntk
>>> from numerics.inference import gradient_descent_mse_ensemble, max_learning_rate, nngp_posterior
>>> x_train, x_test = np.array([[1.0, 0.0], [0.0, 1.0], [-0.7, 0.7]]), np.array([[0.8, 0.6]])
>>> y_train = np.array([1.0, -0.5, 0.8])
>>> k, theta = nngp_ntk(np.vstack([x_train, x_test]), activation="erf", depth=1, W_std=1.5, b_std=0.1)
>>> n = len(x_train)
>>> ens = gradient_descent_mse_ensemble(
...     k_train_train=theta[:n, :n], k_test_train=theta[n:, :n], y_train=y_train, get="ntk",
...     k_train_train_nngp=k[:n, :n], k_test_train_nngp=k[n:, :n], k_test_test_nngp=k[n:, n:],
...     learning_rate=1.0)
>>> mean, cov = ens.predict(t=[0.0, 10.0, np.inf])        # gradient flow; steps=[...] for gradient descent
>>> mean.shape, cov.shape                                  # (times, test points, outputs), (times, test, test)
((3, 1, 1), (3, 1, 1))
>>> float(mean[0, 0, 0]), bool(np.isclose(cov[0, 0, 0], k[n, n]))   # t = 0: the prior
(0.0, True)
>>> bool(np.isclose(mean[2, 0, 0], theta[n:, :n] @ np.linalg.solve(theta[:n, :n], y_train)))  # t = inf
True
>>> eta_max = max_learning_rate(theta[:n, :n])              # 2N / lambda_max: gradient descent diverges above
>>> bool(np.all(np.isfinite(ens.mean(steps=[100]))))
True
>>> post_mean, post_cov = nngp_posterior(k_train_train=k[:n, :n], k_test_train=k[n:, :n], k_test_test=k[n:, n:],
...                                      y_train=y_train, diag_reg=1e-3)   # Bayesian NNGP posterior, noise 1e-3
>>> post_mean.shape
(1, 1)

Trained finite networks against these predictions: :mod:`numerics.inference.trained` (all parameters
trained) and :mod:`numerics.inference.readout` (readout only); the threshold without eigenvalues:
:mod:`numerics.inference.stability`.  The doubly infinite ResNet's weakly and fully trained predictions:
:func:`doubly_infinite_ensemble` (record ``inference.doubly_infinite``).
"""

from .doubly_infinite import doubly_infinite_ensemble
from .ensemble import MSEEnsemble, gradient_descent_mse_ensemble, max_learning_rate, nngp_posterior

__all__ = [
    "MSEEnsemble", "doubly_infinite_ensemble", "gradient_descent_mse_ensemble", "max_learning_rate", "nngp_posterior",
]
