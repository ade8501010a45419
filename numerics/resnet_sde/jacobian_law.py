r"""The input Jacobian of deep ResNets with $\psi = \mathrm{id}$ (Peluchetti and Favaro, JMLR 2021, §4, §5.4).

* :func:`jacobian_log_norms`: $g_L = \partial x_L/\partial x_0$ of finite networks and $\log|g_Le_1|$,
  $\log|g_L^\top e_1|$;
* :func:`jacobian_gram_diagonal`, :func:`jacobian_gram_off_diagonal`: per-network averages of the
  diagonal and off-diagonal entries of $g_L^\top g_L$;
* for $\phi = \psi = \mathrm{id}$, the exact law of $\log|g_L v|$ at finite $D$, $L$:
  :func:`linear_jacobian_log_norm_moments` (mean, variance) and :func:`linear_jacobian_log_norm_cdf`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import interpolate as _interp
from scipy import special as _special
from scipy.stats import poisson as _poisson

from ..core.validation import check_finite_array, check_integer
from ._model import ResNet
from .ntk import resnet_jacobian

__all__ = ["jacobian_gram_diagonal", "jacobian_gram_off_diagonal", "jacobian_log_norms",
           "linear_jacobian_log_norm_cdf", "linear_jacobian_log_norm_moments"]

CHUNK = 4096  # networks per batch of the simulator


def jacobian_log_norms(phi, width, sigma_w, sigma_b, depth, *, n_samples, seed):
    r"""$g_L$ (shape ``(n, D, D)``), $\log|g_L e_1|$ and $\log|g_L^\top e_1|$ of ``n_samples`` ResNets with
    outer activation ``phi``, $\psi = \mathrm{id}$, from $x_0 = \mathbf 1$."""
    net = ResNet(depth=depth, width=width, sigma_w=sigma_w, sigma_b=sigma_b, phi=phi, psi="identity")
    g = resnet_jacobian(net, np.ones((1, width)), n_samples=n_samples, seed=seed, chunk_size=CHUNK)[:, 0]
    return g, np.log(np.linalg.norm(g[:, :, 0], axis=1)), np.log(np.linalg.norm(g[:, 0, :], axis=1))


def _gram(g) -> np.ndarray:
    g = check_finite_array("g", g, ndim=3)
    if g.shape[1] != g.shape[2]:
        raise ValueError(f"g has shape {g.shape}; expected (n, D, D)")
    return np.matmul(g.transpose(0, 2, 1), g)


def jacobian_gram_diagonal(g) -> np.ndarray:
    r"""$\operatorname{tr}(g^\top g)/D$ per network (its mean is $E(g^\top g)_{ii}$ for exchangeable units).

    >>> jacobian_gram_diagonal(np.array([[[1.0, 1.0], [0.0, 1.0]]])).tolist()
    [1.5]
    """
    U = _gram(g)
    return np.trace(U, axis1=1, axis2=2) / U.shape[-1]


def jacobian_gram_off_diagonal(g) -> np.ndarray:
    r"""The average of the $D(D - 1)$ off-diagonal entries of $g^\top g$ per network ($D \ge 2$).

    >>> jacobian_gram_off_diagonal(np.array([[[1.0, 1.0], [0.0, 1.0]]])).tolist()
    [1.0]
    """
    U = _gram(g)
    D = U.shape[-1]
    if D < 2:
        raise ValueError(f"g has width D={D}; the off-diagonal needs D >= 2")
    return (U.sum((1, 2)) - np.trace(U, axis1=1, axis2=2)) / (D * (D - 1))


def _poisson_mixture(width, sigma_w, depth, T=1.0):
    r"""$\tfrac12\log X$ of one linear layer as a Poisson mixture (helper of the exact finite-depth law).

    With $\phi = \psi = \mathrm{id}$, $g_L = \prod_l (I + A_l)$, $A_{l,ij} \sim N(0, \varepsilon^2)$,
    $\varepsilon^2 = \sigma_w^2 T/(DL)$.  For a unit $v$, $|g_L v|^2 = \prod_l X_l$ with $X_l$ i.i.d.: given
    $w = g_l v$, the law of $|(I + A_l)w|/|w|$ does not depend on $w$ (rotation invariance of $A_l$), so each
    ratio is independent of the past and distributed as $|(I + A)e_1|^2 = (1 + \varepsilon g_1)^2 +
    \varepsilon^2\sum_{i\ge2} g_i^2 = \varepsilon^2\chi'^2_D(\lambda)$, $\lambda = 1/\varepsilon^2$, and
    $\chi'^2_D(\lambda) = \chi^2_{D + 2K}$ with $K \sim \mathrm{Poisson}(\lambda/2)$.  $g_L^\top = \prod(I + A_l^\top)$
    in reverse order has the same law, so $|g_L^\top u|$ has the same law as $|g_L v|$.

    Returns the weights $p_K$, the half degrees of freedom $a_K = D/2 + K$ and $\log(2\varepsilon^2)$.
    """
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=1)
    for name, v in (("sigma_w", sigma_w), ("T", T)):
        if not (isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}={v!r} must be a finite real number > 0")
    eps2 = sigma_w**2 * T / (width * depth)
    mu = 0.5 / eps2
    lo = max(0, int(mu - 12.0 * math.sqrt(mu) - 30))
    k = np.arange(lo, int(mu + 12.0 * math.sqrt(mu) + 30) + 1)
    p = _poisson.pmf(k, mu)
    return p / p.sum(), 0.5 * width + k, math.log(2.0 * eps2)


def linear_jacobian_log_norm_moments(width, sigma_w, depth, T=1.0):
    r"""Exact mean and variance of $\log|g_L v|$, $|v| = 1$, for $\phi = \psi = \mathrm{id}$ at finite $D$, $L$.

    $\log|g_L v| = \tfrac12\sum_{l<L}\log X_l$ (the Poisson mixture of one layer), and $E\log\chi^2_k = \log 2 +
    \psi(k/2)$, $\operatorname{Var}\log\chi^2_k = \psi'(k/2)$ (digamma, trigamma), so with $a = D/2 + K$:

    $$E\log|g_Lv| = \tfrac L2\big(\log 2\varepsilon^2 + E\psi(a)\big),\qquad
      \operatorname{Var}\log|g_Lv| = \tfrac L4\big(E\psi'(a) + \operatorname{Var}\psi(a)\big).$$

    As $L \to \infty$ these tend to the GBM law of ``resnet_sde.norm_gbm`` (tested).
    """
    p, a, log2e = _poisson_mixture(width, sigma_w, depth, T)
    dig = _special.digamma(a)
    m = p @ dig
    var1 = p @ _special.polygamma(1, a) + p @ (dig - m) ** 2
    return 0.5 * depth * (log2e + m), 0.25 * depth * var1


def linear_jacobian_log_norm_cdf(y, width, sigma_w, depth, T=1.0, *, grid=2049, smoothing=0.0):
    r"""Exact CDF of $\log|g_L v|$ ($\phi = \psi = \mathrm{id}$, finite $D$, $L$) by Gil-Pelaez inversion.

    The characteristic function of one layer's $\tfrac12\log X$ is
    $\varphi_1(t) = E X^{it/2} = \sum_K p_K (2\varepsilon^2)^{it/2}\,\Gamma(a_K + it/2)/\Gamma(a_K)$
    ($E(\chi^2_k)^s = 2^s\Gamma(k/2 + s)/\Gamma(k/2)$), that of the sum $\varphi = \varphi_1^L$, and
    $F(y) = \tfrac12 - \tfrac1\pi\int_0^\infty \operatorname{Im}[e^{-ity}\varphi(t)]/t\,dt$, integrated by
    16-point Gauss-Legendre panels up to $|\varphi| < e^{-32}$.  More than ``grid`` points: inverted on a
    uniform grid of ``grid`` points over their range and interpolated by a cubic spline.  Numerical error
    below $10^{-9}$ (tested against the closed form at $L = 1$, $D = 1$: $P(|1 + \varepsilon g| \le e^y)$,
    and the spline against direct inversion).

    ``smoothing`` $= h \ge 0$: the CDF of $\log|g_L v| + hZ$, $Z \sim N(0, 1)$ independent, i.e.
    $E\,\Phi((y - \log|g_L v|)/h)$ (characteristic function times $e^{-h^2t^2/2}$; tested against Gauss-Hermite
    quadrature of the unsmoothed CDF).
    """
    y = np.asarray(y, dtype=float)
    if not (isinstance(smoothing, (int, float)) and math.isfinite(smoothing) and smoothing >= 0):
        raise ValueError(f"smoothing={smoothing!r} must be a finite real number >= 0")
    p, a, log2e = _poisson_mixture(width, sigma_w, depth, T)
    mean, var = linear_jacobian_log_norm_moments(width, sigma_w, depth, T)
    var += smoothing**2
    lga = _special.loggamma(a)

    def log_phi(t):
        s = 0.5j * np.asarray(t)[:, None]
        return depth * np.log(np.exp(s * log2e + _special.loggamma(a + s) - lga) @ p) - 0.5 * (smoothing * t) ** 2

    t_max = 1.0 / math.sqrt(var)
    while log_phi(np.array([t_max]))[0].real > -32.0:
        t_max *= 1.5
    span = float(np.max(np.abs(y - mean), initial=0.0)) + math.sqrt(var)
    panels = math.ceil(t_max * span / (2 * math.pi)) + 8       # about one period of e^{-ity} per panel
    nodes, weights = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, t_max, panels + 1)
    half = 0.5 * np.diff(edges)
    t = ((edges[:-1] + half)[:, None] + half[:, None] * nodes).ravel()
    w = (half[:, None] * weights).ravel()
    lp = log_phi(t)

    def inversion(points):
        out = np.empty_like(points)
        for i in range(0, points.size, 1024):                  # (points x nodes) blocks
            yy = points[i:i + 1024, None]
            out[i:i + 1024] = 0.5 - (np.exp(lp - 1j * t * yy).imag / t) @ w / math.pi
        return out

    flat = y.ravel()
    if flat.size <= grid:
        out = inversion(flat)
    else:  # many points: invert on a uniform grid, interpolate by a cubic spline (error < 1e-9, tested)
        lo, hi = float(flat.min()), float(flat.max())
        nodes_y = np.linspace(lo, hi, grid)
        out = _interp.CubicSpline(nodes_y, inversion(nodes_y))(flat)
    return np.clip(out, 0.0, 1.0).reshape(y.shape)


