"""Moved to :mod:`verify.claims._resnet_sde_more`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.claims_resnet_sde_more moved to verify.claims._resnet_sde_more", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.claims._resnet_sde_more")
