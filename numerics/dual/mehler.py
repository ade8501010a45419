r"""Fast duals of a whole Gram matrix by Mehler's series, with a certified truncation bound.

For variances $q_i$ (rows), $q'_j$ (columns) and covariances $c_{ij}$,
$\rho_{ij} = c_{ij}/\sqrt{q_i q'_j}$, the dual of $f$ is
(:mod:`numerics.dual.hermite`)

$$V_{ij} = \sum_{k=0}^{K} b_k(q_i)\, b_k(q'_j)\, \rho_{ij}^k + R_{ij},\qquad
  |R_{ij}| \le \sqrt{S_i S'_j}\Big[\sum_{k=K+1}^{K_{\max}} \beta_k^2\, r^k
  + r^{K_{\max}+1}\sqrt{\tau_i \tau'_j}\Big],$$

with $S_i = E f(\sqrt{q_i}Z)^2$, $\beta_k^2$ replaced by $\beta^{(1)}_k\beta^{(2)}_k$ with
$\beta^{(1)}_k = \max_i |b_k(q_i)|/\sqrt{S_i}$ over a block's rows and $\beta^{(2)}_k$ the same over its
columns (in the orders of step 4; the staging of step 2 uses the maximum over both sides),
$r = \max |\rho_{ij}|$ over the entries summed, and $\tau_i = T_{K_{\max}}(q_i)/S_i$ the
relative Parseval tail plus its rounding allowance $10^{-14}$ (the subtraction
$S - \sum b_k^2$ loses about $10^{-15} S$).  The bound is relative to the
Cauchy--Schwarz bound $\sqrt{S_i S'_j}$ of the entry.  Per call:

1. $\rho$ on row blocks (two threads) and the largest $|\rho|$ off the diagonal;
2. the coefficients at the $n$ distinct variances ($O(nNK_{\max})$, fixed single-threaded GEMM
   pieces, :mod:`numerics.dual.hermite`; or a ``coefficients`` provider), first at an order guessed by a pilot (:func:`_stages`), then at ``STAGES``
   $= 64, 256, 512$ ($K_{\max}$ in the bound is the stage's order), stopping at the first whose
   tail term $r^{K_{\max}+1}\max_i\sqrt{\tau_i\tau'_j}$ at the largest $|\rho| = r$ is $\le$ ``tol``$/4$;
3. at the last stage (``K_MAX`` $= 512$), entries with $|\rho|^{K_{\max}+1}\sqrt{\tau_i\tau'_j} > $
   ``tol``$/2$ (near $|\rho| = 1$ when the tail decays slowly: kinks, very large $q$) are *not*
   summed: they go to the adaptive reference :func:`numerics.dual.reference.pair_expectation`
   (error estimate $10^{-13}$ of the bound), one by one;
4. per row block, the smallest $K$ whose bound (with the block's own largest $|\rho|$, floor
   term and coefficient envelopes) is $\le$ ``tol`` for the rest; Horner's scheme on the block (two
   threads), each term a pass ``part *= rho^2`` and a rank-1 update by BLAS ``dger`` (:func:`_horner`).

Everything is elementwise, a rank-1 update (one multiply-add per entry) or a fixed sequence of
single-threaded products, so the values do not depend on the number of threads (BLAS's or ours;
``tests/unit/dual/test_mehler_determinism.py``).

The same applies to $f = \varphi'$ for the derivative dual.  With ``same=True``
(one input set) the rows and columns share coefficients and only the upper
triangle is summed; the diagonal is the exact second moment $S_i$.

>>> import numpy as np
>>> q = np.array([1.0, 2.0]); c = np.array([[1.0, 0.5], [0.5, 2.0]])
>>> v, s1, s2 = gram_dual(lambda x: x, q, q, c, same=True)
>>> np.allclose(v, c), np.allclose(s1, q)   # f(x) = x: the dual is the covariance
(True, True)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.linalg.blas import dger as _dger

from ..core.validation import check_scalar
from .hermite import hermite_coefficients

__all__ = ["K_MAX", "STAGES", "TOL", "correlation_blocks", "gram_dual", "series_order"]

K_MAX = 512
STAGES = (64, 256, K_MAX)
_PILOT = 9  # variances of the pilot that guesses the order (see _stages)
TOL = 1e-12
_ROUNDING = 1e-14
_BLOCK = 32  # rows per block (32 x 1000 doubles: 256 KB)
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deeplimits-mehler")
_GER_SINGLE = 8192  # entries per dger call: OpenBLAS's ger is single-threaded below 2304 * 4


def series_order(beta2: np.ndarray, r: float, floor: float, *, tol: float) -> tuple[int, int]:
    r"""Orders $(K_0, K_1)$ of the even and odd parts meeting ``tol``; ``(-1, -1)`` if none.

    The bound is $\sum_{k > K_{k \bmod 2},\,k \le K_{\max}} \beta_k^2 r^k$ + ``floor`` (the largest
    $|\rho|^{K_{\max}+1}\sqrt{\tau_i\tau'_j}$ of the entries summed),
    each parity given half of what the floor term leaves.  An odd activation (tanh)
    has only odd terms and an activation equal to $x/2$ plus an even function
    (softplus, SiLU) only $k = 1$ and even terms, so each needs half the work.
    """
    k_max = beta2.size - 1
    budget = tol - floor
    if budget < 0:
        return -1, -1
    terms = beta2 * r ** np.arange(k_max + 1)
    orders = []
    for parity in (0, 1):
        part = np.where(np.arange(k_max + 1) % 2 == parity, terms, 0.0)
        tails = np.concatenate([np.cumsum(part[::-1])[::-1][1:], [0.0]])
        orders.append(int(np.flatnonzero(tails <= budget / 2)[0]))
    return orders[0], orders[1]


def _coefficients(f, q, order, provider=None):
    b, s = hermite_coefficients(f, q, order=order) if provider is None else provider(q, order)
    tail = np.maximum(s - np.sum(b * b, axis=1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(s > 0, tail / s + _ROUNDING, 0.0)
        beta = np.where(s[:, None] > 0, np.abs(b) / np.sqrt(s)[:, None], 0.0)
    return np.ascontiguousarray(b.T), s, tau, np.max(beta, axis=0, initial=0.0)


def _relative(b, s):
    """$|b_k(q_i)|/\\sqrt{S_i}$ (0 where $S_i = 0$), shape ``(K+1, n)`` like ``b``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, np.abs(b) / np.sqrt(s), 0.0)


def _column_envelopes(rel, blocks, same):
    """Per block, the largest relative coefficients over its columns: from the block's first column on
    (one set: suffix maxima, block by block from the last), else over all columns."""
    if not same:
        return [np.max(rel, axis=1, initial=0.0)] * len(blocks)
    out, running = [None] * len(blocks), np.zeros(rel.shape[0])
    stop = rel.shape[1]
    for index in range(len(blocks) - 1, -1, -1):
        start = blocks[index][1].start
        running = np.maximum(running, np.max(rel[:, start:stop], axis=1, initial=0.0))
        out[index], stop = running, start
    return out


def _stages(f, q1, q2, r, tol, provider=None):
    """The orders to try: a pilot estimate first, then ``STAGES``.

    The pilot computes the coefficients to ``K_MAX`` at ``_PILOT`` variances (quantiles of both
    sides, the largest included) and takes the order its series bound asks at ``r``, rounded up
    to a multiple of 8 plus 8; the real bound, over all variances, decides whether it suffices.
    """
    q = np.concatenate([q1, q2])
    pilot = np.unique(np.quantile(q, np.linspace(0.0, 1.0, _PILOT), method="nearest")) if q.size else q
    _, _, _, beta = _coefficients(f, pilot, K_MAX, provider)
    orders = series_order(beta * beta, r, 0.0, tol=tol / 4)
    guess = K_MAX if min(orders) < 0 else min(8 * (max(orders) // 8) + 16, K_MAX)
    return [k for k in sorted({guess, *STAGES}) if k >= guess]


def _correlation_block(c, root1, root2, rows, cols, same):
    """$\\rho$ on a block (clipped, 0 where a variance is 0) and its largest $|\\rho|$ off the diagonal."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.multiply(root1[rows, None], root2[None, cols])
        rho = np.divide(c[rows, cols], scale)
    if not (np.all(root1[rows]) and np.all(root2[cols])):
        rho[scale == 0] = 0.0
    np.minimum(rho, 1.0, out=rho)
    np.maximum(rho, -1.0, out=rho)
    if same:  # the block's diagonal entries (rho = 1) do not count
        on = (np.arange(rows.stop - rows.start),) * 2
        kept = rho[on]
        rho[on] = 0.0
    r = max(float(np.max(rho, initial=0.0)), -float(np.min(rho, initial=0.0)))
    if same:
        rho[on] = kept
    return rho, r


def _absolute(rho, rows, same):
    """$|\\rho|$ of a block with its diagonal entries set to 0 (one set), for the entry-wise floor term."""
    arho = np.abs(rho)
    if same:
        arho[(np.arange(rows.stop - rows.start),) * 2] = 0.0
    return arho


def _horner(b1, b2, r, orders):
    r"""Even part in $\rho^2$ plus $\rho$ times the odd part in $\rho^2$; ``b1``, ``b2`` are ``(K+1, m)``.

    Per term two passes over the block: ``part *= rho^2`` and the rank-1 update
    ``part += b1[k] b2[k]^T`` by BLAS ``dger`` in place (a NumPy outer product and an add
    took 3.5x as long: the broadcast multiply with a column vector is not vectorised).
    ``dger`` is called on slabs of at most ``_GER_SINGLE`` entries, where OpenBLAS stays on
    one thread (our two block threads are the parallelism); each entry is one multiply-add
    ``part + b1[k]_i b2[k]_j`` whatever the BLAS threads, so the values do not depend on them."""
    m, n = r.shape
    r2 = np.multiply(r, r)
    acc = np.zeros(r.shape)
    part = np.empty(r.shape)
    if n == 0 or m == 0:
        return acc
    step = max(1, min(m, _GER_SINGLE // n))
    slabs = [(a, min(a + step, m)) for a in range(0, m, step)]
    for parity in (1, 0):
        top = orders[parity] - (orders[parity] - parity) % 2
        if top < parity:
            continue
        np.multiply.outer(b1[top], b2[top], out=part)
        for k in range(top - 2, parity - 1, -2):
            part *= r2
            x, y = b2[k], b1[k]
            for a, z in slabs:
                _dger(1.0, x, y[a:z], a=part[a:z].T, overwrite_a=1)
        if parity:
            part *= r
        acc += part
    return acc


def correlation_blocks(q1, q2, c, *, same: bool):
    r"""The row blocks of :func:`gram_dual` and, per block, $\rho$, its largest $|\rho|$ off the diagonal and $|\rho|$.

    They depend on the variances and ``c`` only, so one layer's two duals ($\varphi$ and $\varphi'$)
    share them (``correlations=`` of :func:`gram_dual`); the arrays are read, never written."""
    q1 = np.asarray(q1, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    n1, n2 = c.shape
    root1 = np.sqrt(q1)
    root2 = root1 if same else np.sqrt(np.asarray(q2, dtype=np.float64))
    blocks = [(slice(i, min(i + _BLOCK, n1)), slice(i if same else 0, n2)) for i in range(0, n1, _BLOCK)]
    return blocks, list(_POOL.map(lambda rc: _correlation_block(c, root1, root2, *rc, same), blocks))


def gram_dual(f, q1, q2, c, *, same: bool, tol: float = TOL, reference=None, coefficients=None,
              correlations=None, mirror: bool = True, out=None):
    r"""$E[f(u_i) f(v_j)]$ for the whole matrix ``c`` (shape ``(n1, n2)``), accurate to ``tol`` of $\sqrt{S_iS'_j}$.

    Returns ``(values, S1, S2)``: the matrix and the second moments $E f^2$ at ``q1`` and ``q2``.

    ``q1``, ``q2``: 1-D variances (validated by the caller); ``same``: rows and
    columns are one input set (``q1 is q2``, ``c`` symmetric).  ``reference``
    is the callable ``(q1, q2, rho) -> value`` for the entries the series
    cannot certify (default: :func:`numerics.dual.reference.pair_expectation` of ``f``).
    ``coefficients``: an optional callable ``(q, order) -> (b, S)`` replacing
    :func:`numerics.dual.hermite.hermite_coefficients` of ``f`` (same shapes and accuracy), e.g. the
    derivative's coefficients from the activation's by Stein's identity.
    ``correlations``: :func:`correlation_blocks` of the same ``q1``, ``q2``, ``c``, ``same`` (computed if None).
    ``mirror=False`` (with ``same``): only the blocks' entries (the upper triangle and the diagonal
    blocks) and the diagonal are filled, ``c`` is only read there; the rest of ``values`` is undefined.
    ``out``: an optional float64 C-contiguous ``(n1, n2)`` array for ``values`` (reused across layers).
    """
    tol = check_scalar("tol", tol, low=1e-15, high=1e-3)
    q1 = np.asarray(q1, dtype=np.float64)
    q2 = np.asarray(q2, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    n1, n2 = c.shape
    root1 = np.sqrt(q1)
    root2 = root1 if same else np.sqrt(q2)
    blocks, prepared = correlation_blocks(q1, q2, c, same=same) if correlations is None else correlations
    r_all = max((p[1] for p in prepared), default=0.0)
    for order in _stages(f, q1, q2, r_all, tol, coefficients):  # the cheap stage first: most never need the last
        b1, s1, tau1, beta1 = _coefficients(f, q1, order, coefficients)
        b2, s2, tau2, _ = (b1, s1, tau1, beta1) if same else _coefficients(f, q2, order, coefficients)
        tail_scale = np.sqrt(np.max(tau1, initial=0.0) * np.max(tau2, initial=0.0))
        if r_all ** (order + 1) * tail_scale <= tol / 4:
            break
    rel1 = _relative(b1, s1)
    rel2 = rel1 if same else _relative(b2, s2)
    envelope2 = _column_envelopes(rel2, blocks, same)
    r_min = (tol / 2 / tail_scale) ** (1.0 / (order + 1)) if tail_scale > 0 else np.inf
    if out is None:
        out = np.empty((n1, n2))
    elif not (isinstance(out, np.ndarray) and out.shape == (n1, n2) and out.dtype == np.float64
              and out.flags.c_contiguous and out.flags.writeable):
        raise ValueError(f"out must be a writeable C-contiguous float64 array of shape {(n1, n2)}; got "
                         f"{type(out).__name__} {getattr(out, 'shape', None)} {getattr(out, 'dtype', None)}")

    def work(index):
        (rows, cols), (rho, r) = blocks[index], prepared[index]
        hard = None
        worst = r ** (order + 1) * tail_scale
        if r > r_min:  # some entries may be past the series: the exact floor term, entry by entry
            arho = _absolute(rho, rows, same)
            floor = arho ** (order + 1) * np.sqrt(tau1[rows, None] * tau2[None, cols])
            hard = floor > tol / 2
            worst = float(np.max(np.where(hard, 0.0, floor), initial=0.0))
            r = float(np.max(np.where(hard, 0.0, arho), initial=0.0))
        envelope = np.max(rel1[:, rows], axis=1, initial=0.0) * envelope2[index]
        orders = series_order(envelope, r, worst, tol=tol)
        out[rows, cols] = _horner(b1[:, rows], b2[:, cols], rho, orders)
        return hard

    hards = list(_POOL.map(work, range(len(blocks))))
    if same:  # the upper triangle (block rows, columns from the block's first row) mirrored
        for rows, cols in blocks if mirror else ():
            out[rows, :rows.start] = out[:rows.start, rows].T
        np.fill_diagonal(out, s1)
    pairs = [(rows.start + i, cols.start + j) for (rows, cols), h in zip(blocks, hards) if h is not None
             for i, j in zip(*np.nonzero(h)) if not same or cols.start + j > rows.start + i]
    if pairs:
        if reference is None:
            from .reference import pair_expectation

            def reference(a, b, rr):
                return pair_expectation(f, f, a, b, rr).value
        for i, j in pairs:
            rho_ij = float(np.clip(c[i, j] / (root1[i] * root2[j]), -1.0, 1.0)) if root1[i] * root2[j] > 0 else 0.0
            out[i, j] = reference(float(q1[i]), float(q2[j]), rho_ij)
            if same:
                out[j, i] = out[i, j]
    return out, s1, s2
