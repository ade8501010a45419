"""Moved to :mod:`numerics.kernel.recursions`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.kernels moved to numerics.kernel.recursions", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.kernel.recursions")
