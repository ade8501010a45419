r"""Smooth activations with $\sigma(0) = 0$, their derivative $\sigma'$ (the adjoint pass) and $(\sigma'(0), \sigma''(0))$,
the only data the F6 limit sees.

* ``"tanh"``: $\sigma'(0) = 1$, $\sigma''(0) = 0$ (the SDE has no Itô correction);
* ``"softplus"``: the shifted softplus $\log(1 + e^x) - \log 2$: $\sigma'(0) = 1/2$, $\sigma''(0) = 1/4$.

>>> ACTIVATIONS["softplus"].sigma1, ACTIVATIONS["softplus"].sigma2
(0.5, 0.25)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

__all__ = ["ACTIVATIONS", "Activation", "get_activation", "shifted_softplus"]


def shifted_softplus(x):
    r"""$\log(1 + e^x) - \log 2$, computed as ``logaddexp(0, x) - log 2`` (no overflow)."""
    return np.logaddexp(0.0, x) - math.log(2.0)


def _tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


@dataclass(frozen=True)
class Activation:
    """An activation with sigma(0) = 0, its derivative ``grad`` and its first two derivatives at 0."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    sigma1: float
    sigma2: float
    grad: Callable[[np.ndarray], np.ndarray]


ACTIVATIONS = {"tanh": Activation("tanh", np.tanh, 1.0, 0.0, _tanh_grad),
               "softplus": Activation("softplus", shifted_softplus, 0.5, 0.25, expit)}


def get_activation(name) -> Activation:
    """The activation called ``name`` (``ValueError`` naming the known ones otherwise)."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"activation={name!r} must be one of {sorted(ACTIVATIONS)}") from None
