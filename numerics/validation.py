"""Moved to :mod:`numerics.core.validation`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.validation moved to numerics.core.validation", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.core.validation")
