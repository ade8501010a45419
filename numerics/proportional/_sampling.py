r"""Seeds, sample blocks, chunking, PSD factors and the T1 reduction shared by the simulators.

Randomness and reproducibility
------------------------------
Samples are grouped in fixed blocks of :data:`BLOCK` consecutive samples.  Block
$j$ draws everything from its own generator ``Generator(SFC64(child_j))``,
where ``child_j`` is the $j$-th child of ``SeedSequence(seed).spawn(n_blocks)``.
Within a block the draws come in a fixed, documented order (layer by layer).
``chunk_size`` only groups whole blocks into one batched computation, and the
per-sample arithmetic does not depend on which samples share a batch, so the
results depend on ``(seed, n_samples, inputs, options)`` only.  A
``SeedSequence`` passed as ``seed`` is not mutated.

The T1 reduction (exact in law)
-------------------------------
If $W \in \mathbb R^{n' \times n}$ has i.i.d. $N(0,1)$ entries, independent of
$A \in \mathbb R^{n \times m}$, then, conditionally on $A$, the rows of $WA$
are i.i.d. $N(0, A^\top A)$, so $WA \overset{d}{=} G L^\top$ with $G$ an
$n' \times m$ standard normal matrix independent of $A$ and $L L^\top = A^\top A$
(Li, Nica & Roy 2021, T1 of the reference note; Hanin & Nica 2020).  With
fresh weights in every layer this holds jointly over layers, by induction.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from ..validation import check_finite_array, check_integer

__all__ = [
    "BLOCK",
    "METHODS",
    "Blocks",
    "check_chunk",
    "check_inputs",
    "check_method",
    "check_record",
    "check_seed",
    "children",
    "col_sq",
    "dense",
    "gram",
    "normalise_columns",
    "plan_chunks",
    "psd_cholesky",
    "safe_log",
    "times_factor_t",
    "unit_ratio",
]

#: Samples per random-number block (fixed: it defines which generator draws what).
BLOCK = 16
#: The two simulation methods of every network.
METHODS = ("exact_in_law", "full")
#: Preferred bytes of temporaries per chunk.
TARGET_BYTES = 64 * 2**20


def check_seed(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed={seed!r} must be an integer >= 0 or a numpy.random.SeedSequence")
    return np.random.SeedSequence(int(seed))


def children(seed, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children of ``seed`` (those a fresh ``spawn(n)`` gives), without mutating it."""
    ss = check_seed(seed)
    return [np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (i,), pool_size=ss.pool_size)
            for i in range(n)]


def check_method(method) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; allowed values: {', '.join(map(repr, METHODS))}")
    return method


def check_record(record, allowed: tuple[str, ...]) -> frozenset:
    """``record``: None or an iterable of names from ``allowed`` (a single string is one name)."""
    if record is None:
        return frozenset()
    if isinstance(record, str):
        record = (record,)
    if not isinstance(record, Iterable):
        raise ValueError(f"record={record!r} must be None or an iterable of names from {allowed}")
    names = tuple(record)
    for name in names:
        if name not in allowed:
            raise ValueError(f"record={names!r} contains {name!r}; allowed names for this network: {allowed}")
    return frozenset(names)


def check_inputs(x) -> np.ndarray:
    """Inputs as a float64 array of shape ``(m, n_in)``: a 1-D vector is one input; rows must be non-zero."""
    arr = check_finite_array("x", x)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"x must have shape (n_in,) or (m, n_in) with m >= 1 and n_in >= 1, got {arr.shape}")
    norms = np.einsum("ij,ij->i", arr, arr)
    if np.any(norms == 0):
        i = int(np.argmax(norms == 0))
        raise ValueError(f"x[{i}] is the zero vector; allowed: inputs with ||x|| > 0 (log-norms are relative to it)")
    return arr


def check_chunk(chunk_size):
    return None if chunk_size is None else check_integer("chunk_size", chunk_size, minimum=1)


class Blocks:
    """Fixed blocks of samples, each with its own generator, grouped into chunks of whole blocks."""

    def __init__(self, seed, n_samples: int):
        n_blocks = -(-n_samples // BLOCK)
        self.bounds = [(j * BLOCK, min((j + 1) * BLOCK, n_samples)) for j in range(n_blocks)]
        self.gens = [np.random.Generator(np.random.SFC64(c)) for c in children(seed, n_blocks)]

    def chunks(self, blocks_per_chunk: int):
        """Yield ``(lo, hi, blocks)``: the sample range and block indices of each chunk."""
        for j0 in range(0, len(self.bounds), blocks_per_chunk):
            blocks = range(j0, min(j0 + blocks_per_chunk, len(self.bounds)))
            yield self.bounds[blocks[0]][0], self.bounds[blocks[-1]][1], blocks

    def _fill(self, blocks: range, shape: tuple, draw) -> np.ndarray:
        parts = []
        for j in blocks:
            lo, hi = self.bounds[j]
            parts.append(draw(self.gens[j], (hi - lo,) + shape))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)

    def normals(self, blocks: range, shape: tuple) -> np.ndarray:
        """Standard normals of shape ``(samples in blocks,) + shape``; block j from generator j."""
        return self._fill(blocks, shape, lambda g, s: g.standard_normal(s))

    def bits(self, blocks: range, shape: tuple) -> np.ndarray:
        """Fair coins (bool) of shape ``(samples in blocks,) + shape``; block j from generator j."""
        return self._fill(blocks, shape, lambda g, s: g.integers(0, 2, size=s, dtype=np.int8).astype(bool))


