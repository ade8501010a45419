"""Moved to :mod:`derivations.resnet_sde.closed_forms`; this alias is kept for one release."""

import sys
import warnings

from .resnet_sde import closed_forms as _moved

warnings.warn("derivations.resnet_sde_closed_forms moved to derivations.resnet_sde.closed_forms", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
