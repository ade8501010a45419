r"""Reproducible Gaussian sampling for the finite-network simulators: seed blocks and PSD-safe factors.

Every simulator (:mod:`numerics.kernel.networks`, :mod:`numerics.resnet_sde`,
:mod:`numerics.log_gaussian`) draws its randomness through this module, so
one scheme makes all of them reproducible from a seed alone.

The seed-block scheme
---------------------
``n_samples`` independent samples are cut into fixed blocks of :data:`BLOCK`
consecutive samples, $B_j = \{jB, \dots, \min((j+1)B, n) - 1\}$ with
$B = 16$ and $j = 0, \dots, \lceil n/B \rceil - 1$.  Block $j$ draws everything
it needs from its own generator

$$g_j = \texttt{Generator(SFC64(}c_j\texttt{))},\qquad
  c_j = \texttt{SeedSequence(seed).spawn(n\_blocks)[}j\texttt{]},$$

in the fixed order its simulator documents.  Hence:

* the numbers depend on ``(seed, n_samples, inputs, options)`` only.  A *chunk*
  (:meth:`SeedBlocks.chunks`) groups whole blocks into one batched
  computation, and the draws of block $j$ (``normals(chunk, shape)`` takes
  ``(|B_j|,) + shape`` normals from $g_j$ for each block of the chunk) do not
  depend on which blocks share a chunk, on the number of threads, or on an
  executor;
* the whole blocks of a run are those of any longer run with the same seed
  (the first $kB$ samples do not depend on how many follow); only a last,
  partial block draws arrays of another shape;
* the children $c_j$ are those that a *fresh* ``SeedSequence`` would spawn:
  a ``SeedSequence`` passed as ``seed`` is never mutated, so passing it twice
  gives the same numbers twice (:func:`child_seeds`).

Sweeps use the same children: cell $i$ of a grid gets $c_i$ of
``child_seeds(seed, len(grid))`` (:func:`numerics.kernel.networks.sweep`).

PSD-safe factors
----------------
The exact-in-law samplers draw a Gaussian vector with covariance $\Sigma$
(symmetric positive *semi*-definite, $m \times m$) as $F g$ with
$F F^\top = \Sigma$ and $g \sim N(0, I_m)$.  $\Sigma$ is singular for
duplicated inputs or dead units, so $F$ must exist there too, and no jitter
may be added (it would change the law).  Two factors, one per family of
simulators (their results differ in rounding, so each simulator keeps its own):

* :func:`psd_factor`: the Cholesky factor when every matrix of the batch is
  positive definite, else the eigen-factor $V \operatorname{diag}(\sqrt{\lambda_+})$;
* :func:`psd_cholesky`: a lower-triangular factor for every PSD matrix, by a
  column-by-column Cholesky that zeroes columns with a rounding-level pivot.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .validation import check_integer

__all__ = [
    "BLOCK",
    "TARGET_BYTES",
    "THREADS",
    "SeedBlocks",
    "blocks_per_chunk",
    "check_seed",
    "child_seeds",
    "psd_cholesky",
    "psd_factor",
    "thread_pool",
]

#: Samples per random-number block (fixed: it defines which generator draws what).
BLOCK = 16
#: Preferred bytes of temporaries per chunk (see :func:`blocks_per_chunk`).
TARGET_BYTES = 64 * 2**20
#: Worker threads that fill blocks in parallel (NumPy generators release the GIL).
#: Results do not depend on it: each generator is used by one thread at a time.
THREADS = max(1, min(os.cpu_count() or 1, 8))
#: Fill a chunk's blocks in parallel only from this many numbers on (below it threads cost more than they save).
_PARALLEL_FILL = 1 << 16
_POOL: ThreadPoolExecutor | None = None


def thread_pool() -> ThreadPoolExecutor:
    """The shared pool of :data:`THREADS` workers that fill blocks (created on first use)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(THREADS, thread_name_prefix="deeplimits-rng")
    return _POOL


# ----------------------------------------------------------------------------- seeds


