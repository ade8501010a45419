r"""Minibatch training with early stopping, the loop of Cohen, Cont, Rossier & Xu's fully connected code.

Loss: PyTorch's ``MSELoss`` (mean over samples and output components),
$\ell = \frac{1}{Bd}\sum_{i,j}(f_j(x_i) - y_{ij})^2$, per ensemble member.

Epochs (as in their ``train_final_net``): the training set is cut once into ``n/batch_size`` consecutive
batches (``n`` must be a multiple); each epoch visits the batches in a fresh random order (the batches'
contents never change), takes one optimiser step per batch and averages the batch losses into the epoch's
training loss $\bar\ell_e$.  A member stops after the epoch where $\bar\ell_e <$ ``tolerance``, or after
``patience`` consecutive epochs without $\bar\ell_e < (1 - \text{min\_improvement})\min_{e'<e}\bar\ell_{e'}$,
or after ``max_epochs``.  Members share the data and the batch order (one array); a stopped member's
parameters are frozen while the others train.
"""

from __future__ import annotations

import numpy as np

from ..sampling import check_seed
from ..validation import check_integer, check_scalar
from .optimizers import Optimizer

__all__ = ["mean_squared_error_and_grad", "train_minibatch"]


def mean_squared_error_and_grad(model, params, x, y):
    r"""Per-member $\frac{1}{Bd}\lVert f(X) - Y\rVert^2$, outputs and parameter gradients (any model with the
    ``forward``/``backward`` protocol)."""
    f, cache = model.forward(params, x)
    r = f - np.asarray(y, dtype=np.float64)
    size = r.shape[-1] * r.shape[-2]
    return np.sum(r * r, axis=(-2, -1)) / size, f, model.backward(params, cache, (2.0 / size) * r)


def _freeze(new, old, active):
    """Keep ``old`` for the members that have stopped (``active`` false)."""
    out = []
    for new_group, old_group in zip(new, old):
        out.append(tuple(np.where(active.reshape((-1,) + (1,) * (n.ndim - 1)), n, o)
                         for n, o in zip(new_group, old_group)))
    return out


def train_minibatch(model, params, *, x, y, optimizer: Optimizer, batch_size: int, max_epochs: int, seed,
                    tolerance: float = 1e-3, patience: int = 5, min_improvement: float = 0.01):
    """Train with the early-stopping loop above; return ``(params, losses, epochs)``: ``losses`` of shape
    ``(E, max_epochs)`` (epoch-average training loss, NaN after a member stopped), ``epochs`` per member."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must be (n, d) arrays with the same n, got shapes {x.shape} and {y.shape}")
    batch_size = check_integer("batch_size", batch_size, minimum=1)
    if x.shape[0] % batch_size:
        raise ValueError(f"batch_size={batch_size} must divide the number of training samples {x.shape[0]}")
    max_epochs = check_integer("max_epochs", max_epochs, minimum=1)
    patience = check_integer("patience", patience, minimum=1)
    tolerance = check_scalar("tolerance", tolerance, low=0.0)
    min_improvement = check_scalar("min_improvement", min_improvement, low=0.0, high=1.0)
    n_batches = x.shape[0] // batch_size
    xb, yb = x.reshape(n_batches, batch_size, -1), y.reshape(n_batches, batch_size, -1)
    rng = np.random.default_rng(check_seed(seed))
    e = params[0][0].shape[0]
    losses = np.full((e, max_epochs), np.nan)
    best, bad = np.full(e, np.inf), np.zeros(e, dtype=int)
    active, epochs = np.ones(e, dtype=bool), np.zeros(e, dtype=int)
    for epoch in range(max_epochs):
        total = np.zeros(e)
        for i in rng.permutation(n_batches):
            loss, _, grads = mean_squared_error_and_grad(model, params, xb[i], yb[i])
            total += loss
            new = optimizer.step(params, grads)
            params = new if active.all() else _freeze(new, params, active)
        mean = total / n_batches
        losses[active, epoch] = mean[active]
        epochs[active] += 1
        improved = mean < (1.0 - min_improvement) * best
        best = np.where(improved, mean, best)
        bad = np.where(improved, 0, bad + 1)
        active &= (mean >= tolerance) & (bad < patience)
        if not active.any():
            break
    return params, losses, epochs
