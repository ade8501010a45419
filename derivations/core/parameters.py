"""Parameters that carry their metadata.

A :class:`Parameter` declares one real, integer or categorical argument of a
derived result or of a claim: its name, its domain (an interval, possibly
half-open or unbounded, or a finite :class:`Choice` of values), its LaTeX
symbol and a *typical* range (for a choice: the values drawn by default).  Validation in the numerics, hypothesis strategies
in ``verify`` and the LaTeX export all read this one declaration, in the manner
of scipy.stats' new distribution infrastructure.

The SymPy symbol of a parameter carries the assumptions implied by its domain
(``positive``, ``nonnegative``, ``integer``), so simplification can use them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Union

import sympy as sp

__all__ = ["Choice", "Domain", "Parameter"]


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


@dataclass(frozen=True)
class Choice:
    r"""A finite set of categorical values: activation names, expressions, schemes.

    Unlike an integer :class:`Domain` faking a category, a choice has no order and no
    interval; strategies draw from it with ``sampled_from`` and validation names the
    allowed values.

    >>> Choice(("relu", "erf")).describe()
    "one of 'relu', 'erf'"
    """

    values: tuple
    integer = False  # a choice is never an integer interval (read by code that checks Domain.integer)

    def __post_init__(self) -> None:
        values = tuple(self.values)
        if not values:
            raise ValueError("Choice needs at least one value, got values=()")
        if len(set(values)) != len(values):
            raise ValueError(f"Choice values must be distinct, got values={values!r}")
        object.__setattr__(self, "values", values)

    def contains(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:  # unhashable or incomparable input
            return False

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def latex(self) -> str:
        return r"\{" + ", ".join(rf"\mathrm{{{_tex_text(v)}}}" for v in self.values) + r"\}"

    def assumptions(self) -> dict[str, bool]:
        return {}

    def as_dict(self) -> dict:
        return {"choices": [v if isinstance(v, (int, float, str, bool)) else repr(v) for v in self.values]}


def _tex_text(value: Any) -> str:
    text = str(value)
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"),
                 ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"), ("~", r"\~{}")):
        text = text.replace(a, b)
    return text


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
    domain: Union[Domain, Choice]
    latex: str
    typical: tuple
    description: str = ""
    default: float | None = None
    symbol: sp.Symbol = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"Parameter name must be a Python identifier, got name={self.name!r}")
        if isinstance(self.domain, Choice):
            typical = self.domain.values if self.typical is None else tuple(self.typical)
            outside = [v for v in typical if not self.domain.contains(v)]
            if not typical or outside:
                raise ValueError(f"typical values {typical!r} of parameter {self.name!r} must be a non-empty "
                                 f"subset of its domain, {self.domain.describe()}")
            object.__setattr__(self, "typical", typical)
            object.__setattr__(self, "symbol", sp.Symbol(self.name))
            return
        lo, hi = self.typical
        if not (self.domain.contains(lo) or lo == self.domain.low) or not (
            self.domain.contains(hi) or hi == self.domain.high
        ):
            raise ValueError(
                f"typical range {self.typical!r} of parameter {self.name!r} "
                f"is not inside its domain {self.domain.describe()}"
            )
        object.__setattr__(self, "symbol", sp.Symbol(self.name, **self.domain.assumptions()))

    @property
    def categorical(self) -> bool:
        return isinstance(self.domain, Choice)

    def narrow(self, low: float | None = None, high: float | None = None, *, values: tuple | None = None,
               typical: tuple | None = None, description: str | None = None) -> "Parameter":
        """This parameter restricted for a claim: the same name, symbol and meaning on a smaller domain.

        A numeric parameter takes ``low``/``high`` (the domain becomes the intersection, closed at the
        new ends; the typical range is clipped to it unless ``typical`` is given); a categorical one
        takes ``values`` (a subset of its choices).  The result must be a non-empty part of the
        original domain, else ``ValueError``.

        >>> SIGMA = Parameter("sigma_w", Domain(0, math.inf), r"\\sigma_w", (0.1, 2.0))
        >>> SIGMA.narrow(high=0.8).domain.describe(), SIGMA.narrow(high=0.8).typical
        ('[0, 0.8]', (0.1, 0.8))
        """
        if self.categorical:
            if low is not None or high is not None:
                raise ValueError(f"parameter {self.name!r} is categorical: narrow it with values=..., not low/high")
            chosen = self.domain.values if values is None else tuple(values)
            outside = [v for v in chosen if not self.domain.contains(v)]
            if outside or not chosen:
                raise ValueError(f"values={chosen!r} must be a non-empty subset of {self.domain.describe()}")
            dom = Choice(chosen)
            typ = tuple(typical) if typical is not None else tuple(v for v in self.typical if v in chosen) or chosen
        else:
            if values is not None:
                raise ValueError(f"parameter {self.name!r} is numeric: narrow it with low/high, not values")
            d = self.domain
            lo = d.low if low is None else float(low)
            hi = d.high if high is None else float(high)
            for which, v in (("low", low), ("high", high)):
                if v is not None and not (d.contains(v) or v == d.low or v == d.high):
                    raise ValueError(f"{which}={v!r} is outside the domain {d.describe()} of parameter {self.name!r}")
            if not lo <= hi:
                raise ValueError(f"narrow needs low <= high, got low={lo!r}, high={hi!r}")
            closed = (d.closed[0] if low is None else True, d.closed[1] if high is None else True)
            dom = Domain(lo, hi, closed, d.integer)
            if typical is not None:
                typ = tuple(typical)
            else:
                typ = (min(max(self.typical[0], lo), hi), max(min(self.typical[1], hi), lo))
        default = self.default if self.default is not None and dom.contains(self.default) else None
        return dataclasses.replace(self, domain=dom, typical=typ, default=default,
                                   description=self.description if description is None else description)

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
