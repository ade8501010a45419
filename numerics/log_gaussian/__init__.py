r"""The ``log_gaussian`` family: deep and wide ReLU networks at initialisation ($d/n$ fixed).

Every network has two methods with the same law: ``"exact_in_law"`` (the T1
reduction of :mod:`numerics.core.proportional_sampling`, $O(nmd)$ per network) and
``"full"`` (explicit weight matrices, $O(n^2 m d)$).  All are vectorised over
independent samples, chunked, and reproducible from a seed independently of the
chunking.  The shaped MLPs of the neural covariance SDE are in :mod:`numerics.covariance_sde`.

* :func:`relu_resnet`: standard, balanced and two-matrix ReLU ResNets (Li, Nica & Roy 2021);
* :func:`fc_relu_net`, :func:`fc_linear_net`: He-ReLU and linear MLPs with per-layer widths (Hanin & Nica 2020);
* per-network draws for the claims (:mod:`._draws`): :func:`fc_log_norm_ratio`, :func:`hypoactivation_draws`,
  :func:`log_gaussian_output_sample`, :func:`ratio_draws`, :func:`variance_draws`;
* :func:`fc_controlled_draws`, :func:`layer_ratio_moments`: martingale control variates of the FC log-norm
  (exact zero means from the one-layer law's polynomial moments; :mod:`._fc_control`);
* :func:`log_norm_rows`, :func:`finite_size_log_moments`, :func:`finite_size_log_slope`, :func:`limit_log_moments`:
  what ``claim.log_gaussian`` simulates (rows with zero-mean controls) and subtracts (the records' finite-size
  moments minus their own slope);
* :func:`edgeworth_skew_rows`, :func:`skewness_influence`: the first Edgeworth term of ``claim.log_gaussian``'s
  CDF with the sample skewness's influence function per row, so its noise enters the standard error;
* :func:`antithetic_activation_statistics`: antithetic pairs of ResNets (input and noise negated), whose
  average cancels the field noise of the active fraction and mass (:mod:`._antithetic`);
* :func:`hypoactivation_constant`: $\lim n (E r - 1/2)$ for the standard ResNet by extrapolation in $1/n$.
"""

from ..core.sampling import BLOCK
from ._antithetic import antithetic_activation_statistics
from ._edgeworth import edgeworth_skew_rows, skewness_influence
from ._draws import fc_log_norm_ratio, hypoactivation_draws, log_gaussian_output_sample, ratio_draws, variance_draws
from ._fc import fc_linear_net, fc_relu_net
from ._fc_control import fc_controlled_draws, layer_ratio_moments
from ._hypoactivation import HypoactivationEstimate, hypoactivation_constant
from ._resnets import RESNET_BLOCKS, relu_resnet
from ._log_norm_rows import finite_size_log_moments, finite_size_log_slope, limit_log_moments, log_norm_rows
from ..core.proportional_result import ProportionalResult
from ..core.proportional_sampling import METHODS

__all__ = ["BLOCK", "METHODS", "RESNET_BLOCKS", "HypoactivationEstimate", "ProportionalResult",
           "antithetic_activation_statistics", "edgeworth_skew_rows", "fc_controlled_draws", "fc_linear_net",
           "fc_log_norm_ratio", "fc_relu_net", "finite_size_log_moments", "finite_size_log_slope", "hypoactivation_constant", "hypoactivation_draws",
           "layer_ratio_moments", "limit_log_moments", "log_gaussian_output_sample", "log_norm_rows", "ratio_draws", "relu_resnet", "skewness_influence", "variance_draws"]
