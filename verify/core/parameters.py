"""Short ways to declare a theorem's parameters (each a :class:`derivations.core.parameters.Parameter`).

>>> real("W_std", 0.5, 2.0).domain.describe()
'[0.5, 2]'
>>> integer("width", 1, 64).typical
(1, 64)
>>> choice("activation", "relu", "erf").domain.describe()
"one of 'relu', 'erf'"
"""

from __future__ import annotations

import math

from derivations.core.parameters import Choice, Domain, Parameter

__all__ = ["choice", "integer", "real"]


def _symbol(name: str, latex: str | None) -> str:
    """The LaTeX symbol: the one given, else the name set upright (``W_std`` -> ``\\mathrm{W\\_std}``)."""
    return latex if latex is not None else r"\mathrm{" + name.replace("_", r"\_") + "}"


def real(name: str, low: float, high: float, *, latex: str | None = None, description: str = "") -> Parameter:
    """A real parameter drawn from ``[low, high]`` (its domain)."""
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"real({name!r}) needs finite low <= high, got low={low!r}, high={high!r}")
    return Parameter(name, Domain(float(low), float(high)), _symbol(name, latex), (float(low), float(high)), description)


def integer(name: str, low: int, high: int, *, latex: str | None = None, description: str = "") -> Parameter:
    """An integer parameter drawn from ``{low, ..., high}``."""
    if int(low) != low or int(high) != high or not low <= high:
        raise ValueError(f"integer({name!r}) needs integers low <= high, got low={low!r}, high={high!r}")
    return Parameter(name, Domain(int(low), int(high), integer=True), _symbol(name, latex), (int(low), int(high)), description)


def choice(name: str, *values, latex: str | None = None, description: str = "") -> Parameter:
    """A categorical parameter: one of ``values`` (activation names, expressions, schemes)."""
    return Parameter(name, Choice(values), _symbol(name, latex), None, description)
