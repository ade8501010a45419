"""The ``kernel`` family: NNGP and NTK recursions (:mod:`.recursions`) and finite fully connected
networks with their empirical NTK (:mod:`.networks`)."""

from .networks import fc_empirical_ntk, fc_outputs
from .recursions import nngp_ntk

__all__ = ["fc_empirical_ntk", "fc_outputs", "nngp_ntk"]
