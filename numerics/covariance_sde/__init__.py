r"""The ``covariance_sde`` family: shaped MLPs and their covariance path (Li, Nica & Roy 2022).

* :func:`shaped_relu_mlp`, :func:`shaped_smooth_mlp`: shaped MLPs at depth-to-width ratio $T = d/n$,
  exact in law or with full weights, recording the covariance path;
* :func:`shaped_normaliser`: the constant $c^{-1} = E\varphi_s(g)^2$ of a shaped smooth activation.

The limit SDE is solved by :mod:`numerics.core.sde`.
"""

from ._shaped import shaped_normaliser, shaped_relu_mlp, shaped_smooth_mlp

__all__ = ["shaped_normaliser", "shaped_relu_mlp", "shaped_smooth_mlp"]
