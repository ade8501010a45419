"""Hypothesis strategies built from parameter metadata.

A :class:`~derivations.core.parameters.Parameter` declares its domain and a
*typical* range; the strategy draws from the typical range (log-uniformly when
it spans more than two decades of positive values), integers for integer
domains, and never leaves the domain.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

from derivations.core.parameters import Parameter

__all__ = ["strategy_for", "log_uniform"]


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats whose logarithm is uniform on [log low, log high] (low > 0)."""
    if not 0 < low <= high:
        raise ValueError(f"log_uniform needs 0 < low <= high, got low={low!r}, high={high!r}")
    return st.floats(math.log10(low), math.log10(high)).map(lambda e: min(max(10.0**e, low), high))


def strategy_for(param: Parameter) -> st.SearchStrategy:
    """The strategy of one parameter: its typical range, inside its domain (a choice: its typical values)."""
    if param.categorical:
        return st.sampled_from(param.typical)
    lo, hi = param.typical
    if param.domain.integer:
        return st.integers(int(math.ceil(lo)), int(math.floor(hi)))
    if lo > 0 and hi / lo > 100:
        return log_uniform(lo, hi)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).filter(param.domain.contains)
