r"""Deep finite networks, exactly in law: gradient norms and correlation deficits over depth.

No weight matrices are drawn.  Given layer $l-1$, the fresh $W^l$ (entries $N(0,\sigma_w^2/n)$) and bias
($N(0,\sigma_b^2)$) act on two fixed vectors, so layer $l$ is i.i.d. over units given the past:

* **Jacobian chain** (forward mode): $h^l = W^l\varphi(h^{l-1}) + b^l$ and the tangent
  $t^l = W^l(\varphi'(h^{l-1})\odot t^{l-1}) = J_{0\to l}\,t^0$ have rows $(h^l_i, t^l_i)$ i.i.d.
  $N(0, K^l)$, $K^l = \sigma_w^2\frac1n\sum_j(a_j, d_j)^\top(a_j, d_j) + \mathrm{diag}(\sigma_b^2, 0)$,
  $a = \varphi(h^{l-1})$, $d = \varphi'(h^{l-1})\odot t^{l-1}$.  Start: $h^0$ i.i.d. $N(0, q)$ (the
  infinite-width law at $q = q^*$), $t^0 \sim N(0, I_n)$.
* **Gradient norms**: $G_L = K^L_{22}$ has $E\,G_L = E\|J_{0\to L}t^0\|^2/n = E\,\mathrm{tr}(J^\top J)/n$, the
  mean squared gradient norm $E\|J^\top g\|^2$ for a random unit $g$ too (trace identity); its width limit
  is $\chi_1^L$, and $E\,G_1 = \chi_1$ at every width.
* **Correlation deficit**: two inputs $x$, $x' = (1-\delta)x + \sqrt{2\delta - \delta^2}\,\sqrt q\,z$ of
  correlation $1-\delta$ give, as $\delta\to0$ pathwise, $(1-\hat c^L)/\delta \to Y_L =
  q\,(K^L_{22} - (K^L_{12})^2/K^L_{11})/K^L_{11}$ (with $t^0 = z$: $1-\hat c \approx |e_\perp|^2/(2|h|^2)$ to
  second order in the perturbation $e = J(x'-x)$), so $E\,Y_L = \frac{d(1 - c^L)}{d(1 - c^0)}\big|_{c^0 = 1}$,
  whose width limit is $\chi_1^L$: the linearised approach of $c$ to $c^* = 1$.
  :func:`correlation_deficit_slopes` computes the same derivative at finite $\delta$ with two inputs
  (Richardson $2Y(\delta) - Y(2\delta)$, an independent path for the tests).

**Control variate.**  $D_l = G_l - E[G_l \mid K^{l-1}]$ has mean zero exactly, and
$E[G_l \mid K^{l-1}] = \sigma_w^2 E[\varphi'(h)^2(r + s^2h^2)]$ with $h \sim N(0, K^{l-1}_{11})$,
$s = K^{l-1}_{12}/K^{l-1}_{11}$, $r = K^{l-1}_{22} - s K^{l-1}_{12}$ (one-dimensional Gaussian integrals,
by the graded Gauss-Legendre rule of :mod:`numerics.core.quadrature`, not the Gauss-Hermite rule that
the predictions use).  Both columns subtract $M_L = \sum_{l\le L}\hat\chi^{L-l}D_l$ ($\hat\chi$ the simulated
network's own $\chi_1$), which removes the layer-by-layer sampling noise and leaves every mean unchanged;
``control_variate=False`` returns the raw statistics.
"""

from __future__ import annotations

import numpy as np

from ..core.quadrature import gaussian_expectation
from ._checks import check_variance
from .activations import smooth_activation

__all__ = ["correlation_deficit_slopes", "jacobian_norms"]

_CV_NODES = 8  # Gauss-Legendre nodes per panel of the control variate's conditional means (relative error ~1e-8)


def _check(sigma_w2, sigma_b2, depths, width):
    sw = float(check_variance("sigma_w2", sigma_w2, positive=True))
    sb = float(check_variance("sigma_b2", sigma_b2, positive=False))
    if not (isinstance(width, (int, np.integer)) and width >= 1):
        raise ValueError(f"width={width!r} must be an integer >= 1")
    ds = tuple(depths)
    if not ds or any(not (isinstance(d, (int, np.integer)) and d >= 1) for d in ds) or list(ds) != sorted(set(ds)):
        raise ValueError(f"depths={depths!r} must be increasing integers >= 1")
    return sw, sb, ds


