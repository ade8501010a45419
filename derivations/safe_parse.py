"""Moved to :mod:`derivations.core.safe_parse`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.safe_parse moved to derivations.core.safe_parse", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.safe_parse")
