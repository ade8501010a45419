"""Derivations with a budget: symbolic work on a user activation stops in time and falls back to quadrature.

The expressions are chosen to be clearly fast (well under a tenth of the budget
they get) or clearly hopeless (SymPy needs minutes, the budget is a fraction of
a second), so that no outcome depends on the speed of the machine.  No test
asserts a time.
"""

from __future__ import annotations

import dataclasses
import functools
import signal
import threading

import numpy as np
import pytest
import sympy as sp

from derivations.core import time_budget
from derivations.dual import duals
from derivations.dual.activations import ACTIVATIONS, ActivationSpec
from derivations.core.record import Method
from derivations.core.symbols import x
from derivations.core.time_budget import (
    BudgetExceeded,
    budget_mechanism,
    run_with_budget,
    validate_budget,
)
from numerics.core import quadrature

#: ``simplify`` of the derivative dual runs for minutes (measured: > 2 min) on this one.
HOPELESS = sp.sin(x) * sp.exp(-x**2 / 4)

#: The activations of issue 10: each must get an answer (closed form or quadrature) under a budget.
USER_EXPRESSIONS = {
    "x*erf(x)": x * sp.erf(x),
    "sin(x)*exp(-x**2/4)": HOPELESS,
    "x*tanh(x)": x * sp.tanh(x),
    "log(1 + exp(x))": sp.log(1 + sp.exp(x)),
    "x/(1 + x**2)": x / (1 + x**2),
    "atan(x)": sp.atan(x),
    "exp(-x**2)*cos(3*x)": sp.exp(-x**2) * sp.cos(3 * x),
    "x**3*exp(-abs(x))": x**3 * sp.exp(-sp.Abs(x)),
}


def _user_spec(expr: sp.Expr) -> ActivationSpec:
    return ActivationSpec("custom", f"User activation {sp.sstr(expr)}", expr, (), source="user-defined")


def _spin(seconds_of_cpu: float) -> int:
    """Pure-Python work for about ``seconds_of_cpu`` of CPU time (measured with process_time)."""
    import time

    start, n = time.process_time(), 0
    while time.process_time() - start < seconds_of_cpu:
        n += 1
    return n


def _forever(stage):
    stage("an endless loop")
    while True:
        pass


# -- the option -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), True, "5"])
def test_budget_is_validated_eagerly(bad):
    with pytest.raises(ValueError, match="budget_s"):
        validate_budget(bad)
    with pytest.raises(ValueError, match="budget_s"):
        duals.derive_dual(x**2, budget_s=bad)
    with pytest.raises(ValueError, match="budget_s"):
        duals.dual_record(_user_spec(x**2), budget_s=bad)


def test_dual_record_budget_string_must_be_auto():
    with pytest.raises(ValueError, match="budget_s='fast'"):
        duals.dual_record(_user_spec(x**2), budget_s="fast")


# -- records --------------------------------------------------------------------------------
def test_fast_activation_gets_its_closed_form_within_a_budget():
    rec = duals.dual_record(_user_spec(x**3 - x), budget_s=30.0)  # ~0.2 s of work
    assert rec.derivation.method is Method.DERIVED
    assert "Price identity (symbolic)" in rec.derivation.checks
    q1, q2, c = (rec.parameter(n).symbol for n in ("q1", "q2", "c"))
    # E[(u^3 - u)(v^3 - v)] by Isserlis: 9 q1 q2 c + 6 c^3 - 3 (q1 + q2) c + c, independent of the engine
    assert sp.expand(rec.expressions["dual"] - (9 * q1 * q2 * c + 6 * c**3 - 3 * (q1 + q2) * c + c)) == 0


def test_hopeless_activation_falls_back_and_names_the_route():
    res = duals.derive_dual(HOPELESS, budget_s=0.5)
    assert res.method is Method.NUMERICAL_FALLBACK and res.dual is None
    (step,) = res.steps
    assert 'symbolic route "direct integration (exponential-polynomial MGF)" exceeded its budget of 0.5 s' in step
    rec = duals.dual_record(_user_spec(HOPELESS), budget_s=0.5)
    assert rec.derivation.method is Method.NUMERICAL_FALLBACK
    assert "dual" not in rec.expressions and rec.derivation.checks == ()
    assert any("exceeded its budget of 0.5 s" in s for s in rec.derivation.steps)
    assert sp.simplify(rec.expressions["phi_prime"] - sp.diff(HOPELESS, x)) == 0


