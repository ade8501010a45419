r"""Checking claims in parallel: local worker processes, or an existing ``dask.distributed`` cluster.

One claim is one task.  A worker looks the claim up by its id, in the shipped
catalog (:data:`verify.claims.CLAIMS`) or in the ``--claims`` file that declares
it (re-loaded in the worker from its absolute path, once per process), and runs
:func:`verify.core.claim.check` with the run's profile and seed.  Randomness
enters only as that seed: hypothesis runs derandomised (seed 0) or seeded, and
every simulation seed is a function of the example's seed and the check's name,
so a claim's verdict and numbers do not depend on the process that runs it or
on the order the claims finish in.  The results come back in the order the
claims were given; a parallel run's JSON equals the serial run's apart from the
seconds (tested, locally and through a ``LocalCluster``).  With ``job="mutants"``
a task is the mutation testing of one claim (:func:`verify.mutants.mutate`), and
its :class:`~verify.mutants.MutationReport` comes back instead.

The examples of one claim stay in one process: hypothesis draws each example
after the previous one has run and shrinks a failure by rerunning it, so
splitting a claim's examples over workers would change which examples are run.

Local workers are started by ``spawn`` (a fresh interpreter: no state inherited
from the parent) and each is given ``cores // workers`` BLAS threads unless the
environment already sets ``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/
``MKL_NUM_THREADS``, so that ``workers`` processes do not oversubscribe the
cores; dask's workers do the same (one BLAS thread each by default).  A dask worker
process runs one claim at a time (a lock): give it one thread per process
(``--nthreads 1``) and as many processes as cores.
Claims are submitted longest first (by the caller's time estimates), which
keeps the last worker from finishing long after the others.
"""

from __future__ import annotations

import os
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable, Mapping, Sequence

__all__ = ["ClaimTask", "JOBS", "default_workers", "run_claims", "run_task"]

#: What a task does with its claim: check it, or mutation-test it.
JOBS = ("check", "mutants")

