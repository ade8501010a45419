r"""A two-layer network with one training point, trained at $\eta = c_0/\lambda_0$ on the shared trainer.

$f(x) = \frac{\sigma_w}{\sqrt n}\,\varphi(h)\,W^2 + \sigma_b b^2$, $h = \frac{\sigma_w}{\sqrt d}\,x W^1 + \sigma_b b^1$
(the NTK parameterisation of :class:`numerics.core.training.FCNetwork`), one training point $(x, y)$, loss
$\tfrac12(f - y)^2$ (:func:`~numerics.core.training.mse_loss_and_grad` with one target).  Its NTK on the training
point is $\lambda = \lVert\nabla_\theta f(x)\rVert^2$ (a backward pass with $\partial L/\partial f = 1$).  Each
member of the ensemble gets its own rate $\eta = c_0/\lambda_0$: the gradients are scaled by it and the shared
:class:`~numerics.core.training.Optimizer` takes an SGD step of rate 1 (the same update).

What is derived for this network: the lazy edge $c_0 = 2$ (the linearised step multiplies $f - y$ by $1 - \eta\lambda$,
as for the uv model).  What is empirical (measured here, not derived): the largest stable $c_0$, about 4 for tanh
and beyond 14 for ReLU with $\sigma_b = 0$, where large rates kill every ReLU unit and the network converges to
$f = 0$ (docs/claims/claim.catapult_spike.md, "two-layer networks"); the paper reports about $12/\lambda_0$ for wide
ReLU networks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.training import FCNetwork, Optimizer, init_params, mse_loss_and_grad
from ..core.validation import check_finite_array, check_integer, check_scalar

__all__ = ["TwoLayerRun", "two_layer_catapult"]


@dataclass(frozen=True)
class TwoLayerRun:
    """Per member and step: loss and NTK ``(n_networks, steps + 1)``; rates and divergence ``(n_networks,)``."""

    loss: np.ndarray
    ntk: np.ndarray
    learning_rate: np.ndarray
    diverged: np.ndarray


def _output_and_ntk(net: FCNetwork, params, x):
    f, cache = net.forward(params, x)
    grads = net.backward(params, cache, np.ones_like(f))
    ntk = sum((g.reshape(g.shape[0], -1) ** 2).sum(axis=1) for pair in grads for g in pair)
    return f[:, 0, 0], ntk


def two_layer_catapult(*, rate_times_ntk: float, width: int, n_networks: int, steps: int, seed: int,
                       activation: str = "tanh", x=(1.0, 1.0, 1.0, 1.0), y: float = 0.0, w_std: float = 1.0,
                       b_std: float = 0.0, blowup: float = 1e100) -> TwoLayerRun:
    r"""Train ``n_networks`` two-layer networks of width ``width`` for ``steps`` full-batch GD steps at
    $\eta = c_0/\lambda_0$ each; a member whose loss passes ``blowup`` is marked diverged and frozen."""
    c0 = check_scalar("rate_times_ntk", rate_times_ntk, low=0, high=np.inf, closed=(False, False))
    width = check_integer("width", width, minimum=1)
    n_networks = check_integer("n_networks", n_networks, minimum=1)
    steps = check_integer("steps", steps, minimum=0)
    y = check_scalar("y", y, low=-np.inf, high=np.inf, closed=(False, False))
    check_scalar("blowup", blowup, low=0, closed=(False, True))
    xs = check_finite_array("x", x, ndim=1)[None, :]
    net = FCNetwork((xs.shape[1], width, 1), activation=activation, w_std=w_std, b_std=b_std)
    params = init_params(net, ensemble=n_networks, seed=seed)
    target = np.full((1, 1), y)
    f, ntk = _output_and_ntk(net, params, xs)
    eta = c0 / ntk
    losses, ntks, alive = [0.5 * (f - y) ** 2], [ntk], np.ones(n_networks, dtype=bool)
    sgd = Optimizer("sgd", learning_rate=1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            _, _, grads = mse_loss_and_grad(net, params, xs, target)
            rate = np.where(alive, eta, 0.0)
            params = sgd.step(params, [tuple(rate.reshape((-1,) + (1,) * (g.ndim - 1)) * g for g in pair)
                                       for pair in grads])
            f, ntk = _output_and_ntk(net, params, xs)
            loss = 0.5 * (f - y) ** 2
            keep = alive.copy()
            alive &= np.isfinite(loss) & (loss <= blowup)
            losses.append(np.where(keep, loss, losses[-1]))
            ntks.append(np.where(keep, ntk, ntks[-1]))
    return TwoLayerRun(np.stack(losses, 1), np.stack(ntks, 1), eta, ~alive)
