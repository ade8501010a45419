r"""The $1/n$ expansion of a deep fully connected network's output variance: $E f(x)^2 = K + K_1/n + O(n^{-2})$.

The recursion is record ``kernel.finite_width`` (generated functions ``vertex_step`` and
``correction_step``); this module supplies its Gaussian moments at each layer's kernel $K$,

$$M_2 = \langle\varphi^2\rangle_K,\quad M_2' = \frac{\langle\varphi^2\,\mathrm{He}_2(z/\sqrt K)\rangle_K}{2K},\quad
  M_2'' = \frac{\langle\varphi^2\,\mathrm{He}_4(z/\sqrt K)\rangle_K}{4K^2},\quad M_4 = \langle\varphi^4\rangle_K,$$

with $\mathrm{He}_2(t) = t^2 - 1$ and $\mathrm{He}_4(t) = t^4 - 6t^2 + 3$.  The derivatives need no derivative of
$\varphi$: the Gaussian density $p_K$ solves $\partial_K p_K = \frac12\partial_z^2 p_K$, so
$\partial_K^k p_K = p_K\,\mathrm{He}_{2k}(z/\sqrt K)/(2K)^k$ (valid for ReLU's kink as well).  The expectations
are the graded Gauss-Legendre rule of :func:`numerics.core.quadrature.gaussian_expectation` (panels split at
$z = 0$, about $10^{-12}$ relative; checked against mpmath in the tests).

>>> import numpy as np
>>> k, k1, v = output_variance_expansion(np.array([[1.0, 0.0]]), activation="relu", depth=3, W_std=1.5, b_std=0.1)
>>> abs(float(k1[0])) < 1e-12 * float(k[0])    # ReLU: M_2 = K/2 is linear, M_2'' = 0, so K_1 = 0 at every depth
True
"""

from __future__ import annotations

import numpy as np

from ..core import quadrature
from ..core.validation import check_finite_array, check_integer, check_scalar
from ..dual.activations import Activation, activation as _activation
from ..generated import kernel_fc as _fc
from ..generated import kernel_finite_width as _fw

__all__ = ["output_variance_expansion", "variance_moments"]


def _act(activation) -> Activation:
    return activation if isinstance(activation, Activation) else _activation(activation)


def variance_moments(activation, q):
    r"""$(M_2, M_2', M_2'', M_4)$ at variance ``q`` > 0 (broadcasting), by quadrature (module docstring)."""
    act = _act(activation)
    q = np.asarray(q, dtype=float)
    if not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError(f"q={q!r} must be finite and > 0 (a layer's variance); allowed range (0, inf)")
    qq = q[..., None]

    def phi2(u):
        return np.asarray(act.phi(u), dtype=float) ** 2

    m2 = quadrature.gaussian_expectation(phi2, q)
    dm2 = quadrature.gaussian_expectation(lambda u: phi2(u) * (u * u / qq - 1.0), q) / (2 * q)
    d2m2 = quadrature.gaussian_expectation(lambda u: phi2(u) * ((u * u / qq) ** 2 - 6 * u * u / qq + 3.0), q) / (4 * q * q)
    m4 = quadrature.gaussian_expectation(lambda u: phi2(u) ** 2, q)
    return m2, dm2, d2m2, m4


def output_variance_expansion(x, *, activation, depth, W_std, b_std):
    r"""$(K, K_1, V)$ of the readout at each input: $E f(x)^2 = K + K_1/n + O(n^{-2})$, $\operatorname{Var}\hat G = V/n + O(n^{-2})$.

    Parameters
    ----------
    x:
        Inputs, shape ``(m, d)``; each row is expanded on its own (the diagonal of the kernel).
    activation:
        Catalog name or :class:`~numerics.dual.activations.Activation` ($\varphi$ must be vectorised).
    depth:
        Hidden layers $L \ge 0$ (depth 0 and 1: $K_1 = 0$, exact Gaussian pre-activations).
    W_std, b_std:
        $\sigma_w, \sigma_b \ge 0$, finite.

    Returns
    -------
    Three arrays of shape ``(m,)``: the NNGP $K^{L+1}(x, x)$, the coefficient $K_1^{L+1}$ and the vertex $V^{L+1}$
    (``n`` times the variance of the readout's conditional kernel, to leading order).
    """
    act = _act(activation)
    x = check_finite_array("x", x, ndim=2)
    depth = check_integer("depth", depth, minimum=0)
    W_std = check_scalar("W_std", W_std, low=0.0)
    b_std = check_scalar("b_std", b_std, low=0.0)
    if not (np.isfinite(W_std) and np.isfinite(b_std)):
        raise ValueError(f"W_std={W_std!r} and b_std={b_std!r} must be finite; allowed range [0, inf)")
    k = np.asarray(_fc.input_kernel(np.einsum("ij,ij->i", x, x), x.shape[1], W_std, b_std), dtype=float)
    k1, v = np.zeros_like(k), np.zeros_like(k)
    for _ in range(depth):
        m2, dm2, d2m2, m4 = variance_moments(act, k)
        k1, v = _fw.correction_step(dm2, d2m2, k1, v, W_std), _fw.vertex_step(m4, m2, dm2, v, W_std)
        k = _fc.nngp_step(act.variance(k, validate=False), W_std, b_std)
    return k, np.asarray(k1, dtype=float), np.asarray(v, dtype=float)
