r"""The ``covariance_sde`` family: shaped MLPs and their covariance path (Li, Nica & Roy 2022).

* :func:`shaped_relu_mlp`, :func:`shaped_smooth_mlp`: shaped MLPs at depth-to-width ratio $T = d/n$,
  exact in law or with full weights, recording the covariance path;
* :func:`shaped_normaliser`: the constant $c^{-1} = E\varphi_s(g)^2$ of a shaped smooth activation;
* :func:`shaped_relu_pair`: two inputs through a shaped-ReLU MLP by the normalised Gram recursion, with the
  identity-activation control on the same normals; :func:`linear_pair_correlation`: the linear network's
  correlation by the Bartlett decomposition (three numbers per layer).

* :func:`correlation_sde_paths`, :func:`correlation_sde_estimate`: the correlation SDE at its terminal time
  (Euler--Maruyama by :mod:`numerics.core.sde`, Richardson-extrapolated in the step);
* :func:`correlation_expectations`: $E\rho_T$ and $P(\rho_T \le q)$ by the backward Kolmogorov equation;
* :func:`log_norm_moments`: the exact finite-width mean and variance of the log-norm;
* :func:`shaped_relu_terminal_draws`: per-network terminal statistics of shaped-ReLU MLPs;
* :func:`shaped_relu_mirrored_draws`: the same, mirrored in the shaping, with exact log-norm offsets.
"""

from ._kolmogorov import correlation_expectations
from ._log_norm_law import LIMIT_PER_T, LogNormMoments, log_norm_moments, sign_balance_moments
from ._mirrored import shaped_relu_mirrored_draws
from ._pair import ShapedReluPair, shaped_relu_pair
from ._wishart import linear_pair_correlation
from ._shaped import shaped_normaliser, shaped_relu_mlp, shaped_smooth_mlp
from ._terminal import CorrelationSdeEstimate, correlation_sde_estimate, correlation_sde_paths, shaped_relu_terminal_draws

__all__ = ["CorrelationSdeEstimate", "LIMIT_PER_T", "LogNormMoments", "ShapedReluPair", "correlation_expectations",
           "correlation_sde_estimate", "correlation_sde_paths", "linear_pair_correlation", "log_norm_moments", "shaped_normaliser",
           "shaped_relu_mirrored_draws", "shaped_relu_mlp", "shaped_relu_pair", "shaped_relu_terminal_draws",
           "shaped_smooth_mlp", "sign_balance_moments"]
