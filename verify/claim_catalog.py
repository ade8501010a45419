"""Moved: the shipped claims are :mod:`verify.claims` (one module per theory); this alias is kept for one release."""

import warnings

from verify.claims import CLAIMS, get_claim  # noqa: F401
from verify.claims.dual import *  # noqa: F401,F403
from verify.claims.kernel import *  # noqa: F401,F403

warnings.warn("verify.claim_catalog moved to verify.claims", DeprecationWarning, stacklevel=2)
