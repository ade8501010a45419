"""Moved to :mod:`derivations.resnet_sde.doubly_infinite`; this alias is kept for one release."""

import sys
import warnings

from .resnet_sde import doubly_infinite as _moved

warnings.warn("derivations.resnet_sde_doubly_infinite moved to derivations.resnet_sde.doubly_infinite", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
