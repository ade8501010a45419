r"""Deep finite networks, exactly in law through their empirical kernels, and the depth-$L$ slopes.

Given layer $l$, the pre-activations of layer $l+1$ are i.i.d. over units, Gaussian with covariance
$\hat K^{l+1} = \sigma_w^2\frac1n\sum_j\varphi(h^l_j)\varphi(h^l_j)^\top + \sigma_b^2$ (for two inputs),
so the empirical kernels of a width-$n$ network form a Markov chain that is simulated exactly with
$n$ Gaussian pairs per layer (no weight matrices).  With common random numbers, the central
differences $Y_q = [\hat q^L(q^*+\delta) - \hat q^L(q^*-\delta)]/(2\delta)$ and
$Y_c = [\hat c^L(c^*+\delta) - \hat c^L(c^*-\delta)]/(2\delta)$ have means
$\chi_q^L + O(1/n) + O(\delta^2)$ and $\chi_c^L + O(1/n) + O(\delta^2)$: the
depth-$L$ approach rates $e^{-L/\xi_q}$, $e^{-L/\xi_c}$ in the width limit.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_variance
from .activations import smooth_activation

__all__ = ["depth_slopes"]


def depth_slopes(activation: str, *, sigma_w2: float, sigma_b2: float, q: float, c: float, depth: int,
                 width: int, n: int, seed, delta_q: float, delta_c: float, chunk: int = 4000) -> np.ndarray:
    """``n`` i.i.d. rows ``(Y_q, Y_c)`` for networks of ``depth`` layers and ``width`` units (see module)."""
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    for name, value in (("depth", depth), ("width", width)):
        if not (isinstance(value, (int, np.integer)) and value >= 1):
            raise ValueError(f"{name}={value!r} must be an integer >= 1")
    if not (-1.0 <= c - delta_c and c + delta_c < 1.0):
        raise ValueError(f"c={c!r} with delta_c={delta_c!r} leaves [-1, 1)")
    phi = smooth_activation(activation).derivatives[0]
    rng = np.random.default_rng(seed)
    out = np.empty((n, 2))
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        kq = np.array([q + delta_q, q - delta_q])[:, None] * np.ones(m)      # (2, m): the +/- runs
        k11 = np.full((2, m), q)
        k22 = np.full((2, m), q)
        k12 = q * np.array([c + delta_c, c - delta_c])[:, None] * np.ones(m)
        for _ in range(depth):
            z1, z2 = rng.standard_normal((2, 1, m, width))  # shared by the + and - runs
            kq = sw * np.mean(phi(np.sqrt(kq)[..., None] * z1) ** 2, axis=-1) + sb
            s1 = np.sqrt(k11)[..., None]
            a = (k12 / np.sqrt(k11))[..., None]
            r = np.sqrt(np.maximum(k22 - k12**2 / k11, 0.0))[..., None]
            f1, f2 = phi(s1 * z1), phi(a * z1 + r * z2)
            k11 = sw * np.mean(f1 * f1, axis=-1) + sb
            k22 = sw * np.mean(f2 * f2, axis=-1) + sb
            k12 = sw * np.mean(f1 * f2, axis=-1) + sb
        cl = k12 / np.sqrt(k11 * k22)
        out[start:start + m, 0] = (kq[0] - kq[1]) / (2 * delta_q)
        out[start:start + m, 1] = (cl[0] - cl[1]) / (2 * delta_c)
    return out
