r"""Run a claim against its standard mutants: :func:`mutate`.

1. The unmutated claim runs once (:func:`verify.core.check`, the profile without shrinking, the given seed);
   its passed examples, each with its seed, are the examples every mutant runs on. A claim that fails
   unmutated gets an error, not a score.
2. **Scale mutants**: ``claim.with_prediction`` with the whole prediction times $s = 1.05$ and $0.95$
   ($1.03$, $0.97$ in the thorough profile; :func:`scale_factors`).
3. **Record mutants** (:mod:`verify.mutants._expressions`) of each record in ``claim.records``: the mutant
   functions are swapped in (:mod:`verify.mutants._patching`) only while the claim computes its
   prediction, never while it simulates: what is mutated is the prediction, not the network. Except
   where the simulation itself reads the record (a centring constant, a control mean): the unmutated run
   records which of the records' functions it called outside the prediction
   (:mod:`verify.mutants._reach`), and a mutant of such a function is **re-simulated** with the mutant in
   place on both sides (simulation and prediction, as in reality the record feeds both), never run on the
   memoised draws; its detail says so.
4. Each mutant runs the examples in order (the simulations memoised: :mod:`verify.mutants._memo`), at the unmutated run's per-example false-failure rate
   (the claim's rate over its examples, as :func:`~verify.core.check` splits it); the first failing
   example (or an exception) kills it.

**Equivalent mutants** are detected in two ways and left out of the score (listed): before running, a
record mutant whose predictions equal the unmutated ones on every example (relative difference at
most :data:`EQUAL_RTOL`; a CDF prediction counts as changed) is ``"equivalent"``, and one whose
function was never called while predicting is ``"not reached"``; after running, a survivor whose every
example compares the same numbers (statistic, threshold, observed and predicted values, within
:data:`EQUAL_RTOL`) as the unmutated run is ``"equivalent"``. For the x1.05 (x1.03) mutant the latter
means that the claim's run ignores its prediction: an error (and the scale mutants count as survivors),
unless the prediction is 0 on every example, when no factor changes it (the scale mutants are then equivalent).
"""

from __future__ import annotations

import dataclasses
import functools
import time
import warnings
from collections.abc import Mapping
from typing import Any, Callable

import numpy as np

from ..core.checks import Estimate
from ..core.claim import PROFILES, Claim, Profile, check
from ..core.simulation import call_with, child_seed
from ..core.stats import TestResult
from ._expressions import RecordMutant, mutant_functions, record_mutants
from ._memo import memoised_simulations
from ._outcome import MutantOutcome, MutationReport
from ._patching import swapped
from ._reach import SimulationReach
from ._scaling import scaled

__all__ = ["EQUAL_RTOL", "mutate", "scale_factors"]

#: "Numerically equal": relative difference at most 1e-9, far below the resolution of any Monte Carlo
#: check (>= 1e-4 relative) and far above the rounding of a reordered float sum (~1e-15).
EQUAL_RTOL = 1e-9
_SAME = "every example compares the same numbers as the unmutated claim"
_RESIMULATED = "re-simulated with the mutant (the simulation reads the record)"


def scale_factors(profile: str) -> tuple[float, float]:
    """The factors of the whole-prediction mutants: 1.03 and 0.97 in the thorough profile, else 1.05 and 0.95."""
    return (1.03, 0.97) if profile == "thorough" else (1.05, 0.95)


class _ScaledPredict:
    """``predict`` times a factor (picklable; forwards the seed and scale the original declares)."""

    def __init__(self, predict: Callable, factor: float):
        self.predict, self.factor = predict, factor

    def __call__(self, params, *, seed=None, scale=1.0):
        return scaled(call_with(self.predict, params, seed=seed, scale=scale), self.factor)


class _MutantPredict:
    """``predict`` with the mutant functions swapped in while it runs; counts their calls; memoised per call."""

    def __init__(self, predict: Callable, replacements: Mapping[Callable, Callable]):
        self.predict, self.calls, self._memo = predict, 0, {}
        self.replacements = {orig: self._counted(fn) for orig, fn in replacements.items()}

    def _counted(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def counted(*args, **kwargs):
            self.calls += 1
            return fn(*args, **kwargs)

        return counted

    def __call__(self, params, *, seed=None, scale=1.0):
        key = (repr(sorted(dict(params).items())), None if seed is None else (repr(seed.entropy), seed.spawn_key),
               scale)
        if key not in self._memo:
            with swapped(self.replacements):
                self._memo[key] = call_with(self.predict, params, seed=seed, scale=scale)
        return self._memo[key]


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, Estimate):
        return [value.value, value.stderr]
    if isinstance(value, Mapping):
        return [leaf for k in sorted(value, key=str) for leaf in _leaves(value[k])]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _change(mutant: Any, original: Any) -> float | None:
    """Largest relative change of the numeric leaves; ``inf`` where a shape or a CDF may differ."""
    a, b = _leaves(mutant), _leaves(original)
    if len(a) != len(b):
        return float("inf")
    worst = 0.0
    for x, y in zip(a, b):
        if callable(x) or callable(y):
            if x is not y:
                return float("inf")
            continue
        try:
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            return float("inf")
        if x.shape != y.shape:
            return float("inf")
        if x.size == 0:
            continue
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        if same.all():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(same, 0.0, np.abs(x - y) / np.maximum(np.abs(y), np.finfo(float).tiny))
        worst = max(worst, float(np.nanmax(np.where(np.isnan(rel), np.inf, rel))))
    return worst


