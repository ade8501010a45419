r"""Figures of the notebooks: shown inline in Jupyter, written to a folder only when asked.

The notebooks in ``notebooks/`` are jupytext percent-format scripts that run both as plain
Python scripts (the tests run them under matplotlib's Agg backend) and as Jupyter notebooks.
Each figure goes through :func:`show_figure`, which does, in this order:

=====================================  ===================================  ==================
where the notebook runs                shown                                written
=====================================  ===================================  ==================
a Jupyter kernel (lab, nbconvert)      inline, as one ``image/png`` output  if ``out_dir``
a plain script, IPython in a terminal  no                                   if ``out_dir``
=====================================  ===================================  ==================

and then **closes** the figure, everywhere: a notebook makes a dozen figures, and pyplot keeps
every open one alive.  The figure is rendered to PNG once, so the inline image and the file
hold the same bytes.  The output folder comes from the environment variable
``DEEPLIMITS_NOTEBOOK_OUT`` (:func:`figure_dir`); when it is unset or empty nothing is
written.  Displaying a static PNG (rather than relying on a backend's automatic display) makes
the output independent of the kernel's matplotlib backend, and stores the figure in an
executed ``.ipynb``.

IPython is never imported here: a kernel is detected from the already imported ``IPython``
module, so a plain script needs neither IPython nor a display.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Mapping

__all__ = ["DPI", "OUT_ENV", "figure_dir", "in_jupyter_kernel", "show_figure"]

OUT_ENV = "DEEPLIMITS_NOTEBOOK_OUT"
DPI = 110  # dots per inch of the PNG, shown and written


def figure_dir(*, environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder named by ``$DEEPLIMITS_NOTEBOOK_OUT``, or ``None`` when it is unset or empty.

    Parameters
    ----------
    environ:
        The environment to read (default ``os.environ``).

    Raises
    ------
    ValueError
        If the variable names an existing path that is not a folder.
    """
    value = (os.environ if environ is None else environ).get(OUT_ENV, "")
    if not value:
        return None
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{OUT_ENV}={value!r}: must name a folder (it is created when missing), not a file")
    return path


def in_jupyter_kernel() -> bool:
    """Whether this code runs in a Jupyter kernel (an IPython shell with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _check_name(name: str) -> None:
    plain = isinstance(name, str) and "/" not in name and "\\" not in name
    if not plain or not name.endswith(".png") or name == ".png":
        raise ValueError(f"name={name!r}: must be a plain file name ending in '.png' (no folder part)")


def _display_png(png: bytes) -> None:
    """Show PNG bytes as one inline ``image/png`` output of the running kernel."""
    from IPython.display import Image, display

    display(Image(data=png, format="png"))


def show_figure(fig, name: str, *, out_dir: str | os.PathLike | None = None, display: bool | None = None) -> None:
    """Show ``fig`` inline in Jupyter, write it to ``out_dir/name`` when asked, and close it.

    Parameters
    ----------
    fig:
        A :class:`matplotlib.figure.Figure`.
    name:
        File name of the PNG, e.g. ``"nngp_convergence.png"`` (no folder part).
    out_dir:
        Folder to write the PNG into (created when missing); ``None`` writes nothing.
        Notebooks pass :func:`figure_dir`'s value.
    display:
        ``None`` (default): show inline exactly when running in a Jupyter kernel
        (:func:`in_jupyter_kernel`); ``True`` / ``False`` force it (``True`` needs IPython).

    Returns ``None`` (so that a call ending a cell adds no ``Out[...]`` line).
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig: expected a matplotlib Figure, got {type(fig).__name__}")
    _check_name(name)
    if display not in (None, True, False):
        raise ValueError(f"display={display!r}: must be None (detect a Jupyter kernel), True or False")
    target = None if out_dir is None else Path(out_dir)
    if target is not None and target.exists() and not target.is_dir():
        raise ValueError(f"out_dir={str(target)!r}: must name a folder, not a file")
    shown = in_jupyter_kernel() if display is None else display
    try:
        if shown or target is not None:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=DPI)
            png = buffer.getvalue()
            if target is not None:
                target.mkdir(parents=True, exist_ok=True)
                (target / name).write_bytes(png)
            if shown:
                _display_png(png)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
