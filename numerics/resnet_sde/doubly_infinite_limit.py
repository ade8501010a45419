r"""Limits of doubly infinite ResNets ($L = D \to \infty$, $\psi = \mathrm{id}$) at the inputs $z = 1$, $z'$.

From record ``resnet_sde.ntk`` (JMLR §5.3-5.4, $T = 1$), with $\lambda_0 = zz'$, $E = e^{\sigma_w^2\phi'(0)^2}$,
$\beta = \sigma_b^2/\sigma_w^2$:

$$E\lambda_T = \lambda_0 + (\lambda_0 + \beta)(E - 1),\qquad K_W = \texttt{ntk\_weights},\qquad
  K_b = \texttt{ntk\_bias}.$$

:func:`doubly_infinite_kernels` returns the three; :func:`doubly_infinite_kernel_scales` the natural size of
each, $\sqrt{K(z, z)K(z', z')}$ (the NNGP and $K_W$ vanish at some $z'$, so $|K(z, z')|$ is no scale).  The
finite networks they are compared with: :mod:`numerics.resnet_sde.doubly_infinite`.
"""

from __future__ import annotations

import numpy as np

from numerics.generated import resnet_sde_ntk as _ntk

from ..core.validation import check_scalar

__all__ = ["doubly_infinite_kernel_scales", "doubly_infinite_kernels"]


def _parts(lam0: float, sigma_w: float, sigma_b: float, dphi0: float) -> np.ndarray:
    return np.array([lam0 + float(_ntk.nngp_increment(lam0, dphi0, sigma_w, sigma_b, 1.0)),
                     float(_ntk.ntk_weights(lam0, dphi0, sigma_w, sigma_b, 1.0)),
                     float(_ntk.ntk_bias(dphi0, sigma_w, sigma_b, 1.0))])


def _checked(sigma_w, sigma_b, z2, dphi0):
    return (check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True)), check_scalar("sigma_b", sigma_b, low=0.0),
            check_scalar("z2", z2), check_scalar("dphi0", dphi0))


def doubly_infinite_kernels(sigma_w, sigma_b, z2, *, dphi0=1.0) -> np.ndarray:
    r"""$(E\lambda_T, K_W(z, z'), K_b(z, z'))$ at $z = 1$, $z'$ = ``z2``, $T = 1$.

    Args:
        sigma_w: weight scale, $> 0$.  sigma_b: bias scale, $\ge 0$.  z2: the second input (real).
        dphi0: $\phi'(0)$ of the outer activation (1 for the identity and tanh).

    >>> doubly_infinite_kernels(1.0, 0.0, 0.0).tolist()   # lambda_0 = 0, beta = 0: all vanish
    [0.0, 0.0, 0.0]
    """
    sigma_w, sigma_b, z2, dphi0 = _checked(sigma_w, sigma_b, z2, dphi0)
    return _parts(z2, sigma_w, sigma_b, dphi0)


def doubly_infinite_kernel_scales(sigma_w, sigma_b, z2, *, dphi0=1.0) -> np.ndarray:
    r"""$\sqrt{|K(z, z)K(z', z')|}$ for each of the three parts of :func:`doubly_infinite_kernels`."""
    sigma_w, sigma_b, z2, dphi0 = _checked(sigma_w, sigma_b, z2, dphi0)
    return np.sqrt(np.abs(_parts(1.0, sigma_w, sigma_b, dphi0) * _parts(z2 * z2, sigma_w, sigma_b, dphi0)))
