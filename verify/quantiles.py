"""Moved to :mod:`verify.core.quantiles`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.quantiles moved to verify.core.quantiles", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.core.quantiles")
