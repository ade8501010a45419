r"""The empirical NTK of a fully connected network at two inputs, drawn exactly in law in $O(n)$ per network.

The network is that of :func:`numerics.kernel.networks.fc_empirical_ntk` ($L$ hidden layers of width $n$,
NTK parameterisation, standard normal $W_l, b_l$), whose exact NTK is

$$\hat\Theta(x_a, x_b) = \sum_{l=1}^{L+1} \hat G^{l}_{ab}\,\delta_l(x_a)\cdot\delta_l(x_b),\qquad
  \hat G^1 = K^1,\quad \hat G^{l}_{ab} = \frac{\sigma_w^2}{n} A_{l-1}(x_a)\cdot A_{l-1}(x_b) + \sigma_b^2,$$

with $A_l = \varphi(h_l)$, $\delta_{L+1} = 1$ and
$\delta_l = \varphi'(h_l)\odot\frac{\sigma_w}{\sqrt n}W_{l+1}^\top\delta_{l+1}$.  Drawing every $W_l$ costs
$O(n^2)$ per network; this module draws the same joint law in $O(n)$.

**The law of a weight matrix given what the network sees of it.**  Let $A = A_l$ ($n \times 2$) and
$q_1, q_2$ its Gram-Schmidt basis, $A = [q_1\ q_2]R^\top$ with $R$ the lower-triangular factor of
$A^\top A$ (a pivot at rounding level is zero and its $q$ is $0$: the exact factor of a singular matrix,
as :func:`numerics.kernel.conditional._factor`).  A row $w_i \sim N(0, I_n)$ of $W_{l+1}$ splits into
independent parts $w_i = \eta_{i1} q_1 + \eta_{i2} q_2 + (I - QQ^\top)\xi_i$ with $\eta_i \sim N(0, I_2)$
and $\xi_i \sim N(0, I_n)$.  The forward pass sees only $A^\top w_i = R\eta_i$:
$h_{l+1, i} = \frac{\sigma_w}{\sqrt n}R\eta_i + \sigma_b b_i$.  The backward pass needs
$W_{l+1}^\top\delta_{l+1}(x) = Q\,c_x + (I - QQ^\top)u_x$ with $c_x = \sum_i \delta_{l+1, i}(x)\,\eta_i$ and
$u_x = \sum_i \delta_{l+1, i}(x)\,\xi_i$.  Given everything else, $(u_a, u_b)$ is Gaussian with
$\operatorname{Cov}(u_x, u_y) = (\delta_{l+1}(x)\cdot\delta_{l+1}(y)) I_n$, since the $\xi_i$ are independent of
$\delta_{l+1}$ (which depends on $W_{l+1}$ only through $h_{l+1}$), so $u_x = \sum_j L_{xj}\zeta_j$ with
$\zeta_1, \zeta_2 \sim N(0, I_n)$ and $LL^\top$ the $2\times2$ Gram of $\delta_{l+1}$.  Every step draws
$5n$ normals and costs $O(n)$; the joint law of $(h_1, \dots, h_{L+1}, \delta_1, \dots, \delta_{L+1})$,
hence of $\hat\Theta$, is exactly that of the explicit network (the tests compare the two simulators).

Seeds: the seed-block scheme of :mod:`numerics.core.sampling`; block $j$ draws its
``(samples, L + 1, n, 5)`` normals in one call: layer 1's $h_1$ from slot ``[0, :, 0:2]``; for the weights
$W_{l+1}$ ($l = 1..L$) slot ``[l]`` holds $\eta$ (``0:2``, the readout uses row 0), $b$ (``2``) and
$\zeta$ (``3:5``).

>>> import numpy as np
>>> from numerics.kernel.moments import two_inputs
>>> ntk_draws_in_law(two_inputs(r1=1.0, r2=1.0, angle=1.0), activation="relu", depth=2, width=8,
...                  W_std=1.5, b_std=0.05, n_samples=5, seed=0).shape
(5, 3)
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..dual.activations import Activation
from ..dual.activations import activation as _activation
from .conditional import _factor
from .networks import _check_options

__all__ = ["ntk_draws_in_law"]


def _act(activation) -> Activation:
    return activation if isinstance(activation, Activation) else _activation(activation)


def _basis(a1, a2):
    """Gram-Schmidt basis ``(q1, q2)`` of the columns and their factor ``(r11, r21, r22)`` (rows: samples)."""
    r11, r21, r22 = _factor(np.einsum("sj,sj->s", a1, a1), np.einsum("sj,sj->s", a1, a2),
                            np.einsum("sj,sj->s", a2, a2))
    q1 = np.where(r11[:, None] > 0, a1 / np.where(r11 > 0, r11, 1.0)[:, None], 0.0)
    q2 = np.where(r22[:, None] > 0, (a2 - r21[:, None] * q1) / np.where(r22 > 0, r22, 1.0)[:, None], 0.0)
    return (q1, q2), (r11[:, None], r21[:, None], r22[:, None])


def _dot(u, v):
    return np.einsum("sj,sj->s", u, v)


def _chunk_ntk(act, z, first, k, W_std, b_std, controls):
    """Forward and backward pass of one chunk of normals ``z`` (S, L+1, n, 5); returns (S, 3) NTK draws
    (``controls``: the control statistics of :func:`ntk_draws_in_law` in the further columns)."""
    S, L1, n, _ = z.shape
    f11, f21, f22 = first
    h = [(f11 * z[:, 0, :, 0], f21 * z[:, 0, :, 0] + f22 * z[:, 0, :, 1])]
    sw, sb, layers, slopes = W_std / math.sqrt(n), b_std, [], []
    out = np.zeros((S, 3 + 7 * (L1 - 1) + 2 if controls else 3))
    gram = np.broadcast_to(np.array([k[0, 0], k[1, 1], k[0, 1]]), (S, 3))    # the kernel of layer 1's units
    for l in range(1, L1):                                  # weights W_{l+1}: input A_l, output h_{l+1}
        a = (act.phi_block(h[-1][0]), act.phi_block(h[-1][1]))
        slopes.append((np.asarray(act.phi_prime(h[-1][0])), np.asarray(act.phi_prime(h[-1][1]))))
        if controls:                                        # layer l's unit averages and its kernel G^l
            prime = slopes[-1][0] * slopes[-1][1]
            out[:, 3 + 7 * (l - 1):3 + 7 * l] = np.column_stack(
                [np.stack([a[0] * a[0], a[1] * a[1], a[0] * a[1], prime], axis=1).mean(axis=2), gram])
            gram = np.stack([_dot(a[0], a[0]), _dot(a[1], a[1]), _dot(a[0], a[1])], axis=1) * (W_std**2 / n) + b_std**2
        (q1, q2), (r11, r21, r22) = _basis(*a)
        rows = slice(None) if l < L1 - 1 else slice(0, 1)   # the readout has one unit
        eta, bias = z[:, l, rows, 0:2], z[:, l, rows, 2]
        h.append((sw * r11 * eta[..., 0] + sb * bias, sw * (r21 * eta[..., 0] + r22 * eta[..., 1]) + sb * bias))
        layers.append((a, q1, q2, eta, z[:, l, :, 3], z[:, l, :, 4]))
    deltas, ntk = (np.ones((S, 1)), np.ones((S, 1))), out
    for l in range(L1 - 1, -1, -1):                         # layer l+1 has input A_l and sensitivities deltas
        da, db = deltas
        dd = np.stack([_dot(da, da), _dot(db, db), _dot(da, db)], axis=1)
        if l == 0:
            ntk[:, :3] += np.array([k[0, 0], k[1, 1], k[0, 1]]) * dd
            break
        a, q1, q2, eta, z1, z2 = layers[l - 1]
        g = np.stack([_dot(a[0], a[0]), _dot(a[1], a[1]), _dot(a[0], a[1])], axis=1) * (W_std**2 / n) + b_std**2
        ntk[:, :3] += g * dd
        l11, l21, l22 = (v[:, None] for v in _factor(dd[:, 0], dd[:, 2], dd[:, 1]))
        u = (l11 * z1, l21 * z1 + l22 * z2)
        back = []
        for dx, ux in zip(deltas, u):
            c1, c2 = (np.einsum("si,si->s", dx, eta[..., k])[:, None] for k in (0, 1))
            back.append(ux + q1 * (c1 - _dot(q1, ux)[:, None]) + q2 * (c2 - _dot(q2, ux)[:, None]))
        slope = slopes[l - 1]                               # phi'(h_l) at both inputs
        if controls and l == L1 - 1:                        # the readout weights w = back (both inputs)
            prime = slope[0] * slope[1]
            ntk[:, -2], ntk[:, -1] = (prime * (back[0] ** 2 - 1)).mean(axis=1), (prime * prime).mean(axis=1)
        deltas = tuple(dx * (sw * bx) for dx, bx in zip(slope, back))
    return ntk


def ntk_draws_in_law(x, *, activation, depth, width, W_std, b_std, n_samples, seed, controls=False) -> np.ndarray:
    r"""Draws of $(\hat\Theta(x_a, x_a), \hat\Theta(x_b, x_b), \hat\Theta(x_a, x_b))$, shape ``(n_samples, 3)``.

    Parameters
    ----------
    x:
        The two inputs, shape ``(2, d)``, finite.
    activation, depth, width, W_std, b_std, n_samples, seed:
        As for :func:`numerics.kernel.networks.fc_empirical_ntk` (same validation); ``depth`` >= 1.
    controls:
        Also return control statistics of the same network (columns ``3..``): for each hidden layer
        $l = 1..L$ seven columns, the averages over its units of $(\varphi_a^2, \varphi_b^2, \varphi_a\varphi_b,
        \varphi'_a\varphi'_b)$ and the kernel $(\hat G^l_{aa}, \hat G^l_{bb}, \hat G^l_{ab})$ its units are
        conditionally $N(0, \hat G^l)$ with ($\hat G^1 = K^1$); then, with
        $p_k = \varphi'(h_{L,k}(x_a))\varphi'(h_{L,k}(x_b))$ and the readout weights $w$ (independent of the
        hidden layers), $\frac1n\sum_k p_k(w_k^2 - 1)$ (conditional mean 0) and $\frac1n\sum_k p_k^2$ (its conditional
        variance is $2/n$ times this).  Used by :func:`numerics.kernel.ntk_fluctuation.fluctuation_draws`.

    Returns
    -------
    ndarray ``(n_samples, 3)``: i.i.d. draws with the law of the explicit network's empirical NTK
    (module docstring), not equal to it draw by draw.
    """
    act = _act(activation)
    x, depth, width, W_std, b_std, n_samples, _ = _check_options(x, depth, width, W_std, b_std, n_samples, "float64")
    if x.shape[0] != 2:
        raise ValueError(f"x must hold exactly two inputs (shape (2, d)), got shape {x.shape}")
    if not isinstance(controls, bool):
        raise ValueError(f"controls={controls!r} must be True or False")
    if depth < 1:
        raise ValueError(f"depth={depth!r} must be >= 1 (a hidden layer); allowed range [1, inf)")
    k = (W_std**2 / x.shape[1]) * (x @ x.T) + b_std**2     # input kernel K^1
    first = _factor(k[0, 0], k[0, 1], k[1, 1])
    blocks = SeedBlocks(seed, n_samples)
    out = np.empty((n_samples, 3 + 7 * depth + 2 if controls else 3))
    per_sample = 8 * (depth + 1) * width * 5 * 4
    for chunk in blocks.chunks(blocks_per_chunk(None, per_sample, n_samples)):
        z = blocks.normals(chunk, (depth + 1, width, 5))
        lo, hi = blocks.span(chunk)
        out[lo:hi] = _chunk_ntk(act, z, first, k, W_std, b_std, controls)
    return out