@pytest.mark.parametrize("name", list(USER_EXPRESSIONS))
def test_each_user_activation_gets_an_answer_under_a_budget(name):
    expr = USER_EXPRESSIONS[name]
    rec = duals.dual_record(_user_spec(expr), budget_s=1.0)
    method = rec.derivation.method
    assert method in (Method.DERIVED, Method.NUMERICAL_FALLBACK)
    xs = rec.parameter("x").symbol
    phi = sp.lambdify(xs, rec.expressions["phi"], "scipy")
    dphi = sp.lambdify(xs, rec.expressions["phi_prime"], "scipy")
    q1, q2, c = 0.7, 1.3, 0.55
    by_quadrature = quadrature.gaussian_pair_expectation(phi, phi, q1, q2, c)
    assert np.isfinite(by_quadrature) and np.isfinite(quadrature.gaussian_pair_expectation(dphi, dphi, q1, q2, c))
    if method is Method.DERIVED:
        assert "Price identity" in " ".join(rec.derivation.checks)
        syms = [rec.parameter(n).symbol for n in ("q1", "q2", "c")]
        closed = float(rec.expressions["dual"].subs(dict(zip(syms, (q1, q2, c)))))
        # the tolerance of test_derivations.test_user_activation_closed_form_agrees_with_quadrature
        assert closed == pytest.approx(by_quadrature, rel=1e-11)
    else:
        assert "dual" not in rec.expressions


def test_shipped_activations_are_never_budgeted(monkeypatch):
    seen = []

    def spy(task, /, *, budget_s):
        seen.append(budget_s)
        return task(lambda stage: None)

    monkeypatch.setattr(duals, "run_with_budget", spy)
    duals.dual_record(ACTIVATIONS["relu"])
    duals.catalog_dual_record("relu")
    duals.dual_record(dataclasses.replace(ACTIVATIONS["relu"]))  # equal, but not the shipped object
    duals.dual_record(ACTIVATIONS["relu"], budget_s=2.0)  # explicit: honoured
    duals.derive_dual(x)
    assert seen == [None, None, duals.USER_BUDGET_S, 2.0, None]


# -- the mechanisms -------------------------------------------------------------------------
def _power_of_two(n, stage):
    return sp.Integer(2) ** n


def _divide_by_zero(stage):
    return 1 / 0


@pytest.mark.parametrize("run", [time_budget._run_forked, time_budget._run_spawned], ids=["fork", "spawn"])
def test_mechanism_interrupts_returns_and_propagates(run):
    with pytest.raises(BudgetExceeded, match='"an endless loop" exceeded its budget of 0.2 s'):
        run(_forever, 0.2)
    assert run(functools.partial(_power_of_two, 10), 30.0) == 1024
    with pytest.raises(ZeroDivisionError):
        run(_divide_by_zero, 30.0)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)  # the parent's clock was never armed


def test_mechanism_choice_by_thread():
    release = threading.Event()
    helper = threading.Thread(target=release.wait)
    helper.start()
    try:  # a second thread exists: no fork, from any thread; a spawned interpreter instead
        assert budget_mechanism()[0] == "spawn"
        with pytest.raises(BudgetExceeded):
            run_with_budget(_forever, budget_s=0.2)
        out = {}

        def in_worker():
            out["mechanism"] = budget_mechanism()[0]
            try:
                run_with_budget(_forever, budget_s=0.2)
            except BudgetExceeded as exc:
                out["stage"] = exc.stage

        worker = threading.Thread(target=in_worker)
        worker.start()
        worker.join()
        assert out == {"mechanism": "spawn", "stage": "an endless loop"}
    finally:
        release.set()
        helper.join()


def test_spawn_needs_a_picklable_task():
    with pytest.raises(TypeError, match="picklable"):
        time_budget._run_spawned(lambda stage: 1, 1.0)


def test_interrupted_derivation_leaves_catalog_records_alone():
    """However the budget ends a computation, the calling process's SymPy state is untouched."""
    before = duals.catalog_dual_record("relu").summary()
    for run in (time_budget._run_forked, time_budget._run_spawned):
        with pytest.raises(BudgetExceeded):
            run(functools.partial(duals._symbolic_work, HOPELESS), 0.5)
    assert duals.catalog_dual_record("relu").summary() == before


@pytest.mark.parametrize("expr", [sp.Abs(x) + x**2 * sp.Heaviside(x), sp.sin(x) + x**2], ids=["kinked", "mgf"])
def test_budgeted_record_equals_the_unbudgeted_one(expr):
    """The result crosses the fork's pipe (pickled SymPy, a KinkedFunction of Polys) unchanged."""
    spec = _user_spec(expr)
    budgeted = duals.dual_record(spec, budget_s=60.0)
    assert budgeted.derivation.method is Method.DERIVED
    assert budgeted.summary() == duals.dual_record(spec, budget_s=None).summary()


class _NotReconstructible(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a}:{b}")


def _raise_not_reconstructible(stage):
    raise _NotReconstructible(1, 2)


@pytest.mark.parametrize("run", [time_budget._run_forked, time_budget._run_spawned], ids=["fork", "spawn"])
def test_an_exception_that_cannot_be_unpickled_is_still_reported(run):
    with pytest.raises(RuntimeError, match="_NotReconstructible"):
        run(_raise_not_reconstructible, 30.0)
