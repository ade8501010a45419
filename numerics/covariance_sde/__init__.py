r"""The ``covariance_sde`` family: shaped MLPs and their covariance path (Li, Nica & Roy 2022).

* :func:`shaped_relu_mlp`, :func:`shaped_smooth_mlp`: shaped MLPs at depth-to-width ratio $T = d/n$,
  exact in law or with full weights, recording the covariance path;
* :func:`shaped_normaliser`: the constant $c^{-1} = E\varphi_s(g)^2$ of a shaped smooth activation.

* :func:`correlation_sde_paths`, :func:`correlation_sde_estimate`: the correlation SDE at its terminal time
  (Euler--Maruyama by :mod:`numerics.core.sde`, Richardson-extrapolated in the step);
* :func:`shaped_relu_terminal_draws`: per-network terminal statistics of shaped-ReLU MLPs.
"""

from ._shaped import shaped_normaliser, shaped_relu_mlp, shaped_smooth_mlp
from ._terminal import CorrelationSdeEstimate, correlation_sde_estimate, correlation_sde_paths, shaped_relu_terminal_draws

__all__ = ["CorrelationSdeEstimate", "correlation_sde_estimate", "correlation_sde_paths", "shaped_normaliser",
           "shaped_relu_mlp", "shaped_relu_terminal_draws", "shaped_smooth_mlp"]
