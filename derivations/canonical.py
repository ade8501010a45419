"""Moved to :mod:`derivations.core.canonical`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.canonical moved to derivations.core.canonical", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.canonical")
