"""Reports (Markdown with formulas and plots) and the calibration meta-test of a true claim."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from verify import claim_catalog as cc
from verify.claims import Profile, check
from verify.report import to_json, write_report
from verify.stats import binomial_calibration


def test_report_has_formulas_verdicts_and_plots(tmp_path):
    res = check(cc.NTK_CLAIM, profile=Profile("tiny", max_examples=1, sample_scale=0.3))
    assert res.passed, res.summary()
    md = write_report([res], tmp_path).read_text()
    assert cc.NTK_CLAIM.title in md and "$$" in md and "verdict: **pass**" in md
    png = tmp_path / "claim.ntk.png"
    assert png.exists() and png.stat().st_size > 10_000
    assert f"]({png.name})" in md
    data = json.loads(to_json([res]))["claims"][0]
    assert {"verdict", "samples", "false_fail_rate", "detectable_discrepancy"} <= set(data)


@pytest.mark.slow
def test_true_claim_rejects_at_its_nominal_rate():
    """Calibration: a true claim run at a loose nominal rate of 1e-2 on 1000 independent seeds.

    E[f(x) f(x')] = K exactly at width 3 (one hidden layer), so every rejection
    is a false failure; the count must be consistent with Binomial(1000, 1e-2)
    (two-sided exact test at 1e-6).
    """
    claim = cc.NNGP_DEPTH1_CLAIM
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


_ = dataclasses
