"""Moved to :mod:`verify.core.stats`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.stats moved to verify.core.stats", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.core.stats")
