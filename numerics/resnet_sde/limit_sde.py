r"""The terminal value of a limit SDE, weak-Richardson-extrapolated on one Brownian path.

Euler--Maruyama has weak order 1: $E f(y^h_T) = E f(y_T) + c_1 h + O(h^2)$ (Talay--Tubaro).  Solving at
$h$ and $2h$ on *the same* Brownian path (the coarse increments are sums of pairs of fine ones) and
averaging $2f(y^h_T) - f(y^{2h}_T)$ per path removes $c_1 h$; the common path also cancels most of the
Monte Carlo noise of the difference.  Used for every ResNet limit SDE of Peluchetti and Favaro (the fully
i.i.d. SDE of Corollary 5, the convolutional SDE of Corollary 13).

* :func:`euler_maruyama_pair`: $y_T$ at ``n_steps`` and ``n_steps // 2`` on one path, in chunks of paths;
* :func:`richardson_mean`: mean and standard error of $2f(y^h_T) - f(y^{2h}_T)$.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import child_seeds
from ..core.sde import brownian_increments, coarsen_increments, solve
from ..core.validation import check_finite_array, check_integer

__all__ = ["euler_maruyama_pair", "richardson_mean"]


def euler_maruyama_pair(drift, noise, y0, *, n_paths: int, n_steps: int, seed,
                        chunk_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""$y_T$ ($T = 1$) by Euler--Maruyama at ``n_steps`` and, on the same Brownian path coarsened by 2, at
    ``n_steps // 2``.

    Args:
        drift, noise: the SDE's terms for :func:`numerics.core.sde.solve` (``drift`` may be ``None``).
        y0: the initial state, shape ``(1, *batch, d)`` (broadcast over paths).
        n_paths: number of paths, >= 1.
        n_steps: even number of fine steps, >= 2.
        seed: an integer or a :class:`numpy.random.SeedSequence` (not mutated).
        chunk_size: paths per solve (bounds the memory of the increments); ``None``: all paths at once,
            from ``seed`` itself; otherwise chunk $i$ draws from child $i$ of ``seed``.

    Returns:
        ``(fine, coarse)``, each of shape ``(n_paths, *batch, d)``.
    """
    y0 = check_finite_array("y0", y0)
    if y0.ndim < 2 or y0.shape[0] != 1:
        raise ValueError(f"y0 has shape {y0.shape}; it must have shape (1, *batch, d)")
    n_paths = check_integer("n_paths", n_paths, minimum=1)
    n_steps = check_integer("n_steps", n_steps, minimum=2)
    if n_steps % 2:
        raise ValueError(f"n_steps={n_steps!r} is outside the allowed range: even integers >= 2 (the coarse "
                         "solution takes n_steps // 2)")
    if chunk_size is None:
        sizes, seeds = [n_paths], [seed]
    else:
        chunk_size = check_integer("chunk_size", chunk_size, minimum=1)
        sizes = [min(chunk_size, n_paths - i) for i in range(0, n_paths, chunk_size)]
        seeds = child_seeds(seed, len(sizes))
    m = noise.noise_dim(y0.shape[-1])
    fine, coarse = np.empty((n_paths, *y0.shape[1:])), np.empty((n_paths, *y0.shape[1:]))
    lo = 0
    for size, s in zip(sizes, seeds):
        dW = brownian_increments(s, n_steps=n_steps, n_paths=size, noise_dim=m)
        fine[lo:lo + size] = solve(drift, noise, y0, n_steps=n_steps, dW=dW, n_paths=size).y
        coarse[lo:lo + size] = solve(drift, noise, y0, n_steps=n_steps // 2, dW=coarsen_increments(dW, 2),
                                     n_paths=size).y
        lo += size
    return fine, coarse


def richardson_mean(f_fine, f_coarse) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard error of $2f(y^h_T) - f(y^{2h}_T)$ over paths (weak bias $O(h^2)$).

    ``f_fine``, ``f_coarse``: per-path values, shape ``(n_paths,)`` or ``(n_paths, k)``, the same paths.

    >>> richardson_mean(np.array([1.0, 3.0]), np.array([1.0, 1.0]))[0].item()
    3.0
    """
    a, b = check_finite_array("f_fine", f_fine), check_finite_array("f_coarse", f_coarse)
    if a.shape != b.shape or a.ndim not in (1, 2) or a.shape[0] < 2:
        raise ValueError(f"f_fine and f_coarse must have one shape (n_paths,) or (n_paths, k) with n_paths >= 2, "
                         f"got {a.shape} and {b.shape}")
    rich = 2.0 * a - b
    return rich.mean(0), rich.std(0, ddof=1) / math.sqrt(rich.shape[0])
