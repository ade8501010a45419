r"""Exact finite-depth kernels of the linear ResNet ($\phi = \psi = \mathrm{id}$), at any width, and their limit.

The block $x_{l+1} = x_l + A_lx_l + a_l$, $\operatorname{Var}A_{ij} = \sigma_w^2/(DL)$,
$\operatorname{Var}a_i = \sigma_b^2/L$, from inputs copied to every unit ($x_0 = z\mathbf 1$, $\lambda_0 = zz'$).
Write $s = \sigma_w^2/L$, $\beta = \sigma_b^2/\sigma_w^2$.  Derived here from the finite network, not from the
SDE (so they are an independent route to record ``resnet_sde.ntk``):

* **NNGP.** $E[x_{l+1,i}x'_{l+1,i} \mid x_l] = x_{l,i}x'_{l,i} + s\lambda_l + \sigma_b^2/L$ with
  $\lambda_l = \langle x_l, x'_l\rangle/D$, and the units are exchangeable, so
  $E\lambda_{l+1} + \beta = (1 + s)(E\lambda_l + \beta)$:
  $$E x_{L,1}x'_{L,1} = E\lambda_L = (\lambda_0 + \beta)(1 + s)^L - \beta.$$
* **NTK parts** (gradients with respect to the standard normals $E_l$, $e_l$, output $y = x_{L,1}$).  With
  $\delta_{l+1} = \partial y/\partial x_{l+1} = \prod_{k>l}(I + A_k^\top)e_1$ (the same at both inputs),
  $K_W = \sum_l \tfrac{\sigma_w^2}{DL}|\delta_{l+1}|^2\langle x_l, x'_l\rangle$ and
  $K_b = \sum_l \tfrac{\sigma_b^2}{L}|\delta_{l+1}|^2$; $\delta_{l+1}$ depends on the later layers only,
  $x_l$ on the earlier ones, and $E|(I + A^\top)u|^2 = (1 + s)|u|^2$, so
  $$E K_W = \sigma_w^2(\lambda_0 + \beta)(1 + s)^{L-1} - \beta\big((1 + s)^L - 1\big),\qquad
    E K_b = \beta\big((1 + s)^L - 1\big).$$

None depends on $D$.  As $L \to \infty$, $(1 + s)^L \to e^{\sigma_w^2}$: the limits are the NNGP
$(\lambda_0 + \beta)e^{\sigma_w^2} - \beta$, $K_W = (\lambda_0 + \beta)\sigma_w^2e^{\sigma_w^2} - \beta(e^{\sigma_w^2} - 1)$,
$K_b = \beta(e^{\sigma_w^2} - 1)$; :func:`linear_kernels_limit` takes them by Richardson extrapolation of the
exact finite-depth values (not from the closed forms), to be compared with the record.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.validation import check_integer, check_scalar

__all__ = ["RICHARDSON_DEPTH", "linear_kernels_finite_depth", "linear_kernels_limit"]

RICHARDSON_DEPTH = 4096  #: the smallest depth $N$ of the limit's Richardson steps ($N, 2N, 4N$)


def linear_kernels_finite_depth(lam0, sigma_w, sigma_b, depth) -> np.ndarray:
    r"""$(E\lambda_L, EK_W, EK_b)$ of the linear ResNet at depth $L$ = ``depth`` (any width), $\lambda_0$ = ``lam0``.

    >>> linear_kernels_finite_depth(1.0, 1.0, 0.0, 1).tolist()   # (1 + 1) lambda_0, sigma_w^2 lambda_0, 0
    [2.0, 1.0, 0.0]
    """
    lam0 = check_scalar("lam0", lam0)
    sigma_w = check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True))
    sigma_b = check_scalar("sigma_b", sigma_b, low=0.0)
    L = check_integer("depth", depth, minimum=1)
    beta, log1p = sigma_b**2 / sigma_w**2, math.log1p(sigma_w**2 / L)
    grow, grow1 = math.exp(L * log1p), math.exp((L - 1) * log1p)
    return np.array([(lam0 + beta) * grow - beta, sigma_w**2 * (lam0 + beta) * grow1 - beta * (grow - 1.0),
                     beta * (grow - 1.0)])


def linear_kernels_limit(lam0, sigma_w, sigma_b, *, depth=RICHARDSON_DEPTH) -> np.ndarray:
    r"""$\lim_{L\to\infty}$ of :func:`linear_kernels_finite_depth` by two Richardson steps over $L = N, 2N, 4N$
    ($N$ = ``depth``): $\tfrac13(8m(4N) - 6m(2N) + m(N))$, error $O(N^{-3})$ (the values are smooth in $1/L$).

    >>> np.round(linear_kernels_limit(1.0, 1.0, 0.0), 9).tolist()   # e, e, 0
    [2.718281828, 2.718281828, 0.0]
    """
    n = check_integer("depth", depth, minimum=1)
    m1, m2, m4 = (linear_kernels_finite_depth(lam0, sigma_w, sigma_b, k * n) for k in (1, 2, 4))
    return (8.0 * m4 - 6.0 * m2 + m1) / 3.0
