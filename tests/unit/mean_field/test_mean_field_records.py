"""Records of the mean_field family: U from the dual engine, the closure of the reduction (and its refusal where it
does not close), the risk against a cubature of the network, the map against the flow, the stability edge and the
energy decay, each by a route independent of the record's own."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations.dual.duals import derive_dual
from derivations.mean_field import interaction_potential, reduced_rates, reduced_step
from derivations.mean_field.risk_functional import Q1, Q2, C
from numerics.generated import mean_field_reduced_flow as flow
from numerics.generated import mean_field_risk_functional as functional
from numerics.mean_field import gaussian_cubature

GRID = [(p, q, d) for p in (0.0, 0.3, 1.0, 1.4) for q in (0.0, 0.2, 0.7) for d in (2, 3, 5)]


def test_interaction_kernel_is_isserlis_for_the_square():
    # E[a^2 b^2] = q1 q2 + 2 c^2 (Isserlis), from the dual engine through the generated module
    q1, q2, c = 0.7, 1.3, 0.55
    assert functional.interaction_kernel(q1, q2, c) == pytest.approx(q1 * q2 + 2 * c * c, rel=1e-15)


@pytest.mark.parametrize("kernel", ["c**3 + q1*q2", "sqrt(q1*q2 - c**2) + c", "c**2*q2"])
def test_the_reduction_refuses_kernels_outside_its_closure(kernel):
    # c^3 (cubic activation-like), the arc-cosine shape (not polynomial), c^2 q2 (degree 2 in the second neuron)
    expr = sp.sympify(kernel, locals={"c": C.symbol, "q1": Q1.symbol, "q2": Q2.symbol})
    with pytest.raises(ValueError, match="does not close"):
        interaction_potential(expr)


@pytest.mark.slow
def test_the_reduction_refuses_an_activation_whose_kernel_does_not_close():
    x = sp.Symbol("x", real=True)
    relu = derive_dual(sp.Max(x, 0)).dual
    by_name = {s.name: s for s in relu.free_symbols}
    relu = relu.subs({by_name["q1"]: Q1.symbol, by_name["q2"]: Q2.symbol, by_name["c"]: C.symbol})
    with pytest.raises(ValueError, match="does not close"):
        interaction_potential(relu)


def _network_risk(p, q, d):
    """Population risk of d neurons sqrt(d m_j) e_j (so M = diag(p, q, ..., q)) on the degree-5 cubature."""
    x, w = gaussian_cubature(d)
    m = np.array([p] + [q] * (d - 1))
    f = (x ** 2 * m).sum(axis=1)  # (1/d) sum_j (sqrt(d m_j) x_j)^2
    return float(w @ (f - x[:, 0] ** 2) ** 2)


@pytest.mark.parametrize("p, q, d", GRID)
def test_risk_equals_the_network_risk_by_cubature(p, q, d):
    assert functional.risk(p, q, d) == pytest.approx(_network_risk(p, q, d), rel=1e-12, abs=1e-14)


def test_the_map_is_a_first_order_scheme_of_the_flow():
    p, q, d = 0.4, 0.3, 3
    for eps in (1e-3, 1e-4):
        slope = (flow.p_next(p, q, d, eps) - p) / eps, (flow.q_next(p, q, d, eps) - q) / eps
        # the map is (1 - 4 eps alpha)^2 p: its O(eps) term is 16 eps alpha^2 p, so the gap shrinks tenfold
        gap = np.hypot(slope[0] - flow.p_rate(p, q, d), slope[1] - flow.q_rate(p, q, d))
        assert gap < 20 * eps * (1 + abs(flow.p_rate(p, q, d)) + abs(flow.q_rate(p, q, d))) ** 2


def test_stability_edge_is_where_the_teacher_stops_attracting():
    edge = float(flow.max_stable_step())
    assert edge == pytest.approx(1 / 12, rel=1e-15)
    for eps, stable in ((0.97 * edge, True), (1.03 * edge, False)):
        p, q = 1.0 + 1e-6, 0.0
        for _ in range(3000):
            p, q = flow.p_next(p, q, 3, eps), flow.q_next(p, q, 3, eps)
        assert (abs(p - 1) < 1e-6) == stable


@pytest.mark.parametrize("p, q, d", GRID)
def test_energy_never_increases_and_equals_the_chain_rule_by_differences(p, q, d):
    rate = flow.energy_rate(p, q, d)
    assert rate <= 1e-14
    h = 1e-6
    up = functional.risk(p + h * flow.p_rate(p, q, d), q + h * flow.q_rate(p, q, d), d)
    down = functional.risk(p - h * flow.p_rate(p, q, d), q - h * flow.q_rate(p, q, d), d)
    assert (up - down) / (2 * h) == pytest.approx(rate, rel=1e-6, abs=1e-8)


@pytest.mark.slow
def test_halving_u_changes_the_flow():
    # the planted error of the claim tests: the symbolic map with U/2 differs from the record's
    half = reduced_step(interaction_scale=sp.Rational(1, 2))
    true = reduced_step()
    assert sp.simplify(half[0] - true[0]) != 0 and sp.simplify(reduced_rates()[1] - reduced_rates(
        interaction_scale=sp.Rational(1, 2))[1]) != 0
