"""Moved to :mod:`derivations.core.symbols`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.symbols moved to derivations.core.symbols", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.symbols")
