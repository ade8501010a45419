"""Moved to :mod:`verify.core.strategies`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.strategies moved to verify.core.strategies", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.core.strategies")
