"""Derivations of deeplimits: SymPy only.

Every result is a :class:`~derivations.core.record.Record`; :mod:`derivations.catalog`
lists them by id; :mod:`derivations.core.codegen` emits them as NumPy modules.

The names below are imported on first use (module ``__getattr__``), so that
importing a light sub-module (or ``deeplimits --help``) does not load SymPy
and the whole catalog.
"""

from __future__ import annotations

import importlib

__all__ = [
    "Derivation",
    "Domain",
    "Method",
    "NumericalForm",
    "Parameter",
    "Record",
    "all_records",
    "custom_activation",
    "get",
    "ids",
]

#: public name -> the sub-module that defines it.
_HOME = {"get": "catalog", "ids": "catalog", "all_records": "catalog", "custom_activation": "dual.duals",
         "Domain": "core.parameters", "Parameter": "core.parameters", "Derivation": "core.record", "Method": "core.record",
         "NumericalForm": "core.record", "Record": "core.record"}


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
