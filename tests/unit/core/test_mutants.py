"""Mutation testing of claims (verify.mutants): planted errors are killed, equivalent mutants are left out,
a claim that ignores its prediction is an error, and the command line reports it all.

The user theorem below is the first layer of a fully connected network: $z(x) = \\sigma_w w\\cdot x/\\sqrt{d} +
\\sigma_b b$ has $E z(x) z(x') = \\sigma_w^2 x\\cdot x'/d + \\sigma_b^2$ exactly, the generated
``kernel.fc.input_kernel``; its record mutants all change that prediction by 10% or more at the pinned
example, and 5% of its diagonal entries is about 3 times the z-test's threshold at 200 000 draws
(SE of the mean of $z^2$ is $\\sqrt2 K/\\sqrt n$), so each is killed with overwhelming probability.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from numerics.generated import kernel_fc
from verify.core import Claim, Estimate, Exact, real, theorem
from verify.core.stats import TestResult
from verify.mutants import (EQUAL_RTOL, expression_mutants, mutant_functions, mutate, mutation_json,
                            mutation_table, passes, record_mutants, scale_factors)
from verify.mutants._patching import swapped
from verify.mutants._scaling import scaled

X1, X2 = np.array([1.0, 0.5, -0.3]), np.array([0.2, -1.0, 0.7])
PAIRS = ((X1, X2), (X1, X1), (X2, X2))

THEOREM_FILE = '''
import numpy as np
from numerics.generated import kernel_fc
from verify.core import Exact, real, theorem

X1, X2 = np.array([1.0, 0.5, -0.3]), np.array([0.2, -1.0, 0.7])

def products(p, *, n, seed):
    rng = np.random.default_rng(seed)
    w, b = rng.standard_normal((n, 3)), rng.standard_normal(n)
    z1 = p["W_std"] * w @ X1 / np.sqrt(3) + p["b_std"] * b
    z2 = p["W_std"] * w @ X2 / np.sqrt(3) + p["b_std"] * b
    return np.stack([z1 * z2, z1 * z1, z2 * z2], axis=1)

def kernel(p):
    return [kernel_fc.input_kernel(float(a @ b), 3, p["W_std"], p["b_std"]) for a, b in
            ((X1, X2), (X1, X1), (X2, X2))]

FIRST_LAYER = theorem(id="my.first_layer", title="First layer: E z(x) z(x') is the input kernel",
                      parameters=[real("W_std", 0.5, 2.0), real("b_std", 0.0, 1.0)], records=["kernel.fc"],
                      checks=[Exact("products", simulate=products, predict=kernel, samples=200_000)],
                      examples=[{"W_std": 1.5, "b_std": 0.5}])
'''


def _products(p, *, n, seed):
    rng = np.random.default_rng(seed)
    w, b = rng.standard_normal((n, 3)), rng.standard_normal(n)
    z1 = p["W_std"] * w @ X1 / np.sqrt(3) + p["b_std"] * b
    z2 = p["W_std"] * w @ X2 / np.sqrt(3) + p["b_std"] * b
    return np.stack([z1 * z2, z1 * z1, z2 * z2], axis=1)


def _kernel(p):  # reached through the generated module's attribute, as the shipped claims do
    return [kernel_fc.input_kernel(float(a @ b), 3, p["W_std"], p["b_std"]) for a, b in PAIRS]


def _first_layer(example):
    return theorem(id="test.first_layer", title="First layer: E z(x) z(x') is the input kernel",
                   parameters=[real("W_std", 0.5, 2.0), real("b_std", 0.0, 1.0)], records=["kernel.fc"],
                   checks=[Exact("products", simulate=_products, predict=_kernel, samples=200_000)],
                   examples=[example])


@pytest.fixture(scope="module")
def first_layer_report():
    return mutate(_first_layer({"W_std": 1.5, "b_std": 0.5}), profile="smoke", seed=0)


def test_scale_and_record_mutants_of_a_user_theorem_are_killed(first_layer_report):
    rep = first_layer_report
    assert not rep.error
    by_kind = {}
    for o in rep.outcomes:
        by_kind.setdefault((o.function or "prediction", o.status), []).append(o.name)
    assert by_kind[("prediction", "killed")] == ["prediction x1.05", "prediction x0.95"]
    planted = [m.name for m in record_mutants("kernel.fc") if m.function == "input_kernel"]
    assert len(planted) == 7  # two terms dropped, two signs flipped, three exponents (W^2, b^2, 1/d)
    assert sorted(by_kind[("input_kernel", "killed")]) == sorted(planted)
    # the record's other functions are never called by this prediction: listed, not scored
    others = [o for o in rep.outcomes if o.record == "kernel.fc" and o.function != "input_kernel"]
    assert others and all(o.status == "not reached" for o in others)
    assert rep.score == 1.0 and rep.scored == 9 and not rep.survivors
    assert passes([rep])


def test_an_equivalent_mutant_is_detected_and_left_out_of_the_score():
    rep = mutate(_first_layer({"W_std": 1.5, "b_std": 0.0}), profile="smoke", seed=0)
    status = {o.name: o.status for o in rep.outcomes if o.function == "input_kernel"}
    equivalent = sorted(n for n, s in status.items() if s == "equivalent")
    # with sigma_b = 0 the term sigma_b^2 is exactly 0: dropping it, flipping it or cubing it changes nothing
    assert equivalent == sorted(["kernel.fc.input_kernel: drop b_std**2",
                                 "kernel.fc.input_kernel: flip the sign of b_std**2",
                                 "kernel.fc.input_kernel: b_std**2 -> b_std**3"])
    assert all(s == "killed" for n, s in status.items() if n not in equivalent)
    assert rep.scored == 2 + 4 and rep.killed == 6  # the excluded ones are not in the denominator
    assert rep.as_dict()["equivalent"] == 3


def _ignoring_run(claim, params, seed, rate, prof):
    """A run that recomputes its prediction from the generated module instead of claim.predict."""
    draws = _products(params, n=20_000, seed=seed)
    predicted = np.array(_kernel(params))
    se = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    z = float(np.max(np.abs(draws.mean(axis=0) - predicted) / se))
    return TestResult(passed=z <= 5.0, statistic=z, threshold=5.0, false_fail_rate=rate, detectable_discrepancy=0.0,
                      n_samples=len(draws), observed=draws.mean(axis=0), predicted=predicted, detail=f"z = {z:.3g}")


def test_a_claim_whose_run_ignores_its_prediction_is_an_error():
    claim = Claim(id="test.ignores", title="ignores its prediction", source="test", records=("kernel.fc",),
                  parameters=(real("W_std", 0.5, 2.0), real("b_std", 0.0, 1.0)), predict=_kernel, run=_ignoring_run,
                  bias="exact", examples=({"W_std": 1.5, "b_std": 0.5},))
    rep = mutate(claim, profile="smoke", seed=0)
    assert "ignores its prediction" in rep.error
    scale = [o for o in rep.outcomes if o.kind == "scale"]
    assert [o.status for o in scale] == ["survived", "survived"]  # counted against the claim, not excluded
    assert rep.scale_survivors and not passes([rep])
    # its record mutants change claim.predict but not what the run compares: equivalent after the run
    # its record mutants change claim.predict but not what the run compares -- except that this run reads the
    # record itself, outside claim.predict (as a simulation may): so they are re-simulated with the mutant in
    # place everywhere, and the run's own recomputed prediction then disagrees with the unchanged draws
    reached = [o for o in rep.outcomes if o.function == "input_kernel"]
    assert reached and all(o.detail.startswith("re-simulated") for o in reached)
    assert all(o.status in ("killed", "equivalent") for o in reached)
    assert "ERROR test.ignores" in mutation_table([rep])


def test_a_prediction_that_is_zero_makes_the_scale_mutants_equivalent_not_an_error():
    def odd_moment(p, *, n, seed):  # z(x) times an independent random sign: mean exactly 0
        return _products(p, n=n, seed=seed)[:, 0] * np.random.default_rng(seed).choice([-1.0, 1.0], n)

    zero = theorem(id="test.zero", title="a mean that is 0", parameters=[real("W_std", 0.5, 2.0),
                                                                          real("b_std", 0.0, 1.0)],
                   checks=[Exact("mean", simulate=odd_moment, predict=lambda p: 0.0, samples=10_000)],
                   examples=[{"W_std": 1.0, "b_std": 0.5}])
    rep = mutate(zero, profile="smoke", seed=0)
    assert not rep.error and [o.status for o in rep.outcomes] == ["equivalent", "equivalent"]
    assert rep.score is None


def _exact_kernel(p):  # E z(x) z(x') written out by hand: independent of the record
    return [p["W_std"] ** 2 * float(a @ b) / 3 + p["b_std"] ** 2 for a, b in PAIRS]


def _shifted_products(p, *, n, seed):  # draws offset by the record, as a finite-size offset or a centring is
    return _products(p, n=n, seed=seed) + np.array(_kernel(p))


def _shifted(example):
    """E[z z' + K] = K_exact + K: a record mutant of K moves the draws and the prediction by the same amount,
    so in a real run (the record feeds both) it cancels exactly and cannot be detected."""
    return theorem(id="test.shifted", title="draws offset by the record", records=["kernel.fc"],
                   parameters=[real("W_std", 0.5, 2.0), real("b_std", 0.0, 1.0)],
                   checks=[Exact("shifted", simulate=_shifted_products,
                                 predict=lambda p: np.array(_exact_kernel(p)) + np.array(_kernel(p)),
                                 samples=50_000)], examples=[example])


def test_a_mutant_the_simulation_reads_is_resimulated_and_its_cancellation_is_not_a_kill(monkeypatch):
    from verify.mutants import _reach

    rep = mutate(_shifted({"W_std": 1.5, "b_std": 0.5}), profile="smoke", seed=0)
    assert not rep.error
    assert [o.status for o in rep.outcomes if o.kind == "scale"] == ["killed", "killed"]
    reached = [o for o in rep.outcomes if o.function == "input_kernel"]
    assert len(reached) == 7 and all(o.detail.startswith("re-simulated") for o in reached)
    # the mutant cancels: the same draws up to the shift, so no planted error is detectable here
    assert [o.name for o in reached if o.status == "killed"] == []
    assert all(o.status == "survived" for o in reached)
    # on the memoised draws (the unmutated record in the simulation) the same mutants are all "killed":
    # the overstatement this guards against
    monkeypatch.setattr(_reach.SimulationReach, "reaches", lambda self, record, names: False)
    memo = mutate(_shifted({"W_std": 1.5, "b_std": 0.5}), profile="smoke", seed=0)
    assert [o.status for o in memo.outcomes if o.function == "input_kernel"] == ["killed"] * 7


def test_the_simulation_reach_records_only_calls_outside_the_prediction(first_layer_report):
    from verify.core.claim import PROFILES, check
    from verify.mutants._reach import SimulationReach

    for claim, reached in ((_first_layer({"W_std": 1.5, "b_std": 0.5}), set()),
                           (_shifted({"W_std": 1.5, "b_std": 0.5}), {("kernel.fc", "input_kernel")})):
        reach = SimulationReach(claim.records)
        with reach.recording():
            assert check(reach.claim(claim), profile=PROFILES["smoke"], seed=0).passed
        assert {(r, f) for r, f in reach.reached if not f.startswith("_")} == reached  # (and the private body)
    assert kernel_fc.input_kernel.__module__ == "numerics.generated.kernel_fc"  # restored after the block
    # an ordinary claim (the simulation reads no record) is never re-simulated: its report is unchanged
    assert not any(o.detail.startswith("re-simulated") for o in first_layer_report.outcomes)


def test_a_failing_claim_gets_an_error_not_a_score():
    wrong = _first_layer({"W_std": 1.5, "b_std": 0.5}).with_prediction(lambda p: {"products": 1.2 * np.array(_kernel(p))})
    rep = mutate(wrong, profile="smoke", seed=0)
    assert rep.error.startswith("the unmutated claim fails") and rep.outcomes == [] and rep.score is None


def test_memoised_simulations_give_the_same_results_as_plain_ones():
    from verify.core.claim import PROFILES
    from verify.mutants._memo import memoised_simulations

    claim = _first_layer({"W_std": 1.5, "b_std": 0.5})
    memo = memoised_simulations(claim)
    assert memo.run is not claim.run
    params, prof = {"W_std": 1.2, "b_std": 0.3}, PROFILES["smoke"]
    plain = claim.run(claim, params, 7, 1e-6, prof)
    for _ in range(2):  # computed, then read back
        again = memo.run(memo, params, 7, 1e-6, prof)
        assert again.statistic == plain.statistic and again.detail == plain.detail
        np.testing.assert_array_equal(again.observed, plain.observed)
    (check,) = memo.run.checks
    assert len(check.simulate.values) == 1  # one simulation for both runs
    other = memo.run(memo, params, 8, 1e-6, prof)  # another seed: other draws
    assert other.statistic != plain.statistic


def test_expression_mutants_are_the_stated_ones():
    x, y = sp.symbols("x y", positive=True)
    mutants = expression_mutants("r", "f", x**2 + 3 * y + 1 / x)
    expected = {"drop 3*y": -3 * y, "flip the sign of 3*y": -6 * y,
                "drop x**2": -x**2, "flip the sign of x**2": -2 * x**2,
                "drop 1/x": -1 / x, "flip the sign of 1/x": -2 / x,
                "1/x -> 1": 1 - 1 / x, "x**2 -> x**3": x**3 - x**2}
    assert sorted(m.label for m in mutants) == sorted(expected)
    assert all(sp.simplify(m.delta - expected[m.label]) == 0 for m in mutants)
    pw = sp.Piecewise((0, x < 1), (x + y, True))
    labels = [m.label for m in expression_mutants("r", "g", pw)]
    assert labels == ["drop x (branch 1)", "flip the sign of x (branch 1)", "drop y (branch 1)",
                      "flip the sign of y (branch 1)"]  # the zero branch gets none
    assert expression_mutants("r", "h", sp.S.Zero) == []


def test_an_unmutated_emission_reproduces_the_committed_functions():
    from numerics.generated import dual_relu

    drops = [m for m in record_mutants("dual.relu") if m.function == "dual" and m.kind == "drop"]
    assert len(drops) >= 2  # the top-level product distributed over its sum
    mutant = type(drops[0])("dual.relu", "dual", "drop", "every term", sum(m.delta for m in drops))
    identity = type(mutant)(mutant.record, mutant.function, "drop", "nothing", sp.S.Zero)
    functions = mutant_functions(identity)
    assert set(functions) == {"dual", "dual_and_derivative"}  # the fused function is emitted too
    q1, q2, c = np.array([0.5, 1.0, 2.0]), np.array([1.5, 1.0, 0.3]), np.array([0.2, -0.9, 0.7])
    np.testing.assert_array_equal(functions["dual"](q1, q2, c), dual_relu.dual(q1, q2, c))
    for got, want in zip(functions["dual_and_derivative"](q1, q2, c), dual_relu.dual_and_derivative(q1, q2, c)):
        np.testing.assert_array_equal(got, want)
    # every term dropped: the stable form minus the canonical one, zero up to rounding
    planted = mutant_functions(mutant)["dual"](q1, q2, c)
    np.testing.assert_allclose(planted, np.zeros(3), rtol=0, atol=1e-15)


def test_swapped_replaces_every_binding_and_restores_them_even_on_error():
    import sys
    import types

    module = types.ModuleType("test_mutants_holder")
    original = kernel_fc.nngp_step
    module.imported = original
    module.table = {"step": original}
    module.holder = types.SimpleNamespace(functions={"step": original})
    sys.modules[module.__name__] = module
    try:
        with pytest.raises(RuntimeError), swapped({original: len}) as count:
            assert count >= 4  # the generated module, the imported name, the table, the held dict
            assert kernel_fc.nngp_step is len and module.imported is len
            assert module.table["step"] is len and module.holder.functions["step"] is len
            raise RuntimeError("restored anyway")
        assert kernel_fc.nngp_step is original and module.imported is original
        assert module.table["step"] is original and module.holder.functions["step"] is original
    finally:
        del sys.modules[module.__name__]


def test_scaled_predictions_of_every_shape():
    from scipy.stats import norm

    assert scaled(2.0, 1.05) == pytest.approx(2.1)
    est = scaled(Estimate(np.array([1.0, -2.0]), np.array([0.1, 0.2])), 0.95)
    np.testing.assert_allclose(est.value, [0.95, -1.9]) and np.testing.assert_allclose(est.stderr, [0.095, 0.19])
    cdf = scaled(norm.cdf, 1.05)  # the law of 1.05 X
    assert cdf(1.05) == pytest.approx(norm.cdf(1.0), rel=1e-15)
    assert scaled({"a": [1.0, 2.0]}, 1.05)["a"] == pytest.approx([1.05, 2.1])
    with pytest.raises(ValueError, match="factor"):
        scaled(1.0, -1.0)
    with pytest.raises(ValueError, match="str"):
        scaled("text", 1.05)
    assert scale_factors("thorough") == (1.03, 0.97) and scale_factors("quick") == (1.05, 0.95)
    assert 0 < EQUAL_RTOL < 1e-6


def test_the_thorough_profile_plants_three_percent_errors_and_kills_them():
    """A profile named "thorough" plants x1.03 and x0.97 (here with the pinned example only and the claim's own
    200,000 draws: the SE of the mean of z^2 is sqrt(2) K / sqrt(n), 0.32% of K, so 3% is about 9 SEs)."""
    from verify.core.claim import Profile

    rep = mutate(_first_layer({"W_std": 1.5, "b_std": 0.5}), profile=Profile("thorough", 0, 1.0), seed=0,
                 records=False)
    assert [(o.name, o.status) for o in rep.outcomes] == [("prediction x1.03", "killed"),
                                                         ("prediction x0.97", "killed")]


def test_mutate_validates_its_options():
    claim = _first_layer({"W_std": 1.5, "b_std": 0.5})
    with pytest.raises(ValueError, match="profile='fast'"):
        mutate(claim, profile="fast")
    with pytest.raises(ValueError, match="seed=-1"):
        mutate(claim, seed=-1)
    with pytest.raises(ValueError, match="claim="):
        mutate("claim.ntk")


def test_a_shipped_claim_kills_its_scale_mutants():
    from verify.claims import get_claim

    rep = mutate(get_claim("claim.price_identity"), profile="smoke", seed=0, records=False)
    assert not rep.error
    assert [(o.name, o.status) for o in rep.outcomes] == [("prediction x1.05", "killed"),
                                                         ("prediction x0.95", "killed")]


@pytest.mark.slow
def test_a_shipped_monte_carlo_claim_kills_its_scale_mutants_in_the_quick_profile():
    from verify.claims import get_claim

    rep = mutate(get_claim("claim.nngp_depth1"), profile="quick", seed=0, records=False)
    assert not rep.error
    assert [(o.name, o.status) for o in rep.outcomes] == [("prediction x1.05", "killed"),
                                                         ("prediction x0.95", "killed")]


def test_the_command_line_runs_mutants_and_reports_them(tmp_path, capsys):
    import json

    from verify.cli import main

    path = tmp_path / "my_theorems.py"
    path.write_text(THEOREM_FILE)
    out_json, report = tmp_path / "mutants.json", tmp_path / "report"
    rc = main(["verify", "--claims", str(path), "--mutants", "--profile", "smoke", "--json", str(out_json),
               "--report", str(report)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "my.first_layer" in captured.out and "mutation score: 9/9 (100%)" in captured.out
    assert "seed: 0" in captured.err
    data = json.loads(out_json.read_text())
    assert data["passed"] is True and data["score"] == 1.0 and data["mutants"][0]["claim"] == "my.first_layer"
    assert "# Mutation testing" in (report / "mutants.md").read_text()
    # one line on stderr, status 2: an unknown claim id
    assert main(["verify", "--claims", str(path), "--mutants", "my.nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err


def _without_seconds(data):
    if isinstance(data, dict):
        return {k: _without_seconds(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_without_seconds(v) for v in data]
    return data


def test_a_mutants_task_returns_the_report_of_mutate(tmp_path):
    """The task a worker runs for ``--mutants`` (here in this process): the report :func:`mutate` gives."""
    import json

    from verify.core.loading import load_claims
    from verify.parallel import run_claims

    path = tmp_path / "second_theorem.py"
    path.write_text(THEOREM_FILE + SECOND_THEOREM)
    claim = next(c for c in load_claims(path) if c.id == "my.scaled_layer")
    [via_task] = run_claims([claim], profile="smoke", seed=2, workers=1, sources={claim.id: str(path)}, job="mutants")
    direct = mutate(claim, profile="smoke", seed=2)
    assert [(o.name, o.status) for o in via_task.outcomes] == [("prediction x1.05", "killed"),
                                                               ("prediction x0.95", "killed")]
    assert (_without_seconds(json.loads(mutation_json([via_task])))
            == _without_seconds(json.loads(mutation_json([direct]))))


@pytest.mark.slow  # two worker interpreters and two mutation runs: about 6 s of CPU
def test_mutants_on_two_workers_give_the_serial_report(tmp_path, capsys):
    """``--mutants --workers 2``: one claim per worker process, the same JSON as one after another."""
    import json

    from verify.cli import main

    path = tmp_path / "two_theorems.py"
    path.write_text(THEOREM_FILE + SECOND_THEOREM)
    reports = {}
    for workers in ("1", "2"):
        out = tmp_path / f"mutants{workers}.json"
        rc = main(["verify", "--claims", str(path), "--mutants", "--profile", "smoke", "--seed", "5",
                   "--workers", workers, "--json", str(out)])
        captured = capsys.readouterr()
        assert rc == 0, captured.err
        reports[workers] = json.loads(out.read_text())
    assert "mutation testing 2 claims on 2 worker processes" in captured.err
    assert [r["claim"] for r in reports["2"]["mutants"]] == ["my.first_layer", "my.scaled_layer"]
    assert _without_seconds(reports["2"]) == _without_seconds(reports["1"])
    assert reports["2"]["score"] == 1.0 and all(r["survivors"] == [] for r in reports["2"]["mutants"])


#: A second claim for the parallel run: no records, so only its two scale mutants.
SECOND_THEOREM = '''
SCALED_LAYER = theorem(id="my.scaled_layer", title="Twice the first layer: E (2z)(2z') is 4 times the input kernel",
                       parameters=[real("W_std", 0.5, 2.0), real("b_std", 0.0, 1.0)],
                       checks=[Exact("products", simulate=lambda p, *, n, seed: 4 * products(p, n=n, seed=seed),
                                     predict=lambda p: [4 * k for k in kernel(p)], samples=200_000)],
                       examples=[{"W_std": 0.8, "b_std": 0.2}])
'''


def test_the_json_of_a_report_is_plain_data(first_layer_report):
    import json

    data = json.loads(mutation_json([first_layer_report]))
    assert data["killed"] == 9 and data["scored"] == 9
    assert {m["status"] for m in data["mutants"][0]["mutants"]} == {"killed", "not reached"}


@pytest.mark.slow  # deriving log_gaussian.resnet_standard takes seconds
def test_an_expression_with_an_infinite_sum_is_mutated_in_its_numerical_form():
    from numerics.generated import log_gaussian_resnet_standard as generated

    mutants = [m for m in record_mutants("log_gaussian.resnet_standard") if m.function == "limit_mean"]
    assert mutants and all(m.form and m.label.endswith("[numerical form]") for m in mutants)
    lam, beta = 0.5, 1.0
    drop_polynomial = [m for m in mutants if m.kind == "drop" and "BoundedSeries" not in m.label]
    (mutant,) = drop_polynomial  # -beta lambda^2 (lambda^2 + 4)/2 dropped: the mean rises by exactly that
    got = mutant_functions(mutant)["limit_mean"](lam, beta)
    assert got == pytest.approx(generated.limit_mean(lam, beta) + beta * lam**2 * (lam**2 + 4) / 2, rel=1e-14)
