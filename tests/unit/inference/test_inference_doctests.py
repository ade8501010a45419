"""The documented Python examples of numerics.inference run and give what they say."""

import doctest

import pytest

import numerics.inference
from numerics.inference import ensemble, stability, trained


@pytest.mark.parametrize("module", [numerics.inference, ensemble, stability, trained], ids=lambda m: m.__name__)
def test_doctests(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failures == 0
