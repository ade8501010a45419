r"""Validation, the T1 reduction and column statistics shared by the proportional simulators.

Randomness comes only from the seed, through the seed-block scheme of
:mod:`numerics.core.sampling` (fixed blocks of :data:`~numerics.core.sampling.BLOCK`
samples, block $j$ drawing from its own generator in a fixed, documented order,
layer by layer); ``chunk_size`` never changes the result.

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

from collections.abc import Iterable

import numpy as np

from .sampling import SeedBlocks, psd_cholesky
from .validation import check_finite_array, check_integer

__all__ = [
    "METHODS",
    "check_chunk",
    "check_inputs",
    "check_method",
    "check_record",
    "col_sq",
    "dense",
    "gram",
    "normalise_columns",
    "safe_log",
    "times_factor_t",
    "unit_ratio",
]

#: The two simulation methods of every network.
METHODS = ("exact_in_law", "full")


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



def dense(a: np.ndarray, n_out: int, blocks: SeedBlocks, chunk: range, method: str) -> np.ndarray:
    r"""$W a$ for fresh i.i.d. $N(0,1)$ weights $W \in \mathbb R^{n_{out} \times n}$, one per sample (unscaled).

    ``a`` has shape ``(S, n, m)``, or ``(n, m)`` when it is shared by all
    samples (the input layer).  ``"full"`` draws $W$ (``(S, n_out, n)``, one
    draw) and multiplies; ``"exact_in_law"`` draws $G$ (``(S, n_out, m)``) and
    returns $G L^\top$ with $L L^\top = a^\top a$ (T1,
    :func:`~numerics.core.sampling.psd_cholesky`): $O(n m^2 + n_{out} m)$.
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
