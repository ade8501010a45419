r"""The diffusion limit of convolutional deep ResNets (JMLR §3.2, Theorem 10, Corollaries 11 and 13).

As $L \to \infty$ the state of the block of :func:`~numerics.resnet_sde.conv_resnet_outputs` (odd filter size
$K$, zero or circular padding, $\Delta t = 1/L$) solves, per position $p$,

$$dx_p = \mu(x_{\star p})\mathbf 1_D\,dt + dM_p,\qquad
  \mu = \tfrac12\phi''(0)\big(\sigma_b^2 + \sigma_w^2\|\psi(x_{\star p})\|^2/D\big),\qquad
  d[M_p, M_{p'}] = \phi'(0)^2\big(\sigma_b^2 + \sigma_w^2\langle\psi(x_{\star p}),\psi(x_{\star p'})\rangle/D\big)
  I_D\,dt,$$

$x_{\star p}$ the $K^sD$ entries of the patch at $p$ (padded as the network pads).  Drift and covariation are the
generated ``drift`` and ``cross_covariation`` of record ``resnet_sde.conv``.  Here: the terms
(:func:`conv_sde_terms`), the terminal value by Euler--Maruyama on a fine and a coarsened grid of one Brownian
path (:func:`conv_sde_terminal`), the per-draw summands of a mean and of channel-averaged covariances
(:func:`conv_moments`), and their Richardson-extrapolated expectations at $T = 1$ (:func:`conv_sde_moments`).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sde import OperatorNoise
from ..core.validation import check_finite_array, check_integer
from ..generated import resnet_sde_conv as conv_forms
from .conv import PADDINGS, patch_sources
from .limit_sde import euler_maruyama_pair

__all__ = ["PHI", "PSI", "conv_moments", "conv_sde_moments", "conv_sde_terminal", "conv_sde_terms",
           "noise_factor"]

#: $\phi$: (simulator name, $\phi'(0)$, $\phi''(0)$)
PHI = {"tanh": ("tanh", 1.0, 0.0), "swish": ("silu", 0.5, 0.5)}
PSI = {"identity": lambda x: x, "tanh": np.tanh}
SDE_CHUNK = 4096  # paths per solve (bounds the Brownian increments and patches held at once)


def noise_factor(dphi0, sigma_w, sigma_b, width, *, patch_scale=1.0) -> tuple[float, float]:
    r"""$(c_0, c_1)$ with ``cross_covariation``$(\pi) = c_0^2 + c_1^2\pi$ (record ``resnet_sde.conv``).

    The covariation is affine in the patch inner product $\pi$; intercept and slope are read off the generated
    function and the affinity is checked at a third point.  Then $dM_p = c_0\,dB^b + c_1\sum_{k,i}\psi(x_{\star
    p})_{k,i}\,dB^W_{k,i}$ (one $D$-vector Brownian motion per bias and per filter tap, shared by all positions:
    Corollary 11) has $d[M_p, M_{p'}] = (c_0^2 + c_1^2\langle\psi(x_{\star p}),\psi(x_{\star p'})\rangle)I_D\,dt$.
    ``patch_scale`` multiplies $\pi$ (a planted error: $1/K^s$ is the per-position scaling of the filter variance).

    >>> noise_factor(1.0, 1.0, 0.0, 1)
    (0.0, 1.0)
    """
    cov = [float(conv_forms.cross_covariation(patch_scale * v, dphi0, sigma_w, sigma_b, width))
           for v in (0.0, 1.0, 2.0)]
    a, b = cov[0], cov[1] - cov[0]
    if not (a >= 0 and b >= 0 and math.isclose(cov[2], a + 2 * b, rel_tol=1e-12, abs_tol=1e-300)):
        raise ValueError(f"cross_covariation at patch_inner = 0, 1, 2 is {cov}: the noise factor needs it affine "
                         "in patch_inner with non-negative intercept and slope")
    return math.sqrt(a), math.sqrt(b)


def conv_sde_terms(phi, psi, shape, width, *, sigma_w, sigma_b, padding, kernel_size=3, drift=True,
                   patch_scale=1.0):
    r"""Drift and noise of Corollary 13's SDE for images of ``shape`` with ``width`` channels.

    The state has shape ``(n_paths, P, D)`` (positions in C order).  Drift: $\mu_p\mathbf 1_D$ with
    $\mu_p$ = ``drift`` of ``resnet_sde.conv`` at ``patch_sq_sum`` $= \|\psi(x_{\star p})\|^2$ (``None`` with
    ``drift=False``: the $\tfrac12\phi''(0)$ term dropped, a planted wrong law).  Noise: an
    :class:`~numerics.core.sde.OperatorNoise` of dimension $D(1 + K^sD)$ with the factor of :func:`noise_factor`:
    $dM_p = c_0\,dB^b + c_1\sum_{k,i}\psi(x_{p+k})_i\,dB^W_{k,i}$; ``patch_scale`` $\ne 1$ plants a wrong
    covariation.  ``phi`` is a key of :data:`PHI`, ``psi`` of :data:`PSI`.

    Returns ``(drift, noise)`` for :func:`numerics.core.sde.solve`.
    """
    for name, value, allowed in (("phi", phi, tuple(PHI)), ("psi", psi, tuple(PSI)), ("padding", padding, PADDINGS)):
        if value not in allowed:
            raise ValueError(f"{name}={value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}")
    D = check_integer("width", width, minimum=1)
    src = patch_sources(shape, kernel_size=kernel_size, padding=padding)  # (T, P); index P = the zero row
    _, dphi0, d2phi0 = PHI[phi]
    psi_f = PSI[psi]
    T, P = src.shape
    J = T * D
    c0, c1 = noise_factor(dphi0, sigma_w, sigma_b, D, patch_scale=patch_scale)
    taps_index = np.arange(T)[:, None]

    # Inside, the path axis is last (long inner loops): y (n, P, D) -> (P, D, n).
    def mu(t, y, args):
        p = psi_f(y)
        sq = np.zeros((P + 1, y.shape[0]))
        sq[:P] = np.einsum("npd,npd->pn", p, p)
        patch_sq = sq[src].sum(0)                                          # |psi(x_{*p})|^2, shape (P, n)
        return conv_forms.drift(patch_sq.T[..., None], d2phi0, sigma_w, sigma_b, D)

    def apply(t, y, args, dW):
        n = y.shape[0]
        a = np.ascontiguousarray(psi_f(y).transpose(1, 2, 0))            # (P, D_in, n)
        Z = np.ascontiguousarray(dW.reshape(n, 1 + J, D).transpose(1, 2, 0))
        taps = Z[1:].reshape(T, 1, D, D, n)                               # dB^W_{k, i, o}
        Y = np.zeros((T, P + 1, D, n))                                    # Y_k[q, o] = sum_i psi(x_q)_i dB^W_{k,i,o}
        np.multiply(a[None, :, 0, None], taps[:, :, 0], out=Y[:, :P])
        for i in range(1, D):
            Y[:, :P] += a[None, :, i, None] * taps[:, :, i]
        out = Y[taps_index, src].sum(0)                                   # sum_k Y_k[p + k]: the patch at p
        out *= c1
        out += c0 * Z[0]
        return out.transpose(2, 0, 1)

    return (mu if drift else None), OperatorNoise(apply, D * (1 + J))


def conv_sde_terminal(phi, psi, x0, *, sigma_w, sigma_b, padding, n_paths, n_steps, seed, kernel_size=3,
                      drift=True, patch_scale=1.0):
    r"""$x_T$ ($T = 1$) of Corollary 13's SDE (:func:`conv_sde_terms`) from ``x0`` (shape ``(1, *spatial, D)``).

    Euler--Maruyama at ``n_steps`` and, on the same Brownian path coarsened by 2, at ``n_steps // 2``, in chunks
    of :data:`SDE_CHUNK` paths with child seeds of ``seed`` (an integer or a SeedSequence, not mutated).

    Returns ``(fine, coarse)``, each of shape ``(n_paths, P, D)`` (positions in C order).
    """
    x0 = check_finite_array("x0", x0)
    if x0.ndim not in (3, 4) or x0.shape[0] != 1:
        raise ValueError(f"x0 must have shape (1, U, D) or (1, U, V, D), got shape {x0.shape}")
    n_paths = check_integer("n_paths", n_paths, minimum=1)
    n_steps = check_integer("n_steps", n_steps, minimum=2)
    if n_steps % 2:
        raise ValueError(f"n_steps={n_steps!r} is outside the allowed range: even integers >= 2 (the coarse "
                         "solution takes n_steps // 2)")
    spatial, D = x0.shape[1:-1], x0.shape[-1]
    P = math.prod(spatial)
    f, noise = conv_sde_terms(phi, psi, spatial, D, sigma_w=sigma_w, sigma_b=sigma_b, padding=padding,
                              kernel_size=kernel_size, drift=drift, patch_scale=patch_scale)
    return euler_maruyama_pair(f, noise, x0.reshape(1, P, D), n_paths=n_paths, n_steps=n_steps, seed=seed,
                               chunk_size=SDE_CHUNK)


def conv_moments(x, positions) -> np.ndarray:
    r"""Per draw, the summands of a channel mean and of channel-averaged covariances, shape ``(n, k)``.

    ``x`` has shape ``(n, P, D)`` (positions flattened in C order); ``positions`` $= (p, q_1, \dots, q_{k-1})$ are
    flat position indices.  Columns: $\bar x_p$ (channel mean), whose mean estimates $E\bar x_{T,p}$; then, for each
    $q_j$, $\frac{n}{n-1}\frac1D\sum_d (x_{p,d} - m_{p,d})(x_{q_j,d} - m_{q_j,d})$ with $m$ the sample means, whose
    mean is the unbiased sample covariance $\frac1D\sum_d\operatorname{Cov}(x_{p,d}, x_{q_j,d})$ (a variance for
    $q_j = p$).  The standard deviation of a column over $\sqrt n$ is its (delta-method) standard error.

    >>> conv_moments(np.array([[[1.0], [0.0]], [[-1.0], [2.0]]]), (0, 0, 1)).tolist()
    [[1.0, 2.0, -2.0], [-1.0, 2.0, -2.0]]
    """
    x = check_finite_array("x", x, ndim=3)
    n, P = x.shape[:2]
    if n < 2:
        raise ValueError(f"x has {n} draw(s); covariances need n >= 2")
    idx = [check_integer("positions", q, minimum=0) for q in positions]
    if not idx or max(idx) >= P:
        raise ValueError(f"positions={tuple(positions)!r} must be a non-empty sequence of indices in [0, {P})")
    p = idx[0]
    c = x - x.mean(0)
    scale = n / (n - 1)
    return np.stack([x[:, p].mean(-1)] + [scale * (c[:, p] * c[:, q]).mean(-1) for q in idx[1:]], axis=1)


def conv_sde_moments(phi, psi, x0, positions, *, sigma_w, sigma_b, padding, n_paths, n_steps, seed, kernel_size=3,
                     drift=True, patch_scale=1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Expectations at $T = 1$ of the :func:`conv_moments` statistics under Corollary 13's SDE, with standard errors.

    Richardson extrapolation on one Brownian path: with Euler--Maruyama (weak order 1) at step $h$ and $2h$
    (:func:`conv_sde_terminal`), $2\,m(x^{h}) - m(x^{2h})$ per path has mean $E m(x_T) + O(h^2)$; its sample mean
    and the standard deviation over $\sqrt{n}$ are returned, shapes ``(k,)``.  ``drift=False`` and
    ``patch_scale`` plant wrong laws (see :func:`conv_sde_terms`).
    """
    fine, coarse = conv_sde_terminal(phi, psi, x0, sigma_w=sigma_w, sigma_b=sigma_b, padding=padding,
                                     n_paths=n_paths, n_steps=n_steps, seed=seed, kernel_size=kernel_size,
                                     drift=drift, patch_scale=patch_scale)
    rich = 2 * conv_moments(fine, positions) - conv_moments(coarse, positions)
    return rich.mean(0), rich.std(0, ddof=1) / math.sqrt(rich.shape[0])
