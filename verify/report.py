"""Reports of claim runs: a table for the terminal, JSON, and a Markdown folder with plots."""

from __future__ import annotations

import json
import math
from pathlib import Path

from derivations import catalog

from .claims import ClaimResult

__all__ = ["table", "to_json", "write_report"]


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3g}" if x and (abs(x) < 1e-2 or abs(x) >= 1e4) else f"{x:.3f}".rstrip("0").rstrip(".") or "0"
    return str(x)


def table(results: list[ClaimResult]) -> str:
    cols = ("claim", "verdict", "samples", "statistic", "false-fail rate", "detectable", "time s")
    rows = []
    for r in results:
        s = r.summary()
        stat = f"{_fmt(s.get('statistic'))}/{_fmt(s.get('threshold'))}" if "statistic" in s else "-"
        rows.append((s["claim"], s["verdict"], str(s["samples"]), stat, _fmt(s["false_fail_rate"]),
                     _fmt(s.get("detectable_discrepancy")), _fmt(s["seconds"])))
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


def write_report(results: list[ClaimResult], directory: str | Path) -> Path:
    """Write ``report.md`` (formulas in LaTeX, sources, verdicts) and one PNG per claim that has a plot."""
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
                  f"- samples: {s['samples']}; time: {s['seconds']} s", ""]
        for rid in c.records:
            rec = catalog.get(rid)
            name = "dual" if "dual" in rec.expressions else next(iter(rec.expressions))
            lines += [f"Formula (`{rid}`, {name}):", "", "$$", rec.latex(name), "$$", ""]
        if "counterexample" in s:
            ce = s["counterexample"]
            lines += ["Counterexample (shrunk):", "", "```", json.dumps(ce, indent=2, default=str), "```", ""]
        if c.plot is not None and r.examples:
            png = out / f"{c.id}.png"
            c.plot(r, png)
            lines += [f"![{c.id}]({png.name})", ""]
    (out / "report.md").write_text("\n".join(lines))
    return out / "report.md"
