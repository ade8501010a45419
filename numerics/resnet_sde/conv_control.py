r"""The exactly solvable linear relative of a convolutional ResNet and of Corollary 13's SDE: a control variate.

Replace $\phi$ by $\phi'(0)\,\mathrm{id}$ and $\psi$ by $\mathrm{id}$: the block (or the SDE
$dy_p = c_0\,dB + c_1\sum_k y_{p+k}\,dW_k$, ``drift`` dropped, $(c_0, c_1)$ of
:func:`~numerics.resnet_sde.conv_sde.noise_factor`) is linear in the state with centred noise, so $E y = x_0$ and the
channel-averaged second moments $C$ solve a linear recursion (Euler or a network of depth $L$,
:func:`~numerics.resnet_sde.conv_linear.conv_covariance_finite_depth`) or, in the limit, the linear ODE
$\dot C = $ ``cross_covariation``$\big(D\sum_k M_kCM_k^\top\big)$ (affine in $C$), solved here by a matrix
exponential (:func:`linear_relative_moments` with ``depth=None``).

Driven by the same draws as the nonlinear network (or SDE), $y$ is pathwise close to it; with $\lambda = E\,m(y)$
known exactly, $m(x) - \hat\beta\,(m(y) - \lambda)$ has the mean of $m(x)$ and a fraction of its variance
(:func:`controlled`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import expm

from ..core.sde import OperatorNoise
from ..core.validation import check_finite_array
from .conv_linear import conv_covariance_finite_depth, shift_matrices
from .conv_sde import PHI, SDE_CHUNK, conv_moments, conv_sde_terms, noise_factor
from .limit_sde import euler_maruyama_pair

__all__ = ["controlled", "conv_sde_moments_controlled", "linear_relative_moments"]


def _limit_covariance(x0, *, kernel_size, padding, sigma_w, sigma_b, dphi0, patch_scale) -> np.ndarray:
    r"""$C(1)$ of $\dot C = c_0^2\mathbf 1\mathbf 1^\top + c_1^2D\sum_k M_kCM_k^\top$, $C(0) = x_0x_0^\top/D$, with
    $(c_0, c_1)$ read off the generated ``cross_covariation`` (:func:`~numerics.resnet_sde.conv_sde.noise_factor`):
    the vectorised operator $c_1^2D\sum_k M_k \otimes M_k$ and the constant, exponentiated with one extra
    coordinate."""
    D = x0.shape[-1]
    X = x0.reshape(-1, D)
    P = X.shape[0]
    c0, c1 = noise_factor(dphi0, sigma_w, sigma_b, D, patch_scale=patch_scale)
    G = np.zeros((P * P + 1, P * P + 1))
    G[:-1, :-1] = c1**2 * D * sum(np.kron(M, M) for M in shift_matrices(x0.shape[:-1], kernel_size=kernel_size,
                                                                          padding=padding))
    G[:-1, -1] = c0**2
    return (expm(G) @ np.append((X @ X.T / D).ravel(), 1.0))[:-1].reshape(P, P)


def linear_relative_moments(x0, positions, *, depth, sigma_w, sigma_b, padding, dphi0=1.0, kernel_size=3,
                            patch_scale=1.0) -> np.ndarray:
    r"""Exact $E\,m(y)$ of the linear relative for the statistics of :func:`~numerics.resnet_sde.conv_sde.conv_moments`.

    ``x0`` has shape ``(*spatial, D)``; ``positions`` $= (p, q_1, \dots)$ flat indices.  Returns
    $(\bar x_{0,p},\ C_{pq_1} - \langle x_{0,p}, x_{0,q_1}\rangle/D, \dots)$: the channel mean (the relative has no
    drift) and the channel-averaged covariances, with $C$ after ``depth`` layers (or Euler steps) of
    $\Delta t = 1/$``depth``, or at $T = 1$ of the limit ODE for ``depth=None``.

    >>> x0 = np.array([[1.0], [2.0]])
    >>> linear_relative_moments(x0, (0, 0), depth=None, sigma_w=0.0, sigma_b=0.5, padding="zero").tolist()
    [1.0, 0.25]
    """
    x0 = check_finite_array("x0", x0)
    D = x0.shape[-1]
    kw = dict(kernel_size=kernel_size, padding=padding, sigma_w=sigma_w, sigma_b=sigma_b, patch_scale=patch_scale)
    if depth is None:
        C = _limit_covariance(x0, dphi0=dphi0, **kw)
    else:
        C = conv_covariance_finite_depth(x0, depth=depth, dphi0=dphi0, **kw)
    X = x0.reshape(-1, D)
    p = positions[0]
    return np.array([X[p].mean()] + [C[p, q] - X[p] @ X[q] / D for q in positions[1:]])


def controlled(stats, control, control_mean) -> np.ndarray:
    r"""Draws $s_i - \hat\beta_j(c_i - \lambda)$ per column $j$: ``stats`` and ``control`` of shape ``(n, k)``,
    ``control_mean`` $\lambda$ the exact mean of ``control`` (shape ``(k,)``); $\hat\beta_j$ the least-squares slope
    of column $j$ of ``stats`` on that of ``control`` (0 where the control does not vary).

    Their mean is unbiased for $E s$ up to $O(1/n)$ (the slope is estimated on the same draws; Glasserman 2004,
    §4.1) and their standard deviation over $\sqrt n$ is the control-variate standard error.
    """
    s, c = np.asarray(stats, dtype=float), np.asarray(control, dtype=float)
    cc = c - c.mean(0)
    var = (cc**2).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        beta = np.where(var > 0, (cc * (s - s.mean(0))).sum(0) / np.where(var > 0, var, 1.0), 0.0)
    return s - beta * (c - np.asarray(control_mean, dtype=float))


def conv_sde_moments_controlled(phi, psi, x0, positions, *, sigma_w, sigma_b, padding, n_paths, n_steps, seed,
                                kernel_size=3, drift=True, patch_scale=1.0,
                                psi_slope=1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""As :func:`~numerics.resnet_sde.conv_sde.conv_sde_moments` (Richardson over ``n_steps`` and ``n_steps // 2``
    Euler steps on one Brownian path), with the linear relative solved on the same increments as a control variate:
    the relative's Richardson combination has the exact mean $2\lambda_{n} - \lambda_{n/2}$ (Euler of a linear SDE
    is the linear network of that depth).  The relative's $\psi$ is $y \mapsto$ ``psi_slope`` $\cdot\,y$ (its
    filter scale $\sigma_w$ times ``psi_slope``).  ``x0`` has shape ``(1, *spatial, D)``; returns (values, standard
    errors).
    """
    x0 = check_finite_array("x0", x0)
    spatial, D = x0.shape[1:-1], x0.shape[-1]
    P = math.prod(spatial)
    kw = dict(sigma_w=sigma_w, sigma_b=sigma_b, padding=padding, kernel_size=kernel_size, patch_scale=patch_scale)
    mu, noise = conv_sde_terms(phi, psi, spatial, D, drift=drift, **kw)
    lin = dict(kw, sigma_w=psi_slope * sigma_w)
    _, lin_noise = conv_sde_terms(phi, "identity", spatial, D, drift=False, **lin)

    def both_drift(t, y, args):
        out = np.zeros_like(y)
        if mu is not None:
            out[:, :P] = mu(t, y[:, :P], args)
        return out

    def both_noise(t, y, args, dW):
        return np.concatenate([noise.apply(t, y[:, :P], args, dW), lin_noise.apply(t, y[:, P:], args, dW)], axis=1)

    y0 = np.concatenate([x0.reshape(1, P, D)] * 2, axis=1)
    fine, coarse = euler_maruyama_pair(both_drift, OperatorNoise(both_noise, noise.dim), y0, n_paths=n_paths,
                                       n_steps=n_steps, seed=seed, chunk_size=SDE_CHUNK)
    rich = [2 * conv_moments(fine[:, sl], positions) - conv_moments(coarse[:, sl], positions)
            for sl in (slice(0, P), slice(P, 2 * P))]
    lam = [linear_relative_moments(x0[0], positions, depth=m, dphi0=PHI[phi][1], **lin)
           for m in (n_steps, n_steps // 2)]
    draws = controlled(rich[0], rich[1], 2 * lam[0] - lam[1])
    return draws.mean(0), draws.std(0, ddof=1) / math.sqrt(draws.shape[0])
