r"""Smooth activations with the derivatives that propagation needs, as NumPy and mpmath callables.

Each entry gives $\varphi, \varphi', \varphi'', \varphi'''$ in closed form (no SymPy at run time).
``erf`` is $\operatorname{erf}(x)$, the catalog's ``dual.erf`` at $a = b = 1$, shift 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
from scipy import special

__all__ = ["SmoothActivation", "smooth_activation", "SMOOTH"]

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


@dataclass(frozen=True)
class SmoothActivation:
    """$\\varphi$ and three derivatives (NumPy), and $\\varphi'$, $\\varphi$ (mpmath) for certified evaluation."""

    name: str
    derivatives: tuple[Callable, Callable, Callable, Callable]
    mp_phi: Callable
    mp_phi_prime: Callable


def _tanh():
    def d0(x):
        return np.tanh(x)

    def d1(x):
        return 1.0 - np.tanh(x) ** 2

    def d2(x):
        t = np.tanh(x)
        return -2.0 * t * (1.0 - t * t)

    def d3(x):
        t = np.tanh(x)
        return -2.0 * (1.0 - t * t) * (1.0 - 3.0 * t * t)

    return SmoothActivation("tanh", (d0, d1, d2, d3), mpmath.tanh, lambda x: mpmath.sech(x) ** 2)


def _erf():
    def d1(x):
        return _TWO_OVER_SQRT_PI * np.exp(-x * x)

    def d2(x):
        return -2.0 * x * d1(x)

    def d3(x):
        return (4.0 * x * x - 2.0) * d1(x)

    return SmoothActivation("erf", (special.erf, d1, d2, d3), mpmath.erf,
                            lambda x: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x))


SMOOTH: dict[str, Callable[[], SmoothActivation]] = {"tanh": _tanh, "erf": _erf}


def smooth_activation(name: str) -> SmoothActivation:
    """The smooth activation called ``name``; ``ValueError`` naming the allowed ones otherwise."""
    if name not in SMOOTH:
        raise ValueError(f"activation={name!r} has no closed-form derivatives here (the certified point and the "
                         f"finite-network simulators need them); allowed: {sorted(SMOOTH)}")
    return SMOOTH[name]()
