"""Reports (Markdown with formulas and plots), the figures' checks, and the calibration meta-test of a true claim.

The figure checks read the matplotlib objects, not pixels: every panel has x and y labels and a
theory line serving each of its series, the legend lies outside every panel, titles lie inside the
figure, and tick labels do not overlap.  Cost: no test here runs more than one cheap claim; every
claim's figure is rebuilt from ``report_plot_data.json``, the plot data of a real ``deeplimits
verify --report`` run (quick profile), so a claim whose declared plot paths do not match what its
run stores fails here without re-running it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from derivations import catalog
from verify.claims import CLAIMS
from verify.claims import kernel as kernel_claims
from verify.claims import ClaimResult, Profile, check
from verify.plots import PANEL_KINDS, Cdf, ClaimPlot, Exact, Limit, Parity, Rate, legend_labels
from verify.report import formulas_under_test, plot_data, to_json, write_report
from verify.core.stats import TestResult, binomial_calibration

STORED = Path(__file__).with_name("report_plot_data.json")


# --------------------------------------------------------------------------- the figure checker


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def assert_figure_speaks(fig) -> None:
    """Labelled axes, a theory line per series, legend off the data, titles inside, no overlapping ticks."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    fig_box = fig.bbox
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert axes, "figure has no panels"
    for ax in axes:
        name = ax.get_title() or "panel"
        assert ax.get_xlabel().strip(), f"{name}: no x-axis label"
        assert ax.get_ylabel().strip(), f"{name}: no y-axis label"
        gids = [str(a.get_gid()) for a in ax.get_children() if a.get_gid()]
        series = {g.split(":", 1)[1] for g in gids if g.startswith("data:")}
        assert series, f"{name}: no data series"
        theory_lines = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("theory")]
        for ln in theory_lines:
            y = np.asarray(ln.get_ydata(), dtype=float)
            assert y.size >= 2 and np.all(np.isfinite(y)), f"{name}: theory line {ln.get_gid()} is not drawn"
        shared = any(ln.get_gid() == "theory" for ln in theory_lines)
        own = {str(ln.get_gid()).split(":", 1)[1] for ln in theory_lines if ":" in str(ln.get_gid())}
        assert shared or series <= own, f"{name}: series {sorted(series - own)} have no theory line"
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [t.get_window_extent(renderer) for t in axis.get_ticklabels()
                     if t.get_visible() and t.get_text().strip()]
            boxes = [b for b in boxes if _overlap(b, ax.get_tightbbox(renderer))]  # drawn ones only
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    assert not _overlap(boxes[i], boxes[j]), f"{name}: tick labels overlap"
        title = ax.title.get_window_extent(renderer)
        assert fig_box.x0 - 1 <= title.x0 and title.x1 <= fig_box.x1 + 1, f"{name}: title clipped"
    assert fig.legends, "figure has no legend"
    for leg in fig.legends:
        box = leg.get_window_extent(renderer)
        assert fig_box.x0 - 1 <= box.x0 and box.x1 <= fig_box.x1 + 1, "legend clipped at the figure edge"
        for ax in axes:
            assert not _overlap(box, ax.get_window_extent(renderer)), "legend covers a panel"
    sup = fig._suptitle.get_window_extent(renderer)
    assert fig_box.x0 - 1 <= sup.x0 and sup.x1 <= fig_box.x1 + 1 and sup.y1 <= fig_box.y1 + 1, "title clipped"


def _result(claim, rows, *, counterexample=None) -> ClaimResult:
    """A ClaimResult carrying ``rows = [(params, data), ...]`` as passed examples (no simulation)."""
    def res(data):
        return TestResult(passed=True, statistic=0.0, threshold=1.0, false_fail_rate=0.0, detectable_discrepancy=0.0,
                          n_samples=1, observed=0.0, predicted=0.0, detail="", data=data)

    ce = None if counterexample is None else (counterexample[0], 0, res(counterexample[1]))
    return ClaimResult(claim, ce is None, "fake", [(p, 0, res(d)) for p, d in rows], ce, 0.0)


@pytest.fixture
def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


# --------------------------------------------------------------------------- declarations


def test_every_claim_declares_a_drawable_plot_and_its_formulas():
    for claim in CLAIMS.values():
        assert isinstance(claim.plot, ClaimPlot), f"{claim.id} has no ClaimPlot"
        assert all(isinstance(p, PANEL_KINDS) for p in claim.plot.panels), claim.id
        pairs = formulas_under_test(claim)
        assert bool(pairs) == bool(claim.records), f"{claim.id}: cites records but declares no formula under test"
        for rid, name in pairs:
            assert name in catalog.get(rid).expressions, f"{claim.id}: {rid} has no expression {name!r}"
            assert name != "input_kernel", f"{claim.id} shows the input kernel as its formula under test"


