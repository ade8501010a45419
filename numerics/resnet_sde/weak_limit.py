r"""The fully i.i.d. ResNet and its diffusion limit (Peluchetti and Favaro, JMLR 2021, Corollary 5), $\psi = \tanh$.

* :func:`resnet_sde_terminal`: $x_T$ of the SDE for one or two inputs (copied to every unit), fine and
  coarse Euler--Maruyama on one Brownian path (:func:`~numerics.resnet_sde.limit_sde.euler_maruyama_pair`);
* :func:`resnet_terminal`: $x_L$ of finite networks on the same inputs;
* :func:`weak_moments`: the per-draw statistics of the weak-convergence claim.
"""

from __future__ import annotations

import numpy as np

from ..core.sde import OperatorNoise
from ..core.validation import check_finite_array, check_integer, check_scalar
from ..generated import resnet_sde_swish_tanh as _swish_tanh
from ..generated import resnet_sde_tanh_tanh as _tanh_tanh
from ._model import ResNet
from .forward import resnet_outputs
from .limit_sde import euler_maruyama_pair

__all__ = ["PHI_SDE", "resnet_sde_terminal", "resnet_terminal", "weak_moments"]

#: $\phi$ of the block: (simulator name, generated module of the SDE with $\psi = \tanh$)
PHI_SDE = {"tanh": ("tanh", _tanh_tanh), "swish": ("silu", _swish_tanh)}
CHUNK = 4096  # networks per batch of the finite simulator


def _phi(phi):
    if phi not in PHI_SDE:
        raise ValueError(f"phi={phi!r} is not allowed; allowed values: {', '.join(map(repr, PHI_SDE))}")
    return PHI_SDE[phi]


def _inputs(z) -> np.ndarray:
    z = check_finite_array("z", z, ndim=1)
    if not 1 <= z.size <= 2:
        raise ValueError(f"z has {z.size} inputs; allowed: 1 or 2")
    return z


def resnet_sde_terminal(phi, width, sigma_w, sigma_b, z, *, n_paths, n_steps, seed, drift=True):
    r"""$x_T$ of the Corollary 5 SDE for the inputs ``z`` (copied to every unit), $\psi = \tanh$, $T = 1$.

    $dx^{(i)} = \mu(x^{(i)})\mathbf 1\,dt + dM^{(i)}$ with $\mu$ = ``drift`` and
    $d[M^{(i)}, M^{(j)}] = c_{ij}I_D\,dt$, $c_{ii}$ = ``diffusion``$^2$, $c_{ij}$ = ``cross_covariation``
    of record ``resnet_sde.<phi>_tanh`` (arguments $\|\psi(x)\|^2/D$, $\langle\psi(x),\psi(y)\rangle/D$).
    The joint noise of two inputs is realised as $dM = C\,dB$ with $C C^\top = (c_{ij})$ (lower Cholesky,
    $B$ of dimension $2D$): the law of the SDE depends only on its drift and covariation.

    ``drift=False`` drops the drift (a planted wrong law: the $\tfrac12\phi''(0)$ term omitted).

    Returns ``(fine, coarse)`` of :func:`~numerics.resnet_sde.limit_sde.euler_maruyama_pair`, each of shape
    ``(n_paths, len(z), D)``.
    """
    _, mod = _phi(phi)
    z = _inputs(z)
    D = check_integer("width", width, minimum=1)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True))
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    m = z.size

    def mu(t, y, args):
        return mod.drift(np.mean(np.tanh(y) ** 2, axis=-1, keepdims=True), sigma_w, sigma_b)

    def apply(t, y, args, dW):
        p = np.tanh(y)
        d0 = mod.diffusion(np.mean(p[:, 0] ** 2, axis=-1), sigma_w, sigma_b)[:, None]
        out = np.empty_like(y)
        out[:, 0] = d0 * dW[:, 0, :D]
        if m == 2:
            d1 = mod.diffusion(np.mean(p[:, 1] ** 2, axis=-1), sigma_w, sigma_b)[:, None]
            c = mod.cross_covariation(np.mean(p[:, 0] * p[:, 1], axis=-1), sigma_w, sigma_b)[:, None]
            c21 = np.divide(c, d0, out=np.zeros_like(c), where=d0 > 0)
            c22 = np.sqrt(np.maximum(d1**2 - c21**2, 0.0))
            out[:, 1] = c21 * dW[:, 0, :D] + c22 * dW[:, 0, D:]
        return out

    y0 = np.broadcast_to(z[None, :, None], (1, m, D))
    return euler_maruyama_pair(mu if drift else None, OperatorNoise(apply, m * D), y0, n_paths=n_paths,
                               n_steps=n_steps, seed=seed)


def resnet_terminal(phi, width, sigma_w, sigma_b, z, *, depth, n_samples, seed):
    r"""$x_L$ (shape ``(n_samples, len(z), D)``) of finite ResNets with $\psi = \tanh$, input $z$ copied to every unit."""
    net = ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi=_phi(phi)[0], psi="tanh",
                 input="copy")
    r = resnet_outputs(net, _inputs(z), n_samples=n_samples, seed=seed, units=tuple(range(width)),
                       chunk_size=CHUNK)
    return r.states[:, 0]


def weak_moments(x) -> np.ndarray:
    r"""Per-draw statistics averaged over the $D$ exchangeable units: $\bar x_1$, $\overline{x_1^2}$,
    $\overline{x_1x_2}$ ($x_i = x_T(z_i)$), shape ``(n, 3)``; ``x`` has shape ``(n, 2, D)``.

    >>> weak_moments(np.array([[[1.0, 3.0], [2.0, 0.0]]])).tolist()
    [[2.0, 5.0, 1.0]]
    """
    x = check_finite_array("x", x, ndim=3)
    if x.shape[1] != 2:
        raise ValueError(f"x has shape {x.shape}; expected (n, 2, D)")
    a, b = x[:, 0], x[:, 1]
    return np.stack([a.mean(-1), (a * a).mean(-1), (a * b).mean(-1)], axis=1)
