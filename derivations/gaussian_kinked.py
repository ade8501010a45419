"""Moved to :mod:`derivations.core.gaussian_kinked`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.gaussian_kinked moved to derivations.core.gaussian_kinked", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.gaussian_kinked")
