r"""One layer of a finite random network fed the infinite-width law: draws whose means are exact.

The pre-activations entering the layer are drawn exactly from the infinite-width law
(i.i.d. $N(0, q)$ per unit, correlation $c$ between two inputs); the layer is a finite
$W \in \mathbb R^{n\times n}$, $W_{ij}\sim N(0,\sigma_w^2/n)$, $b_i\sim N(0,\sigma_b^2)$.  Then, at every width $n$:

* Jacobian (forward, $u$ a fixed unit vector): $E\|W(\varphi'(h)\odot u)\|^2 = \sigma_w^2\sum_j E\varphi'(h_j)^2 u_j^2 = \chi_1$;
* gradient (backward, $g$ a fixed unit vector): $E\|\varphi'(h)\odot W^\top g\|^2 = \chi_1$;
* length slope: with common random numbers, $Y_q = [Q(q+\delta) - Q(q-\delta)]/(2\delta)$,
  $Q(q) = \frac1n\|W\varphi(\sqrt q z) + b\|^2$, has mean $[\mathcal L(q+\delta)-\mathcal L(q-\delta)]/(2\delta)
  = \chi_q + \frac{\delta^2}{6}\mathcal L'''(q)+O(\delta^4)$;
* correlation slope: likewise $Y_c$ from $C(c) = \frac{1}{nq}\langle h^{+}(c), h^{+\prime}(c)\rangle$, mean
  $\chi_c + \frac{\delta^2}{6}\mathcal C'''(c)$.

Only the $\delta^2$ term is a bias; it is evaluated in :func:`slope_bias` from the maps themselves.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_variance
from .activations import smooth_activation

__all__ = ["one_layer_draws"]


def one_layer_draws(activation: str, *, sigma_w2: float, sigma_b2: float, q: float, c: float, width: int,
                    n: int, seed, delta_q: float, delta_c: float, chunk: int = 2000) -> np.ndarray:
    """``n`` i.i.d. rows ``(jacobian, gradient, Y_q, Y_c)`` of one layer of width ``width`` (see module)."""
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    if not (isinstance(width, (int, np.integer)) and width >= 1):
        raise ValueError(f"width={width!r} must be an integer >= 1")
    if not (-1.0 <= c - delta_c and c + delta_c <= 1.0):
        raise ValueError(f"c={c!r} with delta_c={delta_c!r} leaves [-1, 1]")
    phi, dphi = smooth_activation(activation).derivatives[:2]
    rng = np.random.default_rng(seed)
    out = np.empty((n, 4))
    u = np.full(width, 1.0 / np.sqrt(width))
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        w = rng.standard_normal((m, width, width)) * np.sqrt(sw / width)
        b = rng.standard_normal((m, width)) * np.sqrt(sb)
        z1, z2 = rng.standard_normal((2, m, width))
        h = np.sqrt(q) * z1
        d = dphi(h)
        jac = np.einsum("mij,mj->mi", w, d * u)
        grad = d * np.einsum("mij,i->mj", w, u)

        def length(qq):
            post = np.einsum("mij,mj->mi", w, phi(np.sqrt(qq) * z1)) + b
            return np.mean(post**2, axis=1)

        def corr(cc):
            x1 = np.sqrt(q) * z1
            x2 = np.sqrt(q) * (cc * z1 + np.sqrt(1.0 - cc * cc) * z2)
            p1 = np.einsum("mij,mj->mi", w, phi(x1)) + b
            p2 = np.einsum("mij,mj->mi", w, phi(x2)) + b
            return np.mean(p1 * p2, axis=1) / q

        out[start:start + m, 0] = np.sum(jac**2, axis=1)
        out[start:start + m, 1] = np.sum(grad**2, axis=1)
        out[start:start + m, 2] = (length(q + delta_q) - length(q - delta_q)) / (2 * delta_q)
        out[start:start + m, 3] = (corr(c + delta_c) - corr(c - delta_c)) / (2 * delta_c)
    return out
