"""Moved to :mod:`derivations.core.latex_width`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.latex_width moved to derivations.core.latex_width", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.core.latex_width")
