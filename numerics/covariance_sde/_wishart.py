r"""The correlation of a **linear** network of width $n$ by the Bartlett decomposition: $O(1)$ per layer.

With the identity activation and Gaussian weights, given layer $\ell$ the covariance of two inputs is
$\Phi_{\ell+1} = L_\ell\,(W_\ell/n)\,L_\ell^\top$ with $L_\ell L_\ell^\top = \Phi_\ell$ and $W_\ell \sim \mathrm{Wishart}_2(n, I)$
independent of the past.  Bartlett: $W = AA^\top$, $A = \begin{pmatrix} a_{11} & 0\\ a_{21} & a_{22}\end{pmatrix}$,
$a_{11}^2 \sim \chi^2_n$, $a_{22}^2 \sim \chi^2_{n-1}$, $a_{21} \sim N(0, 1)$, independent.  With unit variances and
$L = \begin{pmatrix}1 & 0\\ \rho & s\end{pmatrix}$, $s = \sqrt{1-\rho^2}$, the correlation is scale free:

$$\rho_{\ell+1} = \frac{\rho W_{11} + sW_{21}}{\sqrt{W_{11}\,(\rho^2W_{11} + 2\rho sW_{21} + s^2W_{22})}}.$$

Three random numbers per layer instead of $2n$: the same law as :func:`numerics.covariance_sde.shaped_relu_pair` at
$c_\pm = 0$ (tested in distribution), used as the exactly-simulable control of the shaped networks' correlation.
Draws: ``numpy.random.default_rng(seed)``, per layer $a_{11}^2, a_{22}^2, a_{21}$ for all samples in that order.
"""

from __future__ import annotations

import numpy as np

from ..core.sampling import check_seed
from ..core.validation import check_integer, check_scalar

__all__ = ["linear_pair_correlation"]


def linear_pair_correlation(*, rho0: float, width: int, depth: int, n_samples: int, seed) -> np.ndarray:
    r"""$\rho_d$ of ``n_samples`` linear networks of width $n \ge 2$ and depth $d \ge 1$ (module docstring)."""
    rho0 = check_scalar("rho0", rho0, low=-1.0, high=1.0)
    n = check_integer("width", width, minimum=2)
    depth = check_integer("depth", depth, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    rng = np.random.default_rng(check_seed(seed))
    r = np.full(n_samples, rho0)
    for _ in range(depth):
        w11 = 2.0 * rng.standard_gamma(n / 2, n_samples)
        w22 = 2.0 * rng.standard_gamma((n - 1) / 2, n_samples)
        a21 = rng.standard_normal(n_samples)
        a11 = np.sqrt(w11)
        w21, w22 = a11 * a21, a21 * a21 + w22
        s = np.sqrt(np.maximum(1.0 - r * r, 0.0))
        r = np.clip((r * w11 + s * w21) / np.sqrt(w11 * (r * r * w11 + 2 * r * s * w21 + s * s * w22)), -1.0, 1.0)
    return r
