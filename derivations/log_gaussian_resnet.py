"""Moved to :mod:`derivations.log_gaussian.resnet`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("derivations.log_gaussian_resnet moved to derivations.log_gaussian.resnet", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("derivations.log_gaussian.resnet")
