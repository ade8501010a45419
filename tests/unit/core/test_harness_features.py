"""The claim harness's per-example features: applies=, settings=, shared simulations, tolerance_se=,
sample_scale=, TwoSampleLaw, and the profile reaching a Custom check.

Synthetic simulators with known laws; every assertion reads structured outcomes, and each feature has a
case where it changes the verdict or the budget (so the test can fail).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from verify.claims import PROFILES, Profile
from verify.core import (CheckOutcome, Custom, Exact, Extrapolated, Simulation, TwoSampleLaw, predictions, real,
                         theorem)
from verify.core.simulation import SharedRuns, child_seed
from verify.core.stats import z_threshold

QUICK = PROFILES["quick"]
MU = real("mu", 0.5, 2.0)


def _claim(checks, parameters=(MU,)):
    return theorem(id="test.features", title="per-example features", parameters=parameters, checks=checks)


def _run(claim, params, seed=0, rate=1e-6, profile=QUICK):
    return claim.run(claim, params, seed, rate, profile)


def gaussian_pair(p, *, n, seed):
    z = np.random.default_rng(seed).normal(p["mu"], 1.0, n)
    return np.stack([z, z**2], axis=1)


def normal_draws(p, *, n, seed):
    return np.random.default_rng(seed).normal(p["mu"], 1.0, n)


PAIR = Exact("pair", simulate=gaussian_pair, predict=lambda p: [p["mu"], p["mu"] ** 2 + 1], samples=10_000)


# -- applies= -----------------------------------------------------------------------------------------------
def test_a_check_that_does_not_apply_registers_no_comparison():
    calls = []

    def counted(p, *, n, seed):
        calls.append(p["mu"])
        return normal_draws(p, n=n, seed=seed)

    only_large = Exact("mean", simulate=counted, predict=lambda p: p["mu"], samples=10_000,
                       applies=lambda p: p["mu"] > 1.0)
    claim = _claim([PAIR, only_large])
    small = _run(claim, {"mu": 0.8})
    assert [o["name"] for o in small.data["outcomes"]] == ["pair"] and calls == []
    assert small.data["outcomes"][0]["false_fail_rate"] == pytest.approx(1e-6)  # the whole budget: 2 comparisons
    large = _run(claim, {"mu": 1.5})
    rates = {o["name"]: o["false_fail_rate"] for o in large.data["outcomes"]}
    assert rates == pytest.approx({"pair": 2e-6 / 3, "mean": 1e-6 / 3}) and calls == [1.5]
    assert set(predictions(claim, {"mu": 0.8})) == {"pair"}  # no prediction computed where it does not apply


def test_applies_must_answer_a_bool_and_some_check_must_apply():
    never = Exact("mean", simulate=normal_draws, predict=lambda p: p["mu"], samples=10_000, applies=lambda p: False)
    from verify import plots

    claim = theorem(id="test.never", title="never applies", parameters=[MU], checks=[never],
                    panels=[plots.Parity("mean", computed=("checks", "mean", "observed"), reference=0.0)])
    with pytest.raises(ValueError, match="no check applies"):
        _run(claim, {"mu": 1.0})
    sloppy = Exact("mean", simulate=normal_draws, predict=lambda p: p["mu"], samples=10_000, applies=lambda p: 1)
    with pytest.raises(ValueError, match="not a bool"):
        sloppy.for_example({"mu": 1.0})
    with pytest.raises(ValueError, match="applies"):
        Exact("mean", simulate=normal_draws, predict=lambda p: 0.0, applies=3)


# -- settings= ----------------------------------------------------------------------------------------------
def biased_mean(p, *, size, n, seed):
    return np.random.default_rng(seed).normal(p["mu"] + 1.0 / size - 2.0 / size**2 + 3.0 / size**3, 1.0, n)


def test_settings_override_fields_per_example_and_change_the_budget():
    sweep = Extrapolated("limit", simulate=biased_mean, predict=lambda p: p["mu"], sizes=(4, 8, 16, 32),
                         samples=10_000, order=2, settings=lambda p: {"order": 3} if p["mu"] > 1 else {})
    claim = _claim([PAIR, sweep])
    low = {o["name"]: o["false_fail_rate"] for o in _run(claim, {"mu": 0.8}).data["outcomes"]}
    high = {o["name"]: o["false_fail_rate"] for o in _run(claim, {"mu": 1.5}).data["outcomes"]}
    assert low["limit"] == pytest.approx(2e-6 / 4)   # order 2: intercept + goodness of fit
    assert high["limit"] == pytest.approx(1e-6 / 3)  # order 3 on 4 sizes: no spare degree, one comparison
    assert sweep.for_example({"mu": 1.5}).order == 3 and sweep.for_example({"mu": 0.8}).order == 2


def test_settings_are_validated_by_the_check_itself():
    too_high = Extrapolated("limit", simulate=biased_mean, predict=lambda p: p["mu"], sizes=(4, 8, 16),
                            settings=lambda p: {"order": 3})
    with pytest.raises(ValueError, match="order=3 needs at least 4 sizes"):
        too_high.for_example({"mu": 1.0})
    unknown = Exact("mean", simulate=normal_draws, predict=lambda p: 0.0, settings=lambda p: {"fit": 3})
    with pytest.raises(ValueError, match=r"settings override \['fit'\]"):
        unknown.for_example({"mu": 1.0})
    negative = Exact("mean", simulate=normal_draws, predict=lambda p: 0.0, settings=lambda p: {"bias_tol": -1.0})
    with pytest.raises(ValueError, match="bias_tol=-1.0"):
        negative.for_example({"mu": 1.0})


def test_a_bias_tol_from_settings_enters_the_test_and_its_power():
    off = Exact("mean", simulate=normal_draws, predict=lambda p: p["mu"] + 0.2, samples=10_000)
    tolerant = Exact("mean", simulate=normal_draws, predict=lambda p: p["mu"] + 0.2, samples=10_000,
                     settings=lambda p: {"bias_tol": 0.25})
    assert not _run(_claim([off]), {"mu": 1.0}).passed  # 0.2 is 20 standard errors
    result = _run(_claim([tolerant]), {"mu": 1.0})
    assert result.passed
    (row,) = result.data["power"]
    assert row["detectable"] == pytest.approx((z_threshold(1e-6) + z_threshold(2e-6)) * 0.01 + 0.25, rel=0.05)


# -- shared simulations -------------------------------------------------------------------------------------
def _shared_claim(calls, name="draws", first="first", second="second"):
    def simulate(p, *, size, n, seed):
        calls.append(size)
        x = np.random.default_rng(seed).normal(p["mu"] + 1.0 / size, 1.0, n)
        return np.stack([x, 2 * x], axis=1)

    sim = Simulation(name, simulate)
    return _claim([Extrapolated(first, simulate=sim.columns([0]), predict=lambda p: p["mu"], sizes=(8, 16, 32),
                                samples=10_000, order=1),
                   Extrapolated(second, simulate=sim.columns(1), predict=lambda p: 2 * p["mu"], sizes=(8, 16, 32),
                                samples=10_000, order=1)])


def test_a_shared_simulation_runs_once_per_example_and_size():
    calls = []
    claim = _shared_claim(calls)
    result = _run(claim, {"mu": 1.0})
    assert result.passed and calls == [8, 16, 32]  # two checks, one simulation per size
    d = result.data["checks"]
    np.testing.assert_allclose(2 * d["first"]["intercept"], d["second"]["intercept"], rtol=1e-12)
    _run(claim, {"mu": 1.0})
    assert calls == [8, 16, 32] * 2  # the cache lives for one example's run


def test_a_shared_simulation_is_seeded_by_its_own_name():
    observed = {}
    for name, first in (("draws", "first"), ("draws", "renamed check"), ("other", "first")):
        claim = _shared_claim([], name=name, first=first)
        observed[name, first] = _run(claim, {"mu": 1.0}, seed=5).data["checks"][first]["intercept"]
    np.testing.assert_array_equal(observed["draws", "first"], observed["draws", "renamed check"])
    assert not np.array_equal(observed["draws", "first"], observed["other", "first"])
    shared = SharedRuns(5)
    sim = Simulation("draws", lambda p, *, n, seed: np.zeros((n, 1)))
    assert shared.seed_of(sim, 8).spawn_key == child_seed(child_seed(5, "simulation:draws"), "size=8").spawn_key


def test_a_shared_prediction_runs_once_and_planting_still_reaches_every_check():
    calls = []

    def limit(p, *, seed):
        calls.append(1)
        return {"a": p["mu"], "b": 2 * p["mu"]}

    both = Simulation("limit", limit)
    claim = _claim([Exact("a", simulate=normal_draws, predict=both.part("a"), samples=10_000),
                    Exact("b", simulate=lambda p, *, n, seed: 2 * normal_draws(p, n=n, seed=seed),
                          predict=both.part("b"), samples=10_000)])
    assert predictions(claim, {"mu": 1.0}) == {"a": 1.0, "b": 2.0} and calls == [1]
    wrong = claim.with_prediction(lambda p: {"a": 1.1 * p["mu"], "b": 2 * p["mu"]})
    assert [o["passed"] for o in _run(wrong, {"mu": 1.0}).data["outcomes"]] == [False, True]


def test_two_simulations_may_not_share_a_name():
    a, b = Simulation("x", gaussian_pair), Simulation("x", gaussian_pair)
    with pytest.raises(ValueError, match="two different Simulations are named 'x'"):
        _claim([Exact("a", simulate=a.columns([0]), predict=lambda p: 0.0),
                Exact("b", simulate=b.columns([1]), predict=lambda p: 0.0)])
    with pytest.raises(ValueError, match="simulation:"):
        _claim([Exact("simulation:a", simulate=normal_draws, predict=lambda p: 0.0)])


# -- tolerance_se= and sample_scale= ------------------------------------------------------------------------
def test_tolerance_in_standard_errors_raises_the_threshold_by_t():
    planted = lambda p: p["mu"] + 0.06  # noqa: E731  6 standard errors of 0.01
    strict = Exact("mean", simulate=normal_draws, predict=planted, samples=10_000)
    loose = Exact("mean", simulate=normal_draws, predict=planted, samples=10_000, tolerance_se=3.0)
    a, b = _run(_claim([strict]), {"mu": 1.0}), _run(_claim([loose]), {"mu": 1.0})
    assert not a.passed and b.passed
    assert b.threshold == pytest.approx(a.threshold + 3.0)
    se = a.data["checks"]["mean"]["stderr"][0]
    assert b.data["power"][0]["detectable"] - a.data["power"][0]["detectable"] == pytest.approx(3.0 * se, rel=1e-6)
    with pytest.raises(ValueError, match="tolerance_se=-1"):
        Exact("mean", simulate=normal_draws, predict=planted, tolerance_se=-1)


def test_a_fixed_sample_scale_replaces_the_profiles():
    thorough = PROFILES["thorough"]
    assert thorough.sample_scale != 1.0
    follows = Exact("mean", simulate=normal_draws, predict=lambda p: p["mu"], samples=10_000)
    fixed = Exact("mean", simulate=normal_draws, predict=lambda p: p["mu"], samples=10_000,
                  settings=lambda p: {"sample_scale": 1.0})
    assert _run(_claim([follows]), {"mu": 1.0}, profile=thorough).n_samples == round(10_000 * thorough.sample_scale)
    assert _run(_claim([fixed]), {"mu": 1.0}, profile=thorough).n_samples == 10_000
    with pytest.raises(ValueError, match="sample_scale=0"):
        Exact("mean", simulate=normal_draws, predict=lambda p: 0.0, sample_scale=0)


# -- TwoSampleLaw -------------------------------------------------------------------------------------------
def limit_draws(p, *, seed):
    return np.random.default_rng(seed).normal(p["mu"], 1.0, 20_000)


def test_two_sample_law_accepts_the_true_limit_and_rejects_a_shifted_one():
    law = TwoSampleLaw("law", simulate=normal_draws, predict=limit_draws, samples=20_000)
    claim = _claim([law])
    result = _run(claim, {"mu": 1.0})
    assert result.passed
    (row,) = result.data["power"]
    assert row["unit"] == "probability" and 0 < row["detectable"] < 0.1
    shifted = claim.with_prediction(lambda p, *, seed: {"law": limit_draws({"mu": 1.2 * p["mu"]}, seed=seed)})
    assert not _run(shifted, {"mu": 1.0}).passed  # sup-distance about 0.08 against a threshold of about 0.04


def test_two_sample_law_over_sizes_tests_the_largest_with_the_swept_first_order_bias():
    def network(p, *, size, n, seed):
        return np.random.default_rng(seed).normal(p["mu"] + 2.0 / size, 1.0, n)

    law = TwoSampleLaw("law", simulate=network, predict=limit_draws, samples=20_000, sizes=(4, 8, 16, 32))
    result = _run(_claim([law]), {"mu": 1.0})
    d = result.data["checks"]["law"]
    # CDF slope in 1/size: dF/dmu * 2 = phi(q) * 2, largest at the median (0.80); / 32 = 0.025
    assert d["model_tol"] == pytest.approx(2.0 * 0.3989 / 32, rel=0.3)
    assert result.passed and result.n_samples == 4 * 20_000
    with pytest.raises(ValueError, match="quantiles"):
        TwoSampleLaw("law", simulate=network, predict=limit_draws, quantiles=(0.5, 1.0))


# -- Custom receives the profile ----------------------------------------------------------------------------
def test_a_custom_check_receives_the_profile_if_it_declares_it():
    seen = {}

    def search(p, prediction, *, seed, rate, scale, profile):
        seen["profile"] = profile
        return CheckOutcome("search", "custom", True, 0.0, 1.0, rate, 1, "searched", ())

    def plain(p, prediction, *, seed, rate, scale):
        return CheckOutcome("plain", "custom", True, 0.0, 1.0, rate, 1, "searched", ())

    claim = _claim([Custom("search", run=search, predict=lambda p: 0.0),
                    Custom("plain", run=plain, predict=lambda p: 0.0), PAIR])
    profile = Profile("mine", max_examples=1, sample_scale=1.5)
    assert _run(claim, {"mu": 1.0}, profile=profile).passed
    assert seen["profile"] is profile
    assert math.isclose(profile.sample_scale, 1.5)


# -- one-sided rates: Rate(alternative=...), Rate(statistic="median") ----------------------------------------
def heavy_tailed_decay(p, *, size, n, seed):
    """Positive draws whose median falls like size^(-2 mu) (times a Pareto factor of index 0.8: no mean)."""
    rng = np.random.default_rng(seed)
    return size ** (-p["mu"] * 2.0) * (1.0 + rng.pareto(0.8, n))


def test_median_decay_is_one_sided_and_distribution_free():
    from verify.core import Rate

    decay = Rate("residual", simulate=heavy_tailed_decay, order=-1.0, statistic="median", alternative="at most",
                 sizes=(16, 128), samples=20_000)
    claim = _claim([decay, PAIR])
    fast = _run(claim, {"mu": 1.0})  # slope -2 <= -1
    assert fast.passed
    rates = {o["name"]: o["false_fail_rate"] for o in fast.data["outcomes"]}
    assert rates == pytest.approx({"residual": 2e-6 / 4, "pair": 2e-6 / 4})  # two bounds, two components
    row = fast.data["power"][0]
    assert row["unit"] == "order" and row["predicted"] == -1.0 and 0 < row["detectable"] < 0.2
    assert fast.data["checks"]["residual"]["slope"] == pytest.approx(-2.0, abs=0.05)
    slow = _run(claim, {"mu": 0.25})  # slope -0.5: falls, but slower than size^-1
    assert not slow.passed
    with pytest.raises(ValueError, match="alternative='at most' and two sizes"):
        Rate("r", simulate=heavy_tailed_decay, order=-1.0, statistic="median", alternative="at most",
             sizes=(16, 32, 64))
    with pytest.raises(ValueError, match="alternative="):
        Rate("r", simulate=heavy_tailed_decay, order=-1.0, alternative="below", sizes=(16, 128))


def test_one_sided_rate_of_a_standard_deviation():
    from verify.core import Rate

    def sd_falls_like_sqrt(p, *, size, n, seed):
        return np.random.default_rng(seed).normal(0.0, 3.0 / math.sqrt(size), n)

    def rate(alternative, order):
        check_ = Rate("sd", simulate=sd_falls_like_sqrt, order=order, alternative=alternative, sizes=(4, 16, 64),
                      samples=20_000)
        return _run(_claim([check_]), {"mu": 1.0})

    assert rate("at most", -0.25).passed and not rate("at least", -0.25).passed  # the slope is -0.5
    assert rate("at least", -0.75).passed and not rate("at most", -0.75).passed
    # one-sided threshold t_alpha (not t_{alpha/2}), Student's t with the n - 1 df of each size's standard error
    assert rate("at most", -0.25).threshold == pytest.approx(float(__import__("scipy").stats.t.isf(1e-6, 19_999)))
