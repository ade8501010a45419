"""The README's code runs as printed: every ``python`` block, in order, in one namespace,
and the user theorem of "State your own theorem" through ``deeplimits verify --claims``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[3] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(), flags=re.M | re.S)


def _theorem_block() -> str:
    (block,) = [b for b in _blocks("python") if "theorem(" in b and "def moments" in b]
    return block


def test_python_blocks_run_as_printed():
    namespace: dict = {}
    first, *rest = _blocks("python")
    exec(compile(first, str(README), "exec"), namespace)  # noqa: S102 - the project's own README
    assert float(np.squeeze(namespace["nngp"])) == pytest.approx(0.9576953125, rel=1e-12)  # as printed
    assert float(np.squeeze(namespace["ntk"])) == pytest.approx(2.8652734375, rel=1e-12)
    for block in rest:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    assert namespace["rec"].derivation.method.value == "closed form derived here"
    result = namespace["result"]
    assert result.passed is False  # the planted 1.05 is rejected
    failed = [o["name"] for o in result.counterexample[2].data["outcomes"] if not o["passed"]]
    assert failed == ["second moments"]
    assert result.counterexample[0] == {"width": 1, "W_std": 1.0}  # as printed
    assert namespace["NNGP_AT_EVERY_WIDTH"].id == "my.nngp_depth1"
    assert namespace["weakest"] < 0.05  # the README says a 5% error is seen


def test_user_theorem_file_runs_through_the_command_line(tmp_path, capsys):
    from verify.cli import main

    path = tmp_path / "my_theorems.py"
    path.write_text(_theorem_block())
    (command,) = [line for b in _blocks("console") for line in b.splitlines() if "--claims" in line]
    assert command.split()[1:] == [".venv/bin/deeplimits", "verify", "--claims", "my_theorems.py", "--report", "report"]
    rc = main(["verify", "--claims", str(path), "--report", str(tmp_path / "report")])
    out = capsys.readouterr().out
    assert rc == 0 and "my.nngp_depth1" in out
    assert (tmp_path / "report" / "report.md").read_text().count("my.nngp_depth1") >= 1
