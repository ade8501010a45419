r"""The readout's conditional kernel: Rao-Blackwellised output second moments at two inputs.

For the network of :func:`numerics.kernel.networks.fc_outputs` with $L \ge 1$
hidden layers of width $n$, the readout $f = \frac{\sigma_w}{\sqrt n} W_{L+1}
\varphi(h_L) + \sigma_b b_{L+1}$ is, given the last hidden layer, a centred
Gaussian with covariance

$$\hat G_{ab} = \frac{\sigma_w^2}{n}\sum_{j=1}^{n}\varphi(h_{L,j}(x_a))\,\varphi(h_{L,j}(x_b)) + \sigma_b^2,
  \qquad E[f(x_a) f(x_b) \mid h_L] = \hat G_{ab}.$$

So $\hat G$ is an unbiased draw of $E[f(x_a) f(x_b)]$ with a smaller variance
than $f(x_a) f(x_b)$ (Rao-Blackwell: $\operatorname{Var} f_a f_b = E\operatorname{Var}(f_a f_b\mid h_L)
+ \operatorname{Var}\hat G_{ab}$, and the first term, $\hat G_{aa}\hat G_{bb} + \hat G_{ab}^2$ on average,
is the whole variance of a Gaussian product: $O(1)$, while $\operatorname{Var}\hat G = O(1/n)$).

The hidden layers are drawn exactly in law, as ``fc_outputs(method="exact_in_law")``
does: given layer $l$, the rows of $h_{l+1}$ are i.i.d. $N(0, \hat G^{l+1})$ with
$\hat G^{l+1}$ as above, drawn as $h_{l+1} = \xi\,F^\top$ with $\xi$ standard
normal ($n \times 2$) and $F$ the lower-triangular factor of the $2\times 2$
matrix $\hat G^{l+1}$, written out ($F_{11} = \sqrt{G_{11}}$,
$F_{21} = G_{12}/F_{11}$, $F_{22} = \sqrt{G_{22} - F_{21}^2}$; a pivot at rounding level is zero, as in
:func:`numerics.core.sampling.psd_cholesky`: the exact factor of a singular PSD matrix, no jitter).

**Antithetic first layer** (``antithetic=True``): $(\xi_1, \xi_2, \dots, \xi_L)$ and
$(-\xi_1, \xi_2, \dots, \xi_L)$ have the same law, so the average of $\hat G$ over
the pair is again an unbiased draw, one per row (rows stay i.i.d.).  It cancels
the odd part of $\varphi(h_1)\varphi(h_1')$ in $h_1$: e.g. one hidden ReLU
layer of width 1 gives $\frac{\sigma_w^2}{2}(\varphi(h)\varphi(h') + \varphi(-h)\varphi(-h')) + \sigma_b^2$,
which is $\frac{\sigma_w^2}{2}h^2 + \sigma_b^2$ on the diagonal (relative standard deviation
$\sqrt2$ instead of $\sqrt5$ before averaging).  Odd or even activations gain nothing
(the pair gives the same value twice).

Seeds: the seed-block scheme of :mod:`numerics.core.sampling`; block $j$ draws
its ``(samples, L, n, 2)`` normals $\xi$ in one call (layer by layer, C order).

>>> import numpy as np
>>> g = readout_kernel_draws(np.eye(2, 3), activation="relu", depth=2, width=8, W_std=1.0, b_std=0.0,
...                          n_samples=4, seed=0)
>>> g.shape
(4, 3)
"""

from __future__ import annotations

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_integer
from ..dual.activations import Activation, activation as _activation
from .networks import _check_options

__all__ = ["readout_kernel_draws"]


def _act(activation) -> Activation:
    return activation if isinstance(activation, Activation) else _activation(activation)


