r"""The ``resnet_sde`` family: finite deep ResNets of Peluchetti & Favaro (AISTATS 2020, JMLR 2021).

$$x_{l+1} = x_l + \phi\big(A_l\psi(x_l) + a_l\big),\qquad
  A_l = \sigma_w\sqrt{\Delta t/D}\,E_l\ (+\mu_w\Delta t\,I),\quad
  a_l = \sigma_b\sqrt{\Delta t}\,e_l\ (+\mu_b\Delta t),\quad \Delta t = T/L .$$

* :class:`ResNet`: the validated model (depth, width, scales, $\phi$, $\psi$,
  input map, optional readout);
* :func:`resnet_outputs`: forward simulation batched over networks and inputs,
  exact in law ($O(Dm^2)$ per layer) or with full weights;
* :func:`resnet_ntk`: outputs, empirical NTK parts (residual weights, biases,
  input and output layers), input gradient and Jacobian, by a hand-derived
  backward pass; :func:`resnet_parameters` returns the draws it uses;
* :func:`conv_resnet_outputs`: the convolutional ResNet of JMLR §3.2.

The width-first kernel ODEs live in :mod:`numerics.resnet_sde.kernel_odes`.  Limits and finite
statistics of the claims: :mod:`~numerics.resnet_sde.limit_sde` (Euler--Maruyama pair on one Brownian
path, weak Richardson extrapolation), :mod:`~numerics.resnet_sde.weak_limit` (Corollary 5),
:mod:`~numerics.resnet_sde.norm_gbm`, :mod:`~numerics.resnet_sde.doubly_infinite`,
:mod:`~numerics.resnet_sde.jacobian_law`, :mod:`~numerics.resnet_sde.moments`.
"""

from ._model import INPUTS, ResNet
from .conv import PADDINGS, conv_resnet_outputs
from .forward import METHODS, ResNetRecord, choose_method, resnet_outputs
from .ntk import ResNetNTK, resnet_ntk, resnet_parameters
from .limit_sde import euler_maruyama_pair, richardson_mean
from .moments import variance_summands
from .weak_limit import resnet_sde_terminal, resnet_terminal, weak_moments
from .norm_gbm import linear_resnet_sq_norm
from .doubly_infinite import doubly_infinite_nngp, doubly_infinite_ntk
from .jacobian_law import (jacobian_gram_diagonal, jacobian_gram_off_diagonal, jacobian_log_norms,
                           linear_jacobian_log_norm_cdf, linear_jacobian_log_norm_moments)

__all__ = [
    "INPUTS", "METHODS", "PADDINGS", "ResNet", "ResNetNTK", "ResNetRecord", "choose_method",
    "conv_resnet_outputs", "doubly_infinite_nngp", "doubly_infinite_ntk", "euler_maruyama_pair",
    "jacobian_gram_diagonal", "jacobian_gram_off_diagonal", "jacobian_log_norms", "linear_jacobian_log_norm_cdf",
    "linear_jacobian_log_norm_moments", "linear_resnet_sq_norm", "resnet_ntk", "resnet_outputs",
    "resnet_parameters", "resnet_sde_terminal", "resnet_terminal", "richardson_mean", "variance_summands",
    "weak_moments",
]
