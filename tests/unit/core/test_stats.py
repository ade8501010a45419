"""Statistical assertions (verify/stats.py): power, size, inverses, bad input and calibration.

Every test that draws random data states its own false-failure budget, 1e-6 per test
function: with hypothesis running at most MAX_EXAMPLES examples, each assertion runs at
``bonferroni(1e-6, MAX_EXAMPLES)``.  Tests that plant a discrepancy size it at
``min_discrepancy_*`` with false_pass_rate ``bonferroni(1e-6, MAX_EXAMPLES)``, so a correct
checker passes the planted data (and fails this test) with probability <= 1e-6.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as sst
from scipy.signal import lfilter

from verify.core import stats
from verify.core.stats import (
    RateResult,
    StatisticalTestFailure,
    TestResult,
    assert_cdf_dkwm,
    assert_mean,
    assert_rate,
    assert_second_moment,
    assert_two_sample_dkwm,
    binomial_calibration,
    bonferroni,
    min_discrepancy_dkwm,
    min_discrepancy_mean,
    min_discrepancy_two_sample_dkwm,
    min_num_samples_dkwm,
    min_num_samples_mean,
    z_threshold,
)

BUDGET = 1e-6  # false-failure budget per test function
MAX_EXAMPLES = 20
PER_EXAMPLE = bonferroni(BUDGET, MAX_EXAMPLES + 1)  # +1 for the pinned @example
N = 20_000

seeds = st.integers(0, 2**32 - 1)
rates = st.floats(1e-12, 0.5, allow_subnormal=False)
mc = settings(deadline=None, max_examples=MAX_EXAMPLES)


# --------------------------------------------------------------------------- rates


def test_bonferroni_and_z_threshold():
    assert bonferroni(1e-6, 20) == pytest.approx(5e-8, rel=1e-15)
    assert z_threshold(0.05) == pytest.approx(1.959963984540054, rel=1e-14)
    # the engineering notes: z = 4.89 for one comparison at 1e-6, 5.73 for 100
    assert z_threshold(1e-6) == pytest.approx(4.8916, abs=1e-4)
    assert z_threshold(bonferroni(1e-6, 100)) == pytest.approx(5.7307, abs=1e-4)


# --------------------------------------------------------------------------- mean: size and power


@mc
@given(seed=seeds, mu=st.floats(-10, 10), scale=st.floats(1e-3, 1e3), skewed=st.booleans())
@example(seed=0, mu=0.0, scale=1.0, skewed=True)
def test_assert_mean_passes_under_the_null(seed, mu, scale, skewed):
    # size: each example rejects correct data with probability <= PER_EXAMPLE (CLT at n = 2e4;
    # for the exponential the Edgeworth correction at z ~ 5.6 is ~10 % of that, within budget)
    rng = np.random.default_rng(seed)
    x = mu + scale * (rng.exponential(size=N) - 1.0 if skewed else rng.standard_normal(N))
    r = assert_mean(x, mu, false_fail_rate=PER_EXAMPLE)
    assert isinstance(r, TestResult) and r.passed and r.n_samples == N
    assert r.statistic <= r.threshold == pytest.approx(z_threshold(PER_EXAMPLE))
    assert isinstance(r.observed, float) and isinstance(r.predicted, float)


@mc
@given(seed=seeds, scale=st.floats(1e-3, 1e3), sign=st.sampled_from([-1.0, 1.0]))
@example(seed=0, scale=1.0, sign=1.0)
def test_assert_mean_fails_on_a_planted_discrepancy(seed, scale, sign):
    # power: a shift of 1.25 * min_discrepancy at false_pass_rate = PER_EXAMPLE; the 25 % margin
    # covers the estimated SE (relative error ~ 1 / sqrt(2N) = 0.5 %, far below 25 % at 1e-8 odds)
    rng = np.random.default_rng(seed)
    ff = 1e-6
    delta = 1.25 * min_discrepancy_mean(scale / math.sqrt(N), false_fail_rate=ff, false_pass_rate=PER_EXAMPLE)
    x = scale * rng.standard_normal(N) + sign * delta
    r = assert_mean(x, 0.0, false_fail_rate=ff, raise_on_failure=False)
    assert not r.passed and r.statistic > r.threshold
    with pytest.raises(StatisticalTestFailure, match="FAILED") as info:
        assert_mean(x, 0.0, false_fail_rate=ff)
    assert info.value.result == r and isinstance(info.value, AssertionError)


@mc
@given(seed=seeds)
def test_assert_mean_joint_components_and_bias_tol(seed):
    rng = np.random.default_rng(seed)
    k = 3
    mu = np.array([0.5, -1.0, 2.0])
    x = mu + rng.standard_normal((N, k)) * np.array([1.0, 0.1, 3.0])
    r = assert_mean(x, mu, false_fail_rate=PER_EXAMPLE)  # Bonferroni over k inside
    assert r.passed and r.threshold == pytest.approx(z_threshold(PER_EXAMPLE / k))
    assert r.observed.shape == r.predicted.shape == (k,)
    # one component off by a planted shift (1.25 x detectable at false_pass_rate PER_EXAMPLE): rejects
    delta = 1.25 * min_discrepancy_mean(3.0 / math.sqrt(N), false_fail_rate=PER_EXAMPLE,
                                        false_pass_rate=PER_EXAMPLE, n_comparisons=k)
    shifted = mu + np.array([0.0, 0.0, delta])
    assert not assert_mean(x, shifted, false_fail_rate=PER_EXAMPLE, raise_on_failure=False).passed
    # ... unless the modelling tolerance covers it (deterministic given the pass above:
    # |mean - shifted| <= |mean - mu| + delta <= z SE + bias_tol)
    assert assert_mean(x, shifted, false_fail_rate=PER_EXAMPLE, bias_tol=delta).passed


@mc
@given(seed=seeds)
def test_assert_mean_batch_means_on_correlated_data(seed):
    # AR(1) with phi = 0.5: the i.i.d. SE is too small by sqrt((1+phi)/(1-phi)) = 1.73; batch means
    # (20 batches of 1000 >> correlation time 2) with a t(19) quantile are calibrated
    rng = np.random.default_rng(seed)
    phi, n = 0.5, 20_000
    eps = rng.standard_normal(n)
    eps[0] /= math.sqrt(1 - phi**2)  # stationary start
    x = lfilter([1.0], [1.0, -phi], eps)  # x_i = phi x_{i-1} + eps_i
    r = assert_mean(x, 0.0, false_fail_rate=PER_EXAMPLE, batches=20)
    assert r.passed and r.threshold == pytest.approx(sst.t.isf(PER_EXAMPLE / 2, 19))


def test_assert_mean_zero_variance_is_exact():
    x = np.full(10_000, 3.0)
    assert assert_mean(x, 3.0).passed
    assert not assert_mean(x, 3.0 + 1e-9, raise_on_failure=False).passed
    assert assert_mean(x, 3.0 + 1e-9, bias_tol=2e-9).passed


@mc
@given(seed=seeds, rho=st.floats(-0.95, 0.95))
@example(seed=0, rho=0.0)
def test_assert_second_moment(seed, rho):
    # E[a b] = rho for standard bivariate normals; Var(ab) = 1 + rho^2
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal((2, N))
    a, b = u, rho * u + math.sqrt(1 - rho**2) * v
    assert assert_second_moment(a, b, rho, false_fail_rate=PER_EXAMPLE).passed
    delta = 1.25 * min_discrepancy_mean(math.sqrt((1 + rho**2) / N), false_fail_rate=PER_EXAMPLE,
                                        false_pass_rate=PER_EXAMPLE)
    assert not assert_second_moment(a, b, rho + delta, false_fail_rate=PER_EXAMPLE, raise_on_failure=False).passed


# --------------------------------------------------------------------------- DKWM: size and power (finite-sample exact)


def _shift_for_sup_distance(delta):
    # sup_x |Phi(x) - Phi(x - mu)| = 2 Phi(mu / 2) - 1
    return 2.0 * sst.norm.ppf((1.0 + delta) / 2.0)


@mc
@given(seed=seeds, n=st.integers(10, 20_000))
@example(seed=0, n=10)
def test_assert_cdf_dkwm_size_and_power(seed, n):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    r = assert_cdf_dkwm(z, sst.norm.cdf, false_fail_rate=PER_EXAMPLE)  # DKWM: rate <= PER_EXAMPLE, any n
    assert r.passed and r.threshold == pytest.approx(math.sqrt(math.log(2 / PER_EXAMPLE) / (2 * n)))
    # the statistic is the Kolmogorov-Smirnov distance
    assert r.statistic == pytest.approx(sst.kstest(z, "norm").statistic, abs=1e-12)
    delta = min_discrepancy_dkwm(n, false_fail_rate=PER_EXAMPLE, false_pass_rate=PER_EXAMPLE)
    if delta < 1.0:
        shifted = z + _shift_for_sup_distance(delta) * 1.0001
        assert not assert_cdf_dkwm(shifted, sst.norm.cdf, false_fail_rate=PER_EXAMPLE, raise_on_failure=False).passed
    # a model tolerance as large as the planted distance accepts again (deterministically: triangle inequality)
    assert assert_cdf_dkwm(z + 0.5, sst.norm.cdf, false_fail_rate=PER_EXAMPLE,
                           model_tol=2 * sst.norm.cdf(0.25) - 1).passed


@mc
@given(seed=seeds, n=st.integers(50, 10_000), m=st.integers(50, 10_000))
def test_assert_two_sample_dkwm_size_and_power(seed, n, m):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(n), rng.standard_normal(m)
    r = assert_two_sample_dkwm(x, y, false_fail_rate=PER_EXAMPLE)
    assert r.passed and r.n_samples == n + m
    assert r.statistic == pytest.approx(sst.ks_2samp(x, y).statistic, abs=1e-12)
    delta = min_discrepancy_two_sample_dkwm(n, m, false_fail_rate=PER_EXAMPLE, false_pass_rate=PER_EXAMPLE)
    if delta < 1.0:
        y_shift = y + _shift_for_sup_distance(delta) * 1.0001
        assert not assert_two_sample_dkwm(x, y_shift, false_fail_rate=PER_EXAMPLE, raise_on_failure=False).passed


# --------------------------------------------------------------------------- min_num_samples <-> min_discrepancy


@mc
@given(sd=st.floats(1e-3, 1e3), rel=st.floats(1e-3, 10.0), ff=rates, fp=rates, k=st.integers(1, 50))
def test_mean_sample_size_and_discrepancy_are_inverse(sd, rel, ff, fp, k):
    delta = rel * sd
    n = min_num_samples_mean(sd, delta, false_fail_rate=ff, false_pass_rate=fp, n_comparisons=k)
    opts = {"false_fail_rate": ff, "false_pass_rate": fp, "n_comparisons": k}
    assert min_discrepancy_mean(sd / math.sqrt(n), **opts) <= delta * (1 + 1e-12)
    if n > 1:
        assert min_discrepancy_mean(sd / math.sqrt(n - 1), **opts) > delta * (1 - 1e-12)


@mc
@given(delta=st.floats(1e-3, 1.0), ff=rates, fp=rates)
@example(delta=1.0, ff=0.5, fp=0.5)
def test_dkwm_sample_size_and_discrepancy_are_inverse(delta, ff, fp):
    n = min_num_samples_dkwm(delta, false_fail_rate=ff, false_pass_rate=fp)
    assert min_discrepancy_dkwm(n, false_fail_rate=ff, false_pass_rate=fp) <= delta
    if n > 1:
        assert min_discrepancy_dkwm(n - 1, false_fail_rate=ff, false_pass_rate=fp) > delta


def test_detectable_discrepancy_is_reported():
    x = np.random.default_rng(1).standard_normal(N)
    r = assert_mean(x, 0.0, bias_tol=0.01)
    assert r.detectable_discrepancy == pytest.approx(0.01 + min_discrepancy_mean(x.std(ddof=1) / math.sqrt(N)))
    r = assert_cdf_dkwm(x, sst.norm.cdf, model_tol=0.01)
    assert r.detectable_discrepancy == pytest.approx(0.01 + min_discrepancy_dkwm(N))


# --------------------------------------------------------------------------- convergence rate


@mc
@given(seed=seeds, order=st.floats(-2.0, 2.0), log_c=st.floats(-5, 5))
@example(seed=0, order=-1.0, log_c=0.0)
def test_assert_rate(seed, order, log_c):
    # log-normal noise of 5 %: the slope's sd is 0.05 / sqrt(S_xx) = 0.017, so a tolerance of 0.2
    # is 11 sd (false-fail probability ~1e-28, Gaussian noise), and a 0.5 error in the order fails
    rng = np.random.default_rng(seed)
    sizes = 2.0 ** np.arange(4, 10)
    errors = np.exp(log_c) * sizes**order * np.exp(0.05 * rng.standard_normal(sizes.size))
    r = assert_rate(sizes, errors, predicted_order=order, tolerance=0.2)
    assert isinstance(r, RateResult) and r.passed
    ref = sst.linregress(np.log(sizes), np.log(errors))
    assert r.slope == pytest.approx(ref.slope, rel=1e-10, abs=1e-12)
    assert r.slope_stderr == pytest.approx(ref.stderr, rel=1e-8)
    assert r.intercept == pytest.approx(ref.intercept, rel=1e-10, abs=1e-10)
    assert not assert_rate(sizes, errors, predicted_order=order + 0.5, tolerance=0.2, raise_on_failure=False).passed
    with pytest.raises(StatisticalTestFailure, match="predicted order"):
        assert_rate(sizes, errors, predicted_order=order - 0.5, tolerance=0.2)


def test_assert_rate_exact_power_law():
    r = assert_rate([1, 10, 100], [1.0, 0.1, 0.01], predicted_order=-1.0, tolerance=1e-12)
    assert r.slope == pytest.approx(-1.0, abs=1e-14) and r.slope_stderr < 1e-12 and r.n_points == 3


# --------------------------------------------------------------------------- binomial calibration


def test_binomial_calibration():
    assert binomial_calibration(50, 5000, 1e-2).passed
    r = binomial_calibration(150, 5000, 1e-2, raise_on_failure=False)
    assert not r.passed and r.statistic < r.threshold and r.observed == pytest.approx(0.03)
    assert binomial_calibration(0, 5000, 1e-2, alternative="greater").passed
    assert not binomial_calibration(0, 5000, 1e-2, raise_on_failure=False).passed  # two-sided: too few
    with pytest.raises(StatisticalTestFailure):
        binomial_calibration(150, 5000, 1e-2, alternative="greater")


# --------------------------------------------------------------------------- bad input


GOOD = np.zeros(10_000)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: assert_mean(np.zeros(9_999), 0.0), "min_samples=10000"),
        (lambda: assert_mean(np.zeros(100), 0.0), "got n=100"),
        (lambda: assert_mean(GOOD, 0.0, false_fail_rate=-1e-3), "false_fail_rate=-0.001"),
        (lambda: assert_mean(GOOD, 0.0, false_fail_rate=0.0), r"false_fail_rate=0.0 must be a real number in the open interval \(0, 1\)"),
        (lambda: assert_mean(GOOD, 0.0, false_fail_rate=1.0), "false_fail_rate=1.0"),
        (lambda: assert_mean(GOOD, 0.0, false_fail_rate=True), "false_fail_rate=True"),
        (lambda: assert_mean(GOOD, 0.0, false_pass_rate=2.0), "false_pass_rate=2.0"),
        (lambda: assert_mean(GOOD, 0.0, bias_tol=-0.1), "bias_tol=-0.1"),
        (lambda: assert_mean(GOOD, 0.0, bias_tol=math.nan), "bias_tol=nan"),
        (lambda: assert_mean(GOOD, 0.0, min_samples=1), "min_samples=1"),
        (lambda: assert_mean(GOOD, 0.0, batches=1), "batches=1"),
        (lambda: assert_mean(GOOD, 0.0, batches=3), "batches=3 must divide n=10000"),
        (lambda: assert_mean(GOOD, [0.0, 1.0]), "predicted has shape"),
        (lambda: assert_mean(np.zeros((10_000, 3)), [0.0, 1.0]), "predicted has shape"),
        (lambda: assert_mean(np.zeros((10_000, 2, 2)), 0.0), "shape"),
        (lambda: assert_mean(np.r_[GOOD, np.nan], 0.0), "non-finite"),
        (lambda: assert_second_moment(GOOD, np.zeros(10_001), 0.0), "same shape"),
        (lambda: min_discrepancy_mean(0.0), "se=0.0"),
        (lambda: min_discrepancy_mean(1.0, false_pass_rate=0), "false_pass_rate=0"),
        (lambda: min_discrepancy_mean(1.0, n_comparisons=0), "n_comparisons=0"),
        (lambda: min_num_samples_mean(1.0, 0.0), "discrepancy=0.0"),
        (lambda: min_num_samples_mean(-1.0, 0.1), "sd=-1.0"),
        (lambda: assert_cdf_dkwm(GOOD, sst.norm.cdf, false_fail_rate=1.5), "false_fail_rate=1.5"),
        (lambda: assert_cdf_dkwm(GOOD, sst.norm.cdf, model_tol=-0.01), "model_tol=-0.01"),
        (lambda: assert_cdf_dkwm(GOOD + 1.0, lambda x: 2 * sst.norm.cdf(x)), r"outside \[0, 1\]"),
        (lambda: assert_cdf_dkwm(np.arange(5.0), lambda x: 1 - sst.norm.cdf(x)), "decreasing"),
        (lambda: assert_cdf_dkwm(np.zeros((3, 3)), sst.norm.cdf), "1-D"),
        (lambda: assert_cdf_dkwm([], sst.norm.cdf), "non-empty"),
        (lambda: assert_two_sample_dkwm(GOOD, [], false_fail_rate=0.1), "y must be a non-empty"),
        (lambda: min_discrepancy_dkwm(0), "n=0"),
        (lambda: min_num_samples_dkwm(0.0), "discrepancy=0.0"),
        (lambda: min_num_samples_dkwm(1.5), "discrepancy=1.5"),
        (lambda: min_num_samples_dkwm(0.1, false_pass_rate=-1.0), "false_pass_rate=-1.0"),
        (lambda: assert_rate([1, 2, 4], [1.0, 0.0, 0.25], predicted_order=-1, tolerance=0.1), "errors must all be > 0"),
        (lambda: assert_rate([1, 2, 4], [1.0, -0.5, 0.25], predicted_order=-1, tolerance=0.1), "errors must all be > 0"),
        (lambda: assert_rate([1, 0, 4], [1.0, 0.5, 0.25], predicted_order=-1, tolerance=0.1), "sizes must all be > 0"),
        (lambda: assert_rate([1, 2], [1.0, 0.5], predicted_order=-1, tolerance=0.1), "at least 3"),
        (lambda: assert_rate([2, 2, 2], [1.0, 0.5, 0.25], predicted_order=-1, tolerance=0.1), "not all be equal"),
        (lambda: assert_rate([1, 2, 4], [1.0, 0.5], predicted_order=-1, tolerance=0.1), "equal length"),
        (lambda: assert_rate([1, 2, 4], [1.0, 0.5, 0.25], predicted_order=-1, tolerance=-0.1), "tolerance=-0.1"),
        (lambda: assert_rate([1, 2, 4], [1.0, 0.5, 0.25], predicted_order=math.inf, tolerance=0.1), "predicted_order=inf"),
        (lambda: binomial_calibration(51, 50, 0.1), "n_rejections=51 must be <= n_trials=50"),
        (lambda: binomial_calibration(-1, 50, 0.1), "n_rejections=-1"),
        (lambda: binomial_calibration(1, 50, 1.0), "nominal_rate=1.0"),
        (lambda: binomial_calibration(1, 50, 0.1, alternative="bigger"), "alternative='bigger'"),
        (lambda: bonferroni(1e-6, 0), "n_comparisons=0"),
        (lambda: bonferroni(1.0, 3), "rate=1.0"),
        (lambda: z_threshold(-0.5), "rate=-0.5"),
    ],
)
def test_bad_input_raises_valueerror(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_callable_cdf_is_a_type_error():
    with pytest.raises(TypeError, match="cdf='norm' must be a callable"):
        assert_cdf_dkwm(GOOD, "norm")


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        assert_mean(GOOD, 0.0, 1e-6)  # type: ignore[misc]
    with pytest.raises(TypeError):
        assert_rate([1, 2, 4], [1.0, 0.5, 0.25], -1.0, 0.1)  # type: ignore[misc]


def test_module_imports_only_numpy_scipy_math():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(stats))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    assert roots <= {"numpy", "scipy", "math", "__future__", "dataclasses", "collections"}


# --------------------------------------------------------------------------- slow calibration meta-tests

N_DATASETS = 5_000
N_PER_DATASET = 10_000
NOMINAL = 1e-2


def _exponential_datasets(seed, chunk=250):
    rng = np.random.default_rng(seed)
    for _ in range(N_DATASETS // chunk):
        yield from rng.exponential(size=(chunk, N_PER_DATASET))


@pytest.mark.slow
def test_calibration_assert_mean_exponential():
    # 5000 independent Exp(1) null datasets (skewness 2) of n = 1e4 at nominal 1e-2: the rejection
    # count must be consistent with Bin(5000, 1e-2) (exact two-sided binomial test at 1e-6)
    t0 = time.perf_counter()
    rejections = sum(not assert_mean(x, 1.0, false_fail_rate=NOMINAL, raise_on_failure=False).passed
                     for x in _exponential_datasets(20240601))
    r = binomial_calibration(rejections, N_DATASETS, NOMINAL)
    print(f"\nassert_mean z-test: {r.detail} [{time.perf_counter() - t0:.1f} s]")


@pytest.mark.slow
def test_calibration_assert_mean_batch_means_exponential():
    t0 = time.perf_counter()
    rejections = sum(not assert_mean(x, 1.0, false_fail_rate=NOMINAL, batches=20, raise_on_failure=False).passed
                     for x in _exponential_datasets(20240602))
    r = binomial_calibration(rejections, N_DATASETS, NOMINAL)
    print(f"\nassert_mean batch-means t: {r.detail} [{time.perf_counter() - t0:.1f} s]")


@pytest.mark.slow
def test_calibration_assert_cdf_dkwm_is_conservative():
    # DKWM is a finite-sample bound: the true rate is <= nominal, so test only for too many rejections
    t0 = time.perf_counter()
    rejections = sum(not assert_cdf_dkwm(x, sst.expon.cdf, false_fail_rate=NOMINAL, raise_on_failure=False).passed
                     for x in _exponential_datasets(20240603))
    r = binomial_calibration(rejections, N_DATASETS, NOMINAL, alternative="greater")
    print(f"\nassert_cdf_dkwm: {r.detail} [{time.perf_counter() - t0:.1f} s]")
