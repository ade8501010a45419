r"""Tensor Gauss-Hermite rules for $x \sim N(0, I_d)$: a data set whose weighted loss is the population risk.

With $k$ nodes per coordinate (probabilists' Hermite), $\sum_j \pi_j P(x_j) = E\,P(x)$ exactly for every polynomial
$P$ of degree $\le 2k - 1$ in each coordinate.  The quadratic example's loss $(f - y)^2$ has degree 4, so
$k = 3$ ($3^d$ points) gives its risk and its gradient exactly.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..core.validation import check_integer

__all__ = ["gaussian_cubature"]


def gaussian_cubature(d: int, *, nodes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Points ``(nodes**d, d)`` and weights summing to 1 of the tensor Gauss-Hermite rule for N(0, I_d)."""
    d = check_integer("d", d, minimum=1)
    nodes = check_integer("nodes", nodes, minimum=1)
    if nodes ** d > 10 ** 6:
        raise ValueError(f"nodes**d = {nodes}**{d} points is too many; allowed: at most 10**6")
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    points = np.array(list(itertools.product(t, repeat=d)), dtype=np.float64)
    weights = np.prod(np.array(list(itertools.product(w, repeat=d))), axis=1)
    return points, weights
