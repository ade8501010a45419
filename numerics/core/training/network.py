r"""Ensembles of fully connected networks in the NTK parameterisation, forward and hand-derived backward.

$h^1 = \frac{\sigma_w}{\sqrt d}xW^1 + \sigma_b b^1$, $h^{l+1} = \frac{\sigma_w}{\sqrt{n_l}}\varphi(h^l)W^{l+1} + \sigma_b b^{l+1}$,
$W, b$ standard normal at initialisation (neural-tangents' ``stax.Dense`` convention).  Every
array carries a leading ensemble axis $E$ (one member per seed), so a whole ensemble is one
batched matmul.  With $g^l = \partial L/\partial h^l$ and $c_l = \sigma_w/\sqrt{n_{l-1}}$:
$\partial L/\partial W^l = c_l\,\varphi(h^{l-1})^\top g^l$, $\partial L/\partial b^l = \sigma_b\sum_{\text{batch}} g^l$,
$g^{l-1} = c_l\,(g^l W^{l\top})\odot\varphi'(h^{l-1})$.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.special

__all__ = ["ACTIVATIONS", "FCNetwork", "init_params", "mse_loss_and_grad"]

#: name -> (phi, phi').
ACTIVATIONS = {
    "relu": (lambda h: np.maximum(h, 0.0), lambda h: (h > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda h: 1.0 / np.cosh(h) ** 2),
    "erf": (scipy.special.erf, lambda h: 2.0 / np.sqrt(np.pi) * np.exp(-h * h)),
}


def _derivative(name: str, h: np.ndarray, a: np.ndarray) -> np.ndarray:
    r"""$\varphi'(h)$ given $a = \varphi(h)$ too ($1 - a^2$ for tanh: no second transcendental pass)."""
    return 1.0 - a * a if name == "tanh" else ACTIVATIONS[name][1](h)


@dataclass(frozen=True)
class FCNetwork:
    """Architecture: ``widths = (d, n_1, ..., n_L, n_out)``, ``activation`` in :data:`ACTIVATIONS`."""

    widths: tuple[int, ...]
    activation: str = "erf"
    w_std: float = 1.0
    b_std: float = 0.0

    def __post_init__(self):
        if len(self.widths) < 2 or any(int(w) != w or w < 1 for w in self.widths):
            raise ValueError(f"widths must be >= 2 positive integers, got {self.widths!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
        for name in ("w_std", "b_std"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"{name} must lie in [0, inf), got {v!r}")

    def forward(self, params, x) -> tuple[np.ndarray, list]:
        """Outputs ``(E, B, n_out)`` and the cache ``[(h, phi(h)), ...]`` (the input first) for :meth:`backward`."""
        phi = ACTIVATIONS[self.activation][0]
        a = np.broadcast_to(np.asarray(x, dtype=np.float64), (params[0][0].shape[0],) + np.shape(x))
        cache = [(None, a)]
        for i, (w, b) in enumerate(params):
            h = self.w_std / np.sqrt(w.shape[1]) * np.matmul(a, w) + self.b_std * b[:, None, :]
            a = phi(h) if i < len(params) - 1 else h
            cache.append((h, a))
        return h, cache

    def backward(self, params, cache, grad_out) -> list[tuple[np.ndarray, np.ndarray]]:
        """Gradients ``[(dW, db), ...]`` given ``grad_out = dL/df`` of shape ``(E, B, n_out)``."""
        g, grads = grad_out, []
        for i in range(len(params) - 1, -1, -1):
            w = params[i][0]
            c = self.w_std / np.sqrt(w.shape[1])
            h_prev, a_prev = cache[i]
            grads.append((c * np.matmul(np.swapaxes(a_prev, 1, 2), g), self.b_std * g.sum(axis=1)))
            if i > 0:
                g = c * np.matmul(g, np.swapaxes(w, 1, 2)) * _derivative(self.activation, h_prev, a_prev)
        return grads[::-1]


def init_params(net: FCNetwork, *, ensemble: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Standard normal weights and biases for ``ensemble`` members (one child seed each)."""
    if int(ensemble) != ensemble or ensemble < 1:
        raise ValueError(f"ensemble must be a positive integer, got {ensemble!r}")
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(int(ensemble))]
    out = []
    for n_in, n_out in zip(net.widths[:-1], net.widths[1:]):
        out.append((np.stack([r.standard_normal((n_in, n_out)) for r in rngs]),
                    np.stack([r.standard_normal(n_out) for r in rngs])))
    return out


def mse_loss_and_grad(net: FCNetwork, params, x, y):
    r"""Per-member loss $\frac{1}{2N}\lVert f(X) - Y\rVert^2$ ($N$ = ``y.size``), outputs and parameter gradients."""
    f, cache = net.forward(params, x)
    y = np.asarray(y, dtype=np.float64)
    r = f - y
    return 0.5 * np.sum(r * r, axis=(1, 2)) / y.size, f, net.backward(params, cache, r / y.size)
