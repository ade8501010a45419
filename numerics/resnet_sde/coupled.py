r"""A ResNet and its linear relative on the same weights, simulated jointly and exactly in law.

For the block $x_{l+1} = x_l + \phi(A_lx_l + a_l)$ ($\psi = \mathrm{id}$, inputs copied to every unit) and the linear
block $y_{l+1} = y_l + A_ly_l + a_l$ with the *same* $(A_l, a_l)$: given the states, the rows $i$ of the
pre-activations $(A_l[X_l, Y_l] + a_l\mathbf 1^\top)_i$ at the $2m$ columns are i.i.d.
$N\big(0, \tfrac{\sigma_w^2\Delta t}{D}[X_l, Y_l]^\top[X_l, Y_l] + \sigma_b^2\Delta t\big)$, so one draw of $D \times 2m$
normals times a factor of that $2m \times 2m$ Gram advances both networks exactly in law, jointly ($O(Dm^2)$ per
layer instead of $O(D^2m)$ for explicit weights; at small $D$, where explicit weights are cheaper by the flop count
of :func:`~numerics.resnet_sde.forward.choose_method`, they are drawn instead).  The pair is the coupling of a control variate: the linear
network's moments are exact at every depth (:mod:`numerics.resnet_sde.linear_kernels`), and
$f(x_L) - f(y_L)$ has a far smaller variance than $f(x_L)$ when $\phi(h) = h + O(h^3)$.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_finite_array, check_integer
from ._model import ResNet
from .forward import choose_method

__all__ = ["coupled_final_states"]


def _factor(gram: np.ndarray) -> np.ndarray:
    r"""$F = V\operatorname{diag}(\sqrt{\lambda_+})$ per matrix (one batched ``eigh``): exact for singular Grams (the
    two networks start equal; odd $\phi$ without bias keeps $x(-z) = -x(z)$), and decided per sample, so a draw
    does not depend on the chunking."""
    w, v = np.linalg.eigh(gram)
    tol = gram.shape[-1] * np.finfo(gram.dtype).eps * np.max(np.abs(w), axis=-1, keepdims=True)
    return v * np.sqrt(np.where(w > tol, w, 0.0))[..., None, :]


def coupled_final_states(phi, width, sigma_w, sigma_b, depth, z, *, n_samples, seed,
                         chunk_size=2048) -> tuple[np.ndarray, np.ndarray]:
    r"""Final states $x_L$ (outer activation ``phi``) and $y_L$ (linear) of ``n_samples`` pairs of networks on
    shared weights, $\psi = \mathrm{id}$, the scalar inputs ``z`` (shape ``(m,)``) copied to every unit; each
    of shape ``(n, D, m)``.  With ``phi="identity"`` the two are equal.  ``chunk_size``: samples per batch (it does
    not change the draws; small batches of small networks avoid the thread pool's per-block overhead).

    >>> x, y = coupled_final_states("identity", 3, 0.8, 0.5, 4, np.array([1.0, -0.5]), n_samples=5, seed=0)
    >>> x.shape, bool(np.allclose(x, y))
    ((5, 3, 2), True)
    """
    net = ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi=phi, psi="identity", input="copy")
    z = check_finite_array("z", z, ndim=1)
    n = check_integer("n_samples", n_samples, minimum=1)
    D, L, m = net.width, net.depth, z.size
    f, dt = net._phi.f, net.dt
    blocks = SeedBlocks(seed, n)
    out_x, out_y = np.empty((n, D, m)), np.empty((n, D, m))
    full = choose_method(D, 2 * m) == "full"  # explicit weights when cheaper (small D)
    per_sample = 8 * ((2 * D * D if full else 0) + 8 * D * m + 12 * m * m)
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n)):
        lo, hi = blocks.span(chunk)
        XY = np.broadcast_to(np.concatenate([z, z]), (hi - lo, D, 2 * m)).copy()
        for _ in range(L):
            if full:
                h = np.matmul(blocks.normals(chunk, (D, D)), XY)
                h *= net.sigma_w * math.sqrt(dt / D)
                h += net.sigma_b * math.sqrt(dt) * blocks.normals(chunk, (D, 1))
            else:
                gram = np.matmul(XY.transpose(0, 2, 1), XY)
                gram *= net.sigma_w**2 * dt / D
                gram += net.sigma_b**2 * dt
                h = np.matmul(blocks.normals(chunk, (D, 2 * m)), _factor(gram).transpose(0, 2, 1))
            XY[:, :, :m] += np.asarray(f(h[:, :, :m]), dtype=np.float64)
            XY[:, :, m:] += h[:, :, m:]
        out_x[lo:hi], out_y[lo:hi] = XY[:, :, :m], XY[:, :, m:]
    return out_x, out_y