def _same(a: TestResult, b: TestResult) -> bool:
    """Whether two runs of one example compared the same numbers (within :data:`EQUAL_RTOL`)."""
    for x, y in ((a.statistic, b.statistic), (a.threshold, b.threshold), (a.observed, b.observed),
                 (a.predicted, b.predicted)):
        change = _change(x, y)
        if change is None or change > EQUAL_RTOL:
            return False
    return True


def _per_example_rate(claim: Claim, prof: Profile) -> float:
    """The false-failure rate of one example, split as :func:`verify.core.check` splits it."""
    drawn = prof.max_examples if claim.max_examples is None else min(prof.max_examples, claim.max_examples)
    drawn = max(0 if claim.examples else 1, drawn)
    return claim.false_fail_rate / (drawn + len(claim.examples))


def _run_examples(mutant: Claim, examples, rate: float, prof: Profile, replacements=None
                  ) -> tuple[int | None, str, list]:
    """``(index of the first failing example or None, detail, results)``; an exception kills.
    ``replacements``: functions swapped in for the whole run (simulation included)."""
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a planted error may overflow: the verdict tells
        for k, (params, seed, _) in enumerate(examples):
            try:
                if replacements is None:
                    res = mutant.run(mutant, params, seed, rate, prof)
                else:
                    with swapped(replacements):
                        res = mutant.run(mutant, params, seed, rate, prof)
            except Exception as exc:  # noqa: BLE001 - a crash is a detection, reported with its message
                return k, f"raised {type(exc).__name__}: {' '.join(str(exc).split())[:200]}", results
            results.append(res)
            if not res.passed:
                return k, " ".join(res.detail.split())[:200], results
    return None, "", results


def _verdict(name, kind, mutant_claim, examples, rate, prof, *, record="", function="", effect=None,
             replacements=None):
    start = time.perf_counter()
    index, detail, results = _run_examples(mutant_claim, examples, rate, prof, replacements)
    status = "killed" if index is not None else "survived"
    if status == "survived" and all(_same(r, ex[2]) for r, ex in zip(results, examples)):
        detail = _SAME
        status = "survived" if kind == "scale" else "equivalent"  # a scale mutant cannot be equivalent
    if replacements is not None:
        detail = f"{_RESIMULATED}: {detail}" if detail else _RESIMULATED
    return MutantOutcome(name, kind, status, record=record, function=function, example=index, detail=detail,
                         effect=effect, seconds=time.perf_counter() - start)


def _record_outcome(claim, mutant: RecordMutant, examples, base_predictions, rate, prof, *, plain: Claim,
                    reach: SimulationReach) -> MutantOutcome:
    """One record mutant; ``plain`` is the claim without memoised simulations, re-run (mutant in place on
    both sides) when ``reach`` saw the simulation call the mutated function."""
    from numerics.core.records import record as generated

    start = time.perf_counter()
    where = dict(kind=mutant.kind, record=mutant.record, function=mutant.function)
    try:
        functions = mutant_functions(mutant)
    except Exception as exc:  # noqa: BLE001 - listed, never scored
        return MutantOutcome(mutant.name, status="not built", detail=f"{type(exc).__name__}: {exc}"[:200],
                             seconds=time.perf_counter() - start, **where)
    module = generated(mutant.record).module
    predict = _MutantPredict(claim.predict, {getattr(module, name): fn for name, fn in functions.items()})
    changes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for (params, seed, _), base in zip(examples, base_predictions):
            try:
                changes.append(_change(predict(params, seed=child_seed(seed, "prediction"), scale=prof.sample_scale),
                                       base))
            except Exception as exc:  # noqa: BLE001 - the prediction itself breaks: a detection
                return MutantOutcome(mutant.name, status="killed", detail=f"prediction raised {type(exc).__name__}: "
                                     f"{' '.join(str(exc).split())[:160]}", seconds=time.perf_counter() - start,
                                     **where)
    effect = max(changes, default=0.0)
    if reach.reaches(mutant.record, functions):  # the memoised draws would be the unmutated record's
        out = _verdict(mutant.name, mutant.kind, plain.with_prediction(predict, suffix=mutant.name), examples, rate,
                       prof, record=mutant.record, function=mutant.function,
                       effect=None if np.isinf(effect) or effect <= EQUAL_RTOL else effect,
                       replacements=predict.replacements)
        return dataclasses.replace(out, seconds=time.perf_counter() - start)
    if predict.calls == 0:
        return MutantOutcome(mutant.name, status="not reached", detail="the mutated function was not called "
                             "while the claim predicted", seconds=time.perf_counter() - start, **where)
    if effect <= EQUAL_RTOL:
        return MutantOutcome(mutant.name, status="equivalent", detail="the predictions are equal on every example",
                             effect=effect, seconds=time.perf_counter() - start, **where)
    out = _verdict(mutant.name, mutant.kind, claim.with_prediction(predict, suffix=mutant.name), examples, rate, prof,
                   record=mutant.record, function=mutant.function, effect=None if np.isinf(effect) else effect)
    return dataclasses.replace(out, seconds=time.perf_counter() - start)


