r"""Input Jacobians of a ResNet and of its linear twin on the same weights, in one pass (one draw per layer).

The block is $x_{l+1} = x_l + \phi(h_l)$, $h_l = A_l x_l + a_l$ ($\psi = \mathrm{id}$), with
$A_l = \sigma_w\sqrt{\Delta t/D}\,E_l$, $a_l = \sigma_b\sqrt{\Delta t}\,e_l$, $\Delta t = 1/L$, $E_l$, $e_l$ standard
normal (:class:`~numerics.resnet_sde.ResNet`).  Its input Jacobian and that of the linear network
($\phi = \mathrm{id}$) built from the *same* $A_l$ are

$$g^\phi_{l+1} = \big(I + \operatorname{diag}\phi'(h_l)\,A_l\big)\,g^\phi_l,\qquad
  g^{\mathrm{id}}_{l+1} = (I + A_l)\,g^{\mathrm{id}}_l,\qquad g_0 = I,$$

(the linear network's Jacobian does not depend on its states or biases).  Both are propagated together: one
batched product $A_l\,[x_l \mid g^\phi_l \mid g^{\mathrm{id}}_l]$ per layer, so the weights are drawn once (half
the normals of two separate runs of :func:`~numerics.resnet_sde.ntk.resnet_jacobian`, which draws the same law
in another order).  The pair is the control-variate pair of :mod:`numerics.resnet_sde.jacobian_control`.

Randomness: :class:`~numerics.core.sampling.SeedBlocks` (chunking does not change the numbers); per layer each
block draws $E_l$ (``(D, D)``) then $e_l$ (``(D,)``).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_finite_array, check_integer
from ._model import ResNet

__all__ = ["CHUNK", "coupled_jacobian_log_norms", "coupled_jacobians"]

#: networks per batch: small batches keep the (n, D, 2D + 1) temporaries in cache (measured fastest at D = 6 among
#: 128..4096: 1.15 s CPU for 20 000 networks of 64 layers, against 2.95 s at 4096)
CHUNK = 512


def _activation(phi, width, sigma_w, sigma_b, depth) -> ResNet:
    return ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi=phi, psi="identity")


def _block(f, df, x, g_phi, g_lin, A, b):
    """One layer in place: ``A`` (S, D, D) the scaled weights, ``b`` (S, D) the scaled biases."""
    D = x.shape[1]
    AM = np.matmul(A, np.concatenate([x[:, :, None], g_phi, g_lin], axis=2))
    h = AM[:, :, 0] + b
    g_phi += np.asarray(df(h), dtype=np.float64)[:, :, None] * AM[:, :, 1:D + 1]
    g_lin += AM[:, :, D + 1:]
    x += np.asarray(f(h), dtype=np.float64)


def coupled_jacobians(phi, x0, A, a) -> tuple[np.ndarray, np.ndarray]:
    r"""$(g^\phi_L, g^{\mathrm{id}}_L)$, each ``(n, D, D)``, for given scaled weights ``A`` (``(n, L, D, D)``) and
    biases ``a`` (``(n, L, D)``) from the input ``x0`` (``(D,)``): the recursion of the module docstring.

    >>> A = np.zeros((1, 2, 1, 1)); A[0, :, 0, 0] = 0.5
    >>> [g[0, 0, 0] for g in coupled_jacobians("identity", np.zeros(1), A, np.zeros((1, 2, 1)))]  # (1 + 1/2)^2
    [2.25, 2.25]
    """
    A = check_finite_array("A", A, ndim=4)
    n, L, D, _ = A.shape
    if A.shape[3] != D:
        raise ValueError(f"A has shape {A.shape}; expected (n, L, D, D)")
    a = check_finite_array("a", a, ndim=3)
    if a.shape != (n, L, D):
        raise ValueError(f"a has shape {a.shape}; expected {(n, L, D)}")
    x0 = check_finite_array("x0", x0, ndim=1)
    if x0.shape != (D,):
        raise ValueError(f"x0 has shape {x0.shape}; expected ({D},)")
    act = _activation(phi, D, 1.0, 0.0, L)._phi
    x = np.broadcast_to(x0, (n, D)).copy()
    g_phi, g_lin = (np.broadcast_to(np.eye(D), (n, D, D)).copy() for _ in range(2))
    for layer in range(L):
        _block(act.f, act.df, x, g_phi, g_lin, A[:, layer], a[:, layer])
    return g_phi, g_lin


def coupled_jacobian_log_norms(phi, width, sigma_w, sigma_b, depth, *, n_samples, seed, chunk_size=CHUNK):
    r"""$\log|g^\phi_L e_1|$, $\log|(g^\phi_L)^\top e_1|$, $\log|g^{\mathrm{id}}_L e_1|$, $\log|(g^{\mathrm{id}}_L)^\top
    e_1|$ of ``n_samples`` weight draws (each ``(n,)``), from $x_0 = \mathbf 1$: the statistics of
    :func:`~numerics.resnet_sde.jacobian_law.jacobian_log_norms` for the network and its linear twin."""
    net = _activation(phi, width, sigma_w, sigma_b, depth)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    chunk_size = check_integer("chunk_size", chunk_size, minimum=1)
    D, L = net.width, net.depth
    sw, sb = net.sigma_w * math.sqrt(net.dt / D), net.sigma_b * math.sqrt(net.dt)
    f, df = net._phi.f, net._phi.df
    blocks = SeedBlocks(seed, n_samples)
    out = np.empty((4, n_samples))
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, 8 * (6 * D * D + 4 * D), n_samples)):
        lo, hi = blocks.span(chunk)
        x = np.ones((hi - lo, D))
        g_phi, g_lin = (np.broadcast_to(np.eye(D), (hi - lo, D, D)).copy() for _ in range(2))
        for _ in range(L):
            E = blocks.normals(chunk, (D, D))
            e = blocks.normals(chunk, (D,))
            _block(f, df, x, g_phi, g_lin, sw * E, sb * e)
        for k, g in enumerate((g_phi, g_lin)):
            out[2 * k, lo:hi] = np.log(np.linalg.norm(g[:, :, 0], axis=1))
            out[2 * k + 1, lo:hi] = np.log(np.linalg.norm(g[:, 0, :], axis=1))
    return tuple(out)
