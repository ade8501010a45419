"""Moved to :mod:`numerics.core._runtime`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics._runtime moved to numerics.core._runtime", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.core._runtime")
