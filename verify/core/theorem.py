r"""A theorem, declared: parameters and checks in, a runnable :class:`~verify.claims.Claim` out.

:func:`theorem` is the public way to state a claim, for the shipped theories and
for a user's own::

    claim = theorem(id="my.nngp", title="...", parameters=[integer("width", 1, 64)],
                    checks=[Exact("second moments", simulate=moments, predict=nngp)])
    verify.claims.check(claim)        # or: deeplimits verify --claims my_theorems.py

What the harness does once, so that no claim does it by hand:

* **seeds**: the example's seed and a check's name determine that check's
  :class:`numpy.random.SeedSequence` (each size of a sweep gets a child of it), and
  a stochastic prediction's; so the draws of a check do not change when checks are
  added, removed or reordered;
* **samples** are the declared base counts times the profile's ``sample_scale`` (or a check's own
  ``sample_scale``, for a tolerance measured at one sample size);
* **per example**: a check's ``applies(params)`` says whether it runs, its ``settings(params)`` overrides
  fields (a fit order, a stated tolerance); a check that does not apply registers no comparison, so the
  example's budget goes to those that do;
* **shared simulations**: a :class:`~verify.core.simulation.Simulation` read by several checks (through
  ``.columns(...)``) runs once per example and size, from a seed named after the simulation (its cache
  lives for one example's run); a Monte Carlo prediction shared by several checks likewise;
* **the false-failure budget** of an example (the claim's rate over its examples,
  split by :func:`verify.claims.check`) is divided over the comparisons the checks
  register (:func:`verify.core.evaluate.comparisons`: one per compared component,
  twice for a fit with a goodness-of-fit test, none for a deterministic check);
* **the prediction** of every check comes from the claim's ``predict``, a mapping
  from check name to prediction, so a planted prediction
  (``claim.with_prediction``) reaches every comparison: no check can ignore it;
* **power**: every compared component reports its predicted value, the smallest
  discrepancy the test detects and their ratio (``data["power"]``);
* **plots**: each check kind brings its panel (:mod:`verify.plots`), with labelled
  axes and a theory line.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from derivations.core.parameters import Parameter

from .. import plots
from .claim import Claim, Profile
from .stats import TestResult
from .checks import Check, Custom, Deterministic, Exact, Extrapolated, Law, Rate, TwoSampleLaw
from .evaluate import CheckOutcome, comparisons, evaluate, headline
from .simulation import PREFIX, SharedRuns, Simulation, View, call_with as _call, child_seed

__all__ = ["aggregate", "child_seed", "predictions", "theorem"]


def _active(checks: Sequence[Check], params: Mapping) -> list[Check]:
    """The checks that apply to ``params``, with this example's settings."""
    return [c for c in (check.for_example(params) for check in checks) if c is not None]


class _Predictions:
    """The claim-level ``predict``: ``params -> {check name: prediction}`` (picklable, inspectable).

    A Monte Carlo prediction declares ``seed`` (its own stream, independent of the simulations) and
    may declare ``scale`` (the profile's sample scale, to scale its own sample size with the profile).
    """

    def __init__(self, checks: Sequence[Check]):
        self.checks = tuple(checks)

    def __call__(self, params: Mapping, *, seed: np.random.SeedSequence | None = None,
                 scale: float = 1.0) -> dict[str, Any]:
        root = np.random.SeedSequence(0) if seed is None else seed
        shared = SharedRuns(root)  # a prediction shared by several checks runs once
        return {check.name: (shared.read(check.predict, params, scale=scale) if isinstance(check.predict, View)
                             else _call(check.predict, params, seed=child_seed(root, check.name), scale=scale))
                for check in _active(self.checks, params)}


def predictions(claim: Claim, params: Mapping, *, seed: np.random.SeedSequence | None = None,
                scale: float = 1.0) -> dict[str, Any]:
    """The claim's predictions for ``params``, by check name (a stochastic one uses ``seed`` and ``scale``)."""
    return _call(claim.predict, params, seed=seed, scale=scale)


