"""`deeplimits phase`: the table it prints, and one-line errors with exit status 2."""

from __future__ import annotations

import pytest

from numerics.propagation import critical_line, propagation
from verify.cli import main


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


@pytest.mark.parametrize("argv,needle", [
    (["phase", "--activation", "relu"], "activation='relu'"),
    (["phase", "--activation", "tanh", "--sigma-b2", "-1"], "sigma_b2=-1.0"),
    (["phase", "--activation", "tanh", "--sigma-w2", "0,1"], "sigma_w2=0.0"),
    (["phase", "--activation", "tanh", "--sigma-w2", "x"], "--sigma-w2='x'"),
    (["phase"], "--activation"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err
