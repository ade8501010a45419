"""Progress of long commands on stderr, with an estimate of the time left.

Where stderr is a terminal, a ``tqdm`` bar (it estimates the time left from the
rate so far); otherwise plain lines, at most one every ``interval`` seconds and
one at the end, so that logs of CI runs stay short.  Before the first step is
done the estimate is the caller's (e.g. how long the same work took last time).

The estimate after ``k`` of ``n`` steps in ``t`` seconds is ``t (n - k) / k``:
it assumes the remaining steps cost what the finished ones did on average.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Announce", "Progress", "format_seconds"]


def format_seconds(seconds: float) -> str:
    """``4.2 s``, ``42 s``, ``3 min 5 s``, ``1 h 2 min``."""
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {(s % 3600) // 60} min"


class Progress:
    """``total`` steps of work named ``label``; call :meth:`update` after each, :meth:`close` at the end.

    Keyword-only options: ``unit`` (shown in plain lines), ``estimate`` (seconds
    expected for the whole work, used before the first step finishes),
    ``stream`` (default ``sys.stderr``), ``interval`` (seconds between plain lines).
    """

    def __init__(self, total: int, *, label: str, unit: str = "step", estimate: float | None = None,
                 stream=None, interval: float = 5.0):
        if not (isinstance(total, int) and total >= 0):
            raise ValueError(f"total={total!r} must be an integer >= 0")
        if estimate is not None and not estimate >= 0:
            raise ValueError(f"estimate={estimate!r} must be a number of seconds >= 0")
        self.total, self.label, self.unit, self.estimate = total, label, unit, estimate
        self.stream = sys.stderr if stream is None else stream
        self.interval = interval
        self.done = 0
        self.start = time.perf_counter()
        self._last_line = -float("inf")
        self._bar = None
        if _is_tty(self.stream):
            try:
                from tqdm import tqdm
            except ImportError:  # pragma: no cover - tqdm is a dependency; plain lines still work
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=label, unit=unit, file=self.stream, leave=False,
                                 dynamic_ncols=True, mininterval=0.2)
        if self._bar is None:
            self._line(force=True)

    def seconds_left(self) -> float | None:
        """Estimated seconds until the last step is done (``None`` when unknown)."""
        elapsed = time.perf_counter() - self.start
        if self.done == 0:
            return None if self.estimate is None else max(self.estimate - elapsed, 0.0)
        if self.done >= self.total:
            return 0.0
        return elapsed * (self.total - self.done) / self.done

    def _line(self, *, force: bool = False, note: str = "") -> None:
        now = time.perf_counter()
        if not force and now - self._last_line < self.interval:
            return
        self._last_line = now
        left = self.seconds_left()
        tail = f", about {format_seconds(left)} left" if left is not None and self.done < self.total else ""
        count = f"{self.done}/{self.total} {self.unit}s" if self.done <= self.total else f"{self.done} {self.unit}s"
        extra = f"; {note}" if note else ""
        print(f"{self.label}: {count} ({format_seconds(now - self.start)} elapsed{tail}){extra}",
              file=self.stream, flush=True)

    def update(self, n: int = 1, *, note: str = "") -> None:
        """``n`` more steps are done; ``note`` says what is happening (e.g. shrinking a counterexample)."""
        self.done += n
        if self._bar is not None:
            if self.done > self.total:  # extra steps (hypothesis shrinking): grow the bar
                self._bar.total = self.done
            self._bar.update(n)
            if note:
                self._bar.set_postfix_str(note, refresh=False)
        else:
            self._line(force=self.done == self.total, note=note)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:  # noqa: PYI034 (typing.Self needs Python 3.11)
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Announce:
    """One step of unknown length: ``label ... (about E, took E last time)`` then `` done (T s)``."""

    def __init__(self, label: str, *, estimate: float | None = None, stream=None):
        self.stream = sys.stderr if stream is None else stream
        self.start = time.perf_counter()
        hint = f" (took {format_seconds(estimate)} last time)" if estimate is not None else ""
        print(f"{label}{hint} ...", end="", file=self.stream, flush=True)

    def done(self, note: str = "") -> float:
        seconds = time.perf_counter() - self.start
        print(f" done ({seconds:.1f} s){'; ' + note if note else ''}", file=self.stream, flush=True)
        return seconds


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
