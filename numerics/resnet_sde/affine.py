r"""How far a random function of a scalar input is from affine: the nonlinearity residual (JMLR §4.1).

With $\psi = \mathrm{id}$ and $\phi$ with $\phi''(0) = 0$ the ResNet limit SDE $dx = \tfrac{\sigma_w}{\sqrt D}dW\,x
+ \sigma_b\,dB$ is linear, so $z \mapsto x_T(z)$ is affine.  A finite network's draw on a grid $z_1, \dots, z_m$
is measured by its mean squared deviation from the least-squares line through $(z_i, y_i)$
(:func:`nonlinearity_residual`); :func:`affine_resnet_outputs` draws the networks and
:func:`affine_second_moments` gives the limit's second moments at $z = \pm1$.
"""

from __future__ import annotations

import numpy as np

from numerics.generated import resnet_sde_ntk as _ntk

from ..core.validation import check_finite_array, check_scalar
from ._model import ResNet
from .forward import resnet_outputs

__all__ = ["affine_resnet_outputs", "affine_second_moments", "nonlinearity_residual"]


def affine_resnet_outputs(phi, width, sigma_w, sigma_b, depth, z, *, n_samples, seed, chunk_size=4096) -> np.ndarray:
    r"""$x_{L,1}(z_i)$ of ``n_samples`` ResNets with outer activation ``phi``, $\psi = \mathrm{id}$, the scalar input
    copied to every unit, at the grid ``z`` (shape ``(m,)``); shape ``(n, m)``."""
    net = ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi=phi, psi="identity", input="copy")
    z = check_finite_array("z", z, ndim=1)
    return resnet_outputs(net, z, n_samples=n_samples, seed=seed, chunk_size=chunk_size).states[:, 0, :, 0]


def affine_second_moments(sigma_w, sigma_b) -> np.ndarray:
    r"""$E x_{T,1}(z)x_{T,1}(z')$ of the linear limit SDE at $(z, z') = (1, 1), (-1, -1), (1, -1)$, $T = 1$:
    $\lambda_0 + $ ``nngp_increment`` of record ``resnet_sde.ntk`` with $\phi'(0) = 1$, $\lambda_0 = zz'$.

    >>> affine_second_moments(1.0, 0.0).round(6).tolist()   # lambda_0 e^{sigma_w^2}
    [2.718282, 2.718282, -2.718282]
    """
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True))
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    lam0 = np.array([1.0, 1.0, -1.0])
    return lam0 + _ntk.nngp_increment(lam0, 1.0, sigma_w, sigma_b, 1.0)


def nonlinearity_residual(y, z) -> np.ndarray:
    r"""Per draw, $r = \frac1m\sum_i (y_i - \hat a - \hat b z_i)^2$ of the least-squares line through $(z_i, y_i)$.

    ``y`` has shape ``(n, m)`` (draws by grid points), ``z`` shape ``(m,)`` with at least two distinct points;
    returns shape ``(n,)``: the squared norm of the projection of each row of ``y`` off the span of
    $(\mathbf 1, z)$, over $m$.

    >>> nonlinearity_residual(np.array([[1.0, 3.0, 5.0], [0.0, 1.0, 0.0]]), np.array([0.0, 1.0, 2.0])).round(6).tolist()
    [0.0, 0.222222]
    """
    z = check_finite_array("z", z, ndim=1)
    y = check_finite_array("y", y, ndim=2)
    if y.shape[1] != z.size:
        raise ValueError(f"y has {y.shape[1]} grid points per draw, z has {z.size}; they must agree")
    if np.unique(z).size < 2:
        raise ValueError(f"z={z.tolist()!r} needs at least two distinct grid points for a line")
    Q, _ = np.linalg.qr(np.stack([np.ones_like(z), z], axis=1))
    r = y - (y @ Q) @ Q.T
    return np.mean(r * r, axis=1)
