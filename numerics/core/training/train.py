"""Full-batch training loop on the MSE loss, recording test outputs at chosen steps."""

from __future__ import annotations

import numpy as np

from .network import FCNetwork, mse_loss_and_grad
from .optimizers import Optimizer

__all__ = ["train_full_batch"]


def train_full_batch(net: FCNetwork, params, *, x_train, y_train, x_test, optimizer: Optimizer, record_steps):
    """Train for ``max(record_steps)`` steps; return ``(params, {step: test outputs (E, B_test, n_out)})``."""
    steps = sorted({int(s) for s in np.atleast_1d(record_steps)})
    if not steps or steps[0] < 0:
        raise ValueError(f"record_steps must be non-negative integers, got {record_steps!r}")
    out = {}
    for k in range(steps[-1] + 1):
        if k in steps:
            out[k] = net.forward(params, x_test)[0]
        if k == steps[-1]:
            break
        _, _, grads = mse_loss_and_grad(net, params, x_train, y_train)
        params = optimizer.step(params, grads)
    return params, out
