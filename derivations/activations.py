"""Moved to :mod:`derivations.dual.activations`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.activations moved to derivations.dual.activations", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.dual.activations")
