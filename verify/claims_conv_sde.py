"""Moved to :mod:`verify.claims._resnet_sde_conv`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.claims_conv_sde moved to verify.claims._resnet_sde_conv", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.claims._resnet_sde_conv")
