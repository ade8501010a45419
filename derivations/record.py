"""Moved to :mod:`derivations.core.record`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.record moved to derivations.core.record", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.record")
