"""Exact(alternative=...): a one-sided z-test of a mean against a floor (or a ceiling) at the stated rate."""

import numpy as np
import pytest
from scipy import stats

from verify.core import Exact
from verify.core.evaluate import evaluate


def _normal(mean):
    return lambda p, *, n, seed: mean + np.random.default_rng(seed.generate_state(1)[0]).standard_normal(n)


@pytest.mark.parametrize("alternative, mean, passed", [("at least", 0.8, True), ("at least", 0.6, False),
                                                       ("at most", 0.6, True), ("at most", 0.8, False),
                                                       ("two-sided", 0.8, False), ("two-sided", 0.7, True)])
def test_one_sided_exact(alternative, mean, passed):
    check = Exact("floor", simulate=_normal(mean), predict=lambda p: 0.7, samples=20_000, alternative=alternative)
    out = evaluate(check, {}, 0.7, seed=np.random.SeedSequence(1), rate=1e-6, scale=1.0)
    assert out.passed is passed
    # Student's t with the n - 1 = 19,999 df of the estimated standard error; one-sided t_{alpha} < t_{alpha/2}
    if alternative != "two-sided":
        assert out.threshold == pytest.approx(float(stats.t.isf(1e-6, 19_999)), abs=1e-9)
        assert out.threshold > float(stats.norm.isf(1e-6))  # the normal quantile would overstate the rate
    else:
        assert out.threshold == pytest.approx(float(stats.t.isf(0.5e-6, 19_999)), abs=1e-9)


def test_alternative_validated():
    with pytest.raises(ValueError, match="alternative='greater'"):
        Exact("x", simulate=_normal(0.0), predict=lambda p: 0.0, alternative="greater")


# ------------------------------------------------------------------ bound rows are reported apart from the headline


def _unit_normal(p, *, n, seed):
    return np.random.default_rng(seed.generate_state(1)[0]).standard_normal((n, 1)) + [[p["mu"]]]


def _bound_claim(*, with_value: bool):
    from verify.core import real, theorem

    bound = Exact("ceiling", simulate=_unit_normal, predict=lambda p: p["mu"] + 0.1, samples=10_000,
                  alternative="at most")  # a ceiling the mean keeps; its row is the wider one, relatively
    value = Exact("mean", simulate=_unit_normal, predict=lambda p: p["mu"], samples=40_000)
    return theorem(id="test.bounds", title="a value and a bound", parameters=(real("mu", 1.0, 2.0),),
                   checks=[value, bound] if with_value else [bound])


def test_a_bound_row_is_not_the_headline_power_but_is_reported():
    from verify.core import check

    out = check(_bound_claim(with_value=True), profile="smoke").summary()
    rows = {row["check"]: row for row in out["power"]}
    assert rows["ceiling"]["bound"] == "at most" and rows["mean"]["bound"] is None
    # the bound row is the relatively widest (~0.1 / 1.6 against ~0.05 / 1.5), yet the headline is the value's
    assert rows["ceiling"]["relative"] > rows["mean"]["relative"]
    assert out["weakest_check"]["check"] == "mean"
    assert out["weakest_bound_check"]["check"] == "ceiling"
    assert out["weakest_bound_detectable"] == pytest.approx(rows["ceiling"]["relative"])


def test_a_claim_of_bounds_only_reports_the_bounds_as_its_power():
    from verify.core import check

    out = check(_bound_claim(with_value=False), profile="smoke").summary()
    assert out["weakest_check"]["check"] == "ceiling" and "weakest_bound_detectable" not in out