def _factor(g11, g12, g22):
    """Lower-triangular factor of the batch of 2x2 PSD matrices [[g11, g12], [g12, g22]] (no jitter).

    A pivot at rounding level ($\\le 8\\epsilon\\max(g_{11}, g_{22})$, the rule of
    :func:`numerics.core.sampling.psd_cholesky`) is zero: the exact factor of a singular matrix.
    """
    tol = 8 * np.finfo(float).eps * np.maximum(g11, g22)
    safe = g11 > tol
    f11 = np.where(safe, np.sqrt(np.where(safe, g11, 1.0)), 0.0)
    f21 = np.where(safe, g12 / np.where(safe, f11, 1.0), 0.0)
    pivot = g22 - f21 * f21
    f22 = np.where(pivot > tol, np.sqrt(np.where(pivot > tol, pivot, 1.0)), 0.0)
    return f11, f21, f22


def _readout_kernel(act, xi, first, W_std, b_std, sign):
    """Forward pass of one chunk; returns (G11, G22, G12) of the readout, each of shape (S,)."""
    f11, f21, f22 = first
    S, L, n, _ = xi.shape
    w2n, b2 = W_std**2 / n, b_std**2
    h1 = sign * f11 * xi[:, 0, :, 0]
    h2 = sign * (f21 * xi[:, 0, :, 0] + f22 * xi[:, 0, :, 1])
    for l in range(1, L + 1):
        a1, a2 = act.phi_block(h1), act.phi_block(h2)
        g11 = w2n * np.einsum("sj,sj->s", a1, a1) + b2
        g22 = w2n * np.einsum("sj,sj->s", a2, a2) + b2
        g12 = w2n * np.einsum("sj,sj->s", a1, a2) + b2
        if l == L:
            return g11, g22, g12
        f11, f21, f22 = (v[:, None] for v in _factor(g11, g12, g22))
        z1, z2 = xi[:, l, :, 0], xi[:, l, :, 1]
        h1 = f11 * z1
        h2 = f21 * z1 + f22 * z2


def readout_kernel_draws(x, *, activation, depth, width, W_std, b_std, n_samples, seed,
                         antithetic=True) -> np.ndarray:
    r"""Draws of the readout's conditional kernel $(\hat G_{11}, \hat G_{22}, \hat G_{12})$, shape (n_samples, 3).

    Parameters
    ----------
    x:
        The two inputs, shape ``(2, d)``, finite.
    activation, width, W_std, b_std, n_samples, seed:
        As for :func:`numerics.kernel.networks.fc_outputs` (same validation).
    depth:
        Hidden layers $L$, an integer >= 1 (the readout needs a hidden layer to condition on).
    antithetic:
        Average each draw with its antithetic twin (first layer's noise negated); see the module docstring.

    Returns
    -------
    ndarray ``(n_samples, 3)``: unbiased, i.i.d. draws of $E f(x)^2$, $E f(x')^2$ and
    $E f(x) f(x')$ at this width (column order of
    :func:`numerics.kernel.moments.output_second_moments`).
    """
    act = _act(activation)
    x, depth, width, W_std, b_std, n_samples, _ = _check_options(x, depth, width, W_std, b_std, n_samples, "float64")
    if x.shape[0] != 2:
        raise ValueError(f"x must hold exactly two inputs (shape (2, d)), got shape {x.shape}")
    check_integer("depth", depth, minimum=1)
    if not isinstance(antithetic, bool):
        raise ValueError(f"antithetic={antithetic!r} must be True or False")
    d = x.shape[1]
    k = (W_std**2 / d) * (x @ x.T) + b_std**2            # input kernel K^1, computed here from its definition
    first = _factor(k[0, 0], k[0, 1], k[1, 1])
    blocks = SeedBlocks(seed, n_samples)
    out = np.empty((n_samples, 3))
    per_sample = 8 * depth * width * 2 * (3 if antithetic else 2)
    for chunk in blocks.chunks(blocks_per_chunk(None, per_sample, n_samples)):
        xi = blocks.normals(chunk, (depth, width, 2))
        lo, hi = blocks.span(chunk)
        g = np.stack(_readout_kernel(act, xi, first, W_std, b_std, 1.0), axis=1)
        if antithetic:
            g += np.stack(_readout_kernel(act, xi, first, W_std, b_std, -1.0), axis=1)
            g *= 0.5
        out[lo:hi] = g
    return out
