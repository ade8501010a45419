r"""Hermite (Mehler) coefficients of an activation at many variances at once.

With the orthonormal Hermite polynomials $h_k = \mathrm{He}_k/\sqrt{k!}$ of the
standard normal ($h_0 = 1$, $h_1 = z$,
$h_{k+1} = (z h_k - \sqrt{k}\,h_{k-1})/\sqrt{k+1}$), the coefficients of $f$ at
variance $q$ are

$$b_k(q) = E[f(\sqrt q\,Z)\,h_k(Z)],\qquad Z \sim N(0, 1),$$

and Mehler's formula gives, for $(u, v)$ with variances $q_1, q_2$ and
correlation $\rho$,

$$E[f(u)g(v)] = \sum_{k \ge 0} b_k^f(q_1)\, b_k^g(q_2)\, \rho^k .$$

Parseval gives the tail $T_K(q) = E f(\sqrt q Z)^2 - \sum_{k \le K} b_k(q)^2 \ge 0$,
and Cauchy--Schwarz bounds the truncation error of the series after $K$ terms by
$|\rho|^{K+1}\sqrt{T_K^f(q_1) T_K^g(q_2)}$ (see :mod:`numerics.dual.mehler`).

**Quadrature.** All coefficients come from one composite Gauss--Legendre rule
(``NODES`` $= 20$ per panel) on $|z| \le$ ``Z_MAX`` $= 12$, panels of width
$\min(1,\ 16/\sqrt{2K+1},\ 3/(2\sqrt{q_{\max}}))$ (at most: ``Z_MAX`` over a whole number of panels) with a break at $z = 0$ (the kink of the
catalog's piecewise activations).  Cutting at $|z| = 12$ costs at most
$\sqrt{E[f^2 1_{|Z|>12}]}$ per coefficient ($E h_k^2 = 1$), i.e.
$\sqrt{P(|Z| > 12)} = 6\cdot 10^{-17}$ of $\|f\|$ for bounded $f$.  The panel width
resolves $h_k$ for $k \le K$ (local wavenumber $\le \sqrt{2K+1}$: at most 8 radians per
half-panel) and an activation
analytic within a distance $\pi/2$ of the real $u$ axis (tanh, softplus, SiLU:
$\pi/2$, $\pi$, $\pi$): 20 nodes on a panel of half-width $a$ converge like
$(d/a + \sqrt{1 + d^2/a^2})^{-40}$ with $d/a \ge 2.1$ here, below $10^{-24}$.
The rule is exactly symmetric (built from its half on $[0, 12]$) and $h_k(-z) = (-1)^k h_k(z)$, so
with $F^\pm_{ia} = f(\pm\sqrt{q_i} z_a)$ on the $N/2$ nodes $z_a > 0$ the coefficients of all $n$
variances are two matrix products, $(F^+ + F^-)\,\mathrm{diag}(w\phi)\,H_{\text{even}}$ and
$(F^+ - F^-)\,\mathrm{diag}(w\phi)\,H_{\text{odd}}$: half the work of the full product (rounding: the
sum or difference of two values adds at most $\epsilon(|F^+| + |F^-|)$ per node, inside the
$N\epsilon$ bound of the product itself).

**Bit-determinism.** Each product is a fixed sequence of small BLAS products
(:func:`_fixed_order_product`): pieces of at most $2^{18}$ multiply-adds, below OpenBLAS's threshold
for threading, so each piece runs the single-threaded kernel whatever the BLAS thread count, and
the pieces along the nodes are added in a fixed order.  (OpenBLAS's threaded GEMM sums in another
order than its single-threaded one: one whole-matrix GEMM changed the last bit between
``verify --workers 2`` and a serial run.)  Row blocks of the variances go to two threads; each
coefficient is still the same sequence of sums.

>>> import numpy as np
>>> b, s = hermite_coefficients(lambda x: x, np.array([4.0]), order=3)
>>> (np.round(b, 12) + 0.0).tolist(), np.round(s, 12).tolist()   # x at q = 4: b_1 = 2, E x^2 = 4
([[0.0, 2.0, 0.0, 0.0]], [4.0])
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

from ..core.validation import check_integer

__all__ = ["MAX_ORDER", "NODES", "Z_MAX", "hermite_coefficients", "quadrature_rule", "second_moments",
           "stein_antiderivative_coefficients", "stein_derivative_coefficients"]

NODES = 20
Z_MAX = 12.0
MAX_ORDER = 512
_LOG_ROOT_2PI = 0.5 * np.log(2 * np.pi)
_ROWS = 64  # variances per block of the reduction
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deeplimits-hermite")
_GEMM_SINGLE = 1 << 18  # multiply-adds per GEMM piece: OpenBLAS runs one thread at or below 65536 * 4


@lru_cache(maxsize=8)
def _rule(panels: int):
    """The composite rule on $[-12, 12]$, built from its half on $[0, 12]$ so that it is exactly symmetric."""
    t, w = np.polynomial.legendre.leggauss(NODES)
    width = Z_MAX / panels
    left = np.arange(panels) * width
    half = (left[:, None] + width * (t + 1) / 2).ravel()
    z = np.concatenate([-half[::-1], half])
    wz = np.tile(width * w / 2, 2 * panels) * np.exp(-0.5 * z * z - _LOG_ROOT_2PI)
    z.setflags(write=False)
    wz.setflags(write=False)
    return z, wz


def quadrature_rule(q_max: float, order: int = MAX_ORDER):
    r"""Nodes $z$ and weights $w\,\phi(z)$ on $[-12, 12]$ resolving $f(\sqrt{q}\,z)$ for $q \le$ ``q_max``
    and $h_k$ for $k \le$ ``order``."""
    width = min(1.0, 16.0 / np.sqrt(2 * order + 1), 1.5 / np.sqrt(max(float(q_max), 1e-300)))
    panels = int(np.ceil(Z_MAX / width))
    return _rule(panels)


def _hermite_rows(z: np.ndarray, order: int) -> np.ndarray:
    """$h_k(z_a)$ as rows $k = 0..$``order`` (contiguous rows: the recurrence runs along them)."""
    h = np.empty((order + 1, z.size))
    h[0] = 1.0
    if order >= 1:
        h[1] = z
    for k in range(1, order):
        h[k + 1] = (z * h[k] - np.sqrt(k) * h[k - 1]) / np.sqrt(k + 1)
    return h


@lru_cache(maxsize=8)
def _hermite_table(panels: int, order: int) -> np.ndarray:
    """$w_a\\phi(z_a) h_k(z_a)$, shape ``(N, order + 1)``."""
    z, wz = _rule(panels)
    table = np.ascontiguousarray((_hermite_rows(z, order) * wz).T)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=8)
def _half_tables(panels: int, order: int):
    r"""The even and odd columns of the table on the nodes $z_a \ge 0$ only, shapes ``(N/2, K_0)``, ``(N/2, K_1)``.

    The rule is symmetric and $h_k(-z) = (-1)^k h_k(z)$, so
    $b_k = \sum_{z_a > 0} w_a\phi(z_a) h_k(z_a)\,[f(\sqrt q z_a) + (-1)^k f(-\sqrt q z_a)]$: the even
    coefficients from the even part of the values, the odd ones from the odd part, half the work."""
    z, wz = _rule(panels)
    half = z.size // 2
    table = np.ascontiguousarray((_hermite_rows(z[half:], order) * wz[half:]).T)
    even, odd = np.ascontiguousarray(table[:, 0::2]), np.ascontiguousarray(table[:, 1::2])
    even.setflags(write=False)
    odd.setflags(write=False)
    return even, odd


def _fixed_order_product(values, table):
    """``values @ table`` as a fixed sequence of small single-threaded BLAS products.

    Pieces of at most ``_GEMM_SINGLE`` multiply-adds (rows x nodes x orders), below OpenBLAS's
    threshold for threading, so every piece is one single-threaded GEMM whatever the BLAS thread
    count; the pieces along the nodes are added in a fixed order.  3-4x faster than NumPy's
    ``einsum`` loop and as deterministic."""
    m, nodes = values.shape
    orders = table.shape[1]
    out = np.zeros((m, orders))
    row_step = min(m, 16) or 1
    order_step = min(orders, 256)
    node_step = max(1, _GEMM_SINGLE // (row_step * order_step))
    tmp = np.empty((row_step, order_step))
    for r in range(0, m, row_step):
        for k in range(0, orders, order_step):
            o = out[r:r + row_step, k:k + order_step]
            t = tmp[:o.shape[0], :o.shape[1]]
            for a in range(0, nodes, node_step):
                np.matmul(values[r:r + row_step, a:a + node_step], table[a:a + node_step, k:k + order_step], out=t)
                o += t
    return out


def hermite_coefficients(f, q, *, order: int):
    r"""$b_k(q_i)$ for $k = 0..$``order`` and $E f(\sqrt{q_i} Z)^2$, shapes ``(n, order+1)`` and ``(n,)``.

    ``f`` is a vectorised float64 function; ``q`` a 1-D array of variances
    $\ge 0$ (validated by the caller).  The rule is chosen for ``max(q)``.
    """
    order = check_integer("order", order, minimum=0)
    if order > MAX_ORDER:
        raise ValueError(f"order={order!r} is too large; allowed range [0, {MAX_ORDER}]")
    q = np.asarray(q, dtype=np.float64)
    z, wz = quadrature_rule(float(np.max(q)) if q.size else 1.0, order)
    panels = z.size // (2 * NODES)
    even, odd = _half_tables(panels, order)
    half = z.size // 2
    z, wz = z[half:], wz[half:]
    root = np.sqrt(q)
    coefficients = np.empty((q.size, order + 1))
    second = np.empty(q.size)

    def block(start):
        rows = slice(start, min(start + _ROWS, q.size))
        x = root[rows, None] * z[None, :]
        plus = np.asarray(f(x), dtype=np.float64)
        minus = np.asarray(f(-x), dtype=np.float64)  # a new array: f may return its argument
        second[rows] = np.einsum("ia,ia,a->i", plus, plus, wz, optimize=False)
        second[rows] += np.einsum("ia,ia,a->i", minus, minus, wz, optimize=False)
        coefficients[rows, 0::2] = _fixed_order_product(plus + minus, even)
        if order:
            coefficients[rows, 1::2] = _fixed_order_product(plus - minus, odd)

    list(_POOL.map(block, range(0, q.size, _ROWS)))
    return coefficients, second


def second_moments(f, q, *, order: int):
    r"""$E f(\sqrt{q_i} Z)^2$ alone, on the rule :func:`hermite_coefficients` uses at ``order`` (same values)."""
    q = np.asarray(q, dtype=np.float64)
    z, wz = quadrature_rule(float(np.max(q)) if q.size else 1.0, order)
    half = z.size // 2
    z, wz = z[half:], wz[half:]
    root = np.sqrt(q)
    second = np.empty(q.size)

    def block(start):  # the sums of hermite_coefficients, in its order
        rows = slice(start, min(start + _ROWS, q.size))
        x = root[rows, None] * z[None, :]
        plus = np.asarray(f(x), dtype=np.float64)
        minus = np.asarray(f(-x), dtype=np.float64)
        second[rows] = np.einsum("ia,ia,a->i", plus, plus, wz, optimize=False)
        second[rows] += np.einsum("ia,ia,a->i", minus, minus, wz, optimize=False)

    list(_POOL.map(block, range(0, q.size, _ROWS)))
    return second


def stein_derivative_coefficients(b, q):
    r"""Coefficients of $f'$ from those of $f$ by Stein's identity: $b^{f'}_k(q) = \sqrt{(k+1)/q}\; b^f_{k+1}(q)$.

    $E[g(Z) h_{k+1}(Z)] = E[g'(Z) h_k(Z)]/\sqrt{k+1}$ with $g(z) = f(\sqrt q z)$, $g' = \sqrt q f'(\sqrt q z)$.
    ``b``: shape ``(n, K+2)`` at the variances ``q`` $> 0$ (shape ``(n,)``); returns ``(n, K+1)``.  An
    error $\delta$ in $b^f_{k+1}$ becomes $\sqrt{(k+1)/q}\,\delta$: callers use it where that factor is
    small (see :func:`numerics.kernel.fast.layer_duals`).

    >>> b = np.array([[0.0, 2.0, 0.0, 0.0]])   # f(x) = x at q = 4
    >>> stein_derivative_coefficients(b, np.array([4.0])).tolist()   # f' = 1: b_0 = 1
    [[1.0, 0.0, 0.0]]
    """
    b = np.asarray(b, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    k = np.arange(1, b.shape[1])
    return b[:, 1:] * np.sqrt(k[None, :] / q[:, None])


def stein_antiderivative_coefficients(b_prime, q, b0):
    r"""Coefficients of $f$ from those of $f'$ (Stein's identity read backwards): $b^f_{k+1} = \sqrt{q/(k+1)}\,b^{f'}_k$.

    ``b_prime``: shape ``(n, K)`` at variances ``q`` (shape ``(n,)``); ``b0``: $b^f_0(q) = E f(\sqrt q Z)$, which the
    identity does not give.  Returns ``(n, K+1)``.  An error $\delta$ in $b^{f'}_k$ becomes $\sqrt{q/(k+1)}\,\delta$:
    at most $\sqrt q\,\delta$, and shrinking with $k$.

    >>> stein_antiderivative_coefficients(np.array([[1.0, 0.0]]), np.array([4.0]), np.array([0.0])).tolist()
    [[0.0, 2.0, 0.0]]
    """
    b_prime = np.asarray(b_prime, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    k = np.arange(1, b_prime.shape[1] + 1)
    return np.concatenate([np.asarray(b0, dtype=np.float64)[:, None], b_prime * np.sqrt(q[:, None] / k[None, :])],
                          axis=1)
