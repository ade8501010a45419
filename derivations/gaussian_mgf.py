"""Moved to :mod:`derivations.core.gaussian_mgf`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.gaussian_mgf moved to derivations.core.gaussian_mgf", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.gaussian_mgf")
