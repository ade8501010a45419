r"""Rows F9 and F10: ReLU ResNets with i.i.d. $O(L^{-1/2})$ weights and gates $\varepsilon_k$, batched over networks.

$h_{k+1} = h_k + \varepsilon_k\,\mathrm{ReLU}(A_kh_k + b_k)$, $A_{k,ij} \sim N(0, s_A^2/L)$, $b_{k,i} \sim N(0, s_b^2/L)$;
``gates="random"``: $\varepsilon_k = \pm1$ (F10, the martingale SDE of record ``scaling_regimes.relu_random_sign``,
$E|h_L|^2$ exact at every $L$); ``gates="positive"``: $\varepsilon_k = 1$ (F9, $\log|h_L|$ grows like $\sqrt L$).
Weights come from ``Generator(SFC64(seed))``, layer by layer.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sde._brownian import check_seed
from ..core.validation import check_integer, check_scalar

__all__ = ["relu_resnet"]


def relu_resnet(x, *, s_a: float, s_b: float, depth: int, n_networks: int, seed, gates: str = "random") -> np.ndarray:
    """$h_L$ of ``n_networks`` independent networks from the input ``x`` (shape ``(d,)``): shape ``(n, d)``."""
    if gates not in ("random", "positive"):
        raise ValueError(f"gates={gates!r} must be 'random' (F10) or 'positive' (F9)")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError(f"x must be a finite vector, got shape {x.shape}")
    s_a, s_b = check_scalar("s_a", s_a, low=0.0), check_scalar("s_b", s_b, low=0.0)
    depth, n = check_integer("depth", depth, minimum=1), check_integer("n_networks", n_networks, minimum=1)
    rng = np.random.Generator(np.random.SFC64(check_seed(seed)))
    d, scale = x.size, 1.0 / math.sqrt(depth)
    h = np.broadcast_to(x, (n, d)).copy()
    for _ in range(depth):
        z = s_a * scale * np.einsum("nij,nj->ni", rng.standard_normal((n, d, d)), h)
        z += s_b * scale * rng.standard_normal((n, d))
        sign = rng.choice((-1.0, 1.0), size=(n, 1)) if gates == "random" else 1.0
        h += sign * np.maximum(z, 0.0)
    return h
