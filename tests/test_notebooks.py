"""Run every notebook script (jupytext percent format) as a test.

Each ``notebooks/*.py`` is executed with :func:`runpy.run_path` under
matplotlib's non-interactive Agg backend, with ``DEEPLIMITS_NOTEBOOK_OUT``
pointing to a temporary directory; its own assertions are the checks, and the
figures it saves must exist and be non-empty.  Warnings are errors (see
``pyproject.toml``), so a notebook must run warning-free.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import matplotlib
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_writes_figures(path, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("DEEPLIMITS_NOTEBOOK_OUT", str(tmp_path))
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")
    pngs = sorted(tmp_path.glob("*.png"))
    assert pngs, f"{path.name} saved no PNG figure into $DEEPLIMITS_NOTEBOOK_OUT"
    for png in pngs:
        assert png.stat().st_size > 0, f"{png.name} is empty"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png.name} is not a PNG"


def test_notebooks_found():
    assert NOTEBOOKS, "no notebooks/*.py found"
