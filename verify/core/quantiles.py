r"""Distribution-free quantile bounds and a one-sided decay test built on them.

For i.i.d. draws $X_1, \dots, X_n$ of a continuous law with $q$-quantile $\xi_q$, the number of
draws below $\xi_q$ is $\mathrm{Bin}(n, q)$, so for the order statistics $X_{(1)} \le \dots \le X_{(n)}$

$$P(X_{(j)} > \xi_q) = P(\mathrm{Bin}(n, q) \le j - 1), \qquad
  P(X_{(k)} < \xi_q) = P(\mathrm{Bin}(n, q) \ge k).$$

Choosing $j$ and $k$ from the binomial quantiles gives one-sided bounds that hold with probability at
least $1 - \alpha$ whatever the law (no moments needed): the right tool for heavy-tailed statistics
whose sample means converge too slowly to be trusted (products of many random matrices, for one).

:func:`assert_quantile_decay` turns two such bounds into a one-sided test of a convergence *rate*:
that a quantile of a positive statistic falls at least like $L^{-p}$ between two sizes.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as _st

from .stats import StatisticalTestFailure, TestResult

__all__ = ["assert_quantile_decay", "quantile_lower_bound", "quantile_upper_bound"]


def _check(x, q: float, rate: float, name: str = "samples") -> tuple[np.ndarray, float, float]:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    q = float(q)
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile={q!r} must lie in the open interval (0, 1)")
    rate = float(rate)
    if not 0.0 < rate < 1.0:
        raise ValueError(f"false_fail_rate={rate!r} must lie in the open interval (0, 1)")
    return np.sort(x), q, rate


def quantile_lower_bound(x, q: float = 0.5, *, false_fail_rate: float, name: str = "samples") -> float:
    r"""An order statistic $X_{(j)}$ with $P(X_{(j)} > \xi_q) \le \alpha$ for any continuous law.

    $j$ is the smallest integer with $P(\mathrm{Bin}(n, q) \le j) \ge \alpha$ (so
    $P(\mathrm{Bin} \le j - 1) < \alpha$).  Raises ``ValueError`` when $n$ is too small for any order
    statistic to be a bound at this rate ($(1 - q)^n \ge \alpha$, i.e. $j = 0$).
    """
    xs, q, a = _check(x, q, false_fail_rate, name)
    j = int(_st.binom.ppf(a, xs.size, q))
    if j < 1:
        raise ValueError(f"n={xs.size} samples are too few for a lower bound on the {q}-quantile at "
                         f"false_fail_rate={a}; need (1 - q)^n < rate")
    return float(xs[j - 1])


def quantile_upper_bound(x, q: float = 0.5, *, false_fail_rate: float, name: str = "samples") -> float:
    r"""An order statistic $X_{(k)}$ with $P(X_{(k)} < \xi_q) \le \alpha$ for any continuous law.

    $k = 1 + $ the smallest integer $m$ with $P(\mathrm{Bin}(n, q) \le m) \ge 1 - \alpha$, so
    $P(\mathrm{Bin} \ge k) \le \alpha$.
    """
    xs, q, a = _check(x, q, false_fail_rate, name)
    k = int(_st.binom.ppf(1.0 - a, xs.size, q)) + 1
    if k > xs.size:
        raise ValueError(f"n={xs.size} samples are too few for an upper bound on the {q}-quantile at "
                         f"false_fail_rate={a}; need q^n <= rate")
    return float(xs[k - 1])


def assert_quantile_decay(size_small: float, size_large: float, x_small, x_large, *, exponent: float,
                          false_fail_rate: float, quantile: float = 0.5,
                          raise_on_failure: bool = True) -> TestResult:
    r"""One-sided test that the ``quantile`` of a positive statistic decays at least like ``size**-exponent``.

    The claim is $\xi(L_2) \le \xi(L_1)\,(L_1/L_2)^{p}$ for $L_1 < L_2$, i.e. the log-log slope
    $s = \log(\xi(L_2)/\xi(L_1)) / \log(L_2/L_1) \le -p$.  It is rejected only when the data contradict
    it: when the lower bound of $\xi(L_2)$ and the upper bound of $\xi(L_1)$ (each at rate $\alpha/2$,
    :func:`quantile_lower_bound`, :func:`quantile_upper_bound`) give a slope lower bound
    $s_{\mathrm{lo}} > -p$.  By the union bound a true claim is rejected with probability at most $\alpha$,
    for any continuous laws.  The detectable discrepancy (in slope units) is the width of the two
    intervals, $(\log \hat\xi^{\mathrm{hi}}_2 - \log \hat\xi^{\mathrm{lo}}_2 + \log \hat\xi^{\mathrm{hi}}_1
    - \log \hat\xi^{\mathrm{lo}}_1) / \log(L_2/L_1)$: a true slope that much above $-p$ is rejected with
    probability at least about $1 - \alpha$.

    Returns a :class:`~verify.core.stats.TestResult` whose ``observed`` is the slope of the sample quantiles,
    ``statistic`` the slope lower bound and ``threshold`` $-p$.
    """
    L1, L2 = float(size_small), float(size_large)
    if not (0 < L1 < L2 and math.isfinite(L2)):
        raise ValueError(f"sizes must satisfy 0 < size_small < size_large < inf; got {size_small!r}, {size_large!r}")
    p = float(exponent)
    if not math.isfinite(p):
        raise ValueError(f"exponent={exponent!r} must be a finite real number")
    rate = float(false_fail_rate)
    if not 0.0 < rate < 1.0:
        raise ValueError(f"false_fail_rate={false_fail_rate!r} must lie in the open interval (0, 1)")
    a = rate / 2.0
    for name, x in (("x_small", x_small), ("x_large", x_large)):
        _check(x, quantile, a, name)
        if np.any(np.asarray(x, dtype=float) <= 0):
            raise ValueError(f"{name} must be positive (the decay is measured in log-log coordinates)")
    lo1 = quantile_lower_bound(x_small, quantile, false_fail_rate=a, name="x_small")
    hi1 = quantile_upper_bound(x_small, quantile, false_fail_rate=a, name="x_small")
    lo2 = quantile_lower_bound(x_large, quantile, false_fail_rate=a, name="x_large")
    hi2 = quantile_upper_bound(x_large, quantile, false_fail_rate=a, name="x_large")
    span = math.log(L2 / L1)
    q1, q2 = float(np.quantile(x_small, quantile)), float(np.quantile(x_large, quantile))
    slope = math.log(q2 / q1) / span
    slope_lo = (math.log(lo2) - math.log(hi1)) / span
    width = (math.log(hi2 / lo2) + math.log(hi1 / lo1)) / span
    passed = slope_lo <= -p
    detail = (f"quantile decay {'passed' if passed else 'FAILED'}: the {quantile}-quantile falls from {q1:.4g} at "
              f"{L1:g} to {q2:.4g} at {L2:g}, slope {slope:.3f} (lower bound {slope_lo:.3f}) vs at most {-p:.3g}; "
              f"order-statistic bounds at {a:.2g} each, detects slopes above {-p + width:.3f}")
    result = TestResult(passed=bool(passed), statistic=slope_lo, threshold=-p, false_fail_rate=float(false_fail_rate),
                        detectable_discrepancy=width, n_samples=int(np.size(x_small) + np.size(x_large)),
                        observed=slope, predicted=-p, detail=detail,
                        data={"bounds_small": (lo1, hi1), "bounds_large": (lo2, hi2)})
    if not passed and raise_on_failure:
        raise StatisticalTestFailure(result)
    return result