class _Run:
    """The claim-level ``run``: evaluate every check of one example and aggregate the verdict."""

    def __init__(self, checks: Sequence[Check]):
        self.checks = tuple(checks)

    def __call__(self, claim: Claim, params: Mapping, seed: int, rate: float, prof: Profile) -> TestResult:
        checks = _active(self.checks, params)
        if not checks:
            raise ValueError(f"{claim.id}: no check applies to {dict(params)!r}")
        predicted = predictions(claim, params, seed=child_seed(seed, "prediction"), scale=prof.sample_scale)
        missing = [c.name for c in checks if c.name not in predicted]
        if missing:
            raise ValueError(f"{claim.id}: predict returned no prediction for the check(s) {missing}")
        counts = {c.name: comparisons(c, predicted[c.name]) for c in checks}
        total = sum(counts.values())
        per_comparison = rate / total if total else 0.0
        shared = SharedRuns(seed)  # this example's shared simulations, dropped after the run
        outcomes = [evaluate(c, params, predicted[c.name], seed=child_seed(seed, c.name),
                             rate=per_comparison * counts[c.name], scale=prof.sample_scale, shared=shared,
                             profile=prof)
                    for c in checks]
        return aggregate(outcomes, rate=rate)


def aggregate(outcomes: Sequence[CheckOutcome], *, rate: float) -> TestResult:
    """One example's :class:`~verify.core.stats.TestResult` from its checks: the worst check leads."""
    worst = max(outcomes, key=lambda o: o.excess)
    rows = [r for o in outcomes for r in o.power]
    weakest = max(headline(rows), key=lambda r: r.relative) if rows else None
    bounds = [r for r in rows if r.bound]
    weakest_bound = max(bounds, key=lambda r: r.relative) if bounds else None
    return TestResult(
        passed=all(o.passed for o in outcomes),
        statistic=worst.statistic,
        threshold=worst.threshold,
        false_fail_rate=rate,
        detectable_discrepancy=max((r.detectable for r in rows), default=0.0),
        n_samples=sum(o.n_samples for o in outcomes),
        observed=np.array([r.observed for r in rows]),
        predicted=np.array([r.predicted for r in rows]),
        detail="; ".join(o.detail for o in sorted(outcomes, key=lambda o: -o.excess)),
        data={"checks": {o.name: dict(o.data) for o in outcomes},
              "outcomes": [{"name": o.name, "kind": o.kind, "passed": o.passed, "statistic": o.statistic,
                            "threshold": o.threshold, "false_fail_rate": o.false_fail_rate, "detail": o.detail}
                           for o in outcomes],
              "power": [r.as_dict() for r in rows],
              "weakest": weakest.as_dict() if weakest else None,
              "weakest_bound": weakest_bound.as_dict() if weakest_bound else None},
    )


def _panels(check: Check) -> list:
    if check.applies is not None:
        return []  # absent from the examples it does not apply to: declare its panels on the theorem
    at = ("checks", check.name)
    if isinstance(check, Exact):
        return [plots.Exact(check.labels or (check.name,), observed=at + ("observed",), theory=at + ("predicted",),
                            stderr=at + ("stderr",))]
    if isinstance(check, Extrapolated):
        labels = check.labels or (check.name,)
        return [plots.Limit(label, estimate=at + ("error", j), theory=0.0, stderr=at + ("stderr", j),
                            sizes=at + ("sizes",), size_name=check.size_name, power=check.power)
                for j, label in enumerate(labels[:3])]
    if isinstance(check, (Law, TwoSampleLaw)):
        return [plots.Cdf(check.name, grid=at + ("grid",), empirical=at + ("empirical",),
                          theories=(("predicted", at + ("predicted",)),))]
    if isinstance(check, Rate):
        return [plots.Rate(f"{check.statistic} of {check.name}", values=at + ("values",), order=at + ("order",),
                           sizes=at + ("sizes",))]
    if isinstance(check, Custom):
        return []  # a custom check declares its panels on the theorem (plot=...)
    return [plots.Parity(check.name, computed=at + ("computed",), reference=at + ("reference",),
                         reference_name="prediction", computed_name="computed")]


