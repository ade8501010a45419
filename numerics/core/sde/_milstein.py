r"""Milstein: strong order 1 for diagonal (commutative) and scalar noise, weak order 1.

For diagonal noise ($m = d$, $g_i$ depending on $y_i$ only) and for scalar noise with $g_i$
depending on $y_i$ only,

$$y_{k+1} = y_k + f h + g\,\Delta W_k + \tfrac12\, g\, \partial_y g\,\big(\Delta W_k^2 - h\big)$$

componentwise, all coefficients at $(t_k, y_k)$ (Kloeden & Platen 1992, Section 10.3, the Milstein scheme
for scalar and diagonal noise).  Without an analytic derivative the derivative-free (Runge-Kutta) form is used,

$$\Upsilon_k = y_k + f h + g\sqrt h,\qquad
  y_{k+1} = y_k + f h + g\,\Delta W_k + \frac{g(t_k, \Upsilon_k) - g(t_k, y_k)}{2\sqrt h}\big(\Delta W_k^2 - h\big)$$

(Kloeden & Platen 1992, Section 11.1, the explicit order-1.0 strong scheme), which for scalar noise
is of strong order 1 for *any* $g$ (it approximates $(\nabla g)\,g$, the scalar-noise Milstein
coefficient).  For diagonal noise whose $g_i$ depends on other components the noise is not
commutative: an order-1 scheme then needs Lévy areas, and this one falls back to order 1/2.
General and operator noise are rejected.
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["Milstein"]


class Milstein:
    """Milstein stepper for diagonal and scalar noise.

    Args:
        diffusion_derivative: optional keyword-only ``diffusion_derivative(t, y, args)`` returning
            $\\partial g_i / \\partial y_i$ (same shape as $g$); valid when $g_i$ depends on $y_i$
            only.  ``None`` (default): derivative-free Runge-Kutta form (one extra diffusion
            evaluation per step).
    """

    strong_order = 1.0
    weak_order = 1.0

    def __init__(self, *, diffusion_derivative: Callable | None = None):
        if diffusion_derivative is not None and not callable(diffusion_derivative):
            raise ValueError(
                f"diffusion_derivative={diffusion_derivative!r} must be None or callable as "
                "diffusion_derivative(t, y, args)"
            )
        self.diffusion_derivative = diffusion_derivative

    def check(self, noise) -> None:
        """Raise ``ValueError`` unless the noise is diagonal or scalar."""
        if noise.noise_type not in ("diagonal", "scalar"):
            raise ValueError(
                f"noise of type {noise.noise_type!r} is not supported by Milstein (allowed: 'diagonal', "
                "'scalar'); use EulerMaruyama for general noise"
            )

    def step(self, drift, noise, t: float, y, h: float, dW, args):
        """One step from ``(t, y)`` with increment ``dW``; returns a new array."""
        g = noise.coefficient(t, y, args)
        fh = 0.0 if drift is None else h * drift(t, y, args)
        ito = dW * dW - h
        if self.diffusion_derivative is not None:
            correction = 0.5 * g * self.diffusion_derivative(t, y, args) * ito
        else:
            sqrt_h = math.sqrt(h)
            g_support = noise.coefficient(t, y + fh + g * sqrt_h, args)
            correction = (g_support - g) * (ito / (2.0 * sqrt_h))
        return y + fh + g * dW + correction

    def __repr__(self) -> str:
        return f"Milstein(diffusion_derivative={self.diffusion_derivative!r})"
