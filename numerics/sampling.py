"""Moved to :mod:`numerics.core.sampling`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.sampling moved to numerics.core.sampling", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.core.sampling")
