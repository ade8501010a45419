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

``"signal"`` (POSIX, main thread of a process that already has other threads)
    Forking a multi-threaded process is unsafe (a lock held by another thread
    stays held in the child), so ``ITIMER_PROF`` interrupts the computation in
    place: the ``SIGPROF`` handler raises a private ``BaseException`` (SymPy's
    ``except Exception`` clauses cannot swallow it) at the next bytecode
    boundary, re-firing every ``RETRY_S`` CPU seconds until it lands.  It never
    lands inside code that leaves shared state half-written when interrupted
    (an import, SymPy's assumption query ``_ask`` which stores a provisional
    ``None``, the fact deduction, meijerint's lazily built lookup table); it
    waits for the next tick instead.  After an interrupt SymPy's caches are
    cleared.  Python signal handlers run between bytecodes only, so a single
    long call into C (rare in SymPy) delays the interrupt until it returns.
    If ``SIGPROF`` already has a handler or ``ITIMER_PROF`` is armed (a
    profiler), the budget is not enforced rather than break the profiler.

``"none"`` (other threads, Windows, or ``budget_s=None``)
    Python delivers signals to the main thread only and there is nothing safe
    to fork, so the computation runs to completion, exactly as without a budget.

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

__all__ = ["RETRY_S", "WALL_FACTOR", "WALL_SLACK_S", "BudgetExceeded", "budget_mechanism", "run_with_budget",
           "validate_budget"]

T = TypeVar("T")

#: Wall-clock guard of the fork mechanism: the parent stops waiting after ``WALL_FACTOR * budget + WALL_SLACK_S`` s.
WALL_FACTOR = 4.0
WALL_SLACK_S = 2.0
#: CPU seconds between two attempts of the signal mechanism to interrupt (it waits for a safe point).
RETRY_S = 0.05
#: Modules whose frames on the stack mean an import is running: a module half executed is not a safe point.
_IMPORT_MACHINERY = frozenset({"importlib._bootstrap", "importlib._bootstrap_external"})
#: Functions that must not be interrupted halfway: ``(module, function)``.
_CRITICAL = frozenset({
    ("sympy.core.assumptions", "_ask"),
    ("sympy.core.facts", "deduce_all_facts"),
    ("sympy.integrals.meijerint", "_create_lookup_table"),
})


class BudgetExceeded(RuntimeError):
    """The budget of ``seconds`` CPU seconds ran out while ``stage`` was running."""

    def __init__(self, stage: str, seconds: float):
        super().__init__(stage, seconds)
        self.stage = stage
        self.seconds = seconds

    def __str__(self) -> str:
        return f'symbolic route "{self.stage}" exceeded its budget of {self.seconds:g} s of CPU time'


class _Interrupt(BaseException):
    """Raised by the SIGPROF handler; a BaseException so that ``except Exception`` cannot swallow it."""


_active = False  # the signal mechanism is armed (main thread only)
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
    if _in_child or _active:
        return "nested", "runs under the budget of the enclosing call"
    main = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer"):
        return "none", "this platform has no setitimer (not POSIX)"
    if main and hasattr(os, "fork") and threading.active_count() == 1:
        return "fork", "single-threaded process: forked child with a CPU-time limit"
    if not main:
        return "none", "signals reach the main thread only, and forking a multi-threaded process is unsafe"
    handler = signal.getsignal(signal.SIGPROF)
    if handler not in (signal.SIG_DFL, None, _on_sigprof) or signal.getitimer(signal.ITIMER_PROF)[0] > 0:
        return "none", "SIGPROF / ITIMER_PROF are in use (a profiler?)"
    return "signal", "main thread of a multi-threaded process: SIGPROF interrupt at safe points"


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
    if mechanism == "signal":
        return _run_signalled(task, budget_s)
    return task(_ignore)


def _ignore(stage: str) -> None:
    return None


# -- fork ----------------------------------------------------------------------------------
def _run_forked(task, budget_s: float):
    global _in_child
    from multiprocessing import Pipe

    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # child: never returns
        _in_child = True
        try:
            reader.close()
            signal.signal(signal.SIGPROF, signal.SIG_DFL)  # default action: terminate
            signal.setitimer(signal.ITIMER_PROF, budget_s)
            result = task(lambda name: writer.send(("stage", name)))
            writer.send(("ok", result))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            try:
                writer.send(("error", exc))
            except BaseException:  # noqa: BLE001 - unpicklable exception
                writer.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            os._exit(0)
    writer.close()
    stage = "(start)"
    wall_deadline = time.monotonic() + WALL_FACTOR * budget_s + WALL_SLACK_S
    reaped = False
    try:
        while True:
            left = wall_deadline - time.monotonic()
            if left <= 0:
                raise BudgetExceeded(stage, budget_s)
            if not reader.poll(left):
                continue
            try:
                kind, value = reader.recv()
            except Exception:  # noqa: BLE001 - EOF, or a message cut off when the child was ended
                break
            if kind == "stage":
                stage = value
            elif kind == "ok":
                return value
            else:
                raise value
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


# -- signal --------------------------------------------------------------------------------
def _on_sigprof(signum, frame) -> None:
    if not _active:
        return
    f = frame
    while f is not None:
        module = f.f_globals.get("__name__")
        if module in _IMPORT_MACHINERY or (module, f.f_code.co_name) in _CRITICAL:
            return  # not a safe point: the timer fires again in RETRY_S
        f = f.f_back
    raise _Interrupt


def _run_signalled(task, budget_s: float):
    global _active
    stage = ["(start)"]

    def announce(name: str) -> None:
        stage[0] = name

    if signal.getsignal(signal.SIGPROF) is not _on_sigprof:
        signal.signal(signal.SIGPROF, _on_sigprof)  # left installed: a late tick finds it inactive and returns
    try:
        _active = True
        signal.setitimer(signal.ITIMER_PROF, budget_s, RETRY_S)
        try:
            return task(announce)
        finally:
            _active = False
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _Interrupt:
        _active = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        from sympy.core.cache import clear_cache

        clear_cache()
        raise BudgetExceeded(stage[0], budget_s) from None
