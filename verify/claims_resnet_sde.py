"""Moved to :mod:`verify.claims.resnet_sde`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.claims_resnet_sde moved to verify.claims.resnet_sde", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.claims.resnet_sde")
