r"""Claims: a derived prediction beside a finite-network simulation, checked by hypothesis.

A :class:`Claim` bundles

* a parameter space (each parameter a :class:`~derivations.core.parameters.Parameter`,
  so its hypothesis strategy comes from its metadata),
* a ``predict(params)`` function (generated numerics of the records it cites),
* a ``run(claim, params, seed, false_fail_rate)`` function that simulates,
  compares with ``claim.predict`` and returns :class:`~verify.core.stats.TestResult`,
* how finite-size bias is handled (exact at finite size, a rate, or
  extrapolation in $1/n$).

:func:`check` runs a claim under a profile: hypothesis draws parameters and a
seed, every example gets the false-failure budget divided by the number of
examples (Bonferroni), and a failure is shrunk by hypothesis to a minimal
counterexample, which is reported with its observed and predicted values.
So a true claim fails with probability at most ``claim.false_fail_rate``.
"""

from __future__ import annotations

import dataclasses
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from derivations.core.parameters import Parameter

from .evaluate import headline
from .stats import TestResult
from .strategies import strategy_for

__all__ = ["Claim", "ClaimResult", "Profile", "PROFILES", "check"]


@dataclass(frozen=True)
class Profile:
    """How hard to look: drawn examples per claim, a scale for Monte Carlo sizes, and whether to shrink.

    ``max_examples=0`` runs the claim's pinned examples only (a claim without one still draws one).
    """

    name: str
    max_examples: int
    sample_scale: float
    shrink: bool = True


PROFILES = {
    "quick": Profile("quick", max_examples=3, sample_scale=1.0),
    "thorough": Profile("thorough", max_examples=25, sample_scale=4.0),
    # the pinned examples at the claim's own sample sizes, no drawing, no shrinking: the test suite's smoke run
    "smoke": Profile("smoke", max_examples=0, sample_scale=1.0, shrink=False),
}


@dataclass(frozen=True)
class Claim:
    """A limit prediction paired with a simulation (see the module docstring)."""

    id: str
    title: str
    source: str
    records: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    predict: Callable[[Mapping[str, Any]], Any]
    run: Callable[["Claim", Mapping[str, Any], int, float, Profile], TestResult]
    bias: str
    false_fail_rate: float = 1e-6
    examples: tuple[Mapping[str, Any], ...] = ()
    strategies: Mapping[str, st.SearchStrategy] = field(default_factory=dict)
    plot: Callable[..., Any] | None = None  # a verify.plots.ClaimPlot: called as plot(result, png_path)
    formulas: tuple[str, ...] = ()  # "record.id:expression" entries the claim checks (shown in reports)
    max_examples: int | None = None  # cap on drawn examples (a claim whose run is itself a search needs few)

    def with_prediction(self, predict: Callable[[Mapping[str, Any]], Any], *, suffix: str = "planted") -> "Claim":
        """The same claim with another prediction (to plant a wrong formula)."""
        return dataclasses.replace(self, id=f"{self.id}[{suffix}]", predict=predict)

    def strategy(self) -> st.SearchStrategy[dict]:
        return st.fixed_dictionaries({p.name: self.strategies.get(p.name, strategy_for(p)) for p in self.parameters})


@dataclass
class ClaimResult:
    """What :func:`check` found."""

    claim: Claim
    passed: bool
    profile: str
    examples: list[tuple[dict, int, TestResult]]
    counterexample: tuple[dict, int, TestResult] | None
    seconds: float
    error: str = ""
    #: The run's seed (:func:`check`'s ``seed``): the same seed, profile and code give the same result.
    seed: int = 0

    @property
    def n_samples(self) -> int:
        """Samples behind the verdict: the passed examples' and, for a failed claim, the counterexample's."""
        rows = self.examples + ([self.counterexample] if self.counterexample is not None else [])
        return sum(r.n_samples for _, _, r in rows)

    @property
    def worst(self) -> TestResult | None:
        if self.counterexample is not None:
            return self.counterexample[2]
        if not self.examples:
            return None
        return max((r for _, _, r in self.examples), key=lambda r: r.statistic / r.threshold if r.threshold else 0)

    def power_table(self) -> list[dict]:
        """One row per example and compared quantity (claims declared on the harness): the predicted
        value, the smallest discrepancy the test detects, and their ratio (``relative``)."""
        rows = self.examples + ([self.counterexample] if self.counterexample is not None else [])
        return [{"params": params, **row} for params, _, res in rows for row in res.data.get("power", ())]

    def summary(self) -> dict:
        worst = self.worst
        out = {
            "claim": self.claim.id,
            "title": self.claim.title,
            "source": self.claim.source,
            "verdict": "pass" if self.passed else "FAIL",
            "profile": self.profile,
            "seed": self.seed,
            "examples": len(self.examples),
            "samples": self.n_samples,
            "false_fail_rate": self.claim.false_fail_rate,
            "bias_handling": self.claim.bias,
            "seconds": round(self.seconds, 3),
        }
        if worst is not None:
            out.update(statistic=worst.statistic, threshold=worst.threshold,
                       detectable_discrepancy=worst.detectable_discrepancy)
        power = self.power_table()
        if power:
            weakest = max(headline(power), key=lambda row: row["relative"])
            out.update(weakest_relative_detectable=weakest["relative"], weakest_check=weakest, power=power)
            bounds = [row for row in power if row.get("bound")]
            if bounds and bounds != headline(power):  # one-sided bound rows: reported apart (evaluate.headline)
                worst_bound = max(bounds, key=lambda row: row["relative"])
                out.update(weakest_bound_detectable=worst_bound["relative"], weakest_bound_check=worst_bound)
        if self.counterexample is not None:
            params, seed, res = self.counterexample
            out["counterexample"] = {"params": params, "seed": seed, "observed": _plain(res.observed),
                                     "predicted": _plain(res.predicted), "statistic": res.statistic,
                                     "threshold": res.threshold, "detail": res.detail}
        if self.error:
            out["error"] = self.error
        return out


