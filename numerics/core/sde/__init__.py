r"""Stochastic differential equations $dy = f(t, y)\,dt + \sigma(t, y)\,dW_t$ on a fixed grid.

Shared by the infinitely deep ResNet diffusions (Peluchetti & Favaro 2020/2021) and the neural
covariance SDE (Li, Nica & Roy 2022).  As in diffrax, *what the equation is* (a drift callable and
a :class:`Noise` saying how the diffusion acts on $dW$) is separate from *how to step it* (steppers
declaring ``strong_order`` and ``weak_order``) and from the driver :func:`solve`.

* noise structures (:mod:`._terms`): :class:`DiagonalNoise`, :class:`ScalarNoise`,
  :class:`GeneralNoise` (diffusion of shape $(d, m)$), :class:`OperatorNoise` (matrix-free);
* steppers: :class:`EulerMaruyama` (strong 1/2, weak 1), :class:`Milstein` (strong 1 for
  diagonal/scalar noise, weak 1);
* Brownian increments (:mod:`._brownian`): :func:`brownian_increments` (reproducible from a seed,
  exactly those :func:`solve` draws) and :func:`coarsen_increments` (the same path on a coarser grid);
* the driver :func:`solve`, returning a :class:`Solution`.

Shapes: the state is ``(n_paths, *batch, d)``; one Brownian motion of dimension $m$ per path drives
every batch index of that path (several inputs of one network share its parameter diffusions).

Example: the fully i.i.d. ResNet diffusion of P&F (JMLR 2021, Corollary 5) with $\phi = \tanh$
($\phi'(0) = 1$, $\phi''(0) = 0$), $\psi = \tanh$, $s^2(x) = \sigma_b^2 + \sigma_w^2 |\psi(x)|^2/D$,
for two inputs sharing the network's noise:

>>> import numpy as np
>>> from numerics.core.sde import DiagonalNoise, solve
>>> D, sw2, sb2 = 16, 1.0, 0.1
>>> def s(t, x, args):
...     return np.sqrt(sb2 + sw2 * np.mean(np.tanh(x) ** 2, axis=-1, keepdims=True))
>>> x0 = np.stack([np.zeros(D), np.ones(D)])[None]            # shape (1, 2 inputs, D)
>>> sol = solve(None, DiagonalNoise(s), x0, n_paths=500, n_steps=100, seed=0, save_every=50)
>>> sol.y.shape, sol.ys.shape, sol.ts.tolist()
((500, 2, 16), (3, 500, 2, 16), [0.0, 0.5, 1.0])
"""

from ._brownian import brownian_increments, coarsen_increments
from ._euler import EulerMaruyama
from ._milstein import Milstein
from ._solve import Solution, solve
from ._terms import DiagonalNoise, GeneralNoise, Noise, OperatorNoise, ScalarNoise

__all__ = [
    "DiagonalNoise",
    "EulerMaruyama",
    "GeneralNoise",
    "Milstein",
    "Noise",
    "OperatorNoise",
    "ScalarNoise",
    "Solution",
    "brownian_increments",
    "coarsen_increments",
    "solve",
]
