r"""A record's generated functions, evaluated by keyword with the command line's validation.

>>> ntk = record("resnet_sde.ntk")
>>> ntk
<generated record resnet_sde.ntk: 6 functions (nngp_completed, nngp_increment, ntk_bias, ...)>
>>> round(float(ntk.evaluate("ntk_bias", dphi0=1.0, sigma_w=1.0, sigma_b=1.0, T=1.0)), 12)  # e - 1
1.718281828459
>>> sorted(record("dual.erf").evaluate(q1=0.7, q2=1.3, c=0.5))[:2]
['dual', 'dual_and_derivative']

Arguments are checked against the parameters' domains (``ValueError`` naming the
parameter, its value and the allowed range); parameters with a default may be
omitted, and :meth:`GeneratedRecord.defaults_used` says which defaults a call used.
The values come from the committed generated module (``numerics/generated``), so no
SymPy is involved; :func:`derivations.get` gives the record itself.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any, Mapping

from ..generated import MODULES
from .validation import check_covariance, check_in_domain

__all__ = ["GeneratedRecord", "bind_arguments", "record"]


def bind_arguments(label: str, signature, parameters: Mapping[str, dict], given: Mapping[str, Any]) -> dict:
    """The values ``label`` (``"record.function"``) is called with: ``given``, else each parameter's default;
    each checked against its domain (and ``|c| <= sqrt(q1 q2)``).  ``ValueError`` names what is wrong."""
    missing = [a for a in signature if a not in given and parameters[a]["default"] is None]
    if missing:
        raise ValueError(f"{label} needs {missing[0]}=VALUE (arguments: {', '.join(signature)})")
    values = {a: given.get(a, parameters[a]["default"]) for a in signature}
    for name, value in values.items():
        check_in_domain(name, value, parameters[name]["domain"])
    if {"q1", "q2", "c"} <= set(values):
        check_covariance(values["q1"], values["q2"], values["c"])
    return values


@dataclass(frozen=True)
class GeneratedRecord:
    """The generated module of one record: metadata, parameters and keyword evaluation."""

    id: str
    module: ModuleType = field(repr=False)

    @property
    def title(self) -> str:
        return self.module.RECORD["title"]

    @property
    def parameters(self) -> Mapping[str, dict]:
        return self.module.PARAMETERS

    @property
    def functions(self) -> Mapping[str, list[str]]:
        """``function name -> its argument names``."""
        return self.module.SIGNATURES

    def __repr__(self) -> str:
        names = sorted(self.functions)
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        return f"<generated record {self.id}: {len(names)} functions ({shown})>"

    def defaults_used(self, function: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """The defaults ``function`` takes for the parameters missing from ``given``."""
        return {p: self.parameters[p]["default"] for p in self.functions[function]
                if p not in given and self.parameters[p]["default"] is not None}

    def evaluate(self, function: str | None = None, /, **params) -> Any:
        """``function(**params)``; without a name, every function whose arguments are all given (a dict).

        Raises ``ValueError`` for an unknown function or parameter, a missing argument, or a value
        outside its domain (naming the parameter, the value and the allowed range).
        """
        unknown = sorted(set(params) - set(self.parameters))
        if unknown:
            raise ValueError(f"record {self.id!r} has no parameter {unknown[0]!r}; its parameters: "
                             f"{', '.join(self.parameters)}")
        if function is not None:
            if function not in self.functions:
                raise ValueError(f"record {self.id!r} has no function {function!r}; it has "
                                 f"{', '.join(self.functions)}")
            return self._call(function, params)
        ready = [f for f, args in self.functions.items()
                 if all(a in params or self.parameters[a]["default"] is not None for a in args)]
        if not ready:
            raise ValueError(f"no function of {self.id!r} has all its arguments; give one of: "
                             + "; ".join(f"{f}({', '.join(a)})" for f, a in self.functions.items()))
        return {f: self._call(f, params) for f in ready}

    def _call(self, function: str, params: Mapping[str, Any]) -> Any:
        values = bind_arguments(f"{self.id}.{function}", self.functions[function], self.parameters, params)
        return getattr(self.module, function)(**values)


@lru_cache(maxsize=None)
def record(record_id: str) -> GeneratedRecord:
    """The generated record ``record_id`` (see ``deeplimits list``)."""
    if record_id not in MODULES:
        raise ValueError(f"unknown record id {record_id!r}; `deeplimits list` shows the {len(MODULES)} known ids")
    return GeneratedRecord(record_id, importlib.import_module(f"numerics.generated.{MODULES[record_id]}"))
