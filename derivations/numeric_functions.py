"""Moved to :mod:`derivations.core.numeric_functions`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.numeric_functions moved to derivations.core.numeric_functions", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.numeric_functions")