def check_seed(seed) -> np.random.SeedSequence:
    """``seed`` as a :class:`numpy.random.SeedSequence`: an integer >= 0, or a SeedSequence returned as is.

    >>> check_seed(3).entropy
    3
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed={seed!r} must be an integer >= 0 or a numpy.random.SeedSequence")
    return np.random.SeedSequence(int(seed))


def child_seeds(seed, n: int) -> list[np.random.SeedSequence]:
    r"""The first ``n`` children of ``seed``: those a fresh ``SeedSequence(seed).spawn(n)`` gives.

    Child $i$ has the parent's entropy and pool size and spawn key
    ``parent.spawn_key + (i,)``.  Unlike ``spawn``, this does not advance the
    parent's ``n_children_spawned``, so a SeedSequence passed twice gives the
    same children twice.

    >>> [c.spawn_key for c in child_seeds(5, 3)]
    [(0,), (1,), (2,)]
    """
    ss = check_seed(seed)
    n = check_integer("n", n, minimum=0)
    return [np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (i,), pool_size=ss.pool_size)
            for i in range(n)]


# ----------------------------------------------------------------------------- blocks


class SeedBlocks:
    r"""Fixed blocks of :data:`BLOCK` samples, block $j$ with its own generator (module docstring).

    Attributes
    ----------
    bounds:
        ``[(lo_j, hi_j)]``: block $j$ holds samples ``lo_j <= s < hi_j``.
    gens:
        ``[Generator(SFC64(c_j))]``, $c_j$ the $j$-th of :func:`child_seeds`.  A
        simulator that must draw the same numbers twice (a backward pass) may
        save and restore ``gens[j].bit_generator.state``.

    >>> blocks = SeedBlocks(0, 40)
    >>> blocks.bounds
    [(0, 16), (16, 32), (32, 40)]
    >>> [blocks.span(chunk) for chunk in blocks.chunks(2)]
    [(0, 32), (32, 40)]
    >>> blocks.normals(range(3), (2, 5)).shape
    (40, 2, 5)
    """

    def __init__(self, seed, n_samples: int):
        n_samples = check_integer("n_samples", n_samples, minimum=1)
        n_blocks = -(-n_samples // BLOCK)
        self.bounds = [(j * BLOCK, min((j + 1) * BLOCK, n_samples)) for j in range(n_blocks)]
        self.gens = [np.random.Generator(np.random.SFC64(c)) for c in child_seeds(seed, n_blocks)]

    @property
    def n_blocks(self) -> int:
        return len(self.bounds)

    def chunks(self, blocks_per_chunk: int) -> Iterator[range]:
        """Consecutive groups of ``blocks_per_chunk`` whole blocks (the last may be shorter), as ranges of block indices."""
        k = check_integer("blocks_per_chunk", blocks_per_chunk, minimum=1)
        for j0 in range(0, len(self.bounds), k):
            yield range(j0, min(j0 + k, len(self.bounds)))

    def span(self, blocks: range) -> tuple[int, int]:
        """``(lo, hi)``: the samples ``lo <= s < hi`` of the consecutive ``blocks``."""
        return self.bounds[blocks[0]][0], self.bounds[blocks[-1]][1]

    def normals(self, blocks: range, shape: tuple, dtype=np.float64) -> np.ndarray:
        """Standard normals of shape ``(samples in blocks,) + shape`` in ``dtype``; block j's rows from generator j.

        Block $j$ takes ``standard_normal((hi_j - lo_j,) + shape)`` from its
        generator (C order), whether or not it is filled in parallel with others.
        """
        first, last = self.span(blocks)
        out = np.empty((last - first,) + tuple(shape), dtype=dtype)

        def fill(j):
            lo, hi = self.bounds[j]
            self.gens[j].standard_normal(out=out[lo - first:hi - first], dtype=dtype)

        if len(blocks) > 1 and THREADS > 1 and out.size >= _PARALLEL_FILL:
            list(thread_pool().map(fill, blocks))
        else:
            for j in blocks:
                fill(j)
        return out

    def bits(self, blocks: range, shape: tuple) -> np.ndarray:
        """Fair coins (bool) of shape ``(samples in blocks,) + shape``: ``integers(0, 2, dtype=int8)`` of generator j."""
        first, last = self.span(blocks)
        out = np.empty((last - first,) + tuple(shape), dtype=bool)
        for j in blocks:
            lo, hi = self.bounds[j]
            out[lo - first:hi - first] = self.gens[j].integers(0, 2, size=(hi - lo,) + tuple(shape), dtype=np.int8)
        return out


def blocks_per_chunk(chunk_size, bytes_per_sample: int, n_samples: int) -> int:
    r"""Blocks per chunk: ``chunk_size`` rounded up to whole blocks, or, for None, about :data:`TARGET_BYTES`.

    With ``chunk_size=None`` a chunk holds $\max(1, \lfloor T / (B\,b)\rfloor)$
    blocks for $b$ = ``bytes_per_sample`` of temporaries, $T$ = :data:`TARGET_BYTES`;
    never more than the ``n_samples`` need.  By the scheme of the module
    docstring this never changes the numbers, only the memory and the batching.

    >>> blocks_per_chunk(None, 1024, 10**6), blocks_per_chunk(20, 1024, 10**6), blocks_per_chunk(None, 8, 40)
    (4096, 2, 3)
    """
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    bytes_per_sample = check_integer("bytes_per_sample", bytes_per_sample, minimum=0)
    n_blocks = -(-n_samples // BLOCK)
    if chunk_size is None:
        k = max(1, TARGET_BYTES // max(1, bytes_per_sample * BLOCK))
    else:
        k = -(-check_integer("chunk_size", chunk_size, minimum=1) // BLOCK)
    return max(1, min(k, n_blocks))


# ----------------------------------------------------------------------------- PSD-safe factors


def _check_square(gram) -> np.ndarray:
    if not isinstance(gram, np.ndarray) or gram.ndim < 2 or gram.shape[-1] != gram.shape[-2]:
        raise ValueError(f"gram must be an array of shape (..., m, m) of symmetric PSD matrices, "
                         f"got shape {np.shape(gram)}")
    return gram


def psd_factor(gram: np.ndarray) -> np.ndarray:
    r"""Batched $F$ with $F F^\top = $ ``gram`` for symmetric PSD ``gram`` of shape ``(..., m, m)``.

    The Cholesky factor (lower-triangular) when every matrix of the batch is
    positive definite.  Otherwise (a rank-deficient Gram anywhere in the batch:
    duplicated inputs, dead units) the whole batch gets the eigen-factor

    $$F = V \operatorname{diag}\big(\sqrt{\lambda_+}\big),\qquad
      \Sigma = V \operatorname{diag}(\lambda) V^\top,\qquad
      \lambda_+ = \lambda\,[\lambda > m\,\epsilon \max_i|\lambda_i|],$$

    eigenvalues at rounding level being zero (not $\sqrt{\text{rounding}}$).  No
    jitter is added, so the law of $F g$ is exactly $N(0, \Sigma)$ up to rounding.
    ``float32`` input gives ``float32`` output ($\epsilon$ of that type).

    >>> psd_factor(np.array([[4.0, 2.0], [2.0, 5.0]]))
    array([[2., 0.],
           [1., 2.]])
    >>> F = psd_factor(np.ones((2, 2)))          # singular: eigen-factor
    >>> bool(np.allclose(F @ F.T, np.ones((2, 2)), rtol=0, atol=1e-15))
    True
    """
    gram = _check_square(gram)
    try:
        return np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(gram)
        tol = gram.shape[-1] * np.finfo(gram.dtype).eps * np.max(np.abs(w), axis=-1, keepdims=True)
        return v * np.sqrt(np.where(w > tol, w, 0))[..., None, :]


def psd_cholesky(gram: np.ndarray) -> np.ndarray:
    r"""Batched lower-triangular $L$ with $L L^\top = $ ``gram`` for symmetric PSD ``gram`` (``(..., m, m)``).

    Column-by-column Cholesky (a loop over the $m$ columns, vectorised over the
    batch): column $j$ has pivot $p_j = \Sigma_{jj} - \sum_{k<j} L_{jk}^2$ and
    $L_{ij} = (\Sigma_{ij} - \sum_{k<j} L_{ik} L_{jk}) / \sqrt{p_j}$ for $i \ge j$,
    except that the column is set to zero where $p_j \le 4 m \epsilon \max_i \Sigma_{ii}$
    (rounding level): for a PSD matrix a zero pivot means the whole remaining
    column of the Schur complement is zero, so this is exact for zero and
    rank-deficient Grams and never gives NaN.  No jitter is added.  Each
    matrix is factorised by the same arithmetic whatever else is in the batch.
    For $m = 1$ it is $\sqrt{\max(\Sigma_{11}, 0)}$.

    >>> psd_cholesky(np.array([[4.0, 2.0], [2.0, 1.0]]))      # rank 1
    array([[2., 0.],
           [1., 0.]])
    """
    gram = _check_square(gram)
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