def plan_chunks(chunk_size, bytes_per_sample: int, n_samples: int) -> int:
    """Blocks per chunk: ``chunk_size`` rounded up to whole blocks, or about :data:`TARGET_BYTES` of temporaries."""
    n_blocks = -(-n_samples // BLOCK)
    if chunk_size is None:
        k = max(1, TARGET_BYTES // max(1, bytes_per_sample * BLOCK))
    else:
        k = -(-chunk_size // BLOCK)
    return max(1, min(k, n_blocks))


def psd_cholesky(gram: np.ndarray) -> np.ndarray:
    r"""Batched lower-triangular $L$ with $L L^\top = $ ``gram`` for symmetric PSD ``gram`` (``(..., m, m)``).

    Column-by-column Cholesky (a loop over the $m$ inputs, vectorised over the
    batch) that sets a column to zero where its pivot is at rounding level
    ($\le 4 m \epsilon \max_i A_{ii}$): for a PSD matrix a zero pivot means the
    whole remaining column of the Schur complement is zero, so this is exact for
    zero and rank-deficient Grams (duplicated inputs, dead units) and never gives
    NaN.  No jitter is added.  Each matrix is factorised by the same arithmetic
    whatever else is in the batch.  For $m = 1$ it is $\sqrt{A_{11}}$.
    """
    m = gram.shape[-1]
    if m == 1:
        return np.sqrt(np.maximum(gram, 0.0))
    L = np.zeros_like(gram)
    diag = np.diagonal(gram, axis1=-2, axis2=-1)
    tol = 4 * m * np.finfo(gram.dtype).eps * np.max(diag, axis=-1)
    for j in range(m):
        pivot = gram[..., j, j] - np.sum(L[..., j, :j] ** 2, axis=-1)
        ok = pivot > tol
        ljj = np.sqrt(np.where(ok, pivot, 1.0))
        col = gram[..., j:, j] - np.einsum("...ik,...k->...i", L[..., j:, :j], L[..., j, :j])
        L[..., j:, j] = np.where(ok[..., None], col / ljj[..., None], 0.0)
    return L


def times_factor_t(G: np.ndarray, L: np.ndarray) -> np.ndarray:
    r"""$G L^\top$ for ``G`` of shape ``(S, n, m)`` and ``L`` of shape ``(S, m, m)`` or ``(m, m)``."""
    if L.shape[-1] == 1:
        return G * L.reshape(L.shape[:-2] + (1, 1)) if L.ndim == 3 else G * L[0, 0]
    return np.matmul(G, np.swapaxes(L, -1, -2))


def gram(a: np.ndarray) -> np.ndarray:
    r"""Batched $A^\top A$ for ``a`` of shape ``(S, n, m)``."""
    if a.shape[-1] == 1:
        return np.einsum("sni,sni->s", a, a)[:, None, None]
    return np.matmul(np.swapaxes(a, -1, -2), a)


def col_sq(a: np.ndarray) -> np.ndarray:
    """Squared norms of the columns of each ``(n, m)`` matrix: shape ``(S, m)``."""
    return np.einsum("snm,snm->sm", a, a)


def safe_log(x: np.ndarray) -> np.ndarray:
    """``log(x)`` with ``-inf`` at 0 and no warning."""
    with np.errstate(divide="ignore"):
        return np.log(x)


def normalise_columns(a: np.ndarray, sq: np.ndarray) -> np.ndarray:
    r"""Scale each column to squared norm $n$ (rows of ``a``), leaving zero columns at zero."""
    n = a.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(sq > 0, np.sqrt(n / np.where(sq > 0, sq, 1.0)), 0.0)
    return a * scale[:, None, :]


def unit_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den == 0`` (e.g. the active mass of a dead layer)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)



def dense(a: np.ndarray, n_out: int, blocks: Blocks, chunk: range, method: str) -> np.ndarray:
    r"""$W a$ for fresh i.i.d. $N(0,1)$ weights $W \in \mathbb R^{n_{out} \times n}$, one per sample (unscaled).

    ``a`` has shape ``(S, n, m)``, or ``(n, m)`` when it is shared by all
    samples (the input layer).  ``"full"`` draws $W$ (``(S, n_out, n)``, one
    draw) and multiplies; ``"exact_in_law"`` draws $G$ (``(S, n_out, m)``) and
    returns $G L^\top$ with $L L^\top = a^\top a$ (T1): $O(n m^2 + n_{out} m)$.
    """
    n, m = a.shape[-2:]
    if method == "full":
        W = blocks.normals(chunk, (n_out, n))
        if a.ndim == 2:
            S = W.shape[0]
            return (W.reshape(S * n_out, n) @ a).reshape(S, n_out, m)
        return np.matmul(W, a)
    G = blocks.normals(chunk, (n_out, m))
    L = psd_cholesky(a.T @ a) if a.ndim == 2 else psd_cholesky(gram(a))
    return times_factor_t(G, L)
