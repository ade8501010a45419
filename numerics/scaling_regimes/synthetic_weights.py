r"""Synthetic weight sequences of known depth exponent $\beta$ and roughness, and the exact laws of their statistics.

Each network of depth $L$ has $m$ weight entries $e$ (a flattened $A_k$) with paths over the layers $k < L$:

=================  ===============================================  ================  ===========================
family             $A_{k,e}$                                        roughness         QV slope
=================  ===============================================  ================  ===========================
``smooth``         $L^{-\beta}G_e\,g(k/L)$, $g(t) = e^{-t}$          Lipschitz          $-1 - 2\beta$
``brownian_path``  $L^{-\beta}(G_e + W_e(k/L))$                     Hoelder-1/2        $-2\beta$
``iid``            $L^{-\beta}\xi_{k,e}$                            none              $1 - 2\beta$
=================  ===============================================  ================  ===========================

$G_e, \xi_{k,e}$ i.i.d. $N(0, 1)$, $W_e$ independent standard Brownian motions, fresh for every network (one
network per depth, as in the authors' study).  ``iid`` is also the Brownian-increment family: at $\beta = \tfrac12$
the entries $\xi_{k,e}/\sqrt L$ are the increments of $W_e$ over $[k/L, (k+1)/L]$ (regime F6).  The max norm of
``smooth`` is attained at $k = 0$ ($g$ decreases), so $\log\max_k\|A_k\| = -\beta\log L + \tfrac12\log\chi^2_m$
exactly, and $\hat\beta$ is unbiased.

**Exact finite-depth laws.**  The sum of squares $Q = \sum_k\|A_k\|^2$ and the quadratic variation
$Q = \sum_k\|A_{k+1} - A_k\|^2$ are Gaussian quadratic forms $\sum_e x_e^\top M x_e$ with $x_e \sim N(0, L^{-2\beta}C)$
($C$ the layer covariance of one entry: $gg^\top$, $\mathbf 1\mathbf 1^\top + \min(k, l)/L$ or $I$; $M = I$ or
$D^\top D$, $D$ the difference matrix), so $Q = L^{-2\beta}\sum_i\lambda_i\chi^2_{m,i}$ with $\lambda_i$ the
eigenvalues of $C^{1/2}MC^{1/2}$, and (Frullani: $\log x = \int_0^\infty (e^{-t} - e^{-xt})\,dt/t$)

$$E\log Q = -2\beta\log L + \int_0^\infty\Big(e^{-t} - \prod_i(1 + 2\lambda_i t)^{-m/2}\Big)\frac{dt}{t},$$

$= -2\beta\log L + \log(2\lambda) + \psi(rm/2)$ when the $r$ non-zero $\lambda_i$ all equal $\lambda$ (digamma
$\psi$).  Least squares is linear, so the mean of a fitted log-log slope is the slope fitted to these exact means
(:func:`expected_slope`): the finite-depth truth the intervals must cover, not only its limit.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special

from ..core.validation import check_integer, check_scalar

__all__ = ["FAMILIES", "expected_log_statistic", "expected_slope", "limit_slope", "synthetic_weights"]

FAMILIES = ("smooth", "brownian_path", "iid")
EXACT_STATISTICS = ("max_norm", "root_ssq", "quadratic_variation")


def _family(family: str) -> str:
    if family not in FAMILIES:
        raise ValueError(f"family={family!r} must be one of {FAMILIES}")
    return family


def _profile(L: int) -> np.ndarray:
    return np.exp(-np.arange(L) / L)


def synthetic_weights(family: str, *, beta: float, depth: int, n_networks: int = 1, entries: int = 16,
                      seed=0) -> np.ndarray:
    r"""``n_networks`` independent weight sequences of the ``family``: shape ``(n_networks, depth, entries)``."""
    family = _family(family)
    beta = check_scalar("beta", beta, low=-2.0, high=2.0)
    L = check_integer("depth", depth, minimum=2)
    n = check_integer("n_networks", n_networks, minimum=1)
    m = check_integer("entries", entries, minimum=1)
    rng = np.random.default_rng(seed)
    scale = float(L) ** -beta
    if family == "smooth":
        return scale * rng.standard_normal((n, 1, m)) * _profile(L)[:, None]
    if family == "iid":
        return scale * rng.standard_normal((n, L, m))
    steps = rng.standard_normal((n, L, m)) / math.sqrt(L)
    steps[:, 0] = rng.standard_normal((n, m))            # G_e, then W at k/L: cumulative sums
    return scale * np.cumsum(steps, axis=1)


def _eigenvalues(family: str, statistic: str, L: int) -> np.ndarray:
    """Eigenvalues of $C^{1/2}MC^{1/2}$ for one entry at $\\beta = 0$."""
    if family == "smooth":
        g = _profile(L)
        return np.array([g @ g if statistic == "root_ssq" else np.diff(g) @ np.diff(g)])
    if family == "iid":
        if statistic == "root_ssq":
            return np.ones(L)
        return 2.0 - 2.0 * np.cos(np.pi * np.arange(1, L) / L)  # D^T D: the path graph's Laplacian
    if statistic == "quadratic_variation":
        return np.full(L - 1, 1.0 / L)                         # increments of W: i.i.d. N(0, 1/L)
    k = np.arange(L)
    cov = 1.0 + np.minimum.outer(k, k) / L
    return np.linalg.eigvalsh(cov)


def _expected_log_form(lam: np.ndarray, m: int) -> float:
    """$E\\log\\sum_i\\lambda_i\\chi^2_{m,i}$ (Frullani integral; digamma when the non-zero $\\lambda$ agree)."""
    lam = lam[lam > 1e-14 * lam.max()]
    if np.allclose(lam, lam[0], rtol=1e-13, atol=0):
        return math.log(2 * lam[0]) + float(special.digamma(lam.size * m / 2))
    s = float(lam.sum() * m)                              # E Q: normalise so that the integrand lives on t ~ 1
    u = 2.0 * lam / s

    def integrand(t):
        return (math.exp(-t) - math.exp(-0.5 * m * np.log1p(u * t).sum())) / t

    head = integrate.quad(integrand, 0.0, 1.0, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    tail = integrate.quad(integrand, 1.0, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    return math.log(s) + head + tail


def expected_log_statistic(family: str, statistic: str, *, beta: float, depth: int, entries: int = 16) -> float:
    r"""$E\log S_L$ exactly, for ``statistic`` in ``("max_norm", "root_ssq", "quadratic_variation")``
    (``max_norm`` for ``smooth`` only)."""
    family = _family(family)
    beta = check_scalar("beta", beta, low=-2.0, high=2.0)
    L = check_integer("depth", depth, minimum=2)
    m = check_integer("entries", entries, minimum=1)
    if statistic not in EXACT_STATISTICS or (statistic == "max_norm" and family != "smooth"):
        raise ValueError(f"statistic={statistic!r} has an exact law for family={family!r} only among "
                         f"{EXACT_STATISTICS if family == 'smooth' else EXACT_STATISTICS[1:]}")
    if statistic == "max_norm":   # ||G|| g(0): (1/2) E log chi^2_m
        return -beta * math.log(L) + 0.5 * (math.log(2.0) + float(special.digamma(m / 2)))
    half = 0.5 if statistic == "root_ssq" else 1.0
    return half * (-2 * beta * math.log(L) + _expected_log_form(_eigenvalues(family, statistic, L), m))


def expected_slope(family: str, statistic: str, *, beta: float, depths, entries: int = 16) -> float:
    """The mean of the least-squares log-log slope of ``statistic`` over ``depths`` (exact, finite depth)."""
    x = np.log(np.asarray(depths, dtype=float))
    y = np.array([expected_log_statistic(family, statistic, beta=beta, depth=int(L), entries=entries)
                  for L in depths])
    xc = x - x.mean()
    return float(xc @ (y - y.mean()) / (xc @ xc))


def limit_slope(family: str, statistic: str, *, beta: float) -> float:
    r"""The depth exponent of ``statistic`` as $L \to \infty$: $-\beta$ (max norm), $\tfrac12 - \beta$ (root-SSQ:
    $\sum_k\|A_k\|^2 \approx L^{1-2\beta}\int$), the QV slopes of the table above."""
    family = _family(family)
    table = {"max_norm": -beta,
             "root_ssq": 0.5 - beta,
             "quadratic_variation": {"smooth": -1 - 2 * beta, "brownian_path": -2 * beta, "iid": 1 - 2 * beta}[family]}
    if statistic not in table:
        raise ValueError(f"statistic={statistic!r} must be one of {tuple(table)}")
    return float(table[statistic])
