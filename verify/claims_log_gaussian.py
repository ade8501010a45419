"""Moved to :mod:`verify.claims.log_gaussian`; this alias is kept for one release."""

import importlib
import sys
import warnings

warnings.warn("verify.claims_log_gaussian moved to verify.claims.log_gaussian", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = importlib.import_module("verify.claims.log_gaussian")
