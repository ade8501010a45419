r"""Brownian increments on a fixed grid, reproducible from a seed and refinable by summation.

On the grid $t_k = t_0 + k h$, $h = (t_1 - t_0)/n$, the increments
$\Delta W_k = W_{t_{k+1}} - W_{t_k}$ are i.i.d. $N(0, h I_m)$.  They are drawn as
$\sqrt h\,Z$ with $Z$ standard normal from ``Generator(SFC64(seed))``, in the
order (step, path, component), i.e. C order of an array of shape
``(n_steps, n_paths, m)``.  Drawing them block by block over steps (as
:func:`~numerics.core.sde.solve` does, to bound memory) gives the same numbers as one
call to :func:`brownian_increments`.

Refinement: the increments of a coarse grid are sums of consecutive fine
increments, $\Delta W^{(H)}_k = \sum_{j < r} \Delta W^{(h)}_{rk + j}$ with $H = r h$
(:func:`coarsen_increments`), so solutions at several step sizes can be driven
by one Brownian path, as strong-order tests and multilevel Monte Carlo need.

A :class:`numpy.random.SeedSequence` passed as ``seed`` is not mutated.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np

from ..validation import check_integer, check_scalar

__all__ = ["brownian_increments", "coarsen_increments"]

_DTYPES = {"float64": np.float64, "float32": np.float32}


def check_seed(seed) -> np.random.SeedSequence:
    """``seed`` must be an integer >= 0 or a :class:`numpy.random.SeedSequence`."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise ValueError(f"seed={seed!r} must be an integer >= 0 or a numpy.random.SeedSequence")


def check_dtype(dtype) -> type:
    """``dtype`` must be float64 (default) or float32."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in _DTYPES:
        raise ValueError(f"dtype={dtype!r} must be one of {sorted(_DTYPES)}")
    return _DTYPES[name]


def increment_blocks(
    seed: np.random.SeedSequence, n_steps: int, n_paths: int, noise_dim: int, h: float, dtype, block: int
) -> Iterator[np.ndarray]:
    """Yield the increments in consecutive blocks of at most ``block`` steps (one reused buffer)."""
    rng = np.random.Generator(np.random.SFC64(seed))
    buf = np.empty((min(block, n_steps), n_paths, noise_dim), dtype=dtype)
    scale = dtype(math.sqrt(h))
    for start in range(0, n_steps, block):
        out = buf[: min(block, n_steps - start)]
        rng.standard_normal(out=out, dtype=dtype)
        out *= scale
        yield out


def brownian_increments(
    seed,
    *,
    n_steps: int,
    n_paths: int,
    noise_dim: int,
    t0: float = 0.0,
    t1: float = 1.0,
    dtype="float64",
) -> np.ndarray:
    r"""Brownian increments $\Delta W_k \sim N(0, h I_m)$, $h = (t_1 - t_0)/n$, on a uniform grid.

    Args:
        seed: integer >= 0 or :class:`numpy.random.SeedSequence`.
        n_steps: number of steps $n \ge 1$.
        n_paths: number of independent paths (>= 1).
        noise_dim: Brownian dimension $m \ge 1$.
        t0, t1: the interval, $t_1 > t_0$.
        dtype: ``"float64"`` (default) or ``"float32"``.

    Returns:
        Array of shape ``(n_steps, n_paths, noise_dim)``; the same numbers that
        :func:`~numerics.core.sde.solve` draws for the same seed and grid.

    >>> dW = brownian_increments(0, n_steps=8, n_paths=3, noise_dim=2)
    >>> coarsen_increments(dW, 4).shape
    (2, 3, 2)
    """
    ss = check_seed(seed)
    n = check_integer("n_steps", n_steps, minimum=1)
    p = check_integer("n_paths", n_paths, minimum=1)
    m = check_integer("noise_dim", noise_dim, minimum=1)
    a = check_scalar("t0", t0)
    b = check_scalar("t1", t1, low=a, closed=(False, True))
    dt = check_dtype(dtype)
    (out,) = increment_blocks(ss, n, p, m, (b - a) / n, dt, block=n)
    return out


def coarsen_increments(dW, factor: int) -> np.ndarray:
    r"""Sum ``factor`` consecutive increments: the increments of the same path on a grid ``factor`` times coarser.

    Args:
        dW: increments of shape ``(n_steps, ...)`` with ``n_steps`` divisible by ``factor``.
        factor: integer $r \ge 1$.

    Returns:
        Array of shape ``(n_steps // factor, ...)``.
    """
    r = check_integer("factor", factor, minimum=1)
    arr = np.asarray(dW)
    if arr.ndim < 1 or arr.shape[0] % r:
        raise ValueError(
            f"factor={factor!r} must divide the number of steps dW.shape[0]={arr.shape[0] if arr.ndim else None}"
        )
    return arr.reshape(arr.shape[0] // r, r, *arr.shape[1:]).sum(axis=1)
