"""Claims of the depth-and-width regime: planted wrong formulas are rejected, the falsifier reports its d/n.

The shipped claims themselves run in ``tests/claims/test_shipped_and_kernel.py`` (every claim, quick profile).
Each planted prediction fails, asserted on the structured outcomes (``data["outcomes"]``,
``data["power"]``), never on message text:

* x1.05 and x0.95 on the Hanin-Nica moments at (relu, n = 8, d = 48): the mean moves by 0.96, detectable ~0.6;
* x1.05 and x0.95 on the hypoactivation series of the standard ResNet (lambda^2 = 1/2): the lag-one
  correlation moves by 0.033 (detectable ~0.02), the pattern overlap by 0.019 (detectable ~0.001)
  (a 5% error on the covariance-SDE and falsifier predictions is below those claims' power: see their relative
  detectable discrepancies in docs/claims/);
* x1.05 and x0.95 on the log-Gaussian limit at (standard ResNet, beta = 1, lambda^2 = 1/2): the mean per unit
  beta moves by 0.099 (detectable ~0.035 with the martingale control and antithetic pairs), the CDF points by
  0.008-0.042 (slow marker: two runs of the pinned example);
* the thorough-profile failures of issue 12: at beta = 0.25 settled by the derived finite-depth terms, at beta = 1
  by the quadratic fit in 1/n (the same networks fitted linearly fail; quality marker);
* a ResNet row averages ceil(128/n) consecutive antithetic pairs of the width's draws;
* x1.05 on the generated limit_mean on both sides of the moment check (finding 4 of issue 12): absorbed by the
  offset for FC and the standard ResNet (their limit records are tied down deterministically, e.g. the FC
  Richardson limit), caught for the balanced ResNet;
* 5 beta -> 4 beta in the FC ReLU law: the mean per unit beta moves by 0.5, detectable ~0.4-0.7;
* the balanced variance used for the standard ResNet: 2.25 beta against 5.44 beta (detectable ~1.3);
* claim.covariance_sde's planted errors (Ito's correction dropped, x1.05, x0.95) are in
  ``tests/claims/test_covariance_sde_claim.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import strategies as st

from verify.claims import PROFILES, Profile, check
from verify.claims import log_gaussian as lg

QUICK = PROFILES["quick"]


def _rejected(res):
    assert not res.passed
    assert res.counterexample is not None
    params, seed, result = res.counterexample
    assert isinstance(seed, int)
    assert not result.passed and result.statistic > result.threshold
    return params, result


def _failed(result):
    return [o["name"] for o in result.data["outcomes"] if not o["passed"]]


def _pinned_rate(claim):
    """The false-failure rate a pinned example gets in the quick profile."""
    drawn = QUICK.max_examples if claim.max_examples is None else min(QUICK.max_examples, claim.max_examples)
    return claim.false_fail_rate / (drawn + len(claim.examples))


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_five_percent_on_the_hanin_nica_moments_is_rejected(factor):
    claim = lg.HN_EXACT_CLAIM
    wrong = claim.with_prediction(lambda p: {"log-norm moments": factor * claim.predict(p)["log-norm moments"]})
    result = wrong.run(wrong, {"activation": "relu", "width": 8, "depth": 48}, 0, _pinned_rate(claim), QUICK)
    assert _failed(result) == ["log-norm moments"]
    mean_row = result.data["power"][0]
    assert abs(mean_row["observed"] - mean_row["predicted"]) > mean_row["detectable"]


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_five_percent_on_the_hypoactivation_series_is_rejected(factor):
    claim = lg.HYPO_CLAIM
    wrong = claim.with_prediction(lambda p: {k: factor * v for k, v in claim.predict(p).items()})
    result = wrong.run(wrong, {"block": "standard", "lambda2": 0.5}, 0, _pinned_rate(claim), QUICK)
    assert {lg.HYPO_CORRELATION, lg.HYPO_PATTERNS} <= set(_failed(result))
    rows = {r["component"]: r for r in result.data["power"]}
    # antithetic pairs: the deficits are measured to ~10-15% (quadratic fit), the lag-one correlation to ~3%, the
    # overlap to ~0.3% (planted errors in the deficits alone: tests/claims/test_hypoactivation_claim.py)
    for name in ("corr(delta_l, delta_l+1)", "P(active at l and l+1)"):
        assert abs(rows[name]["observed"] - rows[name]["predicted"]) > rows[name]["detectable"]


@pytest.mark.slow  # two runs of the pinned example (~10 s CPU each)
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_five_percent_on_the_log_gaussian_limit_is_rejected(factor):
    claim = lg.LOG_GAUSSIAN_CLAIM
    wrong = claim.with_prediction(lambda p: {k: factor * v for k, v in claim.predict(p).items()})
    result = wrong.run(wrong, {"architecture": "resnet_standard", "beta": 1.0, "lambda2": 0.5}, 0,
                       _pinned_rate(claim), QUICK)
    assert "moments per beta" in _failed(result)
    mean_row = next(r for r in result.data["power"] if r["component"] == "E L_d / beta")
    assert abs(mean_row["observed"] - mean_row["predicted"]) > mean_row["detectable"]
    assert mean_row["relative"] < 0.05


@pytest.mark.quality  # two thorough-profile runs of one example (~1 min)
def test_finite_depth_terms_settle_the_thorough_failure_of_the_log_gaussian_claim():
    """Issue 12: at (standard ResNet, beta = 0.25, lambda^2 = 0.203) the thorough profile rejected the limit
    (Var L_d/beta extrapolated to 2.508 +- 0.024 against 2.691).  With the derived boundary terms of
    log_gaussian.resnet_standard removed before the fit, it passes; without them (the limit's moments in their place)
    the same networks fail.  Since the moments are fitted quadratically (third round) the quadratic absorbs most of
    the boundary terms' 1/n shape here (measured: the moment check passes without them, |z| < 5.9), and what fails
    is the CDF points, standardised by the wrong moments (|z| = 8.6 against 5.9)."""
    claim, params, thorough = lg.LOG_GAUSSIAN_CLAIM, {"architecture": "resnet_standard", "beta": 0.25,
                                                      "lambda2": 0.203}, PROFILES["thorough"]
    rate = claim.false_fail_rate / (thorough.max_examples + len(claim.examples))
    assert claim.run(claim, params, 0, rate, thorough).passed
    original = lg._finite_size_moments
    try:
        lg._finite_size_moments = lambda a, lam2, width, depth: lg._limit_per_beta(a, lam2) * depth / width
        result = claim.run(claim, params, 0, rate, thorough)
    finally:
        lg._finite_size_moments = original
    assert "standardised CDF" in _failed(result)


@pytest.mark.quality  # one thorough-profile simulation of one example (~1 min CPU on an idle core), fitted twice
def test_quadratic_fit_settles_the_thorough_failure_at_beta_one(monkeypatch):
    """Issue 12, third round: at (standard ResNet, beta = 1, lambda^2 = 0.25) the thorough profile rejected the limit
    mean (-1.13123 +- 0.0011 against -1.12339, a linear fit in 1/n).  The limit is right and the 1/n model was wrong:
    the moments carry a 1/n^2 term (bulk and the boundary's next order, measured ~ +40 per unit beta here), which
    biased the linear intercept by ~-0.7% (docs/claims/claim.log_gaussian.md).  With the quadratic fit
    (``LG_FIT_ORDER``) the example passes; the same networks fitted linearly fail."""
    claim, params = lg.LOG_GAUSSIAN_CLAIM, {"architecture": "resnet_standard", "beta": 1.0, "lambda2": 0.25}
    thorough = PROFILES["thorough"]
    rate = claim.false_fail_rate / (thorough.max_examples + len(claim.examples))
    assert claim.run(claim, params, 0, rate, thorough).passed
    monkeypatch.setitem(lg.LG_FIT_ORDER, "resnet_standard", 1)
    result = claim.run(claim, params, 0, rate, thorough)
    assert "moments per beta" in _failed(result)
    mean_row = next(r for r in result.data["power"] if r["component"] == "E L_d / beta")
    assert mean_row["observed"] < mean_row["predicted"]  # the linear fit's bias has the thorough failure's sign


def test_resnet_rows_average_consecutive_antithetic_pairs():
    """``lg_pairs_per_row``: ceil(128/n) antithetic pairs per ResNet row (1 for FC); a row is k consecutive pairs of
    the very draws ``log_norm_rows`` makes from the width's seed, so rows stay i.i.d. and pairs stay together."""
    from numerics.log_gaussian import log_norm_rows

    assert [lg.lg_pairs_per_row("resnet_standard", n) for n in lg.LG_WIDTHS] == [4, 2, 1, 1]
    assert lg.lg_pairs_per_row("resnet_balanced", 48) == 3 and lg.lg_pairs_per_row("fc_relu", 32) == 1
    L, A, beta_n, square = lg._shared_networks("resnet_standard", 1.0, 0.25, 32, 3, 5)
    flat_L, flat_A, _ = log_norm_rows("resnet_standard", lambda2=0.25, width=32, depth=32, n_rows=12,
                                      seed=np.random.SeedSequence(5, spawn_key=(32,)))
    assert L.shape == A.shape == (3, 8) and square is None and beta_n == 1.0
    np.testing.assert_array_equal(L, flat_L.reshape(3, 8))
    np.testing.assert_array_equal(A[1, :2], flat_A[4])  # row 1 starts with pair 4: the partners stay side by side
    assert lg._shared_networks("fc_relu", 1.0, 0.25, 32, 3, 5)[0].shape == (3, 1)


def test_planted_four_beta_instead_of_five_is_rejected():
    def predict(p):
        out = lg.LOG_GAUSSIAN_CLAIM.predict(p)
        return {**out, "moments per beta": np.array([-2.0, 4.0])} if p["architecture"] == "fc_relu" else out

    # no pinned example: hypothesis draws (beta, lambda2), fails, and shrinks them
    wrong = dataclasses.replace(lg.LOG_GAUSSIAN_CLAIM.with_prediction(predict), examples=(),
                                strategies={"architecture": st.just("fc_relu")})
    params, result = _rejected(check(wrong, profile=Profile("planted", max_examples=2, sample_scale=1.0)))
    assert params["architecture"] == "fc_relu" and params["beta"] in (0.25, 0.5, 1.0)
    assert _failed(result) == ["moments per beta"]


def test_planted_balanced_variance_for_the_standard_resnet_is_rejected():
    def predict(p):
        arch = "resnet_balanced" if p["architecture"] == "resnet_standard" else p["architecture"]
        return lg.LOG_GAUSSIAN_CLAIM.predict({**p, "architecture": arch})

    wrong = dataclasses.replace(lg.LOG_GAUSSIAN_CLAIM.with_prediction(predict), examples=(),
                                strategies={"architecture": st.just("resnet_standard")})
    params, result = _rejected(check(wrong, profile=Profile("planted", max_examples=2, sample_scale=0.5)))
    assert params == {"architecture": "resnet_standard", "beta": 1.0, "lambda2": 0.5}  # shrunk to simple values
    assert "moments per beta" in _failed(result)




@pytest.mark.parametrize("architecture", ["fc_relu", "resnet_standard", "resnet_balanced"])
def test_planted_limit_record_moves_the_moment_check(monkeypatch, architecture):
    """Issue 12, finding 4, closed in the third round: x1.05 on the generated ``limit_mean``.  The finite-size offset
    no longer reads the limit record (it subtracts the finite-size moments' own large-size slope,
    ``numerics.log_gaussian.finite_size_log_slope``), so for every architecture the plant moves column minus prediction by exactly 5% of the
    limit (caught at the claim's relative power ~0.03).  Before, FC and the standard ResNet's offset absorbed it
    (column minus prediction unchanged to 1e-12: ``deeplimits verify --mutants`` counted 20 surviving limit-record
    mutants)."""
    from numerics.generated import log_gaussian_resnet_balanced as balanced

    module = {"fc_relu": lg.fc_relu, "resnet_standard": lg.resnet_standard, "resnet_balanced": balanced}[architecture]
    p = {"architecture": architecture, "beta": 1.0, "lambda2": 0.5}

    def residual():
        draws = lg._lg_moment_draws(p, size=32, n=8, seed=np.random.SeedSequence(4))
        return draws.mean(axis=0) - lg._limit_per_beta(architecture, 0.5)  # the moment check's prediction

    honest, limit = residual(), lg._limit_per_beta(architecture, 0.5)[0]
    original = module.limit_mean
    monkeypatch.setattr(module, "limit_mean", lambda *a: 1.05 * original(*a))
    np.testing.assert_allclose(residual() - honest, [-0.05 * limit, 0.0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("architecture,lam2", [("fc_relu", 0.5), ("resnet_standard", 0.05), ("resnet_standard", 0.5),
                                               ("resnet_standard", 1.0), ("resnet_balanced", 0.3)])
def test_finite_size_slope_is_the_limit_record(architecture, lam2):
    """The offset's slope (from the finite-size moments alone) equals the limit records: FC to the Richardson rest
    (~1e-6 on the variance at N = 10^4), the ResNets to rounding.  A planted x1.03 on a finite-size expression's slope
    would be 100x outside these tolerances."""
    slope, limit = lg.finite_size_log_slope(architecture, lam2), lg._limit_per_beta(architecture, lam2)
    np.testing.assert_allclose(slope, limit, rtol=2e-6 if architecture == "fc_relu" else 1e-12)


def test_fc_limit_record_is_the_richardson_limit_of_the_exact_per_layer_mean():
    """What ties the FC limit record to the Monte Carlo-checked exact moments (finding 4): n m_1(n) -> mu and
    n v_1(n) -> sigma^2 with an O(1/n) term, so 2 (2n) m_1(2n) - n m_1(n) = mu + O(1/n^2) (~1e-8 at n = 10^4).
    Tolerance 1e-4: 1/1250 of the 0.125 that a planted x1.05 on mu = -5/2 moves it."""
    n, f = 10_000, lg.fc_relu
    richardson = [2 * (2 * n) * g(2 * n) - n * g(n) for g in (f.log_ratio_mean, f.log_ratio_variance)]
    np.testing.assert_allclose(richardson, [f.limit_mean(1.0), f.limit_variance(1.0)], rtol=0, atol=1e-4)
    assert abs(richardson[0] - 1.05 * f.limit_mean(1.0)) > 0.1  # the planted record would fail