#: Environment variables that set the BLAS/OpenMP thread count of NumPy's linear algebra.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def default_workers() -> int:
    """The cores this process may run on (``os.sched_getaffinity``, else ``os.cpu_count()``), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ClaimTask:
    """What a worker needs to check one claim: its id, where it is declared, the profile and the seed.

    ``claims_file`` is the absolute path of the ``--claims`` file that declares the claim, or ``None``
    for a shipped claim; ``profile`` is a profile name or a :class:`verify.core.claim.Profile`; ``job``
    one of :data:`JOBS`.
    """

    claim_id: str
    claims_file: str | None
    profile: object
    seed: int
    job: str = "check"


@dataclass(frozen=True)
class _Crash:
    """An exception raised by a claim in a worker, as text (a user's exception class may not unpickle)."""

    kind: str
    message: str
    trace: str
    is_value_error: bool


#: A dask worker may run several tasks at once in threads; hypothesis and the claims' memoised simulations
#: are not made for that, so the claims given to one process run one after another.
_ONE_CLAIM_AT_A_TIME = threading.Lock()

#: Claims files already loaded in this process: absolute path -> {claim id: claim}.
_LOADED: dict[str, dict] = {}


def _lookup(task: ClaimTask):
    if task.claims_file is None:
        from verify.claims import get_claim

        return get_claim(task.claim_id)
    if task.claims_file not in _LOADED:
        from verify.core.loading import load_claims

        _LOADED[task.claims_file] = {c.id: c for c in load_claims(task.claims_file)}
    declared = _LOADED[task.claims_file]
    if task.claim_id not in declared:
        raise ValueError(f"--claims {task.claims_file!r} declares no claim {task.claim_id!r} in the worker")
    return declared[task.claim_id]


def run_task(task: ClaimTask):
    """Check one claim (in a worker): the :class:`~verify.core.claim.ClaimResult`'s fields but the claim,
    as a dict (``job="mutants"``: its :class:`~verify.mutants.MutationReport`), or the exception it raised,
    as text."""
    try:
        from verify.core.claim import ClaimResult, check

        with _ONE_CLAIM_AT_A_TIME, _children_allowed():
            if task.job == "mutants":
                from verify.mutants import mutate

                return mutate(_lookup(task), profile=task.profile, seed=task.seed)
            result = check(_lookup(task), profile=task.profile, seed=task.seed)
        return {f.name: getattr(result, f.name) for f in fields(ClaimResult) if f.name != "claim"}
    except Exception as exc:  # noqa: BLE001 - sent back as text and raised again in the parent
        return _Crash(type(exc).__name__, str(exc), traceback.format_exc(), isinstance(exc, ValueError))


@contextmanager
def _children_allowed():
    """Let a daemonic worker (dask's are) start child processes while a claim runs.

    A claim may derive a user's activation, and :func:`derivations.core.time_budget.run_with_budget`
    runs that derivation in a child process with a CPU-time limit (spawned, since dask runs tasks in
    threads); :mod:`multiprocessing` refuses children to a daemonic process only so that none is
    orphaned when it exits, and the budget's child is always joined before the call returns.
    """
    import multiprocessing

    config = multiprocessing.current_process()._config  # noqa: SLF001 - the daemon flag has no public setter
    daemon = config.get("daemon")
    if not daemon:
        yield
        return
    config["daemon"] = False
    try:
        yield
    finally:
        config["daemon"] = daemon


def _worker_start(blas_threads: int) -> None:
    """Initializer of a local worker: its BLAS thread count (before NumPy is imported), unless set already."""
    if not any(v in os.environ for v in _THREAD_VARIABLES):
        for v in _THREAD_VARIABLES:
            os.environ[v] = str(blas_threads)


def _tasks(claims, sources: Mapping[str, str | None], profile, seed: int, job: str) -> list[ClaimTask]:
    from verify.claims import CLAIMS

    tasks = []
    for c in claims:
        path = sources.get(c.id)
        if path is None and CLAIMS.get(c.id) is not c:
            raise ValueError(f"claim {c.id!r} is not the shipped claim of that id and names no --claims file: "
                             "a worker could not find it; check it with workers=1")
        tasks.append(ClaimTask(c.id, None if path is None else str(Path(path).resolve()), profile, seed, job))
    return tasks


def _raise(task: ClaimTask, crash: _Crash):
    if crash.is_value_error:
        raise ValueError(crash.message)
    raise RuntimeError(f"{task.claim_id} raised {crash.kind}: {crash.message}\n{crash.trace}")


def run_claims(claims: Sequence, *, profile="quick", seed: int = 0, workers: int | None = None,
               scheduler: str | None = None, sources: Mapping[str, str | None] | None = None,
               estimates: Mapping[str, float] | None = None,
               on_done: Callable[[int, object], None] | None = None, job: str = "check") -> list:
    """Check ``claims`` in parallel; their :class:`~verify.core.claim.ClaimResult` in the given order
    (``job="mutants"``: their :class:`~verify.mutants.MutationReport`, as from :func:`verify.mutants.mutate`).

    Keyword-only options:

    * ``profile``, ``seed``: as for :func:`verify.core.claim.check`;
    * ``workers``: local worker processes (default :func:`default_workers`; never more than the claims);
    * ``scheduler``: the address of a running ``dask.distributed`` scheduler (``tcp://host:8786``)
      instead of local processes; its workers must be able to import deeplimits and read the
      ``--claims`` files at the same paths;
    * ``sources``: claim id -> the ``--claims`` file declaring it (absent or ``None``: shipped);
    * ``estimates``: claim id -> expected seconds, to submit the longest first;
    * ``on_done(index, result)``: called as each claim finishes (``index`` into ``claims``).
    """
    from verify.core.claim import ClaimResult

    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers={workers!r} must be an integer >= 1 (local worker processes)")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler={scheduler!r} must be the address of a dask scheduler, e.g. tcp://host:8786")
    if on_done is not None and not callable(on_done):
        raise ValueError(f"on_done={on_done!r} must be a callable on_done(index, result) or None")
    if job not in JOBS:
        raise ValueError(f"job={job!r} must be one of {JOBS}")
    tasks = _tasks(claims, sources or {}, profile, seed, job)
    order = sorted(range(len(tasks)), key=lambda i: -(estimates or {}).get(tasks[i].claim_id, 0.0))
    results: list = [None] * len(tasks)

    def finish(i: int, outcome) -> None:
        if isinstance(outcome, _Crash):
            _raise(tasks[i], outcome)
        results[i] = outcome if job == "mutants" else ClaimResult(claims[i], **outcome)
        if on_done is not None:
            on_done(i, results[i])

    if scheduler is not None:
        _run_on_dask(scheduler, tasks, order, finish)
    else:
        _run_locally(min(workers or default_workers(), len(tasks)), tasks, order, finish)
    return results


def _run_locally(workers: int, tasks, order, finish) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if workers <= 1:  # one process: no pool to start
        for i in order:
            finish(i, run_task(tasks[i]))
        return
    blas_threads = max(1, default_workers() // workers)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(blas_threads,))
    try:
        futures = {pool.submit(run_task, tasks[i]): i for i in order}
        for future in as_completed(futures):
            finish(futures[future], future.result())
    except BaseException:  # a claim raised, or Ctrl-C: stop the others now rather than after their claims
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_on_dask(address: str, tasks, order, finish) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ValueError("--scheduler needs dask.distributed, which is not installed: "
                         "pip install 'deeplimits[dask]'") from None
    try:
        client = Client(address, set_as_default=False, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"--scheduler {address!r}: cannot connect to a dask scheduler there ({exc})") from None
    try:
        futures = {client.submit(run_task, tasks[i], pure=False): i for i in order}
        for future in as_completed(list(futures), loop=client.loop):
            finish(futures[future], future.result())
    finally:
        client.close()
