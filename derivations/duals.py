"""Moved to :mod:`derivations.dual.duals`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.duals moved to derivations.dual.duals", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.dual.duals")
