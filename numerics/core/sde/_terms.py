r"""The equation: noise structures of $dy = f(t, y)\,dt + \sigma(t, y)\,dW_t$.

The state $y$ has shape ``(n_paths, *batch, d)``: paths on the leading axis, any
number of extra batch axes (e.g. several network inputs), the state dimension
last.  The Brownian motion $W$ has shape ``(n_paths, m)``: **one** $m$-dimensional
Brownian motion per path, shared by every batch index of that path (the
multi-input form of Peluchetti & Favaro 2020, Corollary 3: all inputs of one
network are driven by the same parameter diffusions).  A noise object says how
the diffusion coefficient contracts with an increment $\Delta W$; the increment it
receives has shape ``(n_paths, 1, ..., 1, m)``, already aligned with $y$'s batch
axes, so every product below broadcasts over them.

===================  =====================================  ==================  ============================
noise                diffusion(t, y, args) returns          $m$                 $\sigma(t, y)\,\Delta W$
===================  =====================================  ==================  ============================
:class:`DiagonalNoise`  $g$, shape ``(..., d)``             $d$                 $g \odot \Delta W$
:class:`ScalarNoise`    $g$, shape ``(..., d)``             $1$                 $g\,\Delta W$
:class:`GeneralNoise`   $G$, shape ``(..., d, m)``          ``noise_dim``       $G\,\Delta W$ (matrix-vector)
:class:`OperatorNoise`  (the product itself)                ``noise_dim``       ``apply(t, y, args, dW)``
===================  =====================================  ==================  ============================

:class:`OperatorNoise` is the matrix-free form (diffrax's ``ControlTerm`` with a
custom product): use it when $G$ is large but $G\,\Delta W$ is cheap, e.g.
$\Delta W_t\,\psi(x)$ for a $D \times D$ matrix Brownian motion $W_t$.

Reference: Kloeden & Platen (1992), *Numerical Solution of Stochastic
Differential Equations*, Springer, Section 4.8 (vector SDEs), Section 10.3
(diagonal, scalar and commutative noise).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..validation import check_integer

__all__ = ["Noise", "DiagonalNoise", "ScalarNoise", "GeneralNoise", "OperatorNoise"]


def _check_callable(name: str, value) -> Callable:
    if not callable(value):
        raise ValueError(f"{name}={value!r} must be callable as {name}(t, y, args)")
    return value


class Noise:
    """Base class: how a diffusion coefficient acts on a Brownian increment.

    Subclasses set :attr:`noise_type` and implement :meth:`noise_dim` and
    :meth:`product`.
    """

    #: One of ``"diagonal"``, ``"scalar"``, ``"general"``, ``"operator"``.
    noise_type: str = ""
    #: Whether :meth:`product` returns a new array that the stepper may overwrite.
    fresh_product: bool = True

    def noise_dim(self, state_dim: int) -> int:
        """Dimension $m$ of the Brownian motion for a state of dimension ``state_dim``."""
        raise NotImplementedError

    def product(self, t: float, y: np.ndarray, args, dW: np.ndarray) -> np.ndarray:
        r"""$\sigma(t, y)\,\Delta W$, shape of ``y``; ``dW`` has shape ``(n_paths, 1, ..., 1, m)``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class DiagonalNoise(Noise):
    r"""$dy_i = f_i\,dt + g_i(t, y)\,dW_i$: one Brownian motion per state component ($m = d$).

    Args:
        diffusion: ``diffusion(t, y, args)`` returning $g$, broadcastable to ``y.shape``.

    Kloeden & Platen call the noise *diagonal* when in addition $g_i$ depends on
    $y_i$ only; that is what makes the noise commutative, hence what Milstein's
    strong order 1 needs (see :class:`~numerics.core.sde.Milstein`).  Euler-Maruyama
    does not need it.
    """

    noise_type = "diagonal"

    def __init__(self, diffusion: Callable):
        self.diffusion = _check_callable("diffusion", diffusion)

    def noise_dim(self, state_dim: int) -> int:
        return state_dim

    def coefficient(self, t, y, args) -> np.ndarray:
        """The diffusion coefficient $g(t, y)$ (used by Milstein)."""
        return self.diffusion(t, y, args)

    def product(self, t, y, args, dW):
        return self.diffusion(t, y, args) * dW


class ScalarNoise(DiagonalNoise):
    r"""$dy = f\,dt + g(t, y)\,dW$ with one scalar Brownian motion per path ($m = 1$).

    Args:
        diffusion: ``diffusion(t, y, args)`` returning $g$, broadcastable to ``y.shape``.

    Scalar noise is always commutative.
    """

    noise_type = "scalar"

    def noise_dim(self, state_dim: int) -> int:
        return 1


class GeneralNoise(Noise):
    r"""$dy = f\,dt + G(t, y)\,dW$ with $G$ of shape $(d, m)$.

    Args:
        diffusion: ``diffusion(t, y, args)`` returning $G$ of shape ``(..., d, m)``
            (batch axes broadcastable to those of ``y``).
        noise_dim: $m \ge 1$, the dimension of the Brownian motion.

    $G$ is consumed (contracted with $\Delta W$) before the next call, so ``diffusion`` may
    return the same preallocated buffer every time, filled in place: for large sparse $G$ (e.g.
    $s(x) I_d$) that halves the cost of a step.  Cost per step: $O(d m)$ per path and batch index.
    """

    noise_type = "general"

    def __init__(self, diffusion: Callable, noise_dim: int):
        self.diffusion = _check_callable("diffusion", diffusion)
        self.dim = check_integer("noise_dim", noise_dim, minimum=1)

    def noise_dim(self, state_dim: int) -> int:
        return self.dim

    def product(self, t, y, args, dW):
        G = np.asarray(self.diffusion(t, y, args))
        if G.ndim < 2 or G.shape[-2:] != (y.shape[-1], self.dim):
            raise ValueError(
                f"diffusion returned shape {G.shape}; GeneralNoise needs trailing axes (d, m) = "
                f"({y.shape[-1]}, {self.dim}) (state dimension, noise_dim)"
            )
        return np.matmul(G, dW[..., None])[..., 0]


class OperatorNoise(Noise):
    r"""Matrix-free noise: the user supplies the product $\sigma(t, y)\,\Delta W$ directly.

    Args:
        apply: ``apply(t, y, args, dW)`` returning $\sigma(t, y)\,\Delta W$ with the shape of
            ``y``; ``dW`` has shape ``(n_paths, 1, ..., 1, m)`` (one axis of length 1 per
            batch axis of ``y``).  It must be linear in ``dW``.
        noise_dim: $m \ge 1$, the dimension of the Brownian motion.
    """

    noise_type = "operator"
    fresh_product = False

    def __init__(self, apply: Callable, noise_dim: int):
        if not callable(apply):
            raise ValueError(f"apply={apply!r} must be callable as apply(t, y, args, dW)")
        self.apply = apply
        self.dim = check_integer("noise_dim", noise_dim, minimum=1)

    def noise_dim(self, state_dim: int) -> int:
        return self.dim

    def product(self, t, y, args, dW):
        return self.apply(t, y, args, dW)
