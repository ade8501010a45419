"""Moved to :mod:`derivations.core.printer`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.printer moved to derivations.core.printer", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.printer")
