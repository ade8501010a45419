"""Moved to :mod:`derivations.core.codegen`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.codegen moved to derivations.core.codegen", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.codegen")
