"""Moved to :mod:`derivations.resnet_sde.ito`; this alias is kept for one release."""

import sys
import warnings

from .resnet_sde import ito as _moved

warnings.warn("derivations.resnet_sde_ito moved to derivations.resnet_sde.ito", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