def _plain(v):
    try:
        import numpy as np

        return np.asarray(v, dtype=float).tolist()
    except (TypeError, ValueError):
        return repr(v)


class _Rejected(AssertionError):
    pass


def check(claim: Claim, *, profile: str | Profile = "quick", derandomize: bool = True,
          progress: Callable[[int, int], None] | None = None, seed: int = 0) -> ClaimResult:
    """Run ``claim`` under ``profile``; return the verdict and, on failure, the shrunk counterexample.

    The claim's false-failure rate is split evenly (Bonferroni) over the
    pinned examples and at most ``max_examples`` drawn ones.  ``derandomize``
    (default) makes the run reproducible: the examples and seeds are a
    function of the claim alone.  ``progress(done, planned)``, if given, is
    called with ``done = 0`` before the first example and after every example
    run; ``done > planned`` while hypothesis shrinks a counterexample.

    ``seed`` (an integer >= 0) chooses the run: 0, the default, is the derandomised run above
    (the examples a function of the claim alone, pinned examples at seed 0); another value
    draws other examples and other simulation seeds (the pinned examples at that seed), and the
    same value always gives the same run.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed={seed!r} must be an integer in [0, 2**32)")
    prof = PROFILES.get(profile) if isinstance(profile, str) else profile
    if not isinstance(prof, Profile):
        raise ValueError(f"profile={profile!r} is not one of {sorted(PROFILES)}")
    if progress is not None and not callable(progress):
        raise ValueError(f"progress={progress!r} must be a callable progress(done, planned) or None")
    drawn = prof.max_examples if claim.max_examples is None else min(prof.max_examples, claim.max_examples)
    drawn = max(0 if claim.examples else 1, drawn)
    n_tests = drawn + len(claim.examples)
    per_example = claim.false_fail_rate / n_tests
    examples: list[tuple[dict, int, TestResult]] = []
    failures: list[tuple[dict, int, TestResult]] = []

    def body(params: dict, seed: int) -> None:
        res = claim.run(claim, params, seed, per_example, prof)
        if progress is not None:
            progress(len(examples) + len(failures) + 1, n_tests)
        record = (dict(params), seed, res)
        if res.passed:
            examples.append(record)
        else:
            failures.append(record)
            raise _Rejected(res.detail)

    phases = (Phase.explicit,) + ((Phase.generate,) if drawn else ()) + ((Phase.shrink,) if prof.shrink else ())

    @settings(max_examples=max(1, drawn), deadline=None, derandomize=derandomize and seed == 0, database=None,
              suppress_health_check=list(HealthCheck), phases=phases,
              report_multiple_bugs=False, print_blob=False)
    @given(params=claim.strategy(), seed=st.integers(0, 2**32 - 1))
    def search(params, seed):
        body(params, seed)

    for ex in claim.examples:  # pinned edges, at the run's seed
        search = _pin(search, ex, seed)
    if seed:
        from hypothesis import seed as hypothesis_seed

        search = hypothesis_seed(seed)(search)
    start = time.perf_counter()
    error = ""
    if progress is not None:
        progress(0, n_tests)
    try:
        with _examples_independent_of_imports():
            search()
        passed = True
    except _Rejected:
        passed = False
    except HypothesisException as exc:  # pragma: no cover - reported, not hidden
        passed, error = False, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    # hypothesis replays the shrunk example last, so the last failure is the minimal one
    counter = failures[-1] if failures else None
    return ClaimResult(claim, passed, prof.name, examples, counter, seconds, error, seed=seed)


@contextmanager
def _examples_independent_of_imports():
    """While a claim is checked, hypothesis draws no constant from the source of the modules imported so far.

    Hypothesis (6.1xx) draws, with probability 5% per choice, a constant collected from the source of
    the *local* modules in ``sys.modules`` (``hypothesis.internal.conjecture.providers._get_local_constants``).
    That pool grows with what the process has imported (the claims run before, a ``--claims`` file, a
    test module), so the same claim at the same seed drew different examples alone, in a full run and
    in a worker process.  Here the pool is empty (hypothesis' own global constants stay), so the
    examples are a function of the claim, the profile and the seed.  A hypothesis without this private
    hook is left as it is (``tests/unit/core/test_workers.py`` would then fail).
    """
    try:
        from hypothesis.internal.conjecture import providers

        original, cache, empty = providers._get_local_constants, providers.CONSTANTS_CACHE, providers.Constants()
    except (ImportError, AttributeError):  # pragma: no cover - another hypothesis
        yield
        return
    cache.cache.clear()  # it caches the permitted constants, local ones included
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


def _pin(test, params, seed: int = 0):
    from hypothesis import example

    return example(params=dict(params), seed=seed)(test)
