r"""The gradient-descent factor of the linearised dynamics, its derivative, and its Fréchet derivative.

For $k$ steps of gradient descent at rate $x = \eta/N$ the linearised predictor applies
$G_k(\Theta) = \Theta^{-1}\bigl(I - (I - x\Theta)^k\bigr) = V\,\mathrm{diag}(g_k(\lambda))\,V^\top$ with

$$g_k(\lambda) = \frac{1 - (1 - x\lambda)^k}{\lambda},\qquad
g_k'(\lambda) = \frac{k x (1 - x\lambda)^{k-1}\lambda - \bigl(1 - (1 - x\lambda)^k\bigr)}{\lambda^2}.$$

Daleckii-Krein: the derivative of $G_k$ at $\Theta = V\Lambda V^\top$ in a symmetric direction $\Delta$ is
$DG_k(\Theta)[\Delta] = V\bigl((V^\top\Delta V)\circ F\bigr)V^\top$ with the divided differences
$F_{ij} = (g_k(\lambda_i) - g_k(\lambda_j))/(\lambda_i - \lambda_j)$ and $F_{ii} = g_k'(\lambda_i)$
(the mean of the two derivatives where two eigenvalues agree to $10^{-9}$ relative).
"""

from __future__ import annotations

import numpy as np

__all__ = ["gd_divided_differences", "gd_factor"]


def gd_factor(lam: np.ndarray, x: float, steps: np.ndarray) -> np.ndarray:
    """``g[..., t, i] = (1 - (1 - x lam_i)^k_t) / lam_i`` for eigenvalues ``lam[..., i] > 0``; shape ``(..., T, n)``."""
    lam = np.asarray(lam, dtype=np.float64)[..., None, :]
    k = np.asarray(steps, dtype=np.float64)[:, None]
    return (1.0 - (1.0 - x * lam) ** k) / lam


def gd_divided_differences(lam: np.ndarray, x: float, steps: np.ndarray) -> np.ndarray:
    r"""$F[t, i, j]$ of the module docstring for eigenvalues ``lam`` (1-d, positive); shape ``(T, n, n)``."""
    lam = np.asarray(lam, dtype=np.float64)
    k = np.asarray(steps, dtype=np.float64)[:, None]
    g = gd_factor(lam, x, steps)                                         # (T, n)
    deriv = (k * x * (1.0 - x * lam) ** (k - 1) * lam - (1.0 - (1.0 - x * lam) ** k)) / lam**2
    diff = lam[:, None] - lam[None, :]
    close = np.abs(diff) <= 1e-9 * np.maximum(np.abs(lam[:, None]), np.abs(lam[None, :]))
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = (g[:, :, None] - g[:, None, :]) / np.where(close, 1.0, diff)[None]
    return np.where(close[None], 0.5 * (deriv[:, :, None] + deriv[:, None, :]), dd)
