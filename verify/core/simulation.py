r"""Shared computations: one simulation read by several checks, simulated once per example (and size).

Two checks that compare parts of one finite network (the NNGP and the NTK of the same draws; the moments and
the law of the same terminal states) should read one simulation, not two: it halves the cost, and it is what
the pre-harness claims did.  A :class:`Simulation` names the computation once; each check reads a part of it
through a :class:`View` (``.columns(...)``, ``.part(key)`` or ``.map(fn)``), given as the check's ``simulate``
(or, for a Monte Carlo prediction shared by several checks, as its ``predict``)::

    ntk = Simulation("ntk", simulate_ntk)            # simulate(params, *, size, n, seed) -> (n, 2)
    Extrapolated("K_W", simulate=ntk.columns(0), ...)
    Extrapolated("K_b", simulate=ntk.columns(1), ...)

The harness evaluates one example's checks with one :class:`SharedRuns`: the first check that asks for
``ntk`` at a size and sample count runs it, the others read the cached value; the cache lives for that
example's run only.  The seed of a simulation is derived from the example's seed and the *simulation's* name
(:func:`child_seed`; each size gets a child named by its value), never from a check's, so its draws do not
depend on which check asks first, and the seeds of the checks' own simulations are unchanged.
"""

from __future__ import annotations

import inspect
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["SharedRuns", "Simulation", "View", "call_with", "child_seed"]

#: prefix of a simulation's seed-stream name (no check may be named with it)
PREFIX = "simulation:"


def child_seed(seed: int | np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """The seed of the part called ``name`` of an example whose seed is ``seed`` (independent streams)."""
    entropy = seed.entropy if isinstance(seed, np.random.SeedSequence) else int(seed)
    key = tuple(seed.spawn_key) if isinstance(seed, np.random.SeedSequence) else ()
    return np.random.SeedSequence(entropy, spawn_key=key + (zlib.crc32(name.encode("utf-8")),))


def _accepts(fn: Callable, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def call_with(fn: Callable, params: Mapping, **options):
    """``fn(params, **options)`` with only the keyword options ``fn`` declares (``seed``, ``scale``, ...)."""
    return fn(params, **{k: v for k, v in options.items() if _accepts(fn, k)})


@dataclass(frozen=True, eq=False)
class Simulation:
    r"""A named computation several checks share: ``simulate(params, *, n, seed[, size])`` (or, shared by
    several predictions, ``predict(params, *, seed[, scale])``), run once per example, size and sample count.

    Args:
        name: the seed stream's name (distinct among a claim's simulations).
        simulate: the computation; it receives only the keyword options it declares.
    """

    name: str
    simulate: Callable[..., Any]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a Simulation needs a non-empty name, got name={self.name!r}")
        if not callable(self.simulate):
            raise ValueError(f"simulate={self.simulate!r} must be callable")

    def map(self, fn: Callable[[Any], Any]) -> "View":
        """A view returning ``fn(value)`` of the simulated value."""
        return View(self, fn)

    def columns(self, cols) -> "View":
        """A view returning the columns ``cols`` (an int, a slice or a sequence) of the draws ``(n, k)``."""
        return View(self, _Columns(cols))

    def part(self, key) -> "View":
        """A view returning ``value[key]`` (e.g. one entry of a dict of predictions)."""
        return View(self, _Part(key))


@dataclass(frozen=True)
class _Columns:
    cols: Any

    def __call__(self, x):
        return np.asarray(x)[:, self.cols]


@dataclass(frozen=True)
class _Part:
    key: Any

    def __call__(self, value):
        return value[self.key]


@dataclass(frozen=True, eq=False)
class View:
    """A part of a :class:`Simulation`, used as a check's ``simulate`` or ``predict``.

    The harness reads it through the example's :class:`SharedRuns`; called directly (outside the harness), it
    runs the simulation with the given options and returns the part (no sharing).
    """

    source: Simulation
    select: Callable[[Any], Any]

    def __call__(self, params, **options):
        return self.select(call_with(self.source.simulate, params, **options))


class SharedRuns:
    """The shared simulations of one example's run: each run once per option set (``size``, ``n``, ``scale``).

    ``seed`` is the example's seed (or the seed of its predictions); a simulation's seed is
    ``child_seed(seed, "simulation:<name>")``, and at a size ``s`` a child of it named ``"size=<s>"``.
    """

    def __init__(self, seed: int | np.random.SeedSequence):
        self.seed, self._values = seed, {}

    def seed_of(self, simulation: Simulation, size=None) -> np.random.SeedSequence:
        """The seed the simulation runs with (at ``size``, if given)."""
        seed = child_seed(self.seed, PREFIX + simulation.name)
        return seed if size is None else child_seed(seed, f"size={size}")

    def read(self, view: View, params: Mapping, **options):
        """``view``'s part of its simulation, run (once) with ``options`` and the simulation's own seed."""
        sim = view.source
        key = (sim.name, tuple(sorted(options.items())))
        if key not in self._values:
            self._values[key] = call_with(sim.simulate, params, seed=self.seed_of(sim, options.get("size")),
                                          **options)
        return view.select(self._values[key])

    @property
    def runs(self) -> int:
        """How many simulations this example has run (a test reads it)."""
        return len(self._values)
