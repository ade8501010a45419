"""Parameters that carry their metadata.

A :class:`Parameter` declares one real or integer argument of a derived result:
its name, its domain (an interval, possibly half-open or unbounded), its LaTeX
symbol and a *typical* range.  Validation in the numerics, hypothesis strategies
in ``verify`` and the LaTeX export all read this one declaration, in the manner
of scipy.stats' new distribution infrastructure.

The SymPy symbol of a parameter carries the assumptions implied by its domain
(``positive``, ``nonnegative``, ``integer``), so simplification can use them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Domain", "Parameter"]


@dataclass(frozen=True)
class Domain:
    r"""An interval of the real line, optionally restricted to integers.

    ``low`` and ``high`` may be infinite; ``closed`` says which ends belong to
    the domain.  ``Domain(0, inf, closed=(False, False))`` is $(0, \infty)$.
    """

    low: float = -math.inf
    high: float = math.inf
    closed: tuple[bool, bool] = (True, True)
    integer: bool = False

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"Domain needs low <= high, got low={self.low!r}, high={self.high!r}")

    def contains(self, value: float) -> bool:
        if isinstance(value, float) and math.isnan(value):
            return False
        if self.integer and value != int(value):
            return False
        lo_ok = value >= self.low if self.closed[0] else value > self.low
        hi_ok = value <= self.high if self.closed[1] else value < self.high
        return bool(lo_ok and hi_ok)

    def describe(self) -> str:
        """Human-readable interval, e.g. ``[0, inf)`` or ``integers in [1, inf)``."""
        lo = "[" if self.closed[0] and math.isfinite(self.low) else "("
        hi = "]" if self.closed[1] and math.isfinite(self.high) else ")"
        text = f"{lo}{_num(self.low)}, {_num(self.high)}{hi}"
        return f"integers in {text}" if self.integer else text

    def latex(self) -> str:
        lo = "[" if self.closed[0] and math.isfinite(self.low) else "("
        hi = "]" if self.closed[1] and math.isfinite(self.high) else ")"
        body = f"{lo}{_tex_num(self.low)}, {_tex_num(self.high)}{hi}"
        return (r"\mathbb{Z}\cap" if self.integer else "") + body

    def assumptions(self) -> dict[str, bool]:
        """SymPy assumptions implied by this domain."""
        out: dict[str, bool] = {"real": True}
        if self.integer:
            out["integer"] = True
        if self.low > 0 or (self.low == 0 and not self.closed[0]):
            out["positive"] = True
        elif self.low >= 0:
            out["nonnegative"] = True
        elif self.high < 0 or (self.high == 0 and not self.closed[1]):
            out["negative"] = True
        return out

    def as_dict(self) -> dict:
        return {"low": self.low, "high": self.high, "closed": list(self.closed), "integer": self.integer}


def _num(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(int(x)) if float(x).is_integer() else repr(x)


def _tex_num(x: float) -> str:
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    return _num(x)


@dataclass(frozen=True)
class Parameter:
    r"""One parameter of a derived result.

    Parameters
    ----------
    name:
        Python identifier used in generated code and on the command line.
    domain:
        Where the parameter may lie; checked eagerly by the numerics.
    latex:
        LaTeX symbol used in exported formulas, e.g. ``r"\sigma_w"``.
    typical:
        A ``(low, high)`` range used for hypothesis strategies and examples.
    description:
        One line saying what the parameter is.
    default:
        Value used when a caller does not give one (``None``: required).
    """

    name: str
    domain: Domain
    latex: str
    typical: tuple[float, float]
    description: str = ""
    default: float | None = None
    symbol: sp.Symbol = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"Parameter name must be a Python identifier, got name={self.name!r}")
        lo, hi = self.typical
        if not (self.domain.contains(lo) or lo == self.domain.low) or not (
            self.domain.contains(hi) or hi == self.domain.high
        ):
            raise ValueError(
                f"typical range {self.typical!r} of parameter {self.name!r} "
                f"is not inside its domain {self.domain.describe()}"
            )
        object.__setattr__(self, "symbol", sp.Symbol(self.name, **self.domain.assumptions()))

    def as_dict(self) -> dict:
        """Plain-data form: what generated modules and ``--json`` carry."""
        return {
            "name": self.name,
            "domain": self.domain.as_dict(),
            "latex": self.latex,
            "typical": list(self.typical),
            "description": self.description,
            "default": self.default,
        }
