r"""$E H_t$ and $E H_t^2$ of the F6 SDE for $d = 1$, $\sigma''(0) = 0$: the closed moment ODE by a matrix exponential.

With $m = (1, E H, E H^2)$, $m' = M m$ where (record ``scaling_regimes.diffusive_sde``, ``mean_rate_tanh`` and
``second_moment_rate_tanh``)

$$M = \begin{pmatrix}0&0&0\\ \sigma_1\bar b & \sigma_1\bar A & 0\\ \sigma_1^2 s_b^2 & 2\sigma_1\bar b &
2\sigma_1\bar A + \sigma_1^2 s_A^2\end{pmatrix},$$

so $m(t) = e^{tM}m(0)$: no division by $\bar A$ (the record's closed forms divide by it).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm

__all__ = ["linear_sde_moments"]


def linear_sde_moments(x: float, t: float, *, a_bar: float, b_bar: float, s_a: float, s_b: float,
                       sigma1: float) -> np.ndarray:
    """``(E H_t, E H_t^2)`` for H_0 = x (d = 1, sigma''(0) = 0)."""
    m = np.array([[0.0, 0.0, 0.0],
                  [sigma1 * b_bar, sigma1 * a_bar, 0.0],
                  [sigma1 ** 2 * s_b ** 2, 2 * sigma1 * b_bar, 2 * sigma1 * a_bar + sigma1 ** 2 * s_a ** 2]])
    return (expm(t * m) @ np.array([1.0, x, x * x]))[1:]
