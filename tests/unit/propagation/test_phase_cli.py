"""`deeplimits phase`: the table it prints, and one-line errors with exit status 2."""

from __future__ import annotations

import pytest

from numerics.propagation import critical_line, propagation
from verify.cli import main
from verify.phase_cli import resolve_activation


def test_phase_prints_the_critical_line_and_depth_scales(capsys):
    assert main(["phase", "--activation", "tanh", "--sigma-b2", "0.05,0.2", "--sigma-w2", "2.5"]) == 0
    out = capsys.readouterr().out.splitlines()
    sw, q = critical_line("tanh", [0.05, 0.2])
    crit = [line.split("\t") for line in out[2:4]]
    assert [float(r[1]) for r in crit] == pytest.approx(list(sw), rel=1e-9)
    assert [float(r[2]) for r in crit] == pytest.approx(list(q), rel=1e-9)
    scales = out[-2].split("\t")
    p = propagation("tanh", sigma_w2=2.5, sigma_b2=0.05)
    assert [float(x) for x in scales[2:]] == pytest.approx([p.q_star, p.c_star, p.chi_1, p.xi_q, p.xi_c, p.xi_grad],
                                                           rel=1e-9)


def test_phase_plot_writes_a_png(tmp_path, capsys):
    out = tmp_path / "phase.png"
    assert main(["phase", "--activation", "erf", "--sigma-b2", "0.1,0.3", "--sigma-w2", "2", "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    assert f"written to {out}" in capsys.readouterr().out


def test_phase_takes_a_user_expression_and_a_catalog_name(capsys):
    """x*tanh(x) goes through the safe parser and the dual engine; its line solves chi_1 = 1 at q*."""
    assert main(["phase", "--activation", "x*tanh(x)", "--sigma-b2", "0.05", "--sigma-w2", "1"]) == 0
    sw, q = (float(v) for v in capsys.readouterr().out.splitlines()[2].split("\t")[1:3])
    act = resolve_activation("x*tanh(x)")
    assert sw * float(act.derivative_variance(q)) == pytest.approx(1.0, rel=1e-8)
    assert sw * float(act.variance(q)) + 0.05 == pytest.approx(q, rel=1e-8)
    assert main(["phase", "--activation", "relu", "--sigma-b2", "0", "--sigma-w2", "1.5"]) == 0
    assert capsys.readouterr().out.splitlines()[2].split("\t")[:3] == ["0", "2", "0"]  # ReLU's (2, 0)


@pytest.mark.parametrize("argv,needle", [
    (["phase", "--activation", "relu"], "activation='relu' has no critical point"),
    (["phase", "--activation", "__import__('os').system('x')"], "is not allowed"),
    (["phase", "--activation", "exp(x**2)"], "exp(x**2)"),
    (["phase", "--activation", "x*tanh(x)", "--certify", "--sigma-b2", "0.1"], "no closed-form derivatives"),
    (["phase", "--activation", "tanh", "--plot", "out.pdf"], "--plot='out.pdf' must name a .png"),
    (["phase", "--activation", "tanh", "--plot", "/no/such/dir/a.png"], "does not exist"),
    (["phase", "--activation", "tanh", "--sigma-b2", "-1"], "sigma_b2=-1.0"),
    (["phase", "--activation", "tanh", "--sigma-w2", "0,1"], "sigma_w2=0.0"),
    (["phase", "--activation", "tanh", "--sigma-w2", "x"], "--sigma-w2='x'"),
    (["phase"], "--activation"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err
