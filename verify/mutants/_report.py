"""Mutation reports for people and programs: a terminal table, JSON, a Markdown section."""

from __future__ import annotations

import json
import math

from ._outcome import MutationReport

__all__ = ["MIN_SCORE", "mutation_json", "mutation_markdown", "mutation_table", "passes"]

#: The issue's acceptance figure: at least 95% of the scored mutants killed over all claims.
MIN_SCORE = 0.95


def _score(killed: int, scored: int) -> str:
    return f"{killed}/{scored} ({100 * killed / scored:.0f}%)" if scored else "-"


def totals(reports: list[MutationReport]) -> tuple[int, int]:
    """Killed and scored mutants over all reports."""
    return sum(r.killed for r in reports), sum(r.scored for r in reports)


def passes(reports: list[MutationReport]) -> bool:
    """No error, every scale mutant killed, and at least :data:`MIN_SCORE` of all scored mutants killed."""
    killed, scored = totals(reports)
    return (not any(r.error or r.scale_survivors for r in reports)
            and (scored == 0 or killed / scored >= MIN_SCORE))


def mutation_table(reports: list[MutationReport]) -> str:
    """One row per claim, then one line per survivor and per error."""
    cols = ("claim", "killed", "scale", "equivalent", "not reached", "time s")
    rows = []
    for r in reports:
        scale = [o for o in r.outcomes if o.kind == "scale"]
        rows.append((r.claim, _score(r.killed, r.scored) if not r.error else "ERROR",
                     f"{sum(o.status == 'killed' for o in scale)}/{len(scale)}", str(r.count("equivalent")),
                     str(r.count("not reached")), f"{r.seconds:.1f}"))
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]

    def line(cells) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    out = [line(cols), line(["-" * w for w in widths])] + [line(r) for r in rows]
    killed, scored = totals(reports)
    out.append(f"mutation score: {_score(killed, scored)} over {len(reports)} claim(s); "
               f"profile {reports[0].profile if reports else '-'}, seed {reports[0].seed if reports else '-'}")
    for r in reports:
        if r.error:
            out.append(f"ERROR {r.claim}: {r.error}")
        for o in r.survivors:
            effect = f" (prediction changed by {100 * o.effect:.3g}%)" if o.effect is not None else ""
            out.append(f"survivor {r.claim}: {o.name}{effect}")
        for o in r.outcomes:
            if o.status == "not built":
                out.append(f"not built {r.claim}: {o.name}: {o.detail}")
    return "\n".join(out)


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def mutation_json(reports: list[MutationReport]) -> str:
    killed, scored = totals(reports)
    return json.dumps({"mutants": [_clean(r.as_dict()) for r in reports], "killed": killed, "scored": scored,
                       "score": killed / scored if scored else None, "min_score": MIN_SCORE,
                       "passed": passes(reports)}, indent=2)


def mutation_markdown(reports: list[MutationReport]) -> str:
    """The report's mutation section: the table, then each claim's survivors and exclusions."""
    intro = ("Each claim run against the standard mutants of its prediction: the whole prediction scaled, "
             "and each additive term of a cited record's expressions dropped or sign-flipped, each numeric "
             "exponent raised by one (`deeplimits verify --mutants`). Score: killed / (killed + survived); "
             "equivalent and unreached mutants are listed, not scored.")
    lines = ["# Mutation testing", "", intro, "", "```", mutation_table(reports), "```", ""]
    for r in reports:
        left = [o for o in r.outcomes if o.status != "killed"]
        if not left:
            continue
        lines += [f"## {r.claim}", ""]
        lines += [f"- {o.status}: `{o.name}`" + (f": {o.detail}" if o.detail else "") for o in left]
        lines.append("")
    return "\n".join(lines)
