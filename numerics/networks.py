"""Moved to :mod:`numerics.kernel.networks`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.networks moved to numerics.kernel.networks", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.kernel.networks")
