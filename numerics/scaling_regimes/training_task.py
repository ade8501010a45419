r"""The synthetic task of Cohen, Cont, Rossier and Xu (ICML 2021), as their code builds it (reference
``scaling_regimes.md`` sections 3, 7 and 8; their ``generate_dataset.py``, ``scaling_run.py`` and
``scaling_model.py``), in float64.

Data (``generate_data_ODE`` with $f = \sin$, $g = \cos$, no noise): $x\sim U[-1, 1]^d$, then for
$s = 0, \dots, n-1$ ($n = 100$)

$$z \leftarrow z + n^{-1/2}\tanh\big(\sin(5\pi s/n)\,z + \cos(5\pi s/n)\big)\quad(z_0 = x,\ \text{componentwise}),$$

$y = z/\lVert z\rVert$, and $x$ is normalised to unit norm *after* $y$ is computed.  The first
``train_size`` rows train, the next ``test_size`` test.

Depth grid (their ``get_depths``): $\{\lfloor b^n\rfloor : 0\le n\le \lfloor\log L_{max}/\log b\rfloor\}\cap
[L_{min}, \infty)$, $b = 1.2$, $L_{min} = 3$; e.g. ``max_depth=10**4`` gives 44 depths 3, 4, 5, ..., 6319, 7583, 9100.

Two setups (:data:`SETUPS`): ``"tanh_shared"``: tanh, one shared $\delta$ (forward $|\delta|$, $\delta_0 = 1/L$),
``xavier-depth`` with sd 0.01 ($A\sim N(0, (0.01/(Ld))^2)$); ``"relu_per_layer"``: ReLU, $\delta_k\sim
N(0, 1/L^2)$, ``xavier`` with sd $10^{-4}$.  Both: Adam, learning rate $10^{-2}$, batch 32, stop at training
MSE $< 10^{-3}$ or after 5 epochs without a 1% improvement (their shipped configuration; at most 10 epochs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.validation import check_integer, check_scalar

__all__ = ["SETUPS", "TrainingSetup", "depth_grid", "ode_dataset"]


def ode_dataset(seed, *, d: int = 10, train_size: int = 1024, test_size: int = 256, n_steps: int = 100,
                noise: float = 0.0):
    """``(x_train, y_train, x_test, y_test)`` of the authors' tanh-ODE task (``noise``: sd of their optional
    isotropic noise on the target before normalisation; 0 in their runs)."""
    d = check_integer("d", d, minimum=1)
    train_size, test_size = check_integer("train_size", train_size, minimum=1), check_integer("test_size", test_size)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    noise = check_scalar("noise", noise, low=0.0)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (train_size + test_size, d))
    z = x.copy()
    for s in range(n_steps):
        t = 5.0 * s * math.pi / n_steps
        z = z + n_steps ** -0.5 * np.tanh(math.sin(t) * z + math.cos(t))
    y = z + noise * rng.standard_normal(z.shape)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    y = y / np.linalg.norm(y, axis=1, keepdims=True)
    return x[:train_size], y[:train_size], x[train_size:], y[train_size:]


def depth_grid(*, max_depth: int, min_depth: int = 3, base: float = 1.2) -> np.ndarray:
    r"""The authors' depth grid $\{\lfloor b^n\rfloor\}\cap[L_{min}, L_{max}]$ (sorted, unique)."""
    max_depth = check_integer("max_depth", max_depth, minimum=1)
    min_depth = check_integer("min_depth", min_depth, minimum=1)
    base = check_scalar("base", base, low=1.0, closed=(False, True))
    count = 1 + int(np.log(max_depth) / np.log(base))
    depths = [int(np.floor(base ** n)) for n in range(count)]
    return np.unique([L for L in depths if L >= min_depth])


@dataclass(frozen=True)
class TrainingSetup:
    """One of the authors' fully connected runs: the network, its initialisation and the optimiser."""

    activation: str
    delta: str
    init: str
    initial_sd: float
    optimizer: str = "adam"
    learning_rate: float = 1e-2
    batch_size: int = 32
    max_epochs: int = 10
    tolerance: float = 1e-3


SETUPS = {
    "tanh_shared": TrainingSetup("tanh", "shared", "xavier-depth", 0.01),
    "relu_per_layer": TrainingSetup("relu", "per_layer", "xavier", 1e-4),
}
