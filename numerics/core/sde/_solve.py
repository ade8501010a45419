r"""The driver: integrate $dy = f(t, y)\,dt + \sigma(t, y)\,dW_t$ on a fixed grid with one stepper.

Everything is vectorised over paths and batch axes; the only Python loop is over time steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_finite_array, check_integer, check_scalar
from ._brownian import check_dtype, check_seed, increment_blocks
from ._euler import EulerMaruyama
from ._terms import Noise

__all__ = ["Solution", "solve"]

#: Upper bound on the bytes of Brownian increments drawn at once.
INCREMENT_BLOCK_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Solution:
    """Result of :func:`solve`.

    Attributes:
        y: final state $y_{t_1}$, shape ``(n_paths, *batch, d)``.
        ts: saved times, shape ``(n_saved,)`` (``None`` unless ``save_every``/``save_at`` was given).
        ys: saved states, shape ``(n_saved, n_paths, *batch, d)`` (``None`` likewise).
        step_indices: the grid indices $k$ of the saved states ($t_k = t_0 + k h$), or ``None``.
    """

    y: np.ndarray
    ts: np.ndarray | None = None
    ys: np.ndarray | None = None
    step_indices: np.ndarray | None = None


def _save_indices(n_steps: int, save_every, save_at) -> np.ndarray | None:
    if save_every is not None and save_at is not None:
        raise ValueError(f"Cannot pass both save_every={save_every!r} and save_at (pick one)")
    if save_every is not None:
        k = check_integer("save_every", save_every, minimum=1)
        if k > n_steps:
            raise ValueError(f"save_every={save_every!r} is outside the allowed range: integers in [1, n_steps={n_steps}]")
        idx = np.arange(0, n_steps + 1, k)
        return idx if idx[-1] == n_steps else np.append(idx, n_steps)
    if save_at is not None:
        raw = np.asarray(save_at)
        if raw.ndim != 1 or raw.size == 0 or not np.issubdtype(raw.dtype, np.integer):
            raise ValueError(f"save_at={save_at!r} must be a non-empty 1-D sequence of integer step indices")
        bad = (raw < 0) | (raw > n_steps)
        if bad.any():
            raise ValueError(
                f"save_at contains {int(raw[bad][0])}, outside the allowed range: step indices in [0, n_steps={n_steps}]"
            )
        return np.unique(raw)
    return None


def _check_y0(y0, n_paths, dtype) -> np.ndarray:
    y = check_finite_array("y0", y0)
    if y.ndim < 2:
        raise ValueError(f"y0 has shape {y.shape}; it must have shape (n_paths, *batch, d) with at least 2 axes")
    if n_paths is not None:
        if y.shape[0] not in (1, n_paths):
            raise ValueError(f"y0.shape[0]={y.shape[0]} must be 1 (broadcast) or n_paths={n_paths}")
        y = np.broadcast_to(y, (n_paths, *y.shape[1:]))
    return np.array(y, dtype=dtype)  # a fresh, writable copy


def _check_dW(dW, n_steps, n_paths, m, dtype) -> np.ndarray:
    arr = check_finite_array("dW", dW)
    expected = (n_steps, n_paths, m)
    if arr.shape != expected:
        raise ValueError(
            f"dW has shape {arr.shape}; expected (n_steps, n_paths, noise_dim) = {expected}"
        )
    return arr.astype(dtype, copy=False)


def _first_step(solver, drift, noise, t0, y, h, dW, args):
    """The first step, with the shape contract checked (later steps then cannot change shape)."""
    problem = None
    try:
        y_next = solver.step(drift, noise, t0, y, h, dW, args)
    except ValueError as exc:  # numpy's broadcasting error, reworded below
        if "broadcast" not in str(exc):
            raise
        y_next, problem = None, str(exc)
    if y_next is None or np.shape(y_next) != y.shape:
        got = problem if y_next is None else f"shape {np.shape(y_next)}"
        raise ValueError(
            f"one step mapped y of shape {y.shape} to {got}: drift and diffusion must return arrays "
            f"broadcastable to y.shape (see the {noise.noise_type!r} noise contract)"
        )
    return y_next


def solve(
    drift,
    noise: Noise,
    y0,
    *,
    n_steps: int,
    t0: float = 0.0,
    t1: float = 1.0,
    seed=None,
    dW=None,
    n_paths: int | None = None,
    solver=None,
    args=None,
    save_every: int | None = None,
    save_at=None,
    dtype="float64",
) -> Solution:
    r"""Integrate $dy = f(t, y)\,dt + \sigma(t, y)\,dW_t$ from $t_0$ to $t_1$ in ``n_steps`` equal steps.

    On the grid $t_k = t_0 + k h$, $h = (t_1 - t_0)/n$, the stepper (default
    :class:`EulerMaruyama`) maps $y_k \mapsto y_{k+1}$ with the increment
    $\Delta W_k = W_{t_{k+1}} - W_{t_k} \sim N(0, h I_m)$, either drawn from ``seed``
    (exactly those of :func:`brownian_increments` with the same seed and grid) or
    given as ``dW``.

    Args:
        drift: ``drift(t, y, args)`` returning $f(t, y)$ broadcastable to ``y.shape``, or ``None``
            for $f = 0$.  Called on the whole batch.
        noise: a :class:`Noise` (:class:`DiagonalNoise`, :class:`ScalarNoise`,
            :class:`GeneralNoise`, :class:`OperatorNoise`).
        y0: initial state of shape ``(n_paths, *batch, d)``; a leading axis of length 1 is
            broadcast to ``n_paths``.  Every batch index of one path is driven by the same
            Brownian motion (fold independent copies into the path axis).
        n_steps: number of steps $n \ge 1$.
        t0, t1: the interval, $t_1 > t_0$.
        seed: integer >= 0 or :class:`numpy.random.SeedSequence` (exactly one of ``seed``, ``dW``).
        dW: precomputed increments of shape ``(n_steps, n_paths, m)``.
        n_paths: number of paths; defaults to ``dW.shape[1]`` or ``y0.shape[0]``.
        solver: the stepper, default ``EulerMaruyama()``.
        args: passed unchanged to ``drift`` and the diffusion.
        save_every: save every $k$-th state ($k \in [1, n]$): indices $0, k, 2k, \dots$ and $n$.
        save_at: alternatively, the step indices in $[0, n]$ to save.
        dtype: ``"float64"`` (default) or ``"float32"``.

    Returns:
        :class:`Solution` with the final state and, if requested, the saved times and states.

    Raises:
        ValueError: on invalid options or inconsistent shapes, naming the parameter, the value
            and the allowed range.

    Example: geometric Brownian motion $dy = \mu y\,dt + s y\,dW$ on 1000 paths,

    >>> import numpy as np
    >>> from numerics.core.sde import DiagonalNoise, solve
    >>> sol = solve(lambda t, y, a: 0.1 * y, DiagonalNoise(lambda t, y, a: 0.2 * y),
    ...             np.ones((1000, 1)), n_steps=100, seed=0)
    >>> sol.y.shape
    (1000, 1)
    """
    if drift is not None and not callable(drift):
        raise ValueError(f"drift={drift!r} must be None or callable as drift(t, y, args)")
    if not isinstance(noise, Noise):
        raise ValueError(
            f"noise={noise!r} must be a Noise (DiagonalNoise, ScalarNoise, GeneralNoise or OperatorNoise)"
        )
    solver = EulerMaruyama() if solver is None else solver
    if not (hasattr(solver, "step") and hasattr(solver, "check")):
        raise ValueError(f"solver={solver!r} must be a stepper such as EulerMaruyama() or Milstein()")
    solver.check(noise)
    n = check_integer("n_steps", n_steps, minimum=1)
    a = check_scalar("t0", t0)
    b = check_scalar("t1", t1, low=a, closed=(False, True))
    dt = check_dtype(dtype)
    if (seed is None) == (dW is None):
        raise ValueError("pass exactly one of seed= (to draw the increments) and dW= (precomputed increments)")
    if n_paths is not None:
        n_paths = check_integer("n_paths", n_paths, minimum=1)
    if dW is not None:
        dW_shape = np.shape(dW)
        if n_paths is None and len(dW_shape) == 3:
            n_paths = dW_shape[1]
    y = _check_y0(y0, n_paths, dt)
    n_paths = y.shape[0]
    m = noise.noise_dim(y.shape[-1])
    save_idx = _save_indices(n, save_every, save_at)
    h = (b - a) / n

    if dW is not None:
        blocks = (_check_dW(dW, n, n_paths, m, dt),)
    else:
        block = max(1, min(n, INCREMENT_BLOCK_BYTES // (n_paths * m * np.dtype(dt).itemsize)))
        blocks = increment_blocks(check_seed(seed), n, n_paths, m, h, dt, block)
    aligned = (n_paths,) + (1,) * (y.ndim - 2) + (m,)

    ys = None
    if save_idx is not None:
        ys = np.empty((save_idx.size, *y.shape), dtype=dt)
        n_saved = 0
        if save_idx[0] == 0:
            ys[0] = y
            n_saved = 1
    k = 0
    for dW_block in blocks:
        for dW_k in dW_block:
            if k == 0:
                y_next = _first_step(solver, drift, noise, a, y, h, dW_k.reshape(aligned), args)
            else:
                y_next = solver.step(drift, noise, a + k * h, y, h, dW_k.reshape(aligned), args)
            y = y_next if y_next.dtype == dt else y_next.astype(dt)
            k += 1
            if ys is not None and n_saved < save_idx.size and save_idx[n_saved] == k:
                ys[n_saved] = y
                n_saved += 1
    if ys is None:
        return Solution(y=y)
    return Solution(y=y, ts=a + (b - a) * (save_idx / n), ys=ys, step_indices=save_idx)
