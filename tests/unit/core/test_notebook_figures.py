"""The notebooks' figure helper: shown only in a Jupyter kernel, written only when asked, always closed.

A Jupyter kernel is faked by an ``IPython`` entry in ``sys.modules`` whose ``get_ipython()``
returns a shell with a ``kernel`` attribute (what :func:`in_jupyter_kernel` looks at), and the
inline display is replaced by a recorder, so these tests need neither IPython nor a display.
"""

from __future__ import annotations

import sys
import types

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from verify import notebook_figures as nf  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def shown(monkeypatch):
    """The PNG bytes passed to the inline display, in order."""
    calls = []
    monkeypatch.setattr(nf, "_display_png", calls.append)
    return calls


def fake_ipython(monkeypatch, shell):
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def new_figure():
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    return fig


# ------------------------------------------------------------------ kernel detection


def test_no_ipython_module_is_no_kernel(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert nf.in_jupyter_kernel() is False


@pytest.mark.parametrize("shell, expected", [(None, False), (types.SimpleNamespace(), False),
                                             (types.SimpleNamespace(kernel=None), False),
                                             (types.SimpleNamespace(kernel=object()), True)],
                         ids=["no shell", "terminal shell", "kernel None", "kernel shell"])
def test_kernel_detected_from_the_shell(monkeypatch, shell, expected):
    fake_ipython(monkeypatch, shell)
    assert nf.in_jupyter_kernel() is expected


# ------------------------------------------------------------------ show, write, close


def test_script_writes_nothing_shows_nothing_and_closes(monkeypatch, shown, tmp_path):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.chdir(tmp_path)
    fig = new_figure()
    assert nf.show_figure(fig, "a.png") is None
    assert shown == [] and list(tmp_path.iterdir()) == []
    assert not plt.fignum_exists(fig.number)


def test_script_writes_into_out_dir_and_closes(monkeypatch, shown, tmp_path):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    out = tmp_path / "new" / "folder"
    fig = new_figure()
    nf.show_figure(fig, "a.png", out_dir=out)
    assert shown == []
    assert (out / "a.png").read_bytes()[:8] == PNG_MAGIC
    assert not plt.fignum_exists(fig.number)


def test_kernel_shows_the_same_png_it_writes(monkeypatch, shown, tmp_path):
    fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()))
    fig = new_figure()
    nf.show_figure(fig, "a.png", out_dir=tmp_path)
    assert len(shown) == 1 and shown[0][:8] == PNG_MAGIC
    assert shown[0] == (tmp_path / "a.png").read_bytes()
    assert not plt.fignum_exists(fig.number)


def test_kernel_without_out_dir_shows_and_writes_nothing(monkeypatch, shown, tmp_path):
    fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()))
    monkeypatch.chdir(tmp_path)
    fig = new_figure()
    nf.show_figure(fig, "a.png")
    assert len(shown) == 1 and list(tmp_path.iterdir()) == []
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("display, count", [(True, 1), (False, 0)])
def test_display_forced(monkeypatch, shown, display, count):
    fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()) if not display else None)
    fig = new_figure()
    nf.show_figure(fig, "a.png", display=display)
    assert len(shown) == count
    assert not plt.fignum_exists(fig.number)


def test_figure_closed_when_display_fails(monkeypatch):
    def broken(png):
        raise RuntimeError("no frontend")

    monkeypatch.setattr(nf, "_display_png", broken)
    fig = new_figure()
    with pytest.raises(RuntimeError, match="no frontend"):
        nf.show_figure(fig, "a.png", display=True)
    assert not plt.fignum_exists(fig.number)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("name", ["", ".png", "a.svg", "a", "sub/a.png", "../a.png", "/tmp/a.png", "a\\b.png", 3])
def test_bad_name_rejected(name, tmp_path):
    fig = new_figure()
    try:
        with pytest.raises(ValueError, match="name="):
            nf.show_figure(fig, name, out_dir=tmp_path)
    finally:
        plt.close(fig)
    assert list(tmp_path.iterdir()) == []


def test_out_dir_that_is_a_file_rejected(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    fig = new_figure()
    try:
        with pytest.raises(ValueError, match="out_dir="):
            nf.show_figure(fig, "a.png", out_dir=path)
    finally:
        plt.close(fig)


def test_bad_display_rejected():
    fig = new_figure()
    try:
        with pytest.raises(ValueError, match="display="):
            nf.show_figure(fig, "a.png", display="yes")
    finally:
        plt.close(fig)


def test_not_a_figure_rejected():
    with pytest.raises(TypeError, match="fig"):
        nf.show_figure(plt, "a.png")


# ------------------------------------------------------------------ the output folder from the environment


def test_figure_dir_from_environment(tmp_path):
    assert nf.figure_dir(environ={}) is None
    assert nf.figure_dir(environ={nf.OUT_ENV: ""}) is None
    assert nf.figure_dir(environ={nf.OUT_ENV: str(tmp_path / "missing")}) == tmp_path / "missing"
    assert nf.figure_dir(environ={nf.OUT_ENV: str(tmp_path)}) == tmp_path


def test_figure_dir_reads_os_environ(monkeypatch, tmp_path):
    monkeypatch.setenv(nf.OUT_ENV, str(tmp_path))
    assert nf.figure_dir() == tmp_path
    monkeypatch.delenv(nf.OUT_ENV)
    assert nf.figure_dir() is None


def test_figure_dir_naming_a_file_rejected(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ValueError, match=nf.OUT_ENV):
        nf.figure_dir(environ={nf.OUT_ENV: str(path)})


def test_display_png_hands_ipython_an_image_of_the_bytes(monkeypatch):
    ipython_display = pytest.importorskip("IPython.display")
    handed = []
    monkeypatch.setattr(ipython_display, "display", lambda *objs: handed.extend(objs))
    fig = new_figure()
    nf.show_figure(fig, "a.png", display=True)
    assert len(handed) == 1 and isinstance(handed[0], ipython_display.Image)
    assert handed[0].format == "png" and handed[0].data[:8] == PNG_MAGIC