def jacobian_norms(activation: str, *, sigma_w2: float, sigma_b2: float, q: float, depths, width: int, n: int,
                   seed, control_variate: bool = True, chunk: int = 4000) -> np.ndarray:
    """``n`` i.i.d. rows ``(G_L for L in depths, Y_L for L in depths)`` (module docstring), minus $M_L$."""
    sw, sb, ds = _check(sigma_w2, sigma_b2, depths, width)
    q = float(check_variance("q", q, positive=True))
    phi, dphi = smooth_activation(activation).derivatives[:2]
    chi = sw * float(gaussian_expectation(lambda x: dphi(x) ** 2, q, nodes=_CV_NODES))
    rng = np.random.default_rng(seed)
    out = np.empty((n, 2 * len(ds)))
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        h = np.sqrt(q) * rng.standard_normal((m, width))
        t = rng.standard_normal((m, width))
        expected, control = np.full(m, chi), np.zeros(m)  # E[k22 | previous kernel]; M_l
        for layer in range(1, ds[-1] + 1):
            a, d = phi(h), dphi(h) * t
            k11 = sw * np.mean(a * a, axis=1) + sb
            k12 = sw * np.mean(a * d, axis=1)
            k22 = sw * np.mean(d * d, axis=1)
            if control_variate:
                control = chi * control + (k22 - expected)
            resid, slope = np.maximum(k22 - k12**2 / k11, 0.0), k12 / k11  # t = slope h + sqrt(resid) xi
            if layer in ds:  # layer L's kernel given layer L-1: (h^L_i, t^L_i) ~ N(0, [[k11, k12], [k12, k22]])
                j = ds.index(layer)
                out[start:start + m, j] = k22 - control
                out[start:start + m, len(ds) + j] = q * resid / k11 - control
            if layer == ds[-1]:
                break
            if control_variate:  # E[k22 of the next layer | this kernel], graded Gauss-Legendre
                expected = sw * gaussian_expectation(
                    lambda x, r=resid[:, None], s=slope[:, None]: dphi(x) ** 2 * (r + s * s * x * x), k11,
                    nodes=_CV_NODES)
            z1, z2 = rng.standard_normal((2, m, width))
            h = np.sqrt(k11)[:, None] * z1
            t = slope[:, None] * h + np.sqrt(resid)[:, None] * z2
    return out


def correlation_deficit_slopes(activation: str, *, sigma_w2: float, sigma_b2: float, q: float, depths, width: int,
                               n: int, seed, delta: float, chunk: int = 4000) -> np.ndarray:
    """``n`` i.i.d. rows of $2Y(\\delta) - Y(2\\delta)$, one column per depth (see the module docstring)."""
    sw, sb, ds = _check(sigma_w2, sigma_b2, depths, width)
    q = float(check_variance("q", q, positive=True))
    if not (0.0 < delta <= 0.25):
        raise ValueError(f"delta={delta!r} is outside the allowed range (0, 0.25]")
    phi = smooth_activation(activation).derivatives[0]
    rng = np.random.default_rng(seed)
    out = np.empty((n, len(ds)))
    steps = np.array([delta, 2.0 * delta])[:, None]
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        k11 = np.full((2, m), q)
        k22 = np.full((2, m), q)
        dab = q * steps * np.ones(m)  # sqrt(k11 k22) - k12, carried without cancellation
        for layer in range(1, ds[-1] + 1):
            z1, z2 = rng.standard_normal((2, 1, m, width))  # shared by the delta and 2 delta runs
            root = np.sqrt(k11 * k22)
            s1 = np.sqrt(k11)
            r = np.sqrt(np.maximum(dab * (2.0 * root - dab), 0.0) / k11)  # k22 - k12^2/k11 = dab (root + k12) / k11
            f1, f2 = phi(s1[..., None] * z1), phi(((root - dab) / s1)[..., None] * z1 + r[..., None] * z2)
            k11 = sw * np.mean(f1 * f1, axis=-1) + sb
            k22 = sw * np.mean(f2 * f2, axis=-1) + sb
            gap = sw * np.mean((f1 - f2) ** 2, axis=-1)  # k11 + k22 - 2 k12
            dab = gap / 2 - (np.sqrt(k11) - np.sqrt(k22)) ** 2 / 2
            if layer in ds:
                y = dab / np.sqrt(k11 * k22) / steps
                out[start:start + m, ds.index(layer)] = 2.0 * y[0] - y[1]
    return out
