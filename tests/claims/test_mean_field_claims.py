"""claim.mean_field_risk_curve rejects planted errors: x1.05 and x0.95 on the limit risk curve at the pinned
example, and the mean-field limit computed with the interaction U halved (in the flow and in the risk), shrunk to
a counterexample by hypothesis in the quick profile.  The true claim passes its pinned example in
``tests/claims/test_shipped_and_kernel.py`` (smoke).  Slow: ~6 s CPU per example; the shrinking runs more.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from derivations.mean_field import reduced_step
from derivations.mean_field.reduced_flow import STEP as STEP_PARAM
from derivations.mean_field.risk_functional import (
    DIM,
    PARTICLE_U,
    P,
    Q,
    activation_dual,
    interaction_potential,
    moment_rules,
    risk_in_moments,
)
from verify.claims import PROFILES, Profile, check
from verify.claims.mean_field import DIM as D
from verify.claims.mean_field import (
    RISK_CURVE_CLAIM,
    STEP,
    STEPS,
    risk_curve_prediction,
)

AT_QUICK_SIZE = Profile("planted", max_examples=1, sample_scale=1.0)


def _failed(result):
    return sorted(o["name"] for o in result.data["outcomes"] if not o["passed"])


def _run(predict):
    wrong = RISK_CURVE_CLAIM.with_prediction(predict)
    return wrong.run(wrong, RISK_CURVE_CLAIM.examples[0], 0, RISK_CURVE_CLAIM.false_fail_rate / 4, AT_QUICK_SIZE)


def _half_u_curve():
    """The limit risk curve when U is halved everywhere: the reduced map and R = E y^2 + 2 int V + (1/2) int int U."""
    p, q, d, eps = P.symbol, Q.symbol, DIM.symbol, STEP_PARAM.symbol
    dual = activation_dual()
    double = moment_rules(interaction_potential(dual), first=PARTICLE_U.symbol, sq_first=p, sq_rest=(d - 1) * q)
    risk = sp.lambdify((p, q, d), risk_in_moments(dual) - double / 2)
    step = [sp.lambdify((p, q, d, eps), e) for e in reduced_step(interaction_scale=sp.Rational(1, 2))]

    def curve(v0):
        state, out = (v0, v0), []
        for _ in range(STEPS + 1):
            out.append(risk(*state, D))
            state = (step[0](*state, D, STEP), step[1](*state, D, STEP))
        return np.array(out)
    return curve


@pytest.mark.slow
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_scaled_predictions_are_rejected(factor):
    result = _run(lambda p: {k: factor * np.asarray(v) for k, v in RISK_CURVE_CLAIM.predict(p).items()})
    # the Monte Carlo check rejects on its own (the deterministic closure, also scaled, rejects too)
    assert not result.passed and _failed(result) == ["finite-width closure", "risk curve"]


@pytest.mark.slow
def test_true_prediction_passes_at_the_quick_size():
    result = _run(RISK_CURVE_CLAIM.predict)
    assert result.passed, result.detail


@pytest.mark.slow
def test_halved_interaction_is_rejected_with_a_shrunk_counterexample():
    curve = _half_u_curve()
    wrong = RISK_CURVE_CLAIM.with_prediction(lambda p: {"risk curve": risk_curve_prediction(p, curve=curve),
                                                        **{k: v for k, v in RISK_CURVE_CLAIM.predict(p).items()
                                                           if k != "risk curve"}})
    res = check(dataclasses.replace(wrong, examples=()), profile=PROFILES["quick"])
    assert not res.passed and res.counterexample is not None, res.summary()
    params, _, result = res.counterexample
    assert 0.1 <= params["v0"] <= 0.4
    assert _failed(result) == ["risk curve"]
