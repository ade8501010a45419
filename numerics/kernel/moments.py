r"""Second moments of a finite fully connected network's output at two inputs, and their NNGP limit.

For inputs $x, x'$ and outputs $f$ of :func:`numerics.kernel.networks.fc_outputs`,
the three compared statistics are

$$\big(f(x)^2,\; f(x')^2,\; f(x)f(x')\big),\qquad
  E[\,\cdot\,] \to \big(K(x, x),\; K(x', x'),\; K(x, x')\big)\quad (n \to \infty),$$

$K$ the NNGP of :func:`numerics.kernel.recursions.nngp_ntk`.  With one hidden
layer the limit is attained at every width (the first layer's pre-activations are
exactly Gaussian; Neal 1996, Lee et al. ICLR 2018); deeper networks carry
$O(1/n)$ corrections.  The two inputs are placed by their norms and angle with
:func:`two_inputs`, so a claim's parameters are scalars.

>>> x = two_inputs(r1=1.0, r2=2.0, angle=0.0)
>>> x.tolist()
[[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]
>>> nngp_second_moments(x, activation="relu", depth=1, W_std=1.0, b_std=0.0).tolist()   # K = q/2, c/2
[0.16666666666666666, 0.6666666666666666, 0.3333333333333333]
"""

from __future__ import annotations

import math

import numpy as np

from ..core.validation import check_finite_array, check_scalar
from .networks import fc_empirical_ntk, fc_outputs
from .recursions import nngp_ntk

__all__ = ["empirical_ntk_cross", "nngp_second_moments", "output_second_moments", "two_inputs"]


def two_inputs(*, r1: float, r2: float, angle: float) -> np.ndarray:
    r"""Inputs $x = r_1 e_1$ and $x' = r_2(\cos\gamma\, e_1 + \sin\gamma\, e_2)$ in $\mathbb R^3$, shape (2, 3).

    ``r1``, ``r2`` in $[0, \infty)$, ``angle`` $\gamma$ in $[0, \pi]$.
    """
    r1 = check_scalar("r1", r1, low=0.0)
    r2 = check_scalar("r2", r2, low=0.0)
    g = check_scalar("angle", angle, low=0.0, high=math.pi)
    return np.array([[r1, 0.0, 0.0], [r2 * math.cos(g), r2 * math.sin(g), 0.0]])


def _two(x) -> np.ndarray:
    x = check_finite_array("x", x, ndim=2)
    if x.shape[0] != 2:
        raise ValueError(f"x must hold exactly two inputs (shape (2, d)), got shape {x.shape}")
    return x


def output_second_moments(x, *, activation, depth: int, width: int, W_std: float, b_std: float, n_samples: int,
                          seed) -> np.ndarray:
    r"""Draws of $(f(x)^2, f(x')^2, f(x)f(x'))$ for ``n_samples`` independent networks, shape (n_samples, 3).

    ``x`` holds the two inputs (shape (2, d)); the other arguments are those of
    :func:`~numerics.kernel.networks.fc_outputs` (validated there).  Their means
    estimate $E f(x)^2$, $E f(x')^2$ and $E f(x) f(x')$ at this width.
    """
    f = fc_outputs(_two(x), activation=activation, depth=depth, width=width, W_std=W_std, b_std=b_std,
                   n_samples=n_samples, seed=seed)
    return np.stack([f[:, 0] ** 2, f[:, 1] ** 2, f[:, 0] * f[:, 1]], axis=1)


def nngp_second_moments(x, *, activation, depth: int, W_std: float, b_std: float) -> np.ndarray:
    r"""The infinite-width limit $(K(x,x), K(x',x'), K(x,x'))$ of :func:`output_second_moments`, shape (3,)."""
    k, _ = nngp_ntk(_two(x), activation=activation, depth=depth, W_std=W_std, b_std=b_std)
    return np.array([k[0, 0], k[1, 1], k[0, 1]])


def empirical_ntk_cross(x, *, activation, depth: int, width: int, W_std: float, b_std: float, n_samples: int,
                        seed) -> np.ndarray:
    r"""Draws of the empirical NTK $\hat\Theta(x, x')$ at the two inputs ``x`` (shape (2, d)), shape (n_samples,).

    Its mean tends to the analytic $\Theta(x, x')$ with an $O(1/n)$ error and its
    standard deviation falls like $n^{-1/2}$ (Jacot et al. 2018; Hanin and Nica 2020).
    """
    _, ntk = fc_empirical_ntk(_two(x), activation=activation, depth=depth, width=width, W_std=W_std, b_std=b_std,
                              n_samples=n_samples, seed=seed)
    return np.ascontiguousarray(ntk[:, 0, 1])
