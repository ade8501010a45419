"""``deeplimits verify --mutants``: mutation testing of the selected claims, in this process or in parallel.

One after another in this process (``workers=1``, or a single claim), with a progress bar per claim; else one
claim per task on local worker processes or a dask cluster (:func:`verify.parallel.run_claims` with
``job="mutants"``), with the same reports as a serial run (each mutant's seconds aside). Prints one line per
claim on stderr as it finishes, then the table (:func:`~verify.mutants.mutation_table`); ``--json FILE``
writes :func:`~verify.mutants.mutation_json` (the score, and each claim's score and survivors),
``--report DIR`` writes ``DIR/mutants.md``. Exit status 0 when :func:`~verify.mutants.passes` (no error,
every scale mutant killed, score at least :data:`~verify.mutants.MIN_SCORE`), else 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["run_mutants"]


def _line(k: int, total: int, rep) -> str:
    state = "ERROR" if rep.error else f"{rep.killed}/{rep.scored} killed"
    return f"[{k}/{total}] {rep.claim}: {state} ({rep.seconds:.1f} s)"


def _serial(claims, *, profile: str, seed: int) -> list:
    from verify.progress import Progress

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
        print(_line(k, len(claims), rep), file=sys.stderr, flush=True)
    return reports


def _parallel(claims, *, profile: str, seed: int, workers: int, scheduler: str | None, sources) -> list:
    from verify.parallel import run_claims

    where = (f"the dask cluster at {scheduler}" if scheduler is not None
             else f"{min(workers, len(claims))} worker processes")
    print(f"mutation testing {len(claims)} claims on {where}", file=sys.stderr, flush=True)
    finished = []

    def on_done(index: int, rep) -> None:
        finished.append(index)
        print(_line(len(finished), len(claims), rep), file=sys.stderr, flush=True)

    return run_claims(claims, profile=profile, seed=seed, workers=workers, scheduler=scheduler, sources=sources,
                      on_done=on_done, job="mutants")


def run_mutants(claims, *, profile: str, seed: int, json_path: str | None = None,
                report_dir: str | None = None, workers: int = 1, scheduler: str | None = None,
                sources=None) -> int:
    """Mutation-test ``claims`` (see the module docstring); returns the exit status.

    ``workers``, ``scheduler`` and ``sources`` (claim id -> the ``--claims`` file declaring it) are those of
    :func:`verify.parallel.run_claims`.
    """
    from ._report import mutation_json, mutation_markdown, mutation_table, passes

    if scheduler is not None or (workers > 1 and len(claims) > 1):
        reports = _parallel(claims, profile=profile, seed=seed, workers=workers, scheduler=scheduler,
                            sources=sources or {})
    else:
        reports = _serial(claims, profile=profile, seed=seed)
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
