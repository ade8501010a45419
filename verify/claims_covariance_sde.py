"""Moved to :mod:`verify.claims.covariance_sde`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.claims_covariance_sde moved to verify.claims.covariance_sde", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.claims.covariance_sde")
