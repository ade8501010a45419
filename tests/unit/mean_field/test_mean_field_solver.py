"""Solvers of the reduced mean-field dynamics: measured orders (the scheme's declared order, from the error ratio
of successive step halvings), agreement of the two schemes, and the errors that name a bad parameter."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from numerics.mean_field import ORDERS, reduced_risk_curve, solve_reduced

T = 0.5
#: a measured order is within 0.1 of the declared one (diffrax's convention); its deviation is O(h) and must
#: shrink from one halving to the next, which shows the steps are in the asymptotic range
ORDER_TOL = 0.1


@pytest.mark.parametrize("scheme", sorted(ORDERS))
def test_measured_order_matches_the_declared_order(scheme):
    ends = {n: solve_reduced(0.25, 0.25, 3, step=T / n, steps=n, scheme=scheme)[-1] for n in (40, 80, 160, 320)}
    counts = sorted(ends)
    errors = [np.abs(ends[a] - ends[b]).max() for a, b in itertools.pairwise(counts)]
    orders = [np.log2(errors[i] / errors[i + 1]) for i in range(len(errors) - 1)]
    assert abs(orders[-1] - ORDERS[scheme]) < ORDER_TOL, orders
    assert abs(orders[-1] - ORDERS[scheme]) < abs(orders[0] - ORDERS[scheme]), orders


def test_the_two_schemes_converge_to_one_flow():
    # independent routes: the derived GD map (order 1) and RK4 on the derived rates (order 4)
    gd = solve_reduced(0.3, 0.2, 4, step=T / 4000, steps=4000, scheme="gd")[-1]
    rk4 = solve_reduced(0.3, 0.2, 4, step=T / 100, steps=100, scheme="rk4")[-1]
    assert np.abs(gd - rk4).max() < 2e-4  # gd's error ~ 0.3 h (measured above at h = T/320: 1.5e-4 per halving)


def test_risk_curve_decreases_towards_the_teacher():
    curve = reduced_risk_curve(0.25, 3, step=0.02, steps=300)
    assert np.all(np.diff(curve) < 0) and curve[-1] < 1e-2 * curve[0]


@pytest.mark.parametrize("kwargs, name", [
    ({"step": 0.1}, "step"), ({"step": 1 / 12}, "step"), ({"step": -0.01}, "step"), ({"step": float("nan")}, "step"),
    ({"steps": -1}, "steps"), ({"d": 1}, "d"), ({"p0": -0.1}, "p0"), ({"scheme": "euler"}, "scheme"),
])
def test_bad_inputs_name_the_parameter(kwargs, name):
    args = {"p0": 0.25, "q0": 0.25, "d": 3, "step": 0.01, "steps": 10} | kwargs
    with pytest.raises(ValueError, match=name):
        solve_reduced(args.pop("p0"), args.pop("q0"), args.pop("d"), **args)


def test_unstable_step_message_states_the_allowed_range():
    with pytest.raises(ValueError, match=r"step=0\.09 makes gradient descent unstable.*\(0, 0\.0833333\)"):
        reduced_risk_curve(0.25, 3, step=0.09, steps=10)


def test_a_blowing_up_initial_state_is_refused_not_returned():
    with pytest.raises(ValueError, match="left every bounded set"):
        solve_reduced(40.0, 40.0, 3, step=0.08, steps=50)
