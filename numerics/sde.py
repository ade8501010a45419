"""Moved to :mod:`numerics.core.sde`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.sde moved to numerics.core.sde", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.core.sde")
