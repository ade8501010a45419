"""Moved to :mod:`derivations.core.time_budget`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.time_budget moved to derivations.core.time_budget", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.time_budget")
