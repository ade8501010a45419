"""Moved to :mod:`derivations.core.series`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.series moved to derivations.core.series", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.series")
