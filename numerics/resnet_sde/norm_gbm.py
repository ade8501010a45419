r"""Linear deep ResNets ($\phi = \psi = \mathrm{id}$): the squared norm $q_L = |x_L|^2/D$ from $x_0 = \mathbf 1$.

With $\sigma_b = 0$, $\tfrac12\log q_L = \log(|x_L|/|x_0|)$ tends to the geometric Brownian motion law of
record ``resnet_sde.norm_gbm``; with any $\sigma_b$, $E q_L$ is exact at every width (``resnet_sde.norm_moments``).
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_integer
from ._model import ResNet
from .forward import resnet_outputs

__all__ = ["linear_resnet_sq_norm"]

CHUNK = 4096  # networks per batch of the simulator


def linear_resnet_sq_norm(width, sigma_w, sigma_b, depth, *, n_samples, seed) -> np.ndarray:
    r"""$q_L = |x_L|^2/D$ of ``n_samples`` linear ResNets from $x_0 = \mathbf 1$ ($q_0 = 1$), shape ``(n,)``."""
    width = check_integer("width", width, minimum=1)
    net = ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi="identity", psi="identity",
                 input="state")
    r = resnet_outputs(net, np.ones((1, width)), n_samples=n_samples, seed=seed, gram=True, chunk_size=CHUNK)
    return r.gram[:, 0, 0, 0]
