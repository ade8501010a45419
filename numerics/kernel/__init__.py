"""The ``kernel`` family: NNGP and NTK recursions (:mod:`.recursions`) and finite fully connected
networks with their empirical NTK (:mod:`.networks`), the output second moments at two inputs and their
NNGP limit (:mod:`.moments`), the readout's conditional kernel (Rao-Blackwellised second moments,
:mod:`.conditional`) and the 1/n correction of the output variance (:mod:`.finite_width`)."""

from .moments import empirical_ntk_cross, nngp_second_moments, output_second_moments, two_inputs
from .networks import fc_empirical_ntk, fc_outputs
from .conditional import readout_kernel_draws
from .finite_width import output_variance_expansion
from .recursions import nngp_ntk

__all__ = ["empirical_ntk_cross", "fc_empirical_ntk", "fc_outputs", "nngp_ntk", "nngp_second_moments",
           "output_second_moments", "output_variance_expansion", "readout_kernel_draws", "two_inputs"]
