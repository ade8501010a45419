"""Run every notebook script (jupytext percent format) as a test, and one notebook in Jupyter.

Each ``notebooks/*.py`` is executed with :func:`runpy.run_path` under matplotlib's
non-interactive Agg backend, with ``DEEPLIMITS_NOTEBOOK_OUT`` pointing to a temporary
directory; its own assertions are the checks.  It must write one non-empty PNG per
``show_figure`` call and leave no figure open (outside Jupyter nothing displays them, so an
open figure is only memory).  Warnings are errors (see ``pyproject.toml``), so a notebook must
run warning-free.

The cheapest notebook is also converted to ``.ipynb`` with jupytext and executed by nbconvert
in an IPython kernel of this interpreter: the executed notebook must hold one ``image/png``
output per figure, byte for byte the PNG written to the folder.  That test is skipped when
jupytext, nbconvert or ipykernel are missing (``pip install -e ".[notebooks]"``).
"""

from __future__ import annotations

import base64
import json
import re
import runpy
import sys
from pathlib import Path

import matplotlib
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[3] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.py"))
CHEAPEST = NOTEBOOK_DIR / "relu_dual_and_convergence.py"  # about 10 s as a script on 2 cores: 2 figures
KERNEL_NAME = "deeplimits-test-python"


def figure_calls(path: Path) -> int:
    """Number of ``show_figure(...)`` statements in a notebook: one figure each."""
    return len(re.findall(r"^show_figure\(", path.read_text(), flags=re.MULTILINE))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_writes_figures_and_closes_them(path, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("DEEPLIMITS_NOTEBOOK_OUT", str(tmp_path))
    plt.close("all")
    try:
        runpy.run_path(str(path), run_name="__main__")
        left_open = plt.get_fignums()
    finally:
        plt.close("all")
    assert not left_open, f"{path.name} left {len(left_open)} figure(s) open"
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == figure_calls(path) > 0, (
        f"{path.name}: {len(pngs)} PNG(s) in $DEEPLIMITS_NOTEBOOK_OUT for {figure_calls(path)} show_figure calls")
    for png in pngs:
        assert png.stat().st_size > 0, f"{png.name} is empty"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png.name} is not a PNG"


def test_notebooks_found():
    assert NOTEBOOKS, "no notebooks/*.py found"
    assert CHEAPEST in NOTEBOOKS


def test_notebook_executed_by_nbconvert_contains_its_figures(tmp_path, monkeypatch):
    """jupytext --to ipynb, then nbconvert's ExecutePreprocessor: one inline PNG per figure."""
    jupytext = pytest.importorskip("jupytext")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    execute = pytest.importorskip("nbconvert.preprocessors")

    # A kernelspec of this very interpreter, found first on JUPYTER_PATH (a user's own
    # "python3" kernel may point to another Python without deeplimits).
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "deeplimits test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's migration warning is an error here
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))  # connection files
    out = tmp_path / "figures"
    monkeypatch.setenv("DEEPLIMITS_NOTEBOOK_OUT", str(out))

    ipynb = tmp_path / CHEAPEST.with_suffix(".ipynb").name
    jupytext.write(jupytext.read(CHEAPEST), ipynb)
    notebook = nbformat.read(ipynb, as_version=4)
    runner = execute.ExecutePreprocessor(timeout=600, kernel_name=KERNEL_NAME)
    runner.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
    nbformat.write(notebook, tmp_path / "executed.ipynb")

    shown = [base64.b64decode(output["data"]["image/png"])
             for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
    written = [png.read_bytes() for png in sorted(out.glob("*.png"))]
    assert len(shown) == figure_calls(CHEAPEST) > 0, f"{len(shown)} inline PNGs for {figure_calls(CHEAPEST)} figures"
    assert sorted(shown) == sorted(written), "the inline PNGs differ from the PNGs written to the folder"
