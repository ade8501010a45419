"""Reports of claim runs: a table for the terminal, JSON, and a Markdown folder with plots."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from derivations import catalog

from .claims import ClaimResult

__all__ = ["formulas_under_test", "plot_data", "table", "to_json", "write_report"]


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3g}" if x and (abs(x) < 1e-2 or abs(x) >= 1e4) else f"{x:.3f}".rstrip("0").rstrip(".") or "0"
    return str(x)


def table(results: list[ClaimResult]) -> str:
    """The terminal table; "detects (relative)" is the weakest check's smallest detectable discrepancy
    relative to its predicted value, over every compared quantity and example (false-pass rate 1e-6)."""
    cols = ("claim", "verdict", "samples", "statistic", "false-fail rate", "detects (relative)", "time s")
    rows = []
    for r in results:
        s = r.summary()
        stat = f"{_fmt(s.get('statistic'))}/{_fmt(s.get('threshold'))}" if "statistic" in s else "-"
        weakest = s.get("weakest_relative_detectable")
        power = f"{100 * weakest:.3g}%" if weakest is not None else "-"
        rows.append((s["claim"], s["verdict"], str(s["samples"]), stat, _fmt(s["false_fail_rate"]), power,
                     _fmt(s["seconds"])))
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    def line(cells) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths))

    return "\n".join([line(cols), line(["-" * w for w in widths])] + [line(r) for r in rows])


def to_json(results: list[ClaimResult]) -> str:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return json.dumps({"claims": [clean(r.summary()) for r in results],
                       "passed": all(r.passed for r in results)}, indent=2, default=str)


def formulas_under_test(claim) -> list[tuple[str, str]]:
    """``(record id, expression name)`` pairs the claim checks, from its ``formulas`` declaration.

    A claim that declares none falls back to each cited record's ``dual`` (or its last
    expression: records list their inputs and steps before their results).
    """
    if claim.formulas:
        pairs = []
        for entry in claim.formulas:
            rid, sep, name = entry.partition(":")
            if not sep or not rid or not name:
                raise ValueError(f"{claim.id}: formulas entry {entry!r} is not 'record.id:expression'")
            pairs.append((rid, name))
        return pairs
    out = []
    for rid in claim.records:
        exprs = catalog.get(rid).expressions
        out.append((rid, "dual" if "dual" in exprs else list(exprs)[-1]))
    return out


def _formula_lines(claim) -> list[str]:
    pairs = formulas_under_test(claim)
    if not pairs:
        return []
    lines = ["Formulas under test:", ""]
    for rid, name in pairs:
        rec = catalog.get(rid)
        if name not in rec.expressions:
            raise ValueError(f"{claim.id}: record {rid!r} has no expression {name!r}; it has {list(rec.expressions)}")
        lines += [f"`{rid}`, {name}:", "", "$$", rec.latex(name), "$$", ""]
    return lines


def _samples_text(s: dict) -> str:
    if s["samples"] == 0:
        return "0 (deterministic comparison, no Monte Carlo samples)"
    return str(s["samples"])


def _plain_data(v):
    """JSON-ready copy of plot data: arrays as lists; results and callables dropped (they are not plot data)."""
    if isinstance(v, Mapping):
        out = {str(k): _plain_data(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not _DROP}
    if isinstance(v, (list, tuple, np.ndarray)):
        arr = np.asarray(v)
        if arr.dtype.kind in "biuf":
            return arr.astype(float).ravel().tolist() if arr.ndim <= 1 else [_plain_data(row) for row in arr]
        return [_plain_data(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        return v
    return _DROP


_DROP = object()


def plot_data(results: list[ClaimResult]) -> dict:
    """The numbers behind each claim's figure: per example its parameters, whether it was rejected, its ``data``."""
    out = {}
    for r in results:
        rows = [(p, False, res) for p, _, res in r.examples]
        if r.counterexample is not None:
            rows.append((r.counterexample[0], True, r.counterexample[2]))
        out[r.claim.id] = [{"params": _plain_data(p), "rejected": bad, "data": _plain_data(res.data)}
                           for p, bad, res in rows]
    return out


def write_report(results: list[ClaimResult], directory: str | Path) -> Path:
    """Write ``report.md`` (formulas in LaTeX, sources, verdicts), one PNG per claim and ``plot_data.json``.

    A plot that cannot be drawn (data missing from a result) is reported in the Markdown with
    its reason rather than aborting the report.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# deeplimits verification report", "",
             f"{sum(r.passed for r in results)} of {len(results)} claims pass.", "", table(results).join(["```\n", "\n```"]), ""]
    for r in results:
        s = r.summary()
        c = r.claim
        lines += [f"## {c.title}", "", f"- id: `{c.id}`", f"- verdict: **{s['verdict']}** ({s['profile']} profile)",
                  f"- source: {c.source}", f"- finite-size bias: {c.bias}",
                  f"- false-failure rate: {s['false_fail_rate']}; detectable discrepancy: {_fmt(s.get('detectable_discrepancy'))}",
                  f"- examples: {s['examples']} passed{'; 1 rejected (counterexample below)' if r.counterexample else ''}; "
                  f"samples: {_samples_text(s)}; time: {s['seconds']} s", ""]
        lines += _formula_lines(c)
        if "counterexample" in s:
            ce = s["counterexample"]
            lines += ["Counterexample (shrunk):", "", "```", json.dumps(ce, indent=2, default=str), "```", ""]
        if c.plot is not None and (r.examples or r.counterexample is not None):
            png = out / f"{c.id}.png"
            try:
                c.plot(r, png)
            except (KeyError, ValueError, IndexError, TypeError) as exc:
                lines += [f"(plot not drawn: {type(exc).__name__}: {exc})", ""]
            else:
                lines += [f"![{c.id}]({png.name})", ""]
    (out / "report.md").write_text("\n".join(lines))
    (out / "plot_data.json").write_text(json.dumps(plot_data(results), indent=1))
    return out / "report.md"
