"""The claim's simulations run once for all its mutants: a mutant changes the prediction, never the draws.

Every mutant runs the unmutated run's examples with their seeds, and a check's draws are a function of the
parameters, the options (``n``, ``size``, ``scale``) and the seed alone; so each distinct call of a check's
``simulate`` (or of a shared :class:`~verify.core.Simulation`) is memoised for the duration of one
:func:`~verify.mutants.mutate` and returns a copy of the same draws. Only claims declared on the harness
(:func:`verify.core.theorem`) are memoised; any other claim runs unchanged (slower, same verdicts).
A test checks that a memoised run equals the plain one. Where the simulation itself calls a function of
the claim's records, the mutants of that function do not use the memo: they are re-simulated
(:mod:`verify.mutants._reach`, :mod:`verify.mutants._runner`).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Callable, Mapping

import numpy as np

from ..core.claim import Claim
from ..core.simulation import Simulation, View, call_with

__all__ = ["memoised_simulations"]


def _key(value: Any) -> Any:
    if isinstance(value, np.random.SeedSequence):
        return ("seed", repr(value.entropy), tuple(value.spawn_key))
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.tobytes())
    return repr(value)


class _Memo:
    """``simulate`` memoised by (parameters, options, seed); returns copies of the stored draws."""

    def __init__(self, simulate: Callable):
        self.simulate, self.values = simulate, {}

    def __call__(self, params, **options):
        key = (_key(dict(params)), _key(options))
        if key not in self.values:
            self.values[key] = call_with(self.simulate, params, **options)
        return copy.deepcopy(self.values[key])


def memoised_simulations(claim: Claim) -> Claim:
    """``claim`` with its checks' simulations memoised (see the module docstring); other claims unchanged."""
    run = claim.run
    checks = getattr(run, "checks", None)
    if type(run).__name__ != "_Run" or not isinstance(checks, tuple):
        return claim
    sources: dict[int, Simulation] = {}
    new_checks = []
    for check in checks:
        simulate = getattr(check, "simulate", None)
        if isinstance(simulate, View):
            source = sources.setdefault(id(simulate.source), Simulation(simulate.source.name,
                                                                        _Memo(simulate.source.simulate)))
            new_checks.append(dataclasses.replace(check, simulate=View(source, simulate.select)))
        elif callable(simulate):
            new_checks.append(dataclasses.replace(check, simulate=_Memo(simulate)))
        else:
            new_checks.append(check)
    return dataclasses.replace(claim, run=type(run)(tuple(new_checks)))