def mutate(claim: Claim, *, profile: str | Profile = "quick", seed: int = 0, records: bool = True,
           progress: Callable[[int, int, str], None] | None = None) -> MutationReport:
    r"""Plant the standard mutants in ``claim``'s prediction and run the claim against each (module docstring).

    Args:
        claim: a :class:`~verify.core.Claim` (shipped, or declared with :func:`verify.core.theorem`).
        profile: ``"smoke"``, ``"quick"`` or ``"thorough"`` (or a :class:`~verify.core.claim.Profile`): the
            examples and samples of the unmutated run; ``"thorough"`` plants x1.03 and x0.97, the others x1.05
            and x0.95.
        seed: the run's seed (:func:`verify.core.check`); the same seed gives the same report.
        records: also plant the record mutants (drop, sign, exponent) of ``claim.records``.
        progress: ``progress(done, planned, name)`` after each mutant (``planned`` grows as records are read).

    Returns:
        A :class:`~verify.mutants.MutationReport`: every outcome, the score killed/(killed + survived),
        the survivors, and ``error`` if the claim fails unmutated or its run ignores its prediction.
    """
    if not isinstance(claim, Claim):
        raise ValueError(f"claim={claim!r} must be a verify.core.Claim")
    prof = PROFILES.get(profile) if isinstance(profile, str) else profile
    if not isinstance(prof, Profile):
        raise ValueError(f"profile={profile!r} is not one of {sorted(PROFILES)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed={seed!r} must be an integer in [0, 2**32)")
    if not isinstance(records, bool):
        raise ValueError(f"records={records!r} must be True or False")
    if progress is not None and not callable(progress):
        raise ValueError(f"progress={progress!r} must be a callable progress(done, planned, name) or None")
    start = time.perf_counter()
    prof = dataclasses.replace(prof, shrink=False)
    plain, claim = claim, memoised_simulations(claim)  # the mutants rerun the same draws: simulate once
    reach = SimulationReach(claim.records if records else ())
    with reach.recording():  # which record functions the simulation reads (those mutants re-simulate)
        base = check(reach.claim(claim), profile=prof, seed=seed)
    report = MutationReport(claim.id, prof.name, seed, len(base.examples))
    if not base.passed:
        report.error = "the unmutated claim fails, so its mutants say nothing: " + (
            base.error or (base.counterexample[2].detail if base.counterexample else "no passing example"))
        report.seconds = time.perf_counter() - start
        return report
    examples, rate = base.examples, _per_example_rate(claim, prof)
    factors = scale_factors(prof.name)
    mutants = [m for rid in claim.records for m in record_mutants(rid)] if records else []
    planned = len(factors) + len(mutants)
    base_predictions = [call_with(claim.predict, params, seed=child_seed(s, "prediction"), scale=prof.sample_scale)
                        for params, s, _ in examples]
    for factor in factors:
        name = f"prediction x{factor:g}"
        if max((_change(scaled(b, factor), b) for b in base_predictions), default=0.0) <= EQUAL_RTOL:
            report.outcomes.append(MutantOutcome(name, "scale", "equivalent", detail="the prediction is 0 on every "
                                                 "example: no factor changes it"))
            continue
        out = _verdict(name, "scale", claim.with_prediction(_ScaledPredict(claim.predict, factor), suffix=f"x{factor:g}"),
                       examples, rate, prof, effect=abs(factor - 1.0))
        report.outcomes.append(out)
        if out.detail == _SAME and not report.error:
            report.error = (f"the claim's run ignores its prediction: with the {name} mutant every example "
                            "compares the same numbers (a claim must compare claim.predict)")
        if progress is not None:
            progress(len(report.outcomes), planned, name)
    for mutant in mutants:
        report.outcomes.append(_record_outcome(claim, mutant, examples, base_predictions, rate, prof, plain=plain,
                                               reach=reach))
        if progress is not None:
            progress(len(report.outcomes), planned, mutant.name)
    report.seconds = time.perf_counter() - start
    return report
