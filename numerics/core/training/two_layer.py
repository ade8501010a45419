r"""Two-layer networks with a fixed second layer, in the mean-field or the NTK parameterisation, trained by
full-batch gradient descent on a weighted data set; batched over an ensemble axis $E$ (one network per seed).

$f(x) = \kappa_n\sum_{i=1}^n a_i\,\sigma(w_i\cdot x)$ with $\kappa_n = 1/n$ (``"mean_field"``, Mei, Montanari and
Nguyen 2018) or $1/\sqrt n$ (``"ntk"``); loss $L = \sum_j \pi_j (f(x_j) - y_j)^2$ (weights $\pi_j \ge 0$, e.g. a
Gaussian cubature rule, so that $L$ is the population risk of a polynomial problem).  The backward pass is by
hand: $\partial L/\partial w_i = 2\kappa_n a_i\sum_j \pi_j r_j\,\sigma'(w_i\cdot x_j)\,x_j$, $r = f - y$.
One step is $w_i \leftarrow w_i - \eta\,\gamma_n\,\partial L/\partial w_i$ with $\gamma_n = n$ (mean field: each
neuron moves by $O(\eta)$, the time is $t = k\eta$) or $\gamma_n = 1$ (NTK: each neuron moves by $O(\eta/\sqrt n)$).
The second layer $a$ is not trained.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_integer, check_scalar

__all__ = ["PARAMETERISATIONS", "TWO_LAYER_ACTIVATIONS", "train_two_layer", "two_layer_loss_and_grad"]

#: name -> (sigma, sigma')
TWO_LAYER_ACTIVATIONS = {
    "quadratic": (np.square, lambda h: 2.0 * h),
    "relu": (lambda h: np.maximum(h, 0.0), lambda h: (h > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda h: 1.0 / np.cosh(h) ** 2),
}
PARAMETERISATIONS = ("mean_field", "ntk")


def _scales(parameterisation: str, n: int) -> tuple[float, float]:
    if parameterisation not in PARAMETERISATIONS:
        raise ValueError(f"parameterisation={parameterisation!r} must be one of {PARAMETERISATIONS}")
    return (1.0 / n, float(n)) if parameterisation == "mean_field" else (n ** -0.5, 1.0)


def two_layer_loss_and_grad(w, a, *, x, weights, y, parameterisation="mean_field", activation="quadratic"):
    r"""Per network: the loss $L$ (shape ``(E,)``) and $\partial L/\partial w$ (shape of ``w``, ``(E, n, d)``)."""
    sigma, dsigma = TWO_LAYER_ACTIVATIONS[activation]
    kappa, _ = _scales(parameterisation, w.shape[1])
    h = w @ x.T                                   # (E, n, m)
    f = kappa * np.einsum("en,enm->em", a, sigma(h))
    r = f - y
    loss = r ** 2 @ weights
    g = (2.0 * kappa) * a[..., None] * dsigma(h) * (weights * r)[:, None, :]
    return loss, g @ x


def train_two_layer(w0, a, *, x, weights, y, learning_rate, steps, parameterisation="mean_field",
                    activation="quadratic"):
    r"""Gradient descent from ``w0`` (``(E, n, d)``); returns ``(w, losses)``, ``losses[:, k]`` the loss after
    ``k`` steps (shape ``(E, steps + 1)``).  ``a``: ``(E, n)`` fixed second layer; ``x``: ``(m, d)``;
    ``weights``, ``y``: ``(m,)``."""
    w = np.array(w0, dtype=np.float64)
    if w.ndim != 3:
        raise ValueError(f"w0 has shape {w.shape}; it must be (ensemble, width, input dimension)")
    a = np.broadcast_to(np.asarray(a, dtype=np.float64), w.shape[:2])
    x, weights, y = (np.asarray(v, dtype=np.float64) for v in (x, weights, y))
    if x.ndim != 2 or x.shape[1] != w.shape[2] or weights.shape != (x.shape[0],) or y.shape != weights.shape:
        raise ValueError(f"data shapes x={x.shape}, weights={weights.shape}, y={y.shape} do not match w0 {w.shape}")
    if activation not in TWO_LAYER_ACTIVATIONS:
        raise ValueError(f"activation={activation!r} must be one of {sorted(TWO_LAYER_ACTIVATIONS)}")
    lr = check_scalar("learning_rate", learning_rate, low=0.0, closed=(False, True))
    steps = check_integer("steps", steps, minimum=0)
    _, gamma = _scales(parameterisation, w.shape[1])
    losses = np.empty((w.shape[0], steps + 1))
    for k in range(steps + 1):
        loss, grad = two_layer_loss_and_grad(w, a, x=x, weights=weights, y=y, parameterisation=parameterisation,
                                             activation=activation)
        losses[:, k] = loss
        if k < steps:
            w -= (lr * gamma) * grad
    return w, losses
