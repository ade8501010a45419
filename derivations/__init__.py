"""Derivations of deeplimits: SymPy only.

Every result is a :class:`~derivations.core.record.Record`; :mod:`derivations.catalog`
lists them by id; :mod:`derivations.core.codegen` emits them as NumPy modules.
"""

from .catalog import all_records, get, ids
from .dual.duals import custom_activation
from .core.parameters import Domain, Parameter
from .core.record import Derivation, Method, NumericalForm, Record

__all__ = ["Record", "Derivation", "Method", "NumericalForm", "Parameter", "Domain",
           "get", "ids", "all_records", "custom_activation"]
