"""Moved to :mod:`numerics.resnet_sde.kernel_odes`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.kernel_odes moved to numerics.resnet_sde.kernel_odes", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.resnet_sde.kernel_odes")
