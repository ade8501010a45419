"""Moved to :mod:`verify.core.joint`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.joint moved to verify.core.joint", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.core.joint")