def test_claim_plot_rejects_unknown_panels():
    with pytest.raises(ValueError, match="unknown kind"):
        ClaimPlot("t", ("not a panel",))
    with pytest.raises(ValueError, match="at least one panel"):
        ClaimPlot("t", ())


# --------------------------------------------------------------------------- one fake result per panel kind

SIZES = [8.0, 16.0, 32.0, 64.0]
_RNG = np.random.default_rng(5)


def _limit_data(theory):
    est = theory + 1.0 / np.array(SIZES) + 0.01 * _RNG.standard_normal(4)
    return {"sizes": SIZES, "estimates": np.stack([est, 2 * est], axis=1), "stderrs": np.full((4, 2), 0.01),
            "prediction": np.array([theory, 2 * theory])}


KIND_CASES = {
    Limit: (Limit("E x_T(z) x_T(z')", estimate=("estimates", 1), stderr=("stderrs", 1), theory=("prediction", 1),
                  size_name="L"), lambda i: _limit_data(0.3 + i)),
    Rate: (Rate("standard deviation of the empirical NTK", values="sd", order=-0.5),
           lambda i: {"sizes": SIZES, "sd": (1 + i) * np.array(SIZES) ** -0.5}),
    Exact: (Exact(("E f(x)^2", "E f(x')^2", "E f(x) f(x')"), observed="m", theory="k", stderr="se"),
            lambda i: {"m": np.array([1.0, 2.0, 0.5]) + 0.01 * i, "k": np.array([1.0, 2.0, 0.5]),
                       "se": np.full(3, 0.01)}),
    Parity: (Parity("V", computed="v", reference="ref", symlog=True),
             lambda i: {"v": np.array([10.0**i, -(10.0 ** -i)]), "ref": np.array([10.0**i, -(10.0 ** -i)])}),
    Cdf: (Cdf("ln |z|^2", grid="x", empirical="f", theories=(("Gaussian", "g"), ("log-Gaussian", "h"))),
          lambda i: {"x": np.linspace(-3, 3, 50), "f": np.linspace(0, 1, 50) ** (1 + i),
                     "g": np.linspace(0, 1, 50), "h": np.linspace(0, 1, 50) ** 1.5}),
}


def test_every_panel_kind_has_a_case():
    assert set(KIND_CASES) == set(PANEL_KINDS)


