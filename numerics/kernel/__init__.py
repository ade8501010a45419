"""The ``kernel`` family: NNGP and NTK recursions (:mod:`.recursions`) and finite fully connected
networks with their empirical NTK (:mod:`.networks`), the output second moments at two inputs and their
NNGP limit (:mod:`.moments`)."""

from .moments import empirical_ntk_cross, nngp_second_moments, output_second_moments, two_inputs
from .networks import fc_empirical_ntk, fc_outputs
from .recursions import nngp_ntk

__all__ = ["empirical_ntk_cross", "fc_empirical_ntk", "fc_outputs", "nngp_ntk", "nngp_second_moments",
           "output_second_moments", "two_inputs"]
