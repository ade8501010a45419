"""Moved to :mod:`numerics.core.quadrature`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.quadrature moved to numerics.core.quadrature", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.core.quadrature")
