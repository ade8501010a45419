"""Moved to :mod:`derivations.kernel.recursions`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.kernel_recursions moved to derivations.kernel.recursions", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.kernel.recursions")
