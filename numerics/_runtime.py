"""Runtime helpers called by the generated modules.

Kept tiny and dependency-free (NumPy only) so that generated code stays
readable: broadcasting and chunked (optionally threaded) evaluation, the
clipped correlation, and series patches evaluated only where they are needed.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["evaluate", "correlation", "patch", "CHUNK", "THREADS"]

#: Entries per chunk: large enough to amortise Python overhead, small enough
#: that a dozen float64 temporaries stay in cache (the generated code is
#: allocation-bound, not arithmetic-bound).
CHUNK = 1 << 15
#: Chunk size when threads are used: larger, so that each thread's work
#: outweighs the cost of handing the GIL back and forth.
THREAD_CHUNK = 1 << 17
#: Threads used for large inputs (NumPy's ufuncs release the GIL).  Results do
#: not depend on it: the computation is elementwise.
THREADS = max(1, min(int(os.environ.get("DEEPLIMITS_THREADS", os.cpu_count() or 1)), 8))
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(THREADS, thread_name_prefix="deeplimits")
    return _POOL


def evaluate(body, args, n_out: int = 1):
    """Broadcast ``args`` and evaluate ``body(*args)`` in row chunks (float64).

    ``body`` returns one array, or a tuple of ``n_out`` arrays.  Inputs are never
    copied: chunks are views along the first broadcast axis.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    size = int(np.prod(shape))
    if size <= CHUNK or not shape:
        res = body(*arrays)
        res = res if n_out > 1 else (res,)
        outs = tuple(np.broadcast_to(np.asarray(r, dtype=np.float64), shape).copy() if shape else np.float64(r) for r in res)
        return outs if n_out > 1 else outs[0]
    full = [a.reshape((1,) * (len(shape) - a.ndim) + a.shape) for a in arrays]
    outs = tuple(np.empty(shape, dtype=np.float64) for _ in range(n_out))
    threaded = THREADS > 1 and size >= 2 * THREAD_CHUNK
    chunk = THREAD_CHUNK if threaded else CHUNK
    row = size // shape[0]
    step = max(1, chunk // max(row, 1))
    # a row wider than a chunk: split the trailing axes too, by flattening them
    if row > chunk and len(shape) > 1:
        flat_shape = (size,)
        full = [np.broadcast_to(a, shape).reshape(flat_shape) if a.shape != (1,) * len(shape) else a.reshape(1) for a in full]
        flat_outs = tuple(o.reshape(flat_shape) for o in outs)
        return _run(body, full, flat_outs, size, chunk, n_out, threaded) and (outs if n_out > 1 else outs[0])
    _run(body, full, outs, shape[0], step, n_out, threaded)
    return outs if n_out > 1 else outs[0]


def _run(body, full, outs, length, step, n_out, threaded):
    def work(start):
        stop = min(start + step, length)
        part = [a if a.shape[0] == 1 else a[start:stop] for a in full]
        res = body(*part)
        res = res if n_out > 1 else (res,)
        for o, r in zip(outs, res):
            o[start:stop] = r

    starts = range(0, length, step)
    if threaded and len(starts) > 1:
        list(_pool().map(work, starts))
    else:
        for s in starts:
            work(s)
    return True


def correlation(c, s):
    r"""$\mathrm{clip}(c/s, -1, 1)$, and 0 where $s = 0$."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.divide(c, s)
    rho = np.clip(rho, -1.0, 1.0, out=rho if isinstance(rho, np.ndarray) else None)
    if not np.all(s):
        rho = np.where(s == 0, 0.0, rho)
    return rho


def patch(mask, general, series, *args):
    """``general`` with the entries where ``mask`` holds replaced by ``series(*args)`` there."""
    mask = np.asarray(mask)
    if not mask.any():
        return general
    out = np.array(np.broadcast_to(general, np.broadcast_shapes(np.shape(general), mask.shape)), dtype=np.float64)
    if out.ndim == 0:
        return np.float64(series(*args))
    picked = [np.broadcast_to(a, out.shape)[mask] if np.ndim(a) else a for a in args]
    out[mask] = series(*picked)
    return out
