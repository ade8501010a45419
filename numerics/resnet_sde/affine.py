r"""How far a random function of a scalar input is from affine: the nonlinearity residual (JMLR §4.1).

With $\psi = \mathrm{id}$ and $\phi$ with $\phi''(0) = 0$ the ResNet limit SDE $dx = \tfrac{\sigma_w}{\sqrt D}dW\,x
+ \sigma_b\,dB$ is linear, so $z \mapsto x_T(z)$ is affine.  A finite network's draw on a grid $z_1, \dots, z_m$
is measured by its mean squared deviation from the least-squares line through $(z_i, y_i)$.
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_finite_array

__all__ = ["nonlinearity_residual"]


def nonlinearity_residual(y, z) -> np.ndarray:
    r"""Per draw, $r = \frac1m\sum_i (y_i - \hat a - \hat b z_i)^2$ of the least-squares line through $(z_i, y_i)$.

    ``y`` has shape ``(n, m)`` (draws by grid points), ``z`` shape ``(m,)`` with at least two distinct points;
    returns shape ``(n,)``: the squared norm of the projection of each row of ``y`` off the span of
    $(\mathbf 1, z)$, over $m$.

    >>> nonlinearity_residual(np.array([[1.0, 3.0, 5.0], [0.0, 1.0, 0.0]]), np.array([0.0, 1.0, 2.0])).round(6).tolist()
    [0.0, 0.222222]
    """
    z = check_finite_array("z", z, ndim=1)
    y = check_finite_array("y", y, ndim=2)
    if y.shape[1] != z.size:
        raise ValueError(f"y has {y.shape[1]} grid points per draw, z has {z.size}; they must agree")
    if np.unique(z).size < 2:
        raise ValueError(f"z={z.tolist()!r} needs at least two distinct grid points for a line")
    Q, _ = np.linalg.qr(np.stack([np.ones_like(z), z], axis=1))
    r = y - (y @ Q) @ Q.T
    return np.mean(r * r, axis=1)
