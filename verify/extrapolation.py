"""Moved to :mod:`verify.core.extrapolation`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.extrapolation moved to verify.core.extrapolation", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.core.extrapolation")
