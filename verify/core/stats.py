r"""Statistical assertions with stated error rates.

Every check follows the pattern of TFP's ``statistical_testing.py``: a triple

* ``assert_*``: the test itself, at a stated *false-fail rate* $\alpha$
  (probability that correct code is rejected);
* ``min_discrepancy_*``: the smallest discrepancy the test detects with
  probability at least $1 - \beta$, where $\beta$ is the *false-pass rate*;
* ``min_num_samples_*``: the sample size needed to detect a given discrepancy
  at the given $\alpha$ and $\beta$.

"Correct code will fail rarely; code that misbehaves by more than the
discrepancy will pass rarely."

The checks:

=====================================  ============================================================
``assert_mean``                        $|\bar x - \mu| \le z\,\widehat{SE} + \text{bias\_tol}$ (z-test, $n \ge 10^4$)
``assert_second_moment``               ``assert_mean`` on paired products $a_i b_i$ ($E[f(x)f(x')] = K(x, x')$)
``assert_cdf_dkwm``                    $\sup|F_n - F| \le \varepsilon_{\mathrm{DKWM}}(\alpha, n) + \text{model\_tol}$
``assert_two_sample_dkwm``             $\sup|F_n - G_m| \le \varepsilon(\alpha/2, n) + \varepsilon(\alpha/2, m) + \text{model\_tol}$
``assert_rate``                        $|\hat s - p| \le \text{tolerance}$ for the log-log slope $\hat s$
``binomial_calibration``               exact binomial test of a rejection count (the meta-test)
=====================================  ============================================================

Each ``assert_*`` returns a :class:`TestResult` (or :class:`RateResult`) when
the check passes and, by default, raises :class:`StatisticalTestFailure` (an
``AssertionError`` carrying the result) when it fails; pass
``raise_on_failure=False`` to get the failing result back instead (for
calibration studies).  Bad input (rates outside $(0, 1)$, too few samples,
mismatched shapes, non-finite values) raises ``ValueError`` eagerly.

Budgeting: the false-fail budget is per *test function*.  With a budget $B$
and $m$ comparisons in one run (hypothesis examples times assertions), pass
``false_fail_rate=bonferroni(B, m)``.

References: Massart (1990), "The tight constant in the
Dvoretzky-Kiefer-Wolfowitz inequality", Ann. Probab. 18(3); TFP
``tensorflow_probability/python/distributions/internal/statistical_testing.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as _st

__all__ = [
    "RateResult",
    "StatisticalTestFailure",
    "TestResult",
    "assert_cdf_dkwm",
    "assert_mean",
    "assert_rate",
    "assert_second_moment",
    "assert_two_sample_dkwm",
    "binomial_calibration",
    "bonferroni",
    "dkwm_envelope",
    "min_discrepancy_dkwm",
    "min_discrepancy_mean",
    "min_discrepancy_two_sample_dkwm",
    "min_num_samples_dkwm",
    "min_num_samples_mean",
    "z_threshold",
]

DEFAULT_RATE = 1e-6
MIN_SAMPLES_MEAN = 10_000


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class TestResult:
    """Outcome of one statistical assertion.

    Attributes:
        passed: whether the check accepted the null hypothesis.
        statistic: the test statistic; the check passes iff ``statistic <= threshold``
            (for :func:`binomial_calibration`: the p-value, passing iff ``statistic >= threshold``).
        threshold: the critical value the statistic is compared with.
        false_fail_rate: the stated probability of rejecting correct code (whole check).
        detectable_discrepancy: the discrepancy detected with probability ``1 - false_pass_rate``
            (in the units of ``observed``; the largest over components for joint tests).
        n_samples: number of samples the check used.
        observed: the observed quantity (mean, empirical CDF distance, rejection rate).
        predicted: what theory predicts for it.
        detail: a one-line human-readable account.
        data: optional arrays behind the verdict (e.g. estimates per width), for plots.
    """

    __test__ = False  # not a pytest test class despite the name

    passed: bool
    statistic: float
    threshold: float
    false_fail_rate: float
    detectable_discrepancy: float
    n_samples: int
    observed: float | np.ndarray
    predicted: float | np.ndarray
    detail: str
    data: Mapping = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class RateResult:
    """Outcome of :func:`assert_rate`: a fitted log-log slope against a predicted order.

    Attributes:
        passed: ``|slope - predicted_order| <= tolerance``.
        slope: least-squares slope of ``log(errors)`` against ``log(sizes)``.
        slope_stderr: its standard error $\\sqrt{\\hat\\sigma^2 / S_{xx}}$ with
            $\\hat\\sigma^2 = \\mathrm{RSS}/(m-2)$.
        intercept: fitted intercept (log of the error constant).
        predicted_order: the slope theory predicts.
        tolerance: the stated modelling tolerance (not a probability).
        n_points: number of (size, error) pairs.
        detail: a one-line human-readable account.
    """

    passed: bool
    slope: float
    slope_stderr: float
    intercept: float
    predicted_order: float
    tolerance: float
    n_points: int
    detail: str


class StatisticalTestFailure(AssertionError):
    """A statistical assertion rejected; ``.result`` holds the full :class:`TestResult`."""

    def __init__(self, result: TestResult | RateResult):
        super().__init__(result.detail)
        self.result = result


def _finish(result, raise_on_failure: bool):
    if not result.passed and raise_on_failure:
        raise StatisticalTestFailure(result)
    return result


# --------------------------------------------------------------------------- validation


def _real(value) -> float | None:
    """``float(value)`` for a real scalar (bools excluded), else ``None``."""
    is_real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    return float(value) if is_real else None


def _check_rate(name: str, value) -> float:
    v = _real(value)
    if v is None or not (0.0 < v < 1.0):
        raise ValueError(f"{name}={value!r} must be a real number in the open interval (0, 1)")
    return v


def _check_nonneg(name: str, value) -> float:
    v = _real(value)
    if v is None or not (math.isfinite(v) and v >= 0.0):
        raise ValueError(f"{name}={value!r} must be a finite real number >= 0")
    return v


def _check_pos_int(name: str, value, minimum: int = 1) -> int:
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def _as_finite_array(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf); remove or fix them before testing")
    return arr


def _scalar_or_array(x: np.ndarray, scalar: bool):
    return float(x.reshape(-1)[0]) if scalar else x


# --------------------------------------------------------------------------- rates and quantiles


def bonferroni(rate: float, n_comparisons: int) -> float:
    r"""Per-comparison rate $\alpha / m$ that keeps the family-wise rate at most ``rate``.

    By the union bound, $P(\text{any of } m \text{ rejects}) \le m \cdot \alpha/m = \alpha$.

    >>> bonferroni(1e-6, 20)
    5e-08
    """
    r = _check_rate("rate", rate)
    m = _check_pos_int("n_comparisons", n_comparisons)
    return r / m


def z_threshold(rate: float) -> float:
    r"""Two-sided standard-normal critical value $z = \Phi^{-1}(1 - \alpha/2)$.

    >>> round(z_threshold(0.05), 6)
    1.959964
    """
    return float(_st.norm.isf(_check_rate("rate", rate) / 2.0))


def _z_one_sided(rate: float) -> float:
    return float(_st.norm.isf(rate))


# --------------------------------------------------------------------------- mean


def assert_mean(
    samples,
    predicted,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    bias_tol: float = 0.0,
    min_samples: int = MIN_SAMPLES_MEAN,
    batches: int | None = None,
    false_pass_rate: float = DEFAULT_RATE,
    raise_on_failure: bool = True,
) -> TestResult:
    r"""Equivalence test of a sample mean against a prediction (z-test with a sample-size floor).

    For samples $x_1, \dots, x_n$ (shape ``(n,)``, or ``(n, k)`` for $k$ means tested
    jointly) the check rejects iff, for some component $j$,

    .. math::

        |\bar x_j - \mu_j| > c \, \widehat{SE}_j + \text{bias\_tol},
        \qquad \widehat{SE}_j = s_j / \sqrt{n},

    with $c = z_{\alpha'} = \Phi^{-1}(1 - \alpha'/2)$ and $\alpha' = \alpha / k$
    (Bonferroni over the $k$ components).  With ``batches=B`` the $n$ samples are cut
    into $B$ contiguous equal batches, $\widehat{SE}_j$ is the standard deviation of the
    batch means over $\sqrt B$ (robust to serial correlation within batches), and
    $c = t_{B-1}^{-1}(1 - \alpha'/2)$ is the Student-t quantile.

    ``bias_tol`` is a documented *modelling* tolerance (e.g. $C/\text{width}$ for a
    finite-width bias); it is not noise and is not scaled by $\widehat{SE}$.

    The false-fail rate is asymptotic (CLT).  The CLT is not trustworthy far out in
    the tail for small $n$: for a skewed product of ReLUs the measured false-fail rate at
    nominal $10^{-4}$ was $10^{-2}$ (100 times too many) at $n = 100$ and $5\cdot10^{-5}$
    at $n = 10^4$.  Hence ``n >= min_samples`` (default $10^4$) is enforced; lower
    ``min_samples`` only for data whose mean is known to be near-Gaussian.

    Args:
        samples: array of shape ``(n,)`` or ``(n, k)``.
        predicted: scalar or shape ``(k,)``, the predicted mean(s).
        false_fail_rate: probability $\alpha$ of rejecting when all means equal ``predicted``.
        bias_tol: non-negative modelling tolerance added to the acceptance half-width.
        min_samples: smallest admissible $n$ (integer >= 2).
        batches: number of batches $B$ (integer >= 2 dividing $n$), or ``None`` for i.i.d. samples.
        false_pass_rate: $\beta$, used only to report ``detectable_discrepancy``.
        raise_on_failure: raise :class:`StatisticalTestFailure` when the check rejects.

    Returns:
        :class:`TestResult` with ``statistic = max_j (|mean_j - mu_j| - bias_tol) / SE_j`` and
        ``threshold = c``; ``detectable_discrepancy = bias_tol + (c + z_beta) * max_j SE_j``.

    Raises:
        ValueError: on too few samples, bad shapes, non-finite data or invalid options.
    """
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    tol = _check_nonneg("bias_tol", bias_tol)
    n_min = _check_pos_int("min_samples", min_samples, minimum=2)
    x = _as_finite_array("samples", samples)
    if x.ndim not in (1, 2):
        raise ValueError(f"samples must have shape (n,) or (n, k); got shape {x.shape}")
    scalar = x.ndim == 1
    x2 = x.reshape(x.shape[0], -1)
    n, k = x2.shape
    if k == 0:
        raise ValueError("samples has k = 0 columns; nothing to test")
    if n < n_min:
        raise ValueError(
            f"assert_mean needs n >= min_samples={n_min} samples (got n={n}): the normal approximation "
            "is not trustworthy in the far tail for small n; draw more samples"
        )
    mu = _as_finite_array("predicted", predicted)
    if mu.ndim > 1 or (mu.ndim == 1 and mu.shape[0] not in (1, k)) or (scalar and mu.size != 1):
        raise ValueError(f"predicted has shape {mu.shape}; expected a scalar or shape ({k},) to match samples {x.shape}")
    mu = np.broadcast_to(mu.reshape(-1), (k,)).astype(float)

    alpha_each = alpha / k
    mean = x2.mean(axis=0)
    if batches is None:
        se = x2.std(axis=0, ddof=1) / math.sqrt(n)
        crit = z_threshold(alpha_each)
        how = "z"
    else:
        b = _check_pos_int("batches", batches, minimum=2)
        if b > n or n % b:
            raise ValueError(f"batches={batches!r} must divide n={n} (and be <= n); trim the samples or pick a divisor")
        batch_means = x2.reshape(b, n // b, k).mean(axis=1)
        se = batch_means.std(axis=0, ddof=1) / math.sqrt(b)
        crit = float(_st.t.isf(alpha_each / 2.0, b - 1))
        how = f"t({b - 1}) on {b} batch means"

    diff = np.abs(mean - mu)
    half_width = crit * se + tol
    passed = bool(np.all(diff <= half_width))
    excess = diff - tol
    with np.errstate(divide="ignore", invalid="ignore"):
        standardized = np.where(se > 0, excess / np.where(se > 0, se, 1.0), np.where(excess > 0, np.inf, 0.0))
    statistic = float(np.max(standardized))
    detectable = tol + (crit + _z_one_sided(beta)) * float(np.max(se))
    worst = int(np.argmax(diff - half_width))
    detail = (
        f"assert_mean {'passed' if passed else 'FAILED'}: mean {mean[worst]:.6g} vs predicted {mu[worst]:.6g}"
        f"{'' if k == 1 else f' (component {worst} of {k})'}: |diff| = {diff[worst]:.3g}, allowed "
        f"{crit:.3g}*SE + bias_tol = {crit:.3g}*{se[worst]:.3g} + {tol:.3g} = {half_width[worst]:.3g} "
        f"[{how}, n={n}, false_fail_rate={alpha:.3g}]"
    )
    result = TestResult(
        passed=passed,
        statistic=statistic,
        threshold=crit,
        false_fail_rate=alpha,
        detectable_discrepancy=detectable,
        n_samples=n,
        observed=_scalar_or_array(mean, scalar),
        predicted=_scalar_or_array(mu, scalar),
        detail=detail,
    )
    return _finish(result, raise_on_failure)


def min_discrepancy_mean(
    se,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    false_pass_rate: float = DEFAULT_RATE,
    n_comparisons: int = 1,
):
    r"""Smallest mean discrepancy :func:`assert_mean` detects: $(z_{\alpha'} + z_\beta)\,SE$.

    $z_{\alpha'} = \Phi^{-1}(1 - \alpha/(2m))$ is the two-sided critical value (Bonferroni over
    ``n_comparisons`` $= m$ components) and $z_\beta = \Phi^{-1}(1 - \beta)$.  If the true mean
    is off by $\delta = (z_{\alpha'} + z_\beta) SE$, then
    $P(|\bar x - \mu| \le z_{\alpha'} SE) \le P(Z \le -z_\beta) = \beta$.
    Add ``bias_tol`` when the assertion uses one.

    Args:
        se: standard error(s) of the mean, $\sigma/\sqrt n$ (scalar or array, > 0).

    >>> round(min_discrepancy_mean(1.0, false_fail_rate=0.05, false_pass_rate=0.5), 6)
    1.959964
    """
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    m = _check_pos_int("n_comparisons", n_comparisons)
    s = _as_finite_array("se", se)
    if np.any(s <= 0):
        raise ValueError(f"se={se!r} must be > 0")
    out = (z_threshold(alpha / m) + _z_one_sided(beta)) * s
    return float(out) if out.ndim == 0 else out


def min_num_samples_mean(
    sd,
    discrepancy,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    false_pass_rate: float = DEFAULT_RATE,
    n_comparisons: int = 1,
):
    r"""Samples needed for :func:`assert_mean` to detect ``discrepancy``: $\lceil ((z_{\alpha'} + z_\beta)\sigma/\delta)^2 \rceil$.

    The inverse of :func:`min_discrepancy_mean` with $SE = \sigma/\sqrt n$: it returns the
    smallest $n$ with ``min_discrepancy_mean(sd / sqrt(n)) <= discrepancy``.  Note that
    :func:`assert_mean` also enforces $n \ge$ ``min_samples``.

    Args:
        sd: standard deviation $\sigma$ of one sample (> 0; scalar or array).
        discrepancy: the mean error $\delta$ to detect (> 0; scalar or array).

    >>> min_num_samples_mean(1.0, 0.1, false_fail_rate=0.05, false_pass_rate=0.5)
    385
    """
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    m = _check_pos_int("n_comparisons", n_comparisons)
    s = _as_finite_array("sd", sd)
    d = _as_finite_array("discrepancy", discrepancy)
    if np.any(s <= 0):
        raise ValueError(f"sd={sd!r} must be > 0")
    if np.any(d <= 0):
        raise ValueError(f"discrepancy={discrepancy!r} must be > 0")
    c = z_threshold(alpha / m) + _z_one_sided(beta)
    n = np.ceil((c * s / d) ** 2 * (1 - 1e-12)).astype(np.int64)  # guard ceil against a rounding tick above an integer
    n = np.maximum(n, 1)
    return int(n) if n.ndim == 0 else n


def assert_second_moment(a, b, predicted, **options) -> TestResult:
    r"""Check $E[a\,b] = $ ``predicted`` from paired samples: :func:`assert_mean` on $a_i b_i$.

    Used for covariance claims such as $E[f(x) f(x')] = K(x, x')$, where $a_i = f_i(x)$ and
    $b_i = f_i(x')$ come from the same random network $i$.  ``a`` and ``b`` must have the same
    shape, ``(n,)`` or ``(n, k)``; all keyword options are those of :func:`assert_mean`.
    """
    a_arr = _as_finite_array("a", a)
    b_arr = _as_finite_array("b", b)
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"a and b must be paired samples of the same shape; got {a_arr.shape} and {b_arr.shape}")
    return assert_mean(a_arr * b_arr, predicted, **options)


# --------------------------------------------------------------------------- DKWM


def dkwm_envelope(n: int, rate: float) -> float:
    r"""DKWM half-width $\varepsilon(\alpha, n) = \sqrt{\ln(2/\alpha) / (2n)}$.

    For i.i.d. samples from any continuous $F$, $P(\sup_x |F_n(x) - F(x)| > \varepsilon) \le
    2 e^{-2 n \varepsilon^2} = \alpha$ (Massart 1990): a finite-sample bound, no asymptotics.

    >>> round(dkwm_envelope(10_000, 2 * math.exp(-2)), 12)
    0.01
    """
    nn = _check_pos_int("n", n)
    r = _check_rate("rate", rate)
    return math.sqrt(math.log(2.0 / r) / (2.0 * nn))


def _ks_distance_to_cdf(x_sorted: np.ndarray, f: np.ndarray) -> float:
    n = x_sorted.shape[0]
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))


def assert_cdf_dkwm(
    samples,
    cdf: Callable[[np.ndarray], np.ndarray],
    *,
    false_fail_rate: float = DEFAULT_RATE,
    model_tol: float = 0.0,
    false_pass_rate: float = DEFAULT_RATE,
    raise_on_failure: bool = True,
) -> TestResult:
    r"""Distribution equality by the DKWM envelope: rejects iff $\sup_x |F_n(x) - F(x)| > \varepsilon(\alpha, n) + \text{model\_tol}$.

    $\varepsilon(\alpha, n) = \sqrt{\ln(2/\alpha)/(2n)}$ (:func:`dkwm_envelope`).  Valid for
    any continuous $F$, any $\alpha$ and any $n$; it is conservative (the exact KS quantile
    is slightly smaller), so the true false-fail rate is at most $\alpha$.  ``model_tol`` is a
    documented sup-distance tolerance for a known finite-size bias; a bare test would
    otherwise always reject at large $n$.

    The statistic is computed exactly from the sorted sample $x_{(1)} \le \dots \le x_{(n)}$:
    $D_n = \max_i \max(i/n - F(x_{(i)}),\; F(x_{(i)}) - (i-1)/n)$.

    Args:
        samples: 1-D array of i.i.d. draws.
        cdf: vectorised CDF $F$ of the claimed distribution (values in $[0, 1]$, non-decreasing).
        false_fail_rate: $\alpha$.
        model_tol: non-negative tolerance on the sup-distance.
        false_pass_rate: $\beta$, used only to report ``detectable_discrepancy``.
        raise_on_failure: raise :class:`StatisticalTestFailure` when the check rejects.

    Raises:
        TypeError: if ``cdf`` is not callable.
        ValueError: on bad samples, CDF values outside $[0, 1]$ or decreasing, or invalid options.
    """
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    tol = _check_nonneg("model_tol", model_tol)
    if not callable(cdf):
        raise TypeError(f"cdf={cdf!r} must be a callable mapping an array of points to CDF values")
    x = _as_finite_array("samples", samples)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"samples must be a non-empty 1-D array; got shape {x.shape}")
    n = x.shape[0]
    xs = np.sort(x)
    f = np.asarray(cdf(xs), dtype=float)
    if f.shape != xs.shape:
        raise ValueError(f"cdf returned shape {f.shape} for input shape {xs.shape}; it must be vectorised")
    if not np.all(np.isfinite(f)) or np.any(f < 0) or np.any(f > 1):
        raise ValueError("cdf returned values outside [0, 1] (or non-finite); pass a cumulative distribution function")
    if np.any(np.diff(f) < -1e-12):
        raise ValueError("cdf is decreasing somewhere on the samples; pass a cumulative distribution function")
    d = _ks_distance_to_cdf(xs, f)
    eps = dkwm_envelope(n, alpha)
    threshold = eps + tol
    passed = d <= threshold
    detail = (
        f"assert_cdf_dkwm {'passed' if passed else 'FAILED'}: sup|F_n - F| = {d:.4g}, allowed "
        f"DKWM envelope {eps:.4g} + model_tol {tol:.3g} = {threshold:.4g} [n={n}, false_fail_rate={alpha:.3g}]"
    )
    result = TestResult(
        passed=bool(passed),
        statistic=d,
        threshold=threshold,
        false_fail_rate=alpha,
        detectable_discrepancy=tol + min_discrepancy_dkwm(n, false_fail_rate=alpha, false_pass_rate=beta),
        n_samples=n,
        observed=d,
        predicted=0.0,
        detail=detail,
    )
    return _finish(result, raise_on_failure)


def min_discrepancy_dkwm(
    n: int,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    false_pass_rate: float = DEFAULT_RATE,
) -> float:
    r"""Smallest sup-distance $\sup|G - F|$ that :func:`assert_cdf_dkwm` detects: $\varepsilon(\alpha, n) + \varepsilon(\beta, n)$.

    If the samples come from $G$ with $\sup|G - F| = \delta$, then with probability
    $\ge 1 - \beta$ we have $\sup|F_n - G| \le \varepsilon(\beta, n)$, hence
    $\sup|F_n - F| \ge \delta - \varepsilon(\beta, n) > \varepsilon(\alpha, n)$ whenever
    $\delta > \varepsilon(\alpha, n) + \varepsilon(\beta, n)$.  Add ``model_tol`` if used.
    """
    nn = _check_pos_int("n", n)
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    return dkwm_envelope(nn, alpha) + dkwm_envelope(nn, beta)


def min_num_samples_dkwm(
    discrepancy: float,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    false_pass_rate: float = DEFAULT_RATE,
) -> int:
    r"""Samples for :func:`assert_cdf_dkwm` to detect sup-distance $\delta$: $\lceil (\sqrt{\ln(2/\alpha)} + \sqrt{\ln(2/\beta)})^2 / (2\delta^2) \rceil$.

    The inverse of :func:`min_discrepancy_dkwm`: the smallest $n$ with
    ``min_discrepancy_dkwm(n) <= discrepancy``.

    >>> min_num_samples_dkwm(0.1, false_fail_rate=2 * math.exp(-2), false_pass_rate=2 * math.exp(-2))
    400
    """
    delta = _real(discrepancy)
    if delta is None or not (0.0 < delta <= 1.0):
        raise ValueError(f"discrepancy={discrepancy!r} must lie in (0, 1] (a sup-distance between CDFs)")
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    c = math.sqrt(math.log(2.0 / alpha)) + math.sqrt(math.log(2.0 / beta))
    n = max(1, math.ceil(c * c / (2.0 * delta * delta) * (1 - 1e-12)))
    while min_discrepancy_dkwm(n, false_fail_rate=alpha, false_pass_rate=beta) > delta:  # rounding guard
        n += 1
    return n


def _two_sample_envelope(n: int, m: int, rate: float) -> float:
    return dkwm_envelope(n, rate / 2.0) + dkwm_envelope(m, rate / 2.0)


def min_discrepancy_two_sample_dkwm(
    n: int,
    m: int,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    false_pass_rate: float = DEFAULT_RATE,
) -> float:
    r"""Smallest $\sup|F - G|$ that :func:`assert_two_sample_dkwm` detects.

    $\varepsilon(\alpha/2, n) + \varepsilon(\alpha/2, m) + \varepsilon(\beta/2, n) + \varepsilon(\beta/2, m)$
    (the envelopes of both samples at both rates add, by the triangle inequality).
    """
    nn = _check_pos_int("n", n)
    mm = _check_pos_int("m", m)
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    return _two_sample_envelope(nn, mm, alpha) + _two_sample_envelope(nn, mm, beta)


def assert_two_sample_dkwm(
    x,
    y,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    model_tol: float = 0.0,
    false_pass_rate: float = DEFAULT_RATE,
    raise_on_failure: bool = True,
) -> TestResult:
    r"""Two samples from one continuous distribution: rejects iff $\sup|F_n - G_m| > \varepsilon(\alpha/2, n) + \varepsilon(\alpha/2, m) + \text{model\_tol}$.

    Under $F = G$, $\sup|F_n - G_m| \le \sup|F_n - F| + \sup|F - G_m|$ and each term exceeds
    its envelope at rate $\alpha/2$ with probability at most $\alpha/2$ (DKWM), so the
    false-fail rate is at most $\alpha$ for any $n$, $m$ (union bound; conservative).

    Args:
        x, y: 1-D arrays of i.i.d. draws (sizes $n$, $m$).
        false_fail_rate, model_tol, false_pass_rate, raise_on_failure: as in :func:`assert_cdf_dkwm`.
    """
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    tol = _check_nonneg("model_tol", model_tol)
    xa = _as_finite_array("x", x)
    ya = _as_finite_array("y", y)
    for name, arr in (("x", xa), ("y", ya)):
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    xs, ys = np.sort(xa), np.sort(ya)
    n, m = xs.size, ys.size
    pooled = np.concatenate([xs, ys])
    d = float(np.max(np.abs(np.searchsorted(xs, pooled, side="right") / n - np.searchsorted(ys, pooled, side="right") / m)))
    eps = _two_sample_envelope(n, m, alpha)
    threshold = eps + tol
    passed = d <= threshold
    detail = (
        f"assert_two_sample_dkwm {'passed' if passed else 'FAILED'}: sup|F_n - G_m| = {d:.4g}, allowed "
        f"{eps:.4g} + model_tol {tol:.3g} = {threshold:.4g} [n={n}, m={m}, false_fail_rate={alpha:.3g}]"
    )
    result = TestResult(
        passed=bool(passed),
        statistic=d,
        threshold=threshold,
        false_fail_rate=alpha,
        detectable_discrepancy=tol + min_discrepancy_two_sample_dkwm(n, m, false_fail_rate=alpha, false_pass_rate=beta),
        n_samples=n + m,
        observed=d,
        predicted=0.0,
        detail=detail,
    )
    return _finish(result, raise_on_failure)


# --------------------------------------------------------------------------- convergence rate


def assert_rate(
    sizes,
    errors,
    *,
    predicted_order: float,
    tolerance: float,
    raise_on_failure: bool = True,
) -> RateResult:
    r"""Empirical order of convergence: fit $\log e = a + s \log h$ by least squares; pass iff $|s - p| \le$ ``tolerance``.

    ``predicted_order`` $p$ is the expected slope $d\log(\text{error})/d\log(\text{size})$:
    $-1$ for an error $\propto 1/\text{width}$ against width, $0.5$ for Euler-Maruyama's strong
    error against the step $h$.  The standard error of the slope is
    $\sqrt{\mathrm{RSS}/((m-2) S_{xx})}$ with $S_{xx} = \sum (\log h_i - \overline{\log h})^2$.

    ``tolerance`` is a stated *modelling* tolerance, not a probability: pre-asymptotic terms
    and Monte Carlo noise bend the slope, and there is no false-fail rate to attach.  diffrax's
    SDE order tests use $\pm 0.4$ (``assert -0.4 < order - theoretical_order < 0.4``).  Report
    ``slope_stderr`` alongside: if it is comparable to ``tolerance``, the sweep is too noisy.

    Args:
        sizes: at least 3 positive sizes (widths, depths, step sizes), not all equal.
        errors: positive errors, same length.
        predicted_order: the slope theory predicts.
        tolerance: non-negative bound on $|s - p|$.
        raise_on_failure: raise :class:`StatisticalTestFailure` when the check rejects.
    """
    p = _real(predicted_order)
    if p is None or not math.isfinite(p):
        raise ValueError(f"predicted_order={predicted_order!r} must be a finite real number")
    tol = _check_nonneg("tolerance", tolerance)
    h = _as_finite_array("sizes", sizes)
    e = _as_finite_array("errors", errors)
    if h.ndim != 1 or e.ndim != 1 or h.shape != e.shape:
        raise ValueError(f"sizes and errors must be 1-D of equal length; got shapes {h.shape} and {e.shape}")
    if h.size < 3:
        raise ValueError(f"assert_rate needs at least 3 (size, error) pairs to fit a slope with a standard error; got {h.size}")
    if np.any(h <= 0):
        raise ValueError("sizes must all be > 0 (the fit is in log-log coordinates)")
    if np.any(e <= 0):
        raise ValueError("errors must all be > 0 (the fit is in log-log coordinates); an exact zero error has no order")
    lx, ly = np.log(h), np.log(e)
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    if sxx <= 0:
        raise ValueError("sizes must not all be equal; a slope needs at least two distinct sizes")
    slope = float(dx @ (ly - ly.mean()) / sxx)
    intercept = float(ly.mean() - slope * lx.mean())
    resid = ly - (intercept + slope * lx)
    stderr = math.sqrt(float(resid @ resid) / (h.size - 2) / sxx)
    passed = abs(slope - p) <= tol
    detail = (
        f"assert_rate {'passed' if passed else 'FAILED'}: fitted slope {slope:.4g} +- {stderr:.2g} (stderr) vs "
        f"predicted order {p:.4g}, tolerance {tol:.3g} [m={h.size} points]"
    )
    result = RateResult(
        passed=bool(passed), slope=slope, slope_stderr=stderr, intercept=intercept,
        predicted_order=p, tolerance=tol, n_points=int(h.size), detail=detail,
    )
    return _finish(result, raise_on_failure)


# --------------------------------------------------------------------------- calibration


def binomial_calibration(
    n_rejections: int,
    n_trials: int,
    nominal_rate: float,
    *,
    false_fail_rate: float = DEFAULT_RATE,
    alternative: str = "two-sided",
    false_pass_rate: float = DEFAULT_RATE,
    raise_on_failure: bool = True,
) -> TestResult:
    r"""Meta-test: is a rejection count consistent with a checker's nominal false-fail rate?

    Exact binomial test (``scipy.stats.binomtest``) of $H_0$: $K \sim \mathrm{Bin}(N, \alpha_0)$.
    Passes iff the p-value $\ge$ ``false_fail_rate``.  ``alternative="greater"`` tests only
    for *too many* rejections (use it for conservative checkers such as DKWM, whose true
    rate is at most nominal); ``"less"`` only for too few.

    ``detectable_discrepancy`` is the normal-approximation
    $(z + z_\beta)\sqrt{\alpha_0(1-\alpha_0)/N}$ in rejection-rate units ($z$ two- or one-sided).

    Returns:
        :class:`TestResult` with ``statistic`` = the p-value and ``threshold`` = ``false_fail_rate``
        (passing iff ``statistic >= threshold``); ``observed`` = $K/N$, ``predicted`` = $\alpha_0$.
    """
    alpha = _check_rate("false_fail_rate", false_fail_rate)
    beta = _check_rate("false_pass_rate", false_pass_rate)
    p0 = _check_rate("nominal_rate", nominal_rate)
    n = _check_pos_int("n_trials", n_trials)
    k = _check_pos_int("n_rejections", n_rejections, minimum=0)
    if k > n:
        raise ValueError(f"n_rejections={n_rejections!r} must be <= n_trials={n_trials!r}")
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"alternative={alternative!r} must be one of 'two-sided', 'greater', 'less'")
    pvalue = float(_st.binomtest(k, n, p0, alternative=alternative).pvalue)
    passed = pvalue >= alpha
    z = z_threshold(alpha) if alternative == "two-sided" else _z_one_sided(alpha)
    detectable = (z + _z_one_sided(beta)) * math.sqrt(p0 * (1 - p0) / n)
    detail = (
        f"binomial_calibration {'passed' if passed else 'FAILED'}: {k}/{n} = {k / n:.4g} rejections vs nominal "
        f"{p0:.3g} ({alternative}), p-value {pvalue:.3g} vs threshold {alpha:.3g}"
    )
    result = TestResult(
        passed=bool(passed), statistic=pvalue, threshold=alpha, false_fail_rate=alpha,
        detectable_discrepancy=detectable, n_samples=n, observed=k / n, predicted=p0, detail=detail,
    )
    return _finish(result, raise_on_failure)
