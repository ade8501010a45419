r"""Plots for claim reports: a claim *declares* its figure, one generic drawer renders it.

A claim's ``plot`` is a :class:`ClaimPlot`: a title and a few panels, each panel a small
record naming where its numbers live in the ``data`` of the claim's
:class:`~verify.core.stats.TestResult` s (one result per example).  A location is a key, or a
tuple of keys and integers: a string indexes a mapping, an integer takes that entry along the
*last* axis, so ``("estimates", 2)`` is column 2 of an ``(m, k)`` array and
``("estimates", 0, 1)`` is ``estimates[:, 1, 0]``.  A theory value may also be a plain number.

Every panel draws labelled x and y axes and a dashed **theory line** (``gid`` ``"theory"``
when one line serves every series, ``"theory:i"`` for series $i$ otherwise):

=================  =============================================================  ===========================
panel              what is drawn                                                  theory line
=================  =============================================================  ===========================
:class:`Limit`     estimate minus prediction against $\text{size}^{-p}$, with SE  $y = 0$ (the limit)
:class:`Rate`      a quantity against size, log-log                               slope = predicted order
:class:`Exact`     $(\text{network} - \text{theory})/SE$ per compared quantity    $z = 0$ (exact at any size)
:class:`Parity`    computed value against the reference value                     $y = x$
:class:`Cdf`       empirical CDF against the predicted laws                       each predicted CDF
=================  =============================================================  ===========================

Series are the claim's examples (a rejected counterexample is drawn too, marked); the
legend names only the parameters that differ between them (3 significant digits, the
parameter's symbol), sits below the panels, and the parameters common to all examples are
printed once under the title.  Layout is matplotlib's constrained layout with at most five
ticks per axis and titles wrapped to the figure width.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, Union

import numpy as np

__all__ = ["ClaimPlot", "Cdf", "Exact", "Limit", "PANEL_KINDS", "Parity", "Rate", "legend_labels", "resolve"]

Path = Union[str, tuple]
THEORY = "theory"
MAX_TICKS = 5
PANEL_WIDTH, PANEL_HEIGHT = 4.2, 3.2  # inches
TITLE_CHARS_PER_INCH = 11  # suptitle at 11 pt: about 11 characters per inch of figure width


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------- data access


def resolve(data: Mapping, path: Path | float) -> Any:
    """The value at ``path`` in ``data`` (see the module docstring); a number is returned as is."""
    if isinstance(path, (int, float)) and not isinstance(path, bool):
        return float(path)
    keys = (path,) if isinstance(path, str) else tuple(path)
    if not keys or not isinstance(keys[0], str):
        raise ValueError(f"a plot data path starts with a key, got {path!r}")
    value: Any = data
    for k in keys:
        if isinstance(k, str):
            if not isinstance(value, Mapping) or k not in value:
                have = sorted(value) if isinstance(value, Mapping) else type(value).__name__
                raise KeyError(f"plot data has no {k!r} (path {path!r}; available: {have})")
            value = value[k]
        else:
            value = np.take(np.asarray(value, dtype=float), int(k), axis=-1)
    return value


def _vector(data, path) -> np.ndarray:
    return np.atleast_1d(np.asarray(resolve(data, path), dtype=float))


# --------------------------------------------------------------------------- legends


def _format_value(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v == 0:
            return "0"  # also -0.0
        if not math.isfinite(v):
            return f"{v:g}"
        if abs(v) < 1e-6:  # e.g. a subnormal angle drawn by hypothesis: indistinguishable from 0 on a plot
            return "≈0"
        for name, const in (("π", math.pi), ("π/2", math.pi / 2)):
            if abs(v - const) <= 1e-12 * const:
                return name
        return f"{v:.3g}"
    return str(v)


def _symbol(name: str, symbols: Mapping[str, str]) -> str:
    s = symbols.get(name, "")
    return f"${s}$" if s else name


def legend_labels(params: Sequence[Mapping], symbols: Mapping[str, str] | None = None) -> tuple[list[str], str]:
    """Short labels for the series ``params`` and one line with the parameters common to all.

    Only parameters whose values differ between the series enter the labels; each value is
    printed with 3 significant digits (values below $10^{-6}$ in magnitude as ``≈0``), each name
    as its LaTeX symbol where ``symbols`` gives one.  Keys starting with ``_`` are internal and skipped.
    """
    symbols = dict(symbols or {})
    names: list[str] = []
    for p in params:
        names += [k for k in p if k not in names and not k.startswith("_")]
    shown = {k: [_format_value(p[k]) if k in p else "-" for p in params] for k in names}
    varying = [k for k in names if len(set(shown[k])) > 1]
    common = [k for k in names if k not in varying]
    labels = [", ".join(f"{_symbol(k, symbols)}={shown[k][i]}" for k in varying) or "network"
              for i in range(len(params))]
    fixed = ", ".join(f"{_symbol(k, symbols)}={shown[k][0]}" for k in common)
    return labels, fixed


# --------------------------------------------------------------------------- panels


@dataclass(frozen=True)
class Series:
    """One example of a claim result as the drawer sees it."""

    data: Mapping
    label: str
    color: Any
    index: int
    rejected: bool = False


def _theory(ax, x, y, *, label, series: Series | None = None, style="--", color=None):
    """Draw a theory line; ``series`` ties it to one series (gid ``theory:i``), else it serves all."""
    color = color or ("black" if series is None else series.color)
    (line,) = ax.plot(x, y, ls=style, color=color, lw=1.3, alpha=0.85, label=label, zorder=1)
    line.set_gid(THEORY if series is None else f"{THEORY}:{series.index}")
    return line


def _data_line(ax, series: Series, x, y, yerr=None, **kw):
    marker = "X" if series.rejected else "o"
    cont = ax.errorbar(x, y, yerr=yerr, marker=marker, ms=5, ls="-", lw=1.2, capsize=3, color=series.color,
                       label=series.label, zorder=3, **kw)
    cont.lines[0].set_gid(f"data:{series.index}")
    return cont


def _wrap_label(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width))


@dataclass(frozen=True)
class Limit:
    r"""Finite-size estimates minus their predicted limit, against $\text{size}^{-p}$ (theory: $y = 0$ at every size's limit).

    ``sizes``: path of the sizes; ``estimate``, ``stderr`` (or ``None``), ``theory`` (path or number);
    ``power`` $p$ of the abscissa ($1$: $1/n$; $1/2$: $n^{-1/2}$); ``size_name`` e.g. ``"n"`` or ``"L"``.
    """

    quantity: str
    estimate: Path
    theory: Path | float
    stderr: Path | None = None
    sizes: Path = "sizes"
    size_name: str = "n"
    power: float = 1.0

    def draw(self, ax, series: Sequence[Series]) -> None:
        xmax = 0.0
        for s in series:
            n = _vector(s.data, self.sizes)
            x = n ** -self.power
            y = _vector(s.data, self.estimate) - float(resolve(s.data, self.theory))
            err = None if self.stderr is None else _vector(s.data, self.stderr)
            _data_line(ax, s, x, y, err)
            xmax = max(xmax, float(np.max(x)))
        _theory(ax, [0.0, 1.05 * xmax], [0.0, 0.0], label="theory: the limit (y = 0)")
        ax.set_xlim(0.0, 1.08 * xmax)
        power = "" if self.power == 1 else ("^{1/2}" if self.power == 0.5 else f"^{{{self.power:g}}}")
        ax.set_xlabel(f"$1/{self.size_name}{power}$  (limit at 0)")
        ax.set_ylabel(_wrap_label(f"{self.quantity} − theory"))


@dataclass(frozen=True)
class Rate:
    """A positive quantity against size on log-log axes; theory: a line of slope ``order`` through each series."""

    quantity: str
    values: Path
    order: Path | float  # a number, or the path of each example's predicted order (a check's ``predict``)
    sizes: Path = "sizes"
    size_name: str = "n"

    def draw(self, ax, series: Sequence[Series]) -> None:
        from matplotlib.ticker import NullFormatter

        sizes: set[float] = set()
        for s in series:
            n = _vector(s.data, self.sizes)
            sizes.update(n.tolist())
            y = np.abs(_vector(s.data, self.values))
            _data_line(ax, s, n, y)
            ok, order = y > 0, float(_vector(s.data, self.order)[0])
            # the predicted slope with the intercept fitted in log space (least squares at fixed slope)
            c = float(np.mean(np.log(y[ok]) - order * np.log(n[ok]))) if ok.any() else 0.0
            _theory(ax, n, np.exp(c) * n ** order, series=s, label=f"theory: slope {order:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        if len(sizes) <= MAX_TICKS:  # the sizes themselves as ticks
            ticks = sorted(sizes)
            ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
            ax.xaxis.set_minor_formatter(NullFormatter())
        # else: the series have their own sizes (e.g. widths per example), whose union would crowd the axis and
        # whose labels can be long: decades, as _few_ticks places them
        ax.set_xlabel(f"${self.size_name}$ (log scale)")
        ax.set_ylabel(_wrap_label(f"{self.quantity} (log scale)"))


@dataclass(frozen=True)
class Exact:
    """Standardised differences (network − theory)/SE of quantities that are exact at finite size (theory: 0)."""

    names: tuple[str, ...]
    observed: Path
    theory: Path
    stderr: Path

    def draw(self, ax, series: Sequence[Series]) -> None:
        k = len(self.names)
        width = 0.6 / max(len(series), 1)
        for j, s in enumerate(series):
            obs, th, se = (_vector(s.data, p) for p in (self.observed, self.theory, self.stderr))
            if not (obs.size == th.size == se.size == k):
                raise ValueError(f"Exact panel: {k} names but observed/theory/stderr have sizes "
                                 f"{obs.size}/{th.size}/{se.size}")
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(se > 0, (obs - th) / np.where(se > 0, se, 1.0), 0.0)
            x = np.arange(k) + (j - (len(series) - 1) / 2) * width
            cont = ax.errorbar(x, z, yerr=np.ones(k), marker="X" if s.rejected else "o", ms=5, ls="none",
                               capsize=3, color=s.color, label=s.label, zorder=3)
            cont.lines[0].set_gid(f"data:{s.index}")
        _theory(ax, [-0.5, k - 0.5], [0.0, 0.0], label="theory: exact at this size (z = 0)")
        ax.set_xlim(-0.5, k - 0.5)
        room = max(6, int(12 * (PANEL_WIDTH - 0.8) / k))  # characters per category at 8 pt
        ax.set_xticks(range(k), ["\n".join(textwrap.wrap(n, room)) for n in self.names], fontsize=8)
        ax.set_xlabel("compared quantity")
        ax.set_ylabel("(network − theory) / SE")


@dataclass(frozen=True)
class Parity:
    """Computed values against reference values (theory: $y = x$); ``symlog`` for values over many decades."""

    quantity: str
    computed: Path
    reference: Path
    reference_name: str = "reference"
    computed_name: str = "computed"
    symlog: bool = False

    def draw(self, ax, series: Sequence[Series]) -> None:
        lo, hi = math.inf, -math.inf
        for s in series:
            ref, val = _vector(s.data, self.reference), _vector(s.data, self.computed)
            cont = ax.errorbar(ref, val, marker="X" if s.rejected else "o", ms=5, ls="none", color=s.color,
                               label=s.label, zorder=3)
            cont.lines[0].set_gid(f"data:{s.index}")
            both = np.concatenate([ref, val])
            lo, hi = min(lo, float(both.min())), max(hi, float(both.max()))
        pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.05
        _theory(ax, [lo - pad, hi + pad], [lo - pad, hi + pad], label="theory: computed = reference")
        if self.symlog:
            thresh = max(1e-3, 1e-3 * max(abs(lo), abs(hi)) ** 0.5)
            ax.set_xscale("symlog", linthresh=thresh)
            ax.set_yscale("symlog", linthresh=thresh)
        ax.set_xlabel(f"{self.quantity}: {self.reference_name}")
        ax.set_ylabel(f"{self.quantity}: {self.computed_name}")


@dataclass(frozen=True)
class Cdf:
    """An empirical CDF on a grid against predicted CDFs (each a theory line, per series)."""

    quantity: str
    grid: Path
    empirical: Path
    theories: tuple[tuple[str, Path], ...]

    def draw(self, ax, series: Sequence[Series]) -> None:
        styles = ("--", ":", "-.")
        for s in series:
            x = _vector(s.data, self.grid)
            ax.step(x, _vector(s.data, self.empirical), where="post", color=s.color, lw=1.5, label=s.label,
                    zorder=3, gid=f"data:{s.index}")
            for k, (name, path) in enumerate(self.theories):
                # one series: tell the laws apart by colour; several: by line style, in the series' colour
                color = ("black", "tab:red", "tab:purple")[k % 3] if len(series) == 1 else None
                _theory(ax, x, _vector(s.data, path), series=s, label=f"theory: {name}",
                        style=styles[k % len(styles)], color=color)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(self.quantity)
        ax.set_ylabel("cumulative probability")


PANEL_KINDS = (Limit, Rate, Exact, Parity, Cdf)


@dataclass(frozen=True)
class ClaimPlot:
    """A claim's figure: a title and panels (each of a kind in :data:`PANEL_KINDS`).

    Calling it as ``plot(result, path)`` writes a PNG; :meth:`figure` returns the figure.
    """

    title: str
    panels: tuple

    def __post_init__(self):
        if not self.panels:
            raise ValueError("a ClaimPlot needs at least one panel")
        bad = [type(p).__name__ for p in self.panels if not isinstance(p, PANEL_KINDS)]
        if bad:
            raise ValueError(f"panels of unknown kind {bad}; allowed: {[k.__name__ for k in PANEL_KINDS]}")

    def series(self, result) -> list[Series]:
        """The examples of ``result`` (passed, then the counterexample if any) as series with labels."""
        rows = [(p, r, False) for p, _, r in result.examples]
        if result.counterexample is not None:
            rows.append((result.counterexample[0], result.counterexample[2], True))
        symbols = {p.name: p.latex for p in result.claim.parameters}
        labels, _ = legend_labels([p for p, _, _ in rows], symbols)
        colors = _pyplot().get_cmap("tab10").colors
        return [Series(r.data, lab + (" (rejected)" if bad else ""), colors[i % len(colors)], i, bad)
                for i, ((_, r, bad), lab) in enumerate(zip(rows, labels))]

    def figure(self, result):
        """Draw the panels for ``result`` (a :class:`~verify.claims.ClaimResult`) and return the figure."""
        plt = _pyplot()
        series = self.series(result)
        if not series:
            raise ValueError(f"{result.claim.id}: no examples to plot")
        symbols = {p.name: p.latex for p in result.claim.parameters}
        _, fixed = legend_labels([p for p, _, _ in result.examples] + (
            [result.counterexample[0]] if result.counterexample is not None else []), symbols)
        ncols = 2 if len(self.panels) == 4 else min(len(self.panels), 3)
        nrows = math.ceil(len(self.panels) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(PANEL_WIDTH * ncols, PANEL_HEIGHT * nrows + 1.2),
                                 squeeze=False, layout="constrained")
        for ax, panel in zip(axes.flat, self.panels):
            panel.draw(ax, series)
            title = getattr(panel, "quantity", None) or "standardised differences"
            ax.set_title("\n".join(textwrap.wrap(title, int(PANEL_WIDTH * 10))), fontsize=9)
            _few_ticks(ax)
            ax.grid(alpha=0.25)
        for ax in axes.flat[len(self.panels):]:
            ax.remove()
        width_chars = int(PANEL_WIDTH * ncols * TITLE_CHARS_PER_INCH)
        heading = "\n".join(textwrap.wrap(self.title, width_chars))
        if fixed and len(series) > 1:
            heading += "\n" + "\n".join(textwrap.wrap(f"fixed: {fixed}", int(width_chars * 1.2)))
        elif fixed:
            heading += "\n" + "\n".join(textwrap.wrap(fixed, int(width_chars * 1.2)))
        fig.suptitle(heading, fontsize=10)
        handles, labels = _unique_legend(fig)
        ncols, labels = _legend_layout(labels, PANEL_WIDTH * ncols)
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, fontsize=8, frameon=False)
        return fig

    def __call__(self, result, path) -> None:
        fig = self.figure(result)
        fig.savefig(path, dpi=110)
        _pyplot().close(fig)


LEGEND_CHARS_PER_INCH = 15  # 8 pt legend text


def _visible_length(label: str) -> int:
    """Characters a label shows: mathtext ``$\\sigma_w$`` counts as its few glyphs."""
    import re

    plain = re.sub(r"\$([^$]*)\$", lambda m: re.sub(r"\\[a-zA-Z]+", "x", m.group(1)).replace("_", "")
                   .replace("^", "").replace("{", "").replace("}", ""), label)
    return len(plain)


def _legend_layout(labels: list[str], width_in: float) -> tuple[int, list[str]]:
    """Columns that fit the figure width, wrapping labels longer than one column (at ", ")."""
    room = int(width_in * LEGEND_CHARS_PER_INCH)
    longest = max((_visible_length(lab) for lab in labels), default=1) + 6  # handle and padding
    ncols = max(1, min(len(labels), room // longest))
    col = room // ncols - 6
    wrapped = []
    for lab in labels:
        if _visible_length(lab) <= col:
            wrapped.append(lab)
            continue
        lines, line = [], ""
        for part in lab.split(", "):
            cand = f"{line}, {part}" if line else part
            if line and _visible_length(cand) > col:
                lines.append(line + ",")
                line = part
            else:
                line = cand
        wrapped.append("\n".join(lines + [line]))
    return ncols, wrapped


def _symlog_ticks(lo: float, hi: float, linthresh: float) -> list[float]:
    """0 and signed powers of ten within ``[lo, hi]``, thinned to every m-th decade so at most ~7 remain."""
    top = math.ceil(math.log10(max(abs(lo), abs(hi), linthresh)))
    bottom = math.ceil(math.log10(linthresh))
    exps = list(range(bottom, top + 1))
    for step in range(1, len(exps) + 1):
        ticks = [0.0] + [sgn * 10.0**k for k in exps[::-1][::step] for sgn in (1, -1)]
        ticks = sorted(t for t in ticks if lo <= t <= hi)
        if len(ticks) <= MAX_TICKS + 2:
            return ticks
    return [0.0]


def _few_ticks(ax) -> None:
    from matplotlib.ticker import FixedLocator, LogLocator, MaxNLocator, NullFormatter

    for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
        if isinstance(axis.get_major_locator(), FixedLocator):  # ticks a panel chose (categories, sizes)
            continue
        if scale == "linear":
            axis.set_major_locator(MaxNLocator(nbins=MAX_TICKS, min_n_ticks=2))
        elif scale == "symlog":
            lo, hi = (ax.get_xlim() if axis is ax.xaxis else ax.get_ylim())
            axis.set_major_locator(FixedLocator(_symlog_ticks(lo, hi, axis.get_transform().linthresh)))
            axis.set_minor_formatter(NullFormatter())
        elif scale == "log":
            lo, hi = (ax.get_xlim() if axis is ax.xaxis else ax.get_ylim())
            decades = math.log10(hi / lo) if lo > 0 and hi > lo else 1.0
            # under ~2 decades a plain major locator may show no tick at all: add 2 and 5 per decade
            axis.set_major_locator(LogLocator(subs=(1.0,) if decades >= 2 else (1.0, 2.0, 5.0), numticks=MAX_TICKS))
            axis.set_minor_formatter(NullFormatter())
    ax.tick_params(labelsize=8)


def _unique_legend(fig):
    """One legend entry per label over all panels (series share colours across panels).

    A theory line drawn once per series (gid ``theory:i``) gets one black proxy entry in its line style.
    """
    from matplotlib.lines import Line2D

    data: dict[str, Any] = {}
    theory: dict[str, Any] = {}
    for ax in fig.axes:
        handles, labels = ax.get_legend_handles_labels()
        for h, lab in zip(handles, labels):
            if lab.startswith(THEORY):
                if lab not in theory:
                    per_series = str(h.get_gid()).startswith(f"{THEORY}:")
                    theory[lab] = Line2D([], [], ls=h.get_linestyle(), lw=1.3,
                                         color="black" if per_series and h.get_color() not in
                                         ("black", "tab:red", "tab:purple") else h.get_color())
            else:
                data.setdefault(lab, h)
    pairs = list(data.items()) + list(theory.items())
    return [h for _, h in pairs], [lab for lab, _ in pairs]
