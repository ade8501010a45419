"""Moved: the depth-and-width simulators are :mod:`numerics.log_gaussian` (ReLU networks and
ResNets) and :mod:`numerics.covariance_sde` (shaped MLPs); this alias is kept for one release."""

import warnings

from numerics.covariance_sde import *  # noqa: F401,F403
from numerics.log_gaussian import *  # noqa: F401,F403

warnings.warn("numerics.proportional moved to numerics.log_gaussian and numerics.covariance_sde", DeprecationWarning,
              stacklevel=2)
