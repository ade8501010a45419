"""The claim harness (verify.core): checks declared, seeds, budgets, power, planted errors.

Synthetic simulators with known laws make every verdict predictable: a true
prediction passes, a planted one fails with a shrunk counterexample, and the
assertions read the structured outcomes (``data["outcomes"]``, ``data["power"]``),
never the text of a message.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from verify.claims import PROFILES, check
from verify.core import (Deterministic, Estimate, Exact, Extrapolated, Law, Rate, choice, integer, load_claims,
                         predictions, real, theorem)
from verify.core.theorem import child_seed

QUICK = PROFILES["quick"]


def gaussian_draws(p, *, n, seed):
    """Draws of N(mu, 1) and of their squares: means (mu, mu^2 + 1)."""
    z = np.random.default_rng(seed).normal(p["mu"], 1.0, n)
    return np.stack([z, z**2], axis=1)


def mean_with_finite_size_bias(p, *, size, n, seed):
    """Draws whose mean is mu + 1/size - 2/size^2 (a polynomial in 1/size) plus, if asked, c/sqrt(size)."""
    rng = np.random.default_rng(seed)
    bias = 1.0 / size - 2.0 / size**2 + p.get("sqrt_bias", 0.0) / math.sqrt(size)
    return rng.normal(p["mu"] + bias, 1.0, n)


def sd_falls_like_sqrt(p, *, size, n, seed):
    return np.random.default_rng(seed).normal(0.0, 3.0 / math.sqrt(size), n)


def standard_normal_draws(p, *, n, seed):
    return np.random.default_rng(seed).normal(0.0, p["scale"], n)


MU = real("mu", 0.5, 2.0)


def _claim(checks, parameters=(MU,), **kw):
    return theorem(id="test.synthetic", title="synthetic laws", parameters=parameters, checks=checks, **kw)


EXACT = Exact("moments", simulate=gaussian_draws, predict=lambda p: [p["mu"], p["mu"] ** 2 + 1], samples=20_000,
              labels=("E z", "E z^2"))
EXTRAPOLATED = Extrapolated("limit", simulate=mean_with_finite_size_bias, predict=lambda p: p["mu"],
                            sizes=(4, 8, 16, 32, 64), order=2, samples=20_000)
RATE = Rate("fluctuation", simulate=sd_falls_like_sqrt, order=-0.5, sizes=(4, 16, 64), samples=20_000)


def test_true_claims_pass_and_report_power_per_component():
    res = check(_claim([EXACT, EXTRAPOLATED, RATE]))
    assert res.passed, res.summary()
    params, seed, result = res.examples[0]
    rows = result.data["power"]
    assert [(r["check"], r["component"]) for r in rows] == [
        ("moments", "E z"), ("moments", "E z^2"), ("limit", "limit"), ("fluctuation", "std order")]
    for r in rows:
        assert r["detectable"] > 0 and r["relative"] == pytest.approx(r["detectable"] / abs(r["predicted"]))
    assert result.data["weakest"]["relative"] == max(r["relative"] for r in rows)


def test_the_budget_is_split_over_the_registered_comparisons():
    claim = _claim([EXACT, EXTRAPOLATED, RATE, Deterministic("pi", compute=lambda p: math.pi,
                                                           predict=lambda p: math.pi, rtol=1e-15)])
    result = claim.run(claim, {"mu": 1.0}, 7, 1e-6, QUICK)
    rates = {o["name"]: o["false_fail_rate"] for o in result.data["outcomes"]}
    # 2 components + (intercept + goodness of fit) + 1 slope = 5 comparisons; the deterministic check spends none
    assert rates == pytest.approx({"moments": 2e-6 / 5, "limit": 2e-6 / 5, "fluctuation": 1e-6 / 5, "pi": 0.0})
    assert sum(rates.values()) == pytest.approx(1e-6)


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_planted_scaled_prediction_is_rejected_and_shrunk(factor):
    claim = _claim([EXACT])
    wrong = claim.with_prediction(lambda p: {"moments": factor * np.asarray(claim.predict(p)["moments"])})
    res = check(wrong)
    assert not res.passed
    params, seed, result = res.counterexample
    failed = [o["name"] for o in result.data["outcomes"] if not o["passed"]]
    assert failed == ["moments"]
    assert MU.domain.contains(params["mu"])
    assert not wrong.run(wrong, params, seed, res.counterexample[2].false_fail_rate, QUICK).passed  # it replays


def test_extrapolation_fit_misfit_is_caught_by_goodness_of_fit():
    """A 1/sqrt(n) term that a polynomial in 1/n cannot absorb: the chi-square test rejects the fit."""
    claim = _claim([EXTRAPOLATED], parameters=(MU, real("sqrt_bias", 4.0, 4.0)))
    result = claim.run(claim, {"mu": 1.0, "sqrt_bias": 4.0}, 3, 1e-6, QUICK)
    assert not result.passed
    from scipy.stats import chi2

    assert result.data["checks"]["limit"]["chi2"].max() > chi2.isf(1e-6 / 2, EXTRAPOLATED.spare_degrees)
    honest = claim.run(claim, {"mu": 1.0, "sqrt_bias": 0.0}, 3, 1e-6, QUICK)
    assert honest.passed  # the same sweep without the 1/sqrt(n) term fits


def test_rate_with_the_wrong_order_fails():
    wrong = Rate("fluctuation", simulate=sd_falls_like_sqrt, order=-0.75, sizes=(4, 16, 64), samples=20_000)
    result = _claim([wrong]).run(_claim([wrong]), {"mu": 1.0}, 0, 1e-6, QUICK)
    assert not result.passed and result.data["outcomes"][0]["kind"] == "rate"


def test_law_against_the_wrong_cdf_fails():
    law = Law("law", simulate=standard_normal_draws, predict=lambda p: (lambda x: norm.cdf(x / p["scale"])),
              samples=20_000)
    scale = real("scale", 0.5, 2.0)
    claim = _claim([law], parameters=(scale,))
    assert claim.run(claim, {"scale": 1.0}, 0, 1e-6, QUICK).passed
    wrong = claim.with_prediction(lambda p: {"law": lambda x: norm.cdf(x / (1.1 * p["scale"]))})
    assert not wrong.run(wrong, {"scale": 1.0}, 0, 1e-6, QUICK).passed


def test_stochastic_prediction_enters_with_its_standard_error():
    def noisy(p, *, seed):
        return Estimate(value=[p["mu"] + 0.2, p["mu"] ** 2 + 1], stderr=[0.05, 0.05])

    claim = _claim([Exact("moments", simulate=gaussian_draws, predict=noisy, samples=20_000)])
    result = claim.run(claim, {"mu": 1.0}, 0, 1e-6, QUICK)
    assert result.passed  # 0.2 off, but 0.2 / 0.05 = 4 < z: the prediction's own error is accounted for
    sharp = _claim([Exact("moments", simulate=gaussian_draws,
                          predict=lambda p: [p["mu"] + 0.2, p["mu"] ** 2 + 1], samples=20_000)])
    assert not sharp.run(sharp, {"mu": 1.0}, 0, 1e-6, QUICK).passed


def test_seeds_depend_on_the_example_seed_and_the_check_name_only():
    claim = _claim([EXACT, RATE])
    a = claim.run(claim, {"mu": 1.0}, 11, 1e-6, QUICK).data["checks"]["moments"]["observed"]
    reordered = _claim([RATE, EXACT])
    b = reordered.run(reordered, {"mu": 1.0}, 11, 1e-6, QUICK).data["checks"]["moments"]["observed"]
    c = claim.run(claim, {"mu": 1.0}, 12, 1e-6, QUICK).data["checks"]["moments"]["observed"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert child_seed(5, "x").generate_state(2).tolist() != child_seed(5, "y").generate_state(2).tolist()


def test_predictions_are_by_check_name():
    claim = _claim([EXACT, RATE])
    got = predictions(claim, {"mu": 2.0})
    assert got["moments"] == [2.0, 5.0] and got["fluctuation"] == -0.5


def test_declarations_are_validated_eagerly():
    with pytest.raises(ValueError, match="sizes"):
        Extrapolated("x", simulate=mean_with_finite_size_bias, predict=lambda p: 0, sizes=(4,))
    with pytest.raises(ValueError, match="order=3 needs at least 4 sizes"):
        Extrapolated("x", simulate=mean_with_finite_size_bias, predict=lambda p: 0, sizes=(4, 8, 16), order=3)
    with pytest.raises(ValueError, match="simulate"):
        Exact("x", simulate=None, predict=lambda p: 0)
    with pytest.raises(ValueError, match="statistic"):
        Rate("x", simulate=sd_falls_like_sqrt, order=1.0, sizes=(2, 4), statistic="median")
    with pytest.raises(ValueError, match="rtol > 0 or atol > 0"):
        Deterministic("x", compute=lambda p: 0, predict=lambda p: 0, rtol=0)
    with pytest.raises(ValueError, match="distinct"):
        _claim([EXACT, EXACT])
    with pytest.raises(ValueError, match="false_fail_rate must be > 0"):
        _claim([EXACT], false_fail_rate=0.0)
    with pytest.raises(ValueError, match="outside"):
        _claim([EXACT], examples=[{"mu": 9.0}])
    with pytest.raises(ValueError, match="missing"):
        _claim([EXACT], examples=[{}])


def test_categorical_and_integer_parameters_reach_the_simulator():
    seen = set()

    def draws(p, *, n, seed):
        seen.add((p["kind"], p["k"]))
        return np.random.default_rng(seed).normal(p["k"], 1.0, n)

    claim = theorem(id="test.kinds", title="categorical", parameters=[choice("kind", "a", "b"), integer("k", 1, 3)],
                    checks=[Exact("mean", simulate=draws, predict=lambda p: p["k"], samples=10_000)])
    assert check(claim).passed
    assert {kind for kind, _ in seen} <= {"a", "b"} and {k for _, k in seen} <= {1, 2, 3}


def test_user_claims_load_from_a_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(
        "from verify.core import theorem, Deterministic, real\n"
        "MINE = theorem(id='mine.square', title='squares', parameters=[real('a', 0.0, 1.0)],\n"
        "               checks=[Deterministic('square', compute=lambda p: p['a'] * p['a'],\n"
        "                                     predict=lambda p: p['a'] ** 2, rtol=1e-12, atol=1e-300)])\n")
    (claim,) = load_claims(path)
    assert claim.id == "mine.square" and check(claim).passed
    with pytest.raises(ValueError, match="declares no claim"):
        (tmp_path / "empty.py").write_text("x = 1\n")
        load_claims(tmp_path / "empty.py")
    with pytest.raises(ValueError, match="existing .py file"):
        load_claims(tmp_path / "missing.py")


def test_relative_power_uses_the_declared_scale():
    scaled = Exact("moments", simulate=gaussian_draws, predict=lambda p: [p["mu"], p["mu"] ** 2 + 1],
                   samples=20_000, scale=lambda p, pred: [10.0, 10.0])
    rows = _claim([scaled]).run(_claim([scaled]), {"mu": 1.0}, 0, 1e-6, QUICK).data["power"]
    assert [r["relative"] for r in rows] == pytest.approx([r["detectable"] / 10.0 for r in rows])
    bad = Exact("moments", simulate=gaussian_draws, predict=lambda p: [p["mu"], p["mu"] ** 2 + 1],
                samples=20_000, scale=lambda p, pred: [0.0, 1.0])
    with pytest.raises(ValueError, match="scale"):
        _claim([bad]).run(_claim([bad]), {"mu": 1.0}, 0, 1e-6, QUICK)


def test_every_check_kind_draws_a_figure_that_speaks(tmp_path):
    """The panels the harness declares draw labelled axes and a theory line (the report's own checker)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from test_report import assert_figure_speaks

    law = Law("law", simulate=standard_normal_draws, predict=lambda p: (lambda x: norm.cdf(x / p["scale"])),
              samples=20_000)
    det = Deterministic("pi", compute=lambda p: math.pi, predict=lambda p: math.pi, rtol=1e-15)
    claim = _claim([EXACT, EXTRAPOLATED, RATE, law, det], parameters=(MU, real("scale", 0.5, 2.0)))
    res = check(claim)
    assert res.passed
    fig = claim.plot.figure(res)
    assert_figure_speaks(fig)
    assert len(fig.axes) == 5
    plt.close(fig)


def test_user_activation_from_text_works_in_kernels_and_simulators():
    from numerics.kernel import fc_outputs, nngp_ntk
    from numerics.core import quadrature
    from verify.core import user_activation

    act = user_activation("x*erf(x)")
    assert act.closed_form  # a derived dual, compiled from the record
    q1, q2, c = 0.7, 1.3, 0.4
    want = quadrature.gaussian_pair_expectation(act.phi, act.phi, q1, q2, c)
    assert float(act.dual(q1, q2, c)) == pytest.approx(float(want), rel=1e-10)
    smooth = user_activation("x*tanh(x)")
    assert not smooth.closed_form and np.isfinite(smooth.phi(np.array([800.0, -800.0]))).all()
    x = np.array([[1.0, 0.0], [0.6, 0.8]])
    k, _ = nngp_ntk(x, activation=act, depth=1, W_std=1.0, b_std=0.0)
    f = fc_outputs(x, activation=act, depth=1, width=3, W_std=1.0, b_std=0.0, n_samples=4, seed=0)
    assert k.shape == (2, 2) and f.shape == (4, 2)
    with pytest.raises(ValueError, match="not allowed"):
        user_activation("__import__('os')")


def test_custom_check_receives_the_prediction_and_its_budget():
    from verify.core import CheckOutcome, Custom, PowerRow

    seen = {}

    def search(p, prediction, *, seed, rate, scale):
        seen.update(prediction=prediction, rate=rate)
        ok = abs(prediction - 2.0) < 0.1
        return CheckOutcome("search", "custom", ok, 0.0 if ok else 2.0, 1.0, rate, 10, "searched",
                            (PowerRow("search", "depth", prediction, 2.0, 0.1),))

    custom = Custom("search", run=search, predict=lambda p: 2.0, comparisons=2)
    claim = _claim([EXACT, custom])
    assert claim.run(claim, {"mu": 1.0}, 0, 1e-6, QUICK).passed
    assert seen["rate"] == pytest.approx(1e-6 / 2)  # 2 of the 4 comparisons (EXACT has 2 components)
    wrong = claim.with_prediction(lambda p: {**claim.predict(p), "search": 3.0})
    assert not wrong.run(wrong, {"mu": 1.0}, 0, 1e-6, QUICK).passed


def test_a_monte_carlo_prediction_may_scale_its_samples_with_the_profile():
    seen = []

    def noisy(p, *, seed, scale):
        seen.append(scale)
        return Estimate(value=[p["mu"], p["mu"] ** 2 + 1], stderr=[1e-3, 1e-3])

    claim = _claim([Exact("moments", simulate=gaussian_draws, predict=noisy, samples=20_000)])
    claim.run(claim, {"mu": 1.0}, 0, 1e-6, PROFILES["thorough"])
    assert seen == [PROFILES["thorough"].sample_scale]


def test_records_evaluate_by_keyword_with_validation():
    from derivations import get
    from numerics.core.records import record

    ntk = record("resnet_sde.ntk")
    want = math.expm1(0.7 * 1.3**2 * 0.9**2) * 0.4**2 / 1.3**2  # sigma_b^2 (e^{T sigma_w^2 phi'(0)^2} - 1) / sigma_w^2
    assert float(ntk.evaluate("ntk_bias", dphi0=0.9, sigma_w=1.3, sigma_b=0.4, T=0.7)) == pytest.approx(want, rel=1e-13)
    erf = record("dual.erf")
    assert erf.defaults_used("dual", {"q1": 1.0}) == {"a": 1.0, "b": 1.0, "shift": 0.0}
    with pytest.raises(ValueError, match="sigma_w=-1"):
        ntk.evaluate("ntk_bias", dphi0=0.9, sigma_w=-1.0, sigma_b=0.4, T=0.7)
    with pytest.raises(ValueError, match="no parameter 'q9'"):
        erf.evaluate(q9=1.0)
    with pytest.raises(ValueError, match="c="):
        erf.evaluate("dual", q1=1.0, q2=1.0, c=2.0)
    with pytest.raises(ValueError, match="unknown record id"):
        record("dual.nope")
    rec = get("dual.relu")
    assert repr(rec).startswith("<Record dual.relu: ReLU") and len(repr(rec)) < 200
    assert r"\begin{aligned}" in rec._repr_latex_() and rec.latex("dual") in rec._repr_latex_()


def test_deterministic_exact_agreement_at_zero_passes():
    zero = Deterministic("zero", compute=lambda p: 0.0, predict=lambda p: 0.0, rtol=1e-12)
    claim = _claim([zero])
    assert claim.run(claim, {"mu": 1.0}, 0, 1e-6, QUICK).passed
    off = Deterministic("zero", compute=lambda p: 1e-300, predict=lambda p: 0.0, rtol=1e-12)
    assert not _claim([off]).run(_claim([off]), {"mu": 1.0}, 0, 1e-6, QUICK).passed


def test_profile_and_declaration_errors_are_value_errors():
    with pytest.raises(ValueError, match="profile='bogus'"):
        check(_claim([EXACT]), profile="bogus")
    with pytest.raises(ValueError, match="named 'prediction'"):
        _claim([Exact("prediction", simulate=gaussian_draws, predict=lambda p: [1, 2])])
    with pytest.raises(ValueError, match="strategies"):
        _claim([EXACT], strategies={"nu": None})


def test_an_aliased_claim_loads_once(tmp_path):
    path = tmp_path / "alias.py"
    path.write_text(
        "from verify.core import theorem, Deterministic, real\n"
        "MINE = theorem(id='mine.one', title='one', parameters=[real('a', 0.0, 1.0)],\n"
        "               checks=[Deterministic('one', compute=lambda p: 1.0, predict=lambda p: 1.0, rtol=1e-12)])\n"
        "ALIAS = MINE\n")
    assert [c.id for c in load_claims(path)] == ["mine.one"]