@pytest.mark.parametrize("kind", list(KIND_CASES), ids=lambda k: k.__name__)
@pytest.mark.parametrize("n_examples", [1, 4])
def test_each_panel_kind_draws_labels_and_theory(kind, n_examples, plt):
    panel, make = KIND_CASES[kind]
    claim = kernel_claims.NNGP_DEEP_CLAIM
    params = [dict(claim.examples[0], angle=[2.0, 2.23e-309, 1.0, 0.5][i], W_std=1.23456789 + i)
              for i in range(n_examples)]
    plot = ClaimPlot("A long title that has to be wrapped because it says exactly which limit the claim checks "
                     "and at which sizes", (panel, panel))
    fig = plot.figure(_result(claim, [(p, make(i)) for i, p in enumerate(params)],
                              counterexample=(dict(params[0], width=3), make(n_examples))))
    assert_figure_speaks(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("(rejected)" in t for t in labels)
    assert not any("2.23e-309" in t or "1.23456789" in t for t in labels), labels


def test_checker_fails_on_a_figure_without_theory_or_labels(plt):
    fig, ax = plt.subplots(layout="constrained")
    (ln,) = ax.plot([1, 2], [1, 2], label="data")
    ln.set_gid("data:0")
    ax.set_xlabel("n")
    fig.legend(loc="outside lower center")
    fig.suptitle("t")
    with pytest.raises(AssertionError, match="no y-axis label"):
        assert_figure_speaks(fig)
    ax.set_ylabel("y")
    with pytest.raises(AssertionError, match="no theory line"):
        assert_figure_speaks(fig)
    (th,) = ax.plot([1, 2], [1, 1])
    th.set_gid("theory")
    assert_figure_speaks(fig)
    fig.legends[0].remove()
    fig.legend(loc="center")  # over the panel
    with pytest.raises(AssertionError, match="legend covers a panel"):
        assert_figure_speaks(fig)


def test_legend_labels_show_only_varying_parameters_briefly():
    labels, fixed = legend_labels([{"angle": 2.23e-309, "width": 3, "act": "relu", "_seed": 1},
                                   {"angle": 1.2345678, "width": 3, "act": "relu", "_seed": 2}],
                                  {"angle": r"\gamma"})
    assert labels == [r"$\gamma$=≈0", r"$\gamma$=1.23"]
    assert fixed == "width=3, act=relu"


# --------------------------------------------------------------------------- every claim, from stored plot data


def test_every_claim_figure_from_stored_plot_data(plt):
    stored = json.loads(STORED.read_text())
    missing = sorted(set(CLAIMS) - set(stored))
    assert not missing, f"no stored plot data for {missing}: refresh {STORED.name} from a report's plot_data.json"
    for cid, claim in CLAIMS.items():
        rows = [(e["params"], {k: np.asarray(v) if isinstance(v, list) else v for k, v in e["data"].items()},
                 e["rejected"]) for e in stored[cid]]
        passed = [(p, d) for p, d, bad in rows if not bad]
        rejected = next(((p, d) for p, d, bad in rows if bad), None)
        fig = claim.plot.figure(_result(claim, passed, counterexample=rejected))
        try:
            assert_figure_speaks(fig)
        except AssertionError as exc:
            raise AssertionError(f"{cid}: {exc}") from None
        assert len(fig.axes) == len(claim.plot.panels)
        plt.close(fig)


# --------------------------------------------------------------------------- cheap real runs


def test_report_has_formulas_verdicts_and_plots(tmp_path):
    res = check(kernel_claims.NTK_CLAIM, profile=Profile("tiny", max_examples=1, sample_scale=0.3))
    assert res.passed, res.summary()
    md = write_report([res], tmp_path).read_text()
    assert kernel_claims.NTK_CLAIM.title in md and "$$" in md and "verdict: **pass**" in md
    assert "kernel.fc`, ntk_layer" in md and "input_kernel" not in md
    png = tmp_path / "claim.ntk.png"
    assert png.exists() and png.stat().st_size > 10_000
    assert f"]({png.name})" in md
    data = json.loads(to_json([res]))["claims"][0]
    assert {"verdict", "samples", "false_fail_rate", "detectable_discrepancy"} <= set(data)
    stored = json.loads((tmp_path / "plot_data.json").read_text())
    assert stored["claim.ntk"][0]["data"]["checks"]["mean NTK"]["sizes"] == list(map(float, kernel_claims.NTK_WIDTHS))


def test_failed_claim_reports_its_samples_and_plots_the_counterexample(tmp_path, plt):
    wrong = kernel_claims.NNGP_DEPTH1_CLAIM.with_prediction(
        lambda p: {k: 1.5 * v for k, v in kernel_claims.NNGP_DEPTH1_CLAIM.predict(p).items()})
    res = check(wrong, profile=Profile("tiny", max_examples=1, sample_scale=0.1))
    assert not res.passed and res.counterexample is not None
    assert res.summary()["samples"] >= 10_000  # the counterexample's samples count (was 0)
    md = write_report([res], tmp_path).read_text()
    assert "samples: 0" not in md and "1 rejected" in md
    assert (tmp_path / f"{wrong.id}.png").exists()
    fig = wrong.plot.figure(res)
    assert_figure_speaks(fig)
    assert any("(rejected)" in t.get_text() for t in fig.legends[0].get_texts())
    assert plot_data([res])[wrong.id][-1]["rejected"] is True


@pytest.mark.slow
def test_true_claim_rejects_at_its_nominal_rate():
    """Calibration: a true claim run at a loose nominal rate of 1e-2 on 1000 independent seeds.

    E[f(x) f(x')] = K exactly at width 3 (one hidden layer), so every rejection
    is a false failure; the count must be consistent with Binomial(1000, 1e-2)
    (two-sided exact test at 1e-6).
    """
    claim = kernel_claims.NNGP_DEPTH1_CLAIM
    params = dict(claim.examples[0], width=3, activation="erf", angle=1.0)
    profile = Profile("calibration", max_examples=1, sample_scale=0.1)  # 10_000 samples per run
    seeds = np.random.SeedSequence(123).generate_state(1000)
    rejections = sum(not claim.run(claim, params, int(s), 1e-2, profile).passed for s in seeds)
    result = binomial_calibration(rejections, len(seeds), 1e-2, raise_on_failure=False)
    print(f"claim calibration: {rejections}/{len(seeds)} rejections at nominal 1e-2 (p = {result.statistic:.3g})")
    assert result.passed, result.detail


def test_verify_command_json(tmp_path, capsys):
    from verify.cli import main

    out = tmp_path / "v.json"
    rc = main(["verify", "claim.price_identity", "--json", str(out)])
    assert rc == 0
    data = json.loads(out.read_text())
    assert data["passed"] and data["claims"][0]["claim"] == "claim.price_identity"
    assert "claim.price_identity" in capsys.readouterr().out
    assert main(["verify", "claim.nope"]) == 2

