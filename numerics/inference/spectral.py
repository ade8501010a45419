r"""Scalar functions of the train-kernel eigenvalues (the records ``inference.*``), stable forms.

With $\tau = \eta t/N$ the flow factor $g_t(\lambda) = (1 - e^{-\lambda\tau})/\lambda$ is
evaluated as $-\mathrm{expm1}(-\lambda\tau)/\lambda$, exact to rounding for
$\lambda\tau \ll 1$ and equal to its limit $\tau$ at $\lambda = 0$.  At $t = \infty$ it is
$1/\lambda$ on modes with $\lambda > \mathrm{rcond}\,\lambda_{\max}$ and $0$ on the
numerical null space (the pseudo-inverse; a PSD joint kernel has no test-train
component along the null space of the train kernel, so this is the $t\to\infty$ limit).
Gradient descent: $h_k(\lambda) = (1 - (1 - x)^k)/\lambda$, $x = \eta\lambda/N$,
evaluated as $-\mathrm{expm1}(k\,\mathrm{log1p}(-x))/\lambda$ for $x < 1$.
"""

from __future__ import annotations

import numpy as np

__all__ = ["flow_inverse", "gd_inverse", "RCOND"]

#: relative eigenvalue floor of the t = inf pseudo-inverse.
RCOND = 1e-13


def flow_inverse(evals: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """``g[i, j] = (1 - exp(-evals[j] tau[i])) / evals[j]`` (limits at 0 and inf), shape ``(T, n)``."""
    lam = np.maximum(evals, 0.0)[None, :]
    tau = np.asarray(tau, dtype=np.float64)[:, None]
    finite = np.isfinite(tau)
    tau_f = np.where(finite, tau, 0.0)
    safe = np.where(lam > 0, lam, 1.0)
    out = np.where(lam > 0, -np.expm1(-safe * tau_f) / safe, tau_f)
    lam_max = float(np.max(lam)) if lam.size else 0.0
    pinv = np.where(lam > RCOND * lam_max, 1.0 / safe, 0.0)
    return np.where(finite, out, pinv)


def gd_inverse(evals: np.ndarray, x_scale: float, steps: np.ndarray) -> np.ndarray:
    """``h[i, j] = (1 - (1 - x_j)^k_i) / evals[j]`` with ``x_j = x_scale * evals[j]``; shape ``(T, n)``."""
    lam = np.maximum(evals, 0.0)[None, :]
    k = np.asarray(steps, dtype=np.float64)[:, None]
    x = x_scale * lam
    safe = np.where(lam > 0, lam, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        stable = -np.expm1(k * np.log1p(-np.minimum(x, 0.5))) / safe
        direct = (1.0 - (1.0 - x) ** k) / safe
    out = np.where(x < 0.5, stable, direct)
    return np.where(lam > 0, out, k * x_scale)
