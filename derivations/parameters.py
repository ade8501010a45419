"""Moved to :mod:`derivations.core.parameters`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.parameters moved to derivations.core.parameters", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.parameters")
