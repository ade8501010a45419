"""Closed-form duals against a high-precision mpmath reference: backward stability.

For every closed-form dual and derivative dual, the generated float64 value
must lie within 1e-12 relative of the exact values over the box of inputs
(q1, q2, c) perturbed by at most 8 units in the last place
(:mod:`verify.core.accuracy`: the record's canonical SymPy expression in mpmath at
80+ digits, the box bounded by its 8 corners, |c| clipped to sqrt(q1 q2)).  The domain is
q in [1e-6, 1e6] and rho in [-1, 1], edges pinned with @example.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from numerics.dual.activations import activation
from verify.core.accuracy import backward_error

#: Activation parameter sets checked (names -> list of kwargs).
PARAMS = {
    "relu": [{}], "leaky_relu": [{"alpha": 0.01}, {"alpha": 0.3}], "abrelu": [{"a": -0.4, "b": 1.7}],
    "abs": [{}], "step": [{}], "sign": [{}], "rectified_monomial_2": [{}], "rectified_monomial_3": [{}],
    "identity": [{}], "monomial_2": [{}], "monomial_3": [{}], "monomial_4": [{}], "monomial_5": [{}],
    "erf": [{"a": 1.0, "b": 1.0, "shift": 0.0}, {"a": 1.3, "b": 0.4, "shift": 0.2}],
    "gelu": [{}],
    "sin": [{"a": 1.0, "b": 1.0, "phase": 0.0}, {"a": 0.7, "b": 0.3, "phase": 1.1}],
    "cos": [{"a": 1.0, "b": 0.5, "phase": 0.0}],
    "exp": [{"a": 1.0, "b": 0.1}],
    "gaussian": [{"a": 1.0, "b": -0.5}],
    "rbf": [{"gamma": 0.5}],
}
CASES = [(name, i) for name, sets in PARAMS.items() for i in range(len(sets))]


def assert_backward_stable(name, index, q1, q2, c):
    act = activation(name, **PARAMS[name][index])
    for which in ("dual", "dual_derivative"):
        got = float(getattr(act, which)(q1, q2, c))
        res = backward_error(f"dual.{name}", which, PARAMS[name][index], got, q1, q2, c)
        if res.skipped:  # the exact value is not a normal float64 (over- or underflow)
            continue
        assert math.isfinite(got), f"{name}.{which}({q1!r}, {q2!r}, {c!r}) = {got}"
        assert res.ok, (
            f"{name}{PARAMS[name][index]}.{which}(q1={q1!r}, q2={q2!r}, c={c!r}) = {got!r}, "
            f"exact {res.exact!r}, error {res.error:.3g} > allowed {res.allowed:.3g}"
        )


log_q = st.floats(-6, 6)
rho_st = st.one_of(st.floats(-1, 1), st.sampled_from([-1.0, 1.0, 0.0]),
                   st.floats(1e-17, 1e-3).map(lambda d: -1 + d), st.floats(1e-17, 1e-3).map(lambda d: 1 - d))


@pytest.mark.parametrize("name, index", CASES)
@settings(max_examples=30)
@given(lq1=log_q, lq2=log_q, rho=rho_st)
@example(lq1=0.0, lq2=0.0, rho=-1.0)
@example(lq1=0.0, lq2=0.0, rho=1.0)
@example(lq1=-0.1549, lq2=0.1139, rho=-1.0)
@example(lq1=-0.1549, lq2=0.1139, rho=-1.0 + 1e-9)
@example(lq1=6.0, lq2=6.0, rho=-1.0)
@example(lq1=-6.0, lq2=6.0, rho=-1.0 + 1e-12)
@example(lq1=6.0, lq2=-6.0, rho=1.0)
@example(lq1=3.0, lq2=2.0, rho=0.0)
def test_closed_form_duals_are_backward_stable(name, index, lq1, lq2, rho):
    q1, q2 = 10.0**lq1, 10.0**lq2
    c = rho * math.sqrt(q1) * math.sqrt(q2)
    assert_backward_stable(name, index, q1, q2, c)


@pytest.mark.parametrize("q", [1e6, 1e3, 1.0, 1e-6])
@pytest.mark.parametrize("rho", [-1.0, -1 + 1e-9, -0.9, -0.5])
def test_gelu_negative_correlation_at_every_scale(q, rho):
    """The textbook GELU dual cancels here by a factor of order q (1e-8 relative at q = 1e6)."""
    assert_backward_stable("gelu", 0, q, 2 * q, rho * math.sqrt(2) * q)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_no_nan_on_the_valid_domain_edges(name):
    act = activation(name, **PARAMS[name][0])
    q = np.array([0.0, 1e-6, 1.0, 1e6])
    q1, q2 = np.meshgrid(q, q)
    s = np.sqrt(q1) * np.sqrt(q2)
    for rho in (-1.0, -1 + 1e-15, 0.0, 1 - 1e-15, 1.0):
        with np.errstate(over="ignore"):
            for which in ("dual", "dual_derivative"):
                val = getattr(act, which)(q1, q2, rho * s)
                assert not np.isnan(val).any(), (name, which, rho)
    assert not np.isnan(act.variance(q)).any()
