"""Runtime helpers called by the generated modules.

Kept tiny and dependency-free (NumPy only) so that generated code stays
readable: broadcasting and chunked (optionally threaded) evaluation, the
clipped correlation, series patches evaluated only where they are needed, and
sums (finite sums up to an array-valued limit; infinite series with a proven
geometric tail bound).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["evaluate", "correlation", "patch", "finite_sum", "bounded_series", "CHUNK", "THREADS"]

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


#: Terms evaluated at once by the sum helpers: (terms per block) x (entries) <= SUM_BLOCK.
SUM_BLOCK = 1 << 18
#: The series stop when the proven tail bound is below this fraction of the partial sum.
SERIES_RTOL = 2.0**-45
#: Most terms a bounded series may take (ratio 1 - 3e-7 at relative 2^-45).
SERIES_MAX_TERMS = 10**8


def _flat(args):
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return shape, [np.broadcast_to(a, shape).reshape(-1) for a in arrays]


def finite_sum(term, lower, upper, *args):
    r"""$\sum_{k=\mathrm{lower}}^{\mathrm{upper}} \mathrm{term}(k, \mathrm{args})$, elementwise in ``upper`` and ``args``.

    ``upper`` holds integers (a width, a depth); the sum is empty where
    ``upper < lower``.  Terms are evaluated in blocks of ``k`` (vectorised over
    the entries), masked beyond each entry's ``upper``, and added blockwise.
    """
    shape, (up, *flat) = _flat((upper, *args))
    out = np.zeros(up.shape, dtype=np.float64)
    if up.size == 0:
        return out.reshape(shape)
    lo, top = int(lower), int(np.max(up))
    block = max(1, SUM_BLOCK // up.size)
    for start in range(lo, top + 1, block):
        k = np.arange(start, min(start + block, top + 1), dtype=np.float64)[:, None]
        vals = term(k, *(a[None, :] for a in flat))
        out += np.where(k <= up[None, :], vals, 0.0).sum(axis=0)
    return out.reshape(shape)


def bounded_series(term, start, ratio, bound, *args):
    r"""$\sum_{j \ge \mathrm{start}} \mathrm{term}(j, \mathrm{args})$ given $|\mathrm{term}(j)| \le C r^j$, $0 \le r < 1$.

    Terms are added in growing blocks until the tail bound
    $\sum_{j \ge J} C r^j = C r^J/(1-r)$ is at most ``SERIES_RTOL`` times the
    partial sum's magnitude (or is 0).  The truncation error is therefore at
    most $2^{-45}$ relative; rounding adds a few units of $10^{-16}$ (pairwise
    summation within blocks).  About $31/(1-r)$ terms are needed near $r = 1$.
    """
    shape, (r, c, *flat) = _flat((ratio, bound, *args))
    bad = ~((r >= 0) & (r < 1))
    if bad.any():
        raise ValueError(f"series ratio={float(r[np.argmax(bad)])!r} is outside the allowed range [0, 1)")
    need = np.log(SERIES_RTOL * np.finfo(float).tiny) / np.log(np.where(r > 0, r, 0.5))
    if np.max(need, initial=0) > SERIES_MAX_TERMS:
        raise ValueError(f"series ratio={float(np.max(r))!r} is too close to 1 (more than {SERIES_MAX_TERMS} terms)")
    out = np.zeros(r.shape, dtype=np.float64)
    idx = np.arange(r.size)
    j0, block = int(start), 64
    while idx.size:
        j = np.arange(j0, j0 + block, dtype=np.float64)[:, None]
        out[idx] += term(j, *(a[idx][None, :] for a in flat)).sum(axis=0)
        j0 += block
        tail = c[idx] * r[idx] ** j0 / (1 - r[idx])
        idx = idx[~((tail <= SERIES_RTOL * np.abs(out[idx])) | (tail == 0))]
        block = max(64, min(2 * block, SUM_BLOCK // max(idx.size, 1)))
    return out.reshape(shape)
