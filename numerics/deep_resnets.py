"""Moved to :mod:`numerics.resnet_sde`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("numerics.deep_resnets moved to numerics.resnet_sde", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("numerics.resnet_sde")
