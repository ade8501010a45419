r"""A CPU-time budget for a symbolic computation that may never finish.

SymPy is pure Python and has no notion of giving up: ``simplify`` or
``integrate`` on an innocent-looking user activation can run for minutes.
:func:`run_with_budget` runs a computation under a budget of $B$ seconds of
**CPU time** and raises :class:`BudgetExceeded`, naming the stage that was
running, once the budget is spent.  CPU time rather than wall time, so that an
unrelated load on the machine does not change which route a derivation takes
(it still depends on the speed of the CPU: a computation that needs about $B$
seconds may finish on one machine and not on another; callers should treat a
budget as a bound on waiting, never as part of a result that must reproduce).

Mechanisms, chosen per call (:func:`budget_mechanism` says which and why):

``"fork"`` (POSIX, the calling process has a single thread)
    The computation runs in a forked child whose CPU clock starts at zero;
    ``ITIMER_PROF`` with the default action of ``SIGPROF`` ends the child when
    $B$ CPU seconds are spent, even inside C code.  Stages and the result come
    back pickled through a pipe.  The parent's interpreter state (SymPy's
    caches, lazily built tables, the assumption caches of shared expressions)
    is never touched by an interrupted computation, so records derived later
    in the same process cannot depend on it.  As a guard against a child that
    gets no CPU or blocks, the parent also stops waiting after
    ``WALL_FACTOR`` $\cdot B +$ ``WALL_SLACK_S`` seconds of wall time.

``"spawn"`` (POSIX, a process that already has other threads, any thread)
    Forking a multi-threaded process is unsafe (a lock held by another thread
    stays held in the child), and interrupting SymPy in place can leave its
    caches and assumption tables half-written, so the computation runs in a
    freshly *spawned* interpreter instead: ``task`` (a picklable callable, e.g.
    a ``functools.partial`` of a module-level function) and its result travel
    pickled; the CPU-time limit is armed after the child's imports, so start-up
    (about a second) is not charged to the budget.  The parent's state is never
    touched, as with ``"fork"``.

``"none"`` (no ``setitimer``: Windows; or ``budget_s=None``)
    The computation runs to completion, exactly as without a budget.

A computation is never interrupted inside the calling process: whatever
SymPy state an interrupted computation leaves behind dies with its process.

Nested calls run under the outer budget.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["SPAWN_SLACK_S", "WALL_FACTOR", "WALL_SLACK_S", "BudgetExceeded", "budget_mechanism", "run_with_budget",
           "validate_budget"]

T = TypeVar("T")

#: Wall-clock guard of the fork mechanism: the parent stops waiting after ``WALL_FACTOR * budget + WALL_SLACK_S`` s.
WALL_FACTOR = 4.0
WALL_SLACK_S = 2.0
#: Extra wall seconds the spawn mechanism allows for the child's interpreter start-up and imports.
SPAWN_SLACK_S = 30.0
class BudgetExceeded(RuntimeError):
    """The budget of ``seconds`` CPU seconds ran out while ``stage`` was running."""

    def __init__(self, stage: str, seconds: float):
        super().__init__(stage, seconds)
        self.stage = stage
        self.seconds = seconds

    def __str__(self) -> str:
        return f'symbolic route "{self.stage}" exceeded its budget of {self.seconds:g} s of CPU time'


_in_child = False  # this process is a budget child: nested calls share its budget


def validate_budget(budget_s: float | None, *, name: str = "budget_s") -> float | None:
    """``budget_s`` as a float, or ``None`` (no budget); ``ValueError`` unless finite and positive."""
    if budget_s is None:
        return None
    if isinstance(budget_s, bool) or not isinstance(budget_s, (int, float)):
        raise ValueError(f"{name} must be a number of CPU seconds in (0, inf) or None, got {name}={budget_s!r}")  # noqa: TRY004 - the project's convention for bad options
    value = float(budget_s)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}={budget_s!r} is outside (0, inf); give a positive number of CPU seconds, "
                         "or None for no budget")
    return value


def budget_mechanism() -> tuple[str, str]:
    """``(mechanism, reason)`` that :func:`run_with_budget` would use here and now."""
    if _in_child:
        return "nested", "runs under the budget of the enclosing call"
    if not hasattr(signal, "setitimer"):
        return "none", "this platform has no setitimer (not POSIX)"
    main = threading.current_thread() is threading.main_thread()
    if main and hasattr(os, "fork") and threading.active_count() == 1:
        return "fork", "single-threaded process: forked child with a CPU-time limit"
    return "spawn", "multi-threaded process: a spawned interpreter with a CPU-time limit (forking is unsafe)"


def run_with_budget(task: Callable[[Callable[[str], None]], T], /, *, budget_s: float | None) -> T:
    """``task(stage)`` under a budget of ``budget_s`` CPU seconds (``None``: no budget).

    ``task`` calls ``stage(name)`` when it starts each stage, so that
    :class:`BudgetExceeded` can say which stage ran out of time.  An exception
    raised by ``task`` propagates (re-raised in the parent under ``"fork"``).
    """
    budget_s = validate_budget(budget_s)
    if budget_s is None:
        return task(_ignore)
    mechanism, _ = budget_mechanism()
    if mechanism == "fork":
        return _run_forked(task, budget_s)
    if mechanism == "spawn":
        return _run_spawned(task, budget_s)
    return task(_ignore)


def _ignore(stage: str) -> None:
    return None


# -- the child and the parent's side of the pipe (both mechanisms) --------------------------
def _child_body(writer, task, budget_s: float) -> None:
    """In a budget child: arm the CPU clock (default SIGPROF action: terminate), run, send the outcome."""
    global _in_child
    _in_child = True
    try:
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_PROF, budget_s)
        result = task(lambda name: writer.send(("stage", name)))
        writer.send(("ok", result))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        writer.send(("error", _transportable(exc)))
    finally:
        writer.close()


def _transportable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling both ways, else a RuntimeError naming it (never lost on the way)."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - unpicklable or not reconstructible
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _receive(reader, budget_s: float, wall_deadline: float) -> tuple[bool, object, str]:
    """Read a child's messages: ``(True, result, stage)``, or ``(False, None, last stage)`` once the pipe
    closes without a result (the child ended); the child's exception is re-raised here; past the wall-clock
    deadline :class:`BudgetExceeded`."""
    stage = "(start)"
    while True:
        left = wall_deadline - time.monotonic()
        if left <= 0:
            raise BudgetExceeded(stage, budget_s)
        if not reader.poll(left):
            continue
        try:
            kind, value = reader.recv()
        except Exception:  # noqa: BLE001 - EOF, or a message cut off when the child was ended
            return False, None, stage
        if kind == "stage":
            stage = value
        elif kind == "ok":
            return True, value, stage
        else:
            raise value


# -- fork ----------------------------------------------------------------------------------
def _run_forked(task, budget_s: float):
    from multiprocessing import Pipe

    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # child: never returns
        try:
            reader.close()
            _child_body(writer, task, budget_s)
        finally:
            os._exit(0)
    writer.close()
    reaped = False
    try:
        done, result, stage = _receive(reader, budget_s, time.monotonic() + WALL_FACTOR * budget_s + WALL_SLACK_S)
        if done:
            return result
        _, status = os.waitpid(pid, 0)
        reaped = True
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGPROF:
            raise BudgetExceeded(stage, budget_s)
        raise RuntimeError(f"the budgeted computation's process ended without a result during {stage} "
                           f"(wait status {status})")
    finally:
        reader.close()
        if not reaped:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already reaped elsewhere
                pass
            os.waitpid(pid, 0)


# -- spawn ---------------------------------------------------------------------------------
def _run_spawned(task, budget_s: float):
    import multiprocessing
    import pickle

    try:
        pickle.dumps(task)
    except Exception as exc:  # noqa: BLE001 - say what to pass instead
        raise TypeError(f"a budgeted task must be picklable in a multi-threaded process (use functools.partial of "
                        f"a module-level function), got {task!r}: {exc}") from None
    ctx = multiprocessing.get_context("spawn")
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_body, args=(writer, task, budget_s), daemon=True)
    proc.start()
    writer.close()
    # the child's start-up (interpreter and imports, about a second) is not charged: allow for it in wall time
    wall_deadline = time.monotonic() + WALL_FACTOR * budget_s + WALL_SLACK_S + SPAWN_SLACK_S
    try:
        done, result, stage = _receive(reader, budget_s, wall_deadline)
        if done:
            return result
        proc.join()
        if proc.exitcode == -signal.SIGPROF:
            raise BudgetExceeded(stage, budget_s)
        raise RuntimeError(f"the budgeted computation's process ended without a result during {stage} "
                           f"(exit code {proc.exitcode})")
    finally:
        reader.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
