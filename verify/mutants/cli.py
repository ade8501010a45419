"""``deeplimits verify --mutants``: mutation testing of the selected claims, one after another in this process.

Prints one line per claim on stderr as it finishes, then the table (:func:`~verify.mutants.mutation_table`);
``--json FILE`` writes :func:`~verify.mutants.mutation_json`, ``--report DIR`` writes ``DIR/mutants.md``.
Exit status 0 when :func:`~verify.mutants.passes` (no error, every scale mutant killed, score at least
:data:`~verify.mutants.MIN_SCORE`), else 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["run_mutants"]


def run_mutants(claims, *, profile: str, seed: int, json_path: str | None = None,
                report_dir: str | None = None) -> int:
    """Mutation-test ``claims`` (see the module docstring); returns the exit status."""
    from verify.progress import Progress

    from ._report import mutation_json, mutation_markdown, mutation_table, passes
    from ._runner import mutate

    reports = []
    for k, claim in enumerate(claims, 1):
        label = f"[{k}/{len(claims)}] {claim.id} mutants"
        bar: list[Progress] = []

        def on_mutant(done: int, planned: int, name: str, _label=label, _bar=bar) -> None:
            if not _bar:
                _bar.append(Progress(planned, label=_label, unit="mutant"))
            _bar[0].update(note=name[:40])

        try:
            rep = mutate(claim, profile=profile, seed=seed, progress=on_mutant)
        finally:
            if bar:
                bar[0].close()
        reports.append(rep)
        state = "ERROR" if rep.error else f"{rep.killed}/{rep.scored} killed"
        print(f"[{k}/{len(claims)}] {claim.id}: {state} ({rep.seconds:.1f} s)", file=sys.stderr, flush=True)
    print(mutation_table(reports))
    if json_path:
        with open(json_path, "w") as fh:
            fh.write(mutation_json(reports))
    if report_dir:
        path = Path(report_dir)
        path.mkdir(parents=True, exist_ok=True)
        (path / "mutants.md").write_text(mutation_markdown(reports), encoding="utf-8")
        print(f"report: {path / 'mutants.md'}")
    return 0 if passes(reports) else 1
