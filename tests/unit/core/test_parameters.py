"""Parameters carry their metadata: categorical choices and narrowing for a claim."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from derivations.core.parameters import Choice, Domain, Parameter
from verify.core.strategies import strategy_for

SIGMA = Parameter("sigma_w", Domain(0, math.inf), r"\sigma_w", (0.1, 2.0), "weight scale", default=1.0)
ACT = Parameter("activation", Choice(("relu", "erf", "tanh")), r"\varphi", None, "activation")


def test_choice_is_a_domain_of_values():
    assert ACT.categorical and not SIGMA.categorical
    assert ACT.typical == ("relu", "erf", "tanh")
    assert ACT.domain.contains("erf") and not ACT.domain.contains("gelu") and not ACT.domain.contains([1])
    assert ACT.domain.describe() == "one of 'relu', 'erf', 'tanh'"
    assert ACT.as_dict()["domain"] == {"choices": ["relu", "erf", "tanh"]}
    assert Choice(("a_b",)).latex() == r"\{\mathrm{a\_b}\}"
    with pytest.raises(ValueError, match="at least one value"):
        Choice(())
    with pytest.raises(ValueError, match="distinct"):
        Choice(("relu", "relu"))
    with pytest.raises(ValueError, match="subset of its domain"):
        Parameter("activation", Choice(("relu",)), r"\varphi", ("gelu",))


def test_narrow_numeric():
    n = SIGMA.narrow(high=0.8)
    assert n.domain.describe() == "[0, 0.8]" and n.typical == (0.1, 0.8)
    assert n.symbol == SIGMA.symbol and n.name == SIGMA.name and n.description == SIGMA.description
    assert n.default is None  # 1.0 is outside the narrowed domain
    assert SIGMA.narrow(0.5, 0.7).typical == (0.5, 0.7)
    assert SIGMA.narrow(low=0.2, typical=(0.3, 0.4)).typical == (0.3, 0.4)
    with pytest.raises(ValueError, match="low=-1"):
        SIGMA.narrow(low=-1.0)
    with pytest.raises(ValueError, match="low <= high"):
        SIGMA.narrow(0.9, 0.8)
    with pytest.raises(ValueError, match="categorical"):
        ACT.narrow(high=1.0)
    with pytest.raises(ValueError, match="numeric"):
        SIGMA.narrow(values=(1.0,))


def test_narrow_choice():
    n = ACT.narrow(values=("relu", "tanh"))
    assert n.domain.values == ("relu", "tanh") and n.typical == ("relu", "tanh")
    with pytest.raises(ValueError, match="subset"):
        ACT.narrow(values=("gelu",))


@settings(max_examples=50)
@given(strategy_for(SIGMA.narrow(0.2, 0.8)))
def test_strategy_of_a_narrowed_parameter_stays_inside(value):
    assert 0.2 <= value <= 0.8


@settings(max_examples=30)
@given(strategy_for(ACT.narrow(values=("erf", "tanh"))))
def test_strategy_of_a_choice_draws_its_values(value):
    assert value in ("erf", "tanh")