def theorem(*, id: str, title: str, parameters: Iterable[Parameter], checks: Iterable[Check],
            source: str = "user-stated theorem", records: Sequence[str] = (), examples: Sequence[Mapping] = (),
            bias: str = "", false_fail_rate: float = 1e-6, max_examples: int | None = None,
            formulas: Sequence[str] = (), strategies: Mapping | None = None, panels: Sequence = ()) -> Claim:
    """Declare a claim: its parameter space, its checks, its pinned examples.

    Args:
        id: a stable identifier, e.g. ``"claim.nngp_depth1"`` or ``"my.theorem"``.
        title: one line saying what is claimed.
        parameters: :class:`~derivations.core.parameters.Parameter` declarations (see
            :func:`verify.core.real`, :func:`~verify.core.integer`, :func:`~verify.core.choice`,
            and ``Parameter.narrow`` for a record's parameter); hypothesis draws each example from them.
        checks: :class:`~verify.core.Exact`, :class:`~verify.core.Extrapolated`,
            :class:`~verify.core.Law`, :class:`~verify.core.TwoSampleLaw`, :class:`~verify.core.Rate`,
            :class:`~verify.core.Deterministic` (each may declare ``applies=`` and ``settings=``, and read a
            shared :class:`~verify.core.Simulation`).
        source: the paper (theorem, equation) or "derived here".
        records: ids of the catalog records the predictions come from.
        examples: pinned parameter sets run before the drawn ones (at seed 0).
        bias: one sentence on how finite-size bias is handled (exact, a fit, a rate, a stated tolerance).
        false_fail_rate: the probability that a true claim fails a run, split over examples and comparisons.
        max_examples: a cap on drawn examples (default: the profile's).
        formulas: ``"record.id:expression"`` entries shown in reports.
        strategies: hypothesis strategies overriding a parameter's default one (rarely needed: narrow the
            parameter instead).
        panels: extra :mod:`verify.plots` panels (a :class:`~verify.core.Custom` check declares its own here).
    """
    params = tuple(parameters)
    checks = tuple(checks)
    if not isinstance(id, str) or not id.strip() or any(ch.isspace() for ch in id):
        raise ValueError(f"id={id!r} must be a non-empty string without spaces")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title={title!r} must be a non-empty string")
    if not params or not all(isinstance(p, Parameter) for p in params):
        raise ValueError("parameters must be a non-empty sequence of derivations.core.parameters.Parameter")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError(f"parameter names must be distinct, got {names}")
    if not checks or not all(isinstance(c, Check) for c in checks):
        raise ValueError("checks must be a non-empty sequence of Exact, Extrapolated, Law, Rate or Deterministic")
    cnames = [c.name for c in checks]
    if len(set(cnames)) != len(cnames):
        raise ValueError(f"check names must be distinct, got {cnames}")
    if "prediction" in cnames:
        raise ValueError("a check may not be named 'prediction' (the predictions' own seed stream has that name)")
    if any(n.startswith(PREFIX) for n in cnames):
        raise ValueError(f"a check name may not start with {PREFIX!r} (the shared simulations' seed streams do)")
    sims: dict[str, Simulation] = {}
    for c in checks:
        for fn in (getattr(c, "simulate", None), getattr(c, "predict", None)):
            if isinstance(fn, View) and sims.setdefault(fn.source.name, fn.source) is not fn.source:
                raise ValueError(f"two different Simulations are named {fn.source.name!r}; names must be distinct")
    if max_examples is not None and (isinstance(max_examples, bool) or not isinstance(max_examples, int)
                                     or max_examples < 0):
        raise ValueError(f"max_examples={max_examples!r} must be None or an integer >= 0")
    unknown = sorted(set(strategies or {}) - set(names))
    if unknown:
        raise ValueError(f"strategies for {unknown} name no parameter; parameters: {names}")
    if not (isinstance(false_fail_rate, (int, float)) and 0 <= false_fail_rate < 1):
        raise ValueError(f"false_fail_rate={false_fail_rate!r} must be in [0, 1)")
    stochastic = [c.name for c in checks if not isinstance(c, Deterministic)]
    if stochastic and false_fail_rate <= 0:
        raise ValueError(f"checks {stochastic} are Monte Carlo: false_fail_rate must be > 0")
    for ex in examples:
        extra, absent = set(ex) - set(names), set(names) - set(ex)
        if extra or absent:
            raise ValueError(f"example {dict(ex)!r}: unknown parameters {sorted(extra)}, missing {sorted(absent)}")
        for p in params:
            if not p.domain.contains(ex[p.name]):
                raise ValueError(f"example {dict(ex)!r}: {p.name}={ex[p.name]!r} is outside {p.domain.describe()}")
    if not bias:
        kinds = sorted({c.kind for c in checks})
        bias = {("exact",): "exact at finite size"}.get(tuple(kinds), "see the checks: " + ", ".join(kinds))
    return Claim(
        id=id, title=title, source=source, records=tuple(records), parameters=params,
        predict=_Predictions(checks), run=_Run(checks), bias=bias, false_fail_rate=float(false_fail_rate),
        examples=tuple(dict(e) for e in examples), strategies=dict(strategies or {}),
        plot=plots.ClaimPlot(title, tuple(panel for c in checks for panel in _panels(c)) + tuple(panels)),
        formulas=tuple(formulas), max_examples=max_examples,
    )
