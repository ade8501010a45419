r"""Rows F7/F8: the master expansion's higher terms summed along a ResNet with diffusive weights and $\delta = L^{-\alpha}$.

Network ($d$ = ``len(x)``, batched over networks): $h_{k+1} = h_k + \delta\,\sigma(z_k)$, $\delta = L^{-\alpha}$,
$z_k = L^{\alpha}\tilde z_k$, $\tilde z_k = \delta(A_k h_k + b_k) = (\bar A/L + s_A\,\Delta B^A_k)h_k + \bar b/L + s_b\,
\Delta B^b_k$; ``activation="linear"`` ($\sigma(z) = z$) runs the Euler scheme of the F7 limit
$dH = dM\,H + dm$ itself.  Along the path it returns $S^{(n)}_L = \sum_{k<L}\delta\,z_k^{\odot n}$, the order-$n$
term of the master expansion without its coefficient $\sigma^{(n)}(0)/n!$, and its compensator
$D^{(n)}_L = \sum_{k<L}E[\delta z_k^{\odot n}\mid h_k] = \sum_k L^{(n-1)\alpha}\sum_{j\,\mathrm{even}}\binom nj
\mu_k^{n-j}s_k^j(j-1)!!$ ($\tilde z_{k,i}\mid h_k \sim N(\mu_k, s_k^2)$, $\mu_k = (\bar A h_k + \bar b)/L$,
$s_k^2 = (s_A^2|h_k|^2 + s_b^2)/L$); $S - D$ is a martingale.  Record ``scaling_regimes.diffusive_delta``:
$D^{(3)}, S^{(3)} - D^{(3)} = O(L^{2\alpha - 1})$, $D^{(4)} = O(L^{3\alpha - 1})$, $S^{(4)} - D^{(4)} = O(L^{3\alpha - 3/2})$.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sde import coarsen_increments
from ..core.validation import check_integer, check_scalar
from .activations import get_activation
from .diffusive import _apply, _drift_matrix, _split, _start

__all__ = ["expansion_term_sums"]


def _gaussian_power_mean(mu: np.ndarray, s2: np.ndarray, n: int) -> np.ndarray:
    r"""$E(\mu + s g)^n = \sum_{j\ \mathrm{even}}\binom nj\mu^{n-j}s^j(j-1)!!$, $g \sim N(0, 1)$."""
    return sum(math.comb(n, j) * mu ** (n - j) * s2 ** (j // 2) * math.prod(range(j - 1, 0, -2))
               for j in range(0, n + 1, 2))


def expansion_term_sums(x, increments, *, activation: str, alpha: float, a_bar, b_bar: float, s_a: float,
                        s_b: float, depth: int, orders=(3, 4)) -> tuple[np.ndarray, np.ndarray]:
    r"""$(S^{(n)}_L, D^{(n)}_L)$ for each $n$ in ``orders`` along the network of depth ``depth`` driven by
    ``increments`` (shape ``(n_steps, n_networks, d*d + d)``, coarsened to ``depth`` steps); ``activation``: a name
    of :data:`ACTIVATIONS` or ``"linear"``.  Each of shape ``(len(orders), n_networks, d)``."""
    fn = (lambda z: z) if activation == "linear" else get_activation(activation).fn
    d = len(np.atleast_1d(x))
    depth = check_integer("depth", depth, minimum=1)
    alpha = check_scalar("alpha", alpha, low=0.0, high=0.5, closed=(True, False))
    orders = tuple(check_integer("orders", n, minimum=1) for n in orders)
    if increments.shape[0] % depth:
        raise ValueError(f"depth={depth} must divide the number of fine steps {increments.shape[0]}")
    dba, dbb = _split(coarsen_increments(increments, increments.shape[0] // depth), d)
    a, b0 = _drift_matrix(a_bar, d) / depth, check_scalar("b_bar", b_bar) / depth
    s_a, s_b = check_scalar("s_a", s_a, low=0.0), check_scalar("s_b", s_b, low=0.0)
    delta = float(depth) ** -alpha
    h = _start(x, increments, d)
    sums, drifts = np.zeros((len(orders), *h.shape)), np.zeros((len(orders), *h.shape))
    for k in range(depth):
        mu = h @ a.T + b0
        s2 = (s_a ** 2 * np.sum(h * h, axis=1, keepdims=True) + s_b ** 2) / depth
        z = (mu + s_a * _apply(dba[k], h) + s_b * dbb[k]) / delta
        for i, n in enumerate(orders):
            sums[i] += delta * z ** n
            drifts[i] += delta ** (1 - n) * _gaussian_power_mean(mu, s2, n)
        h += delta * fn(z)
    return sums, drifts
