"""Moved to :mod:`verify.core.accuracy`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.accuracy moved to verify.core.accuracy", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.core.accuracy")
