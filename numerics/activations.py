"""Moved to :mod:`numerics.dual.activations`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.activations moved to numerics.dual.activations", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.dual.activations")
