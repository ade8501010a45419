"""Which generated functions a claim's run calls while it simulates (outside its prediction).

A mutant of a record changes the prediction; but a simulation may read the same record (a centring
constant, a control mean, a finite-size offset), and in reality the record feeds both sides. So the
unmutated run records, for every function of the claim's records, whether the run called it outside
``claim.predict`` (the simulation, memoised or not). A mutant whose function was reached that way is
not run on the memoised draws: :mod:`verify.mutants._runner` re-simulates it with the mutant in place on
both sides. The functions are bound through :func:`~verify.mutants._patching.swapped`, so what the
recorder sees is exactly what a mutant would replace (a function hidden in a closure is seen by neither).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from ..core.claim import Claim
from ..core.simulation import call_with
from ._patching import swapped

__all__ = ["SimulationReach"]


class _Predicting:
    """``predict`` with the recorder paused while it runs (forwards the seed and scale it declares)."""

    def __init__(self, reach: SimulationReach, predict: Callable):
        self.reach, self.predict = reach, predict

    def __call__(self, params, *, seed=None, scale=1.0):
        self.reach.paused += 1
        try:
            return call_with(self.predict, params, seed=seed, scale=scale)
        finally:
            self.reach.paused -= 1


class SimulationReach:
    """Records ``(record id, function name)`` of every generated function of ``record_ids`` called outside
    the prediction while :meth:`recording` is active, in :attr:`reached`."""

    def __init__(self, record_ids: Iterable[str]):
        from numerics.core.records import record as generated

        self.functions: dict[Callable, tuple[str, str]] = {}
        for rid in record_ids:
            module = generated(rid).module
            for name, fn in vars(module).items():
                if inspect.isfunction(fn) and fn.__module__ == module.__name__:
                    self.functions.setdefault(fn, (rid, name))
        self.reached: set[tuple[str, str]] = set()
        self.paused = 0

    def _recorder(self, fn: Callable, where: tuple[str, str]) -> Callable:
        @functools.wraps(fn)
        def recorded(*args, **kwargs):
            if not self.paused:
                self.reached.add(where)
            return fn(*args, **kwargs)

        return recorded

    def claim(self, claim: Claim) -> Claim:
        """``claim`` (same id) whose prediction pauses the recorder."""
        return dataclasses.replace(claim, predict=_Predicting(self, claim.predict))

    @contextmanager
    def recording(self) -> Iterator[SimulationReach]:
        """The records' functions wrapped by the recorder for the duration of the block."""
        with swapped({fn: self._recorder(fn, where) for fn, where in self.functions.items()}):
            yield self

    def reaches(self, record_id: str, names: Iterable[str]) -> bool:
        """Whether the simulation called any of ``names`` of ``record_id``."""
        return any((record_id, name) in self.reached for name in names)
