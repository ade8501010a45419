r"""Where linearised gradient descent stops converging, found from the iteration itself (no eigenvalues).

Gradient descent on the linearised network moves the train residual by $r_{k+1} = Mr_k$,
$M = I - \eta\Theta/N$ (loss $\frac{1}{2N}\|f(X) - Y\|^2$).  For symmetric $M$ with spectral radius
$\rho$ and $K = 2^j$, $\rho^K \le \|M^K\|_F \le \sqrt n\,\rho^K$, so repeated squaring decides, with
a proof up to rounding:

* $\|M^{2^j}\|_F < 1$ for some $j$: $\rho < 1$, every residual converges;
* $\|M^{2^j}\|_F > \sqrt n$: $\rho > 1$, the residual along the top mode grows without bound.

After $s$ squarings the undecided band is $|\rho - 1| \le \ln n / 2^{s+1}$; near the threshold
$\rho = \eta\lambda_{\max}/N - 1 = 2\eta/\eta^* - 1$, so the band in $\eta$ is $\eta^*\ln n/2^{s+2}$
($3\cdot10^{-13}\ln n$ relative at $s = 40$; an undecided rate counts as convergent).  Bisection on $\eta$ then brackets the threshold, an
independent route to the record's $\eta^* = 2N/\lambda_{\max}$ (:func:`numerics.inference.max_learning_rate`).
"""

from __future__ import annotations

import math

import numpy as np

from . import _checks

__all__ = ["diverges", "linearised_divergence_threshold"]


def diverges(k_train_train, learning_rate: float, *, n_outputs: int = 1, squarings: int = 40) -> bool:
    """Whether gradient descent on the linearised model diverges at ``learning_rate`` (module docstring)."""
    k, _, _ = _checks.as_kernel("k_train_train", k_train_train)
    lr = _checks.nonneg_scalar("learning_rate", learning_rate)
    n_out = _positive_int("n_outputs", n_outputs)
    return _diverges(k, lr, k.shape[0] * n_out, _positive_int("squarings", squarings))


def linearised_divergence_threshold(k_train_train, *, n_outputs: int = 1, squarings: int = 40,
                                    rtol: float = 1e-12) -> float:
    r"""The smallest divergent learning rate of linearised gradient descent, by bisection to ``rtol``.

    >>> bool(abs(linearised_divergence_threshold(np.diag([1.0, 4.0])) - 1.0) < 1e-10)   # 2N/lambda_max = 4/4
    True
    """
    k, evals, _ = _checks.as_kernel("k_train_train", k_train_train)
    if not evals[-1] > 0:
        raise ValueError("k_train_train must have a positive eigenvalue, got all eigenvalues <= 0")
    n, s = k.shape[0] * _positive_int("n_outputs", n_outputs), _positive_int("squarings", squarings)
    if not (isinstance(rtol, float) and 0 < rtol < 1):
        raise ValueError(f"rtol={rtol!r} must be a float in (0, 1)")
    lo, hi = 0.0, 1.0
    while not _diverges(k, hi, n, s):      # a trace bound would do; doubling keeps the route eigenvalue-free
        lo, hi = hi, 2.0 * hi
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if _diverges(k, mid, n, s) else (mid, hi)
    return hi


def _diverges(k: np.ndarray, lr: float, n_targets: int, squarings: int) -> bool:
    m = np.eye(k.shape[0]) - (lr / n_targets) * k
    bound = math.sqrt(k.shape[0])
    for _ in range(squarings):
        m = m @ m
        norm = float(np.linalg.norm(m))
        if norm > bound:
            return True
        if norm < 1.0:
            return False
    return False


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}={value!r} must be an integer >= 1")
    return int(value)
