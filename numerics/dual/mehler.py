r"""Fast duals of a whole Gram matrix by Mehler's series, with a certified truncation bound.

For variances $q_i$ (rows), $q'_j$ (columns) and covariances $c_{ij}$,
$\rho_{ij} = c_{ij}/\sqrt{q_i q'_j}$, the dual of $f$ is
(:mod:`numerics.dual.hermite`)

$$V_{ij} = \sum_{k=0}^{K} b_k(q_i)\, b_k(q'_j)\, \rho_{ij}^k + R_{ij},\qquad
  |R_{ij}| \le \sqrt{S_i S'_j}\Big[\sum_{k=K+1}^{K_{\max}} \beta_k^2\, r^k
  + r^{K_{\max}+1}\sqrt{\tau_i \tau'_j}\Big],$$

with $S_i = E f(\sqrt{q_i}Z)^2$, $\beta_k = \max_i |b_k(q_i)|/\sqrt{S_i}$ over both sides,
$r = \max |\rho_{ij}|$ over the entries summed, and $\tau_i = T_{K_{\max}}(q_i)/S_i$ the
relative Parseval tail plus its rounding allowance $10^{-14}$ (the subtraction
$S - \sum b_k^2$ loses about $10^{-15} S$).  The bound is relative to the
Cauchy--Schwarz bound $\sqrt{S_i S'_j}$ of the entry.  Per call:

1. the coefficients at the $n$ distinct variances ($O(nNK_{\max})$, one matrix product);
2. entries with $|\rho|^{K_{\max}+1}\sqrt{\tau_i\tau'_j} > $ ``tol``$/2$ (near $|\rho| = 1$
   when the tail decays slowly: large $q$, kinks) are *not* summed: they go to
   the adaptive reference :func:`numerics.dual.reference.pair_expectation`
   (error estimate $10^{-13}$ of the bound), one by one;
3. the smallest $K$ whose bound is $\le$ ``tol``$/2$ for the rest; Horner's scheme on
   cache-sized row blocks (two threads).

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

from ..core.validation import check_scalar
from .hermite import hermite_coefficients

__all__ = ["K_MAX", "TOL", "gram_dual", "series_order"]

K_MAX = 256
TOL = 1e-12
_ROUNDING = 1e-14
_BLOCK = 64  # rows per Horner block (64 x 1000 doubles: 512 KB)
_POOL = ThreadPoolExecutor(max_workers=2)


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


def _coefficients(f, q):
    b, s = hermite_coefficients(f, q, order=K_MAX)
    tail = np.maximum(s - np.sum(b * b, axis=1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(s > 0, tail / s + _ROUNDING, 0.0)
        beta = np.where(s[:, None] > 0, np.abs(b) / np.sqrt(s)[:, None], 0.0)
    return b, s, tau, beta


def _horner_rows(out, b1, b2, rho, orders, rows, cols):
    """Even part in $\rho^2$ plus $\rho$ times the odd part in $\rho^2$, on a block."""
    r = rho[rows, cols]
    r2 = r * r
    acc = np.zeros(r.shape)
    for parity in (1, 0):
        top = orders[parity] - (orders[parity] - parity) % 2
        part = np.zeros(r.shape)
        for k in range(top, parity - 1, -2):
            part *= r2
            part += b1[rows, k, None] * b2[None, cols, k]
        if parity:
            part *= r
        acc += part
    out[rows, cols] = acc


def gram_dual(f, q1, q2, c, *, same: bool, tol: float = TOL, reference=None):
    r"""$E[f(u_i) f(v_j)]$ for the whole matrix ``c`` (shape ``(n1, n2)``), accurate to ``tol`` of $\sqrt{S_iS'_j}$.

    Returns ``(values, S1, S2)``: the matrix and the second moments $E f^2$ at ``q1`` and ``q2``.

    ``q1``, ``q2``: 1-D variances (validated by the caller); ``same``: rows and
    columns are one input set (``q1 is q2``, ``c`` symmetric).  ``reference``
    is the callable ``(q1, q2, rho) -> value`` for the entries the series
    cannot certify (default: :func:`numerics.dual.reference.pair_expectation` of ``f``).
    """
    tol = check_scalar("tol", tol, low=1e-15, high=1e-3)
    q1 = np.asarray(q1, dtype=np.float64)
    q2 = np.asarray(q2, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    b1, s1, tau1, beta1 = _coefficients(f, q1)
    b2, s2, tau2, beta2 = (b1, s1, tau1, beta1) if same else _coefficients(f, q2)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(q1)[:, None] * np.sqrt(q2)[None, :]
        rho = np.where(scale > 0, np.clip(c / scale, -1.0, 1.0), 0.0)
    arho = np.abs(rho)
    floor = arho ** (K_MAX + 1) * np.sqrt(tau1[:, None] * tau2[None, :])
    if same:  # the diagonal is the second moment itself
        np.fill_diagonal(floor, 0.0)
    hard = floor > tol / 2
    summed = np.where(hard, 0.0, arho)
    if same:
        np.fill_diagonal(summed, 0.0)
    r = float(np.max(summed, initial=0.0))
    bmax = np.maximum(np.max(beta1, axis=0, initial=0.0), np.max(beta2, axis=0, initial=0.0))
    worst = float(np.max(np.where(hard, 0.0, floor), initial=0.0))
    orders = series_order(bmax * bmax, r, worst, tol=tol)
    if orders[0] < 0:  # cannot happen: r was chosen so that the floor term meets tol / 2 at K_MAX
        raise AssertionError(f"no series order meets tol={tol!r} at r={r!r}")
    out = np.empty(rho.shape)
    n1, n2 = rho.shape
    blocks = [(slice(i, min(i + _BLOCK, n1)), slice(i if same else 0, n2)) for i in range(0, n1, _BLOCK)]
    list(_POOL.map(lambda rc: _horner_rows(out, b1, b2, rho, orders, *rc), blocks))
    if same:  # the upper triangle (block rows, columns from the block's first row) mirrored
        for rows, cols in blocks:
            out[rows, :rows.start] = out[:rows.start, rows].T
        np.fill_diagonal(out, s1)
    if np.any(hard):
        if reference is None:
            from .reference import pair_expectation

            def reference(a, b, rr):
                return pair_expectation(f, f, a, b, rr).value
        for i, j in zip(*np.nonzero(hard)):
            out[i, j] = reference(float(q1[i]), float(q2[j]), float(rho[i, j]))
    return out, s1, s2
