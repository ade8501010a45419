"""Moved to :mod:`derivations.core.display_latex`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.display_latex moved to derivations.core.display_latex", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.display_latex")
