"""Moved to :mod:`derivations.core.stable_forms`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.stable_forms moved to derivations.core.stable_forms", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.stable_forms")
