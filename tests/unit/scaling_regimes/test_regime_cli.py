"""`deeplimits regime`: estimates, verdicts on synthetic sweeps of known regime, plot, JSON, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from numerics.scaling_regimes.synthetic_weights import synthetic_weights
from numerics.scaling_regimes.weights_file import write_networks
from verify.cli import main

DEPTHS = (8, 16, 32, 64, 128)


def _sweep(path, family, beta, *, delta_exponent=None):
    nets = []
    for L in DEPTHS:
        net = {"A": synthetic_weights(family, beta=beta, depth=L, entries=25, seed=L)[0].reshape(L, 5, 5)}
        if delta_exponent is not None:
            net["delta"] = float(L) ** -delta_exponent
        nets.append(net)
    write_networks(path, nets)
    return path


def test_smooth_sweep_reads_as_the_linear_ode(tmp_path, capsys):
    path = _sweep(tmp_path / "s.npz", "smooth", 0.5, delta_exponent=0.5)
    out_json = tmp_path / "r.json"
    assert main(["regime", str(path), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "verdict: smooth, alpha + beta = 1, beta > 0" in out
    report = json.loads(out_json.read_text())
    est = report["estimates"]
    assert est["alpha"]["value"] == pytest.approx(0.5) and est["beta"]["lower"] < 0.5 < est["beta"]["upper"]
    assert report["depths"] == list(DEPTHS)


def test_iid_sweep_reads_as_diffusive_and_plots(tmp_path, capsys):
    path = _sweep(tmp_path / "d.npz", "iid", 0.5)
    png = tmp_path / "r.png"
    assert main(["regime", str(path), "--plot", str(png)]) == 0
    assert "verdict: diffusive (H2)" in capsys.readouterr().out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_growing_noise_reads_as_neither(tmp_path, capsys):
    assert main(["regime", str(_sweep(tmp_path / "n.npz", "iid", 0.0))]) == 0
    assert "verdict: neither" in capsys.readouterr().out


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("deeplimits regime: error:")
    return err


def test_bad_inputs_are_one_line_errors(tmp_path, capsys):
    write_networks(tmp_path / "one.npz", [{"A": np.ones((4, 2, 2)) + np.arange(4)[:, None, None]}])
    assert "at least 3 distinct depths" in _error(capsys, ["regime", str(tmp_path / "one.npz")])
    (tmp_path / "junk.npz").write_bytes(b"junk")
    assert "not a readable .npz" in _error(capsys, ["regime", str(tmp_path / "junk.npz")])
    np.savez(tmp_path / "nan.npz", A_0=np.eye(2), A_1=np.full((2, 2), np.inf))
    assert "A_1 holds NaN or inf" in _error(capsys, ["regime", str(tmp_path / "nan.npz")])
    np.savez(tmp_path / "shape.npz", A_0=np.eye(2), A_1=np.eye(3))
    assert "A_1 has shape" in _error(capsys, ["regime", str(tmp_path / "shape.npz")])
    good = _sweep(tmp_path / "g.npz", "iid", 0.5)
    assert "--plot" in _error(capsys, ["regime", str(good), "--plot", str(tmp_path / "x.jpg")])
    assert "--json" in _error(capsys, ["regime", str(good), "--json", str(tmp_path / "no" / "x.json")])
    assert "--level" in _error(capsys, ["regime", str(good), "--level", "1.5"])
    const = [{"A": np.ones((L, 2, 2))} for L in (4, 8, 16)]
    write_networks(tmp_path / "c.npz", const)
    err = _error(capsys, ["regime", str(tmp_path / "c.npz")])
    assert "vanishes at depth 4" in err and "c.npz" in err


def test_huge_finite_weights_in_one_file_are_exact_not_overflow(tmp_path, capsys):
    """Review item (issue 15): ``regime d4.npz d8.npz hr16.npz`` with entries ~1e200 in hr16 printed
    RuntimeWarnings and a wrong 'vanishes at depth 4'.  Now: exit 0, empty stderr, and the log statistics at
    depth 16 are those of the unscaled network shifted by degree * log(1e200) (1 for norms, 2 for the QV)."""
    rng = np.random.default_rng(4)
    nets = {L: {"A": rng.standard_normal((L, 3, 3)) / np.sqrt(L), "delta": 1.0 / L} for L in (4, 8, 16)}
    for L, name in [(4, "d4"), (8, "d8")]:
        write_networks(tmp_path / f"{name}.npz", [nets[L]])
    write_networks(tmp_path / "plain16.npz", [nets[16]])
    write_networks(tmp_path / "hr16.npz", [{"A": 1e200 * nets[16]["A"], "delta": nets[16]["delta"]}])
    files = [str(tmp_path / f) for f in ("d4.npz", "d8.npz")]
    assert main(["regime", *files, str(tmp_path / "plain16.npz"), "--json", str(tmp_path / "p.json")]) == 0
    assert main(["regime", *files, str(tmp_path / "hr16.npz"), "--json", str(tmp_path / "h.json"),
                 "--plot", str(tmp_path / "h.png")]) == 0
    assert capsys.readouterr().err == ""
    plain, huge = (json.loads((tmp_path / f).read_text()) for f in ("p.json", "h.json"))
    for key, degree in [("max_norm_A", 1), ("max_norm_W", 1), ("root_ssq_W", 1), ("qv_W", 2)]:
        shift = [0.0, 0.0, degree * np.log(1e200)]
        assert huge["log_statistics"][key] == pytest.approx(np.add(plain["log_statistics"][key], shift), rel=1e-12)
    assert all(np.isfinite(v) for r in huge["estimates"].values() for v in (r["value"], r["lower"], r["upper"]))


@pytest.mark.parametrize("family, beta, alpha, verdict", [
    ("smooth", 0.0, 1.0, "neural ODE limit (F1)"),
    ("smooth", 0.5, 0.5, "alternative linear ODE (F2"),   # beta = 0.2 is not told from 0 at 25 entries (HC3)
    ("smooth", 0.0, 1.5, "the identity (F4"),
    ("smooth", 0.0, 0.5, "neither (F5"),
    ("iid", 0.5, None, "diffusive (H2)"),
    ("iid", 0.0, None, "neither: the noise"),
    ("iid", 1.0, None, "rough but vanishing"),
])
def test_each_verdict_on_a_sweep_of_known_regime(tmp_path, family, beta, alpha, verdict):
    """The reading of the regime table, branch by branch, on synthetic sweeps whose regime is known."""
    from numerics.scaling_regimes.estimators_regime import regime_report
    from numerics.scaling_regimes.weights_file import read_networks

    nets, _ = read_networks([_sweep(tmp_path / "w.npz", family, beta, delta_exponent=alpha)])
    report = regime_report(nets)
    assert verdict in report["verdict"] and report["reasons"]
