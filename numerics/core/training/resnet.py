r"""Deep ResNets of constant width for the shared trainer: forward and hand-derived backward passes,
batched over samples and over an ensemble of seeds in one array.

The network (Cohen, Cont, Rossier & Xu 2021, eq. (1); column vectors, $A_k h$; their code writes
``x @ A[l]`` on rows, i.e. stores $A_k^\top$):

$$h_{k+1} = h_k + g_k\,\sigma(z_k),\qquad z_k = A_k h_k + b_k,\qquad k = 0,\dots,L-1,\quad h_0 = x,$$

with the gate $g_k$ set by ``delta``: ``"none"`` $g_k = 1$ (no trainable scalar), ``"shared"`` one scalar
$\delta$ and $g_k = |\delta|$ (the authors' forward pass uses the absolute value), ``"per_layer"``
$g_k = \delta_k$ (signs free).

Backward (the exact adjoint recursion, reference ``scaling_regimes.md`` section 5): with
$p_L = \partial\ell/\partial h_L$ and $u_k = g_k\,\sigma'(z_k)\odot p_{k+1}$,

$$p_k = p_{k+1} + A_k^\top u_k,\qquad \frac{\partial\ell}{\partial A_k} = \sum_{\text{batch}} u_k h_k^\top,\qquad
\frac{\partial\ell}{\partial b_k} = \sum_{\text{batch}} u_k,\qquad
\frac{\partial\ell}{\partial g_k} = \sum_{\text{batch}} p_{k+1}\cdot\sigma(z_k),$$

and $\partial\ell/\partial\delta = \operatorname{sign}(\delta)\sum_k\partial\ell/\partial g_k$ (shared),
$\partial\ell/\partial\delta_k = \partial\ell/\partial g_k$ (per layer).

Parameters are ``[(A, b, delta)]``: ``A`` of shape ``(E, L, d, d)``, ``b`` ``(E, L, d)``, ``delta``
``(E, 1)`` (shared), ``(E, L)`` (per layer) or ``(E, 0)`` (none); ``E`` is the ensemble axis, one member
per seed.  The model follows the protocol of :class:`~numerics.core.training.network.FCNetwork`
(``forward(params, x) -> (out, cache)``, ``backward(params, cache, grad_out) -> grads``), so the shared
losses, optimisers and loops train it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sampling import child_seeds
from ..validation import check_integer, check_scalar
from .network import ACTIVATIONS, _derivative

__all__ = ["DELTA_KINDS", "INITS", "ResNet", "init_resnet"]

DELTA_KINDS = ("none", "shared", "per_layer")
#: the authors' initialisations: name -> (sd of A, sd of b) as functions of (initial_sd, L, d)
INITS = {
    "xavier": lambda sd, depth, d: (sd / d, sd / np.sqrt(d)),
    "xavier-depth": lambda sd, depth, d: (sd / (depth * d), sd / (depth * np.sqrt(d))),
}


@dataclass(frozen=True)
class ResNet:
    r"""A depth-``depth`` ResNet $\mathbb R^d\to\mathbb R^d$ of width ``width`` (no input or output layer)."""

    depth: int
    width: int
    activation: str = "tanh"
    delta: str = "shared"

    def __post_init__(self):
        object.__setattr__(self, "depth", check_integer("depth", self.depth, minimum=1))
        object.__setattr__(self, "width", check_integer("width", self.width, minimum=1))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation={self.activation!r} must be one of {sorted(ACTIVATIONS)}")
        if self.delta not in DELTA_KINDS:
            raise ValueError(f"delta={self.delta!r} must be one of {DELTA_KINDS}")

    def _check(self, params):
        a, b, delta = params[0]
        e, n_delta = a.shape[0], {"none": 0, "shared": 1, "per_layer": self.depth}[self.delta]
        want = ((e, self.depth, self.width, self.width), (e, self.depth, self.width), (e, n_delta))
        if (a.shape, b.shape, delta.shape) != want:
            raise ValueError(f"params shapes {(a.shape, b.shape, delta.shape)} do not match the network: {want}")
        return a, b, delta

    def gates(self, delta: np.ndarray) -> np.ndarray:
        """The per-layer gates $g_k$, shape ``(E, L)``."""
        e = delta.shape[0]
        if self.delta == "none":
            return np.ones((e, self.depth))
        if self.delta == "shared":
            return np.broadcast_to(np.abs(delta), (e, self.depth))
        return delta

    def forward(self, params, x) -> tuple[np.ndarray, tuple]:
        """Outputs $h_L$ of shape ``(E, B, d)`` (``x``: ``(B, d)`` shared or ``(E, B, d)``) and the cache."""
        a, b, delta = self._check(params)
        phi = ACTIVATIONS[self.activation][0]
        g = self.gates(delta)
        h = np.array(np.broadcast_to(np.asarray(x, dtype=np.float64), (a.shape[0],) + np.shape(x)[-2:]))
        hs = np.empty((self.depth,) + h.shape)
        zs, ss = np.empty_like(hs), np.empty_like(hs)
        for k in range(self.depth):
            hs[k] = h
            np.matmul(h, np.swapaxes(a[:, k], 1, 2), out=zs[k])
            zs[k] += b[:, k, None, :]
            ss[k] = phi(zs[k])
            h = h + g[:, k, None, None] * ss[k]
        return h, (hs, zs, ss, g)

    def backward(self, params, cache, grad_out) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Gradients ``[(dA, db, ddelta)]`` given ``grad_out`` $=\\partial\\ell/\\partial h_L$, shape ``(E, B, d)``."""
        a, _, delta = self._check(params)
        hs, zs, ss, g = cache
        p = np.array(grad_out, dtype=np.float64)
        da, db = np.empty_like(a), np.empty(a.shape[:3])
        dg = np.empty((a.shape[0], self.depth))
        for k in range(self.depth - 1, -1, -1):
            dg[:, k] = np.einsum("ebi,ebi->e", p, ss[k])
            u = _derivative(self.activation, zs[k], ss[k]) * p
            u *= g[:, k, None, None]
            np.matmul(np.swapaxes(u, 1, 2), hs[k], out=da[:, k])
            db[:, k] = u.sum(axis=1)
            p += np.matmul(u, a[:, k])
        if self.delta == "none":
            ddelta = np.zeros_like(delta)
        elif self.delta == "shared":
            ddelta = np.sign(delta) * dg.sum(axis=1, keepdims=True)
        else:
            ddelta = dg
        return [(da, db, ddelta)]


def init_resnet(net: ResNet, *, ensemble: int, seed, init: str = "xavier-depth", initial_sd: float = 0.01):
    r"""The authors' initialisation for ``ensemble`` members (one ``SeedSequence`` child each):
    ``"xavier"``: $A\sim N(0, (s/d)^2)$, $b\sim N(0, s^2/d)$; ``"xavier-depth"``: $A\sim N(0, (s/(Ld))^2)$,
    $b\sim N(0, s^2/(L^2 d))$ ($s$ = ``initial_sd``); shared $\delta = 1/L$, per-layer $\delta_k\sim N(0, 1/L^2)$.
    """
    ensemble = check_integer("ensemble", ensemble, minimum=1)
    if init not in INITS:
        raise ValueError(f"init={init!r} must be one of {sorted(INITS)}")
    sd = check_scalar("initial_sd", initial_sd, low=0.0)
    L, d = net.depth, net.width
    sd_a, sd_b = INITS[init](sd, L, d)
    rngs = [np.random.default_rng(s) for s in child_seeds(seed, ensemble)]
    a = np.stack([r.normal(0.0, sd_a, (L, d, d)) for r in rngs])
    b = np.stack([r.normal(0.0, sd_b, (L, d)) for r in rngs])
    if net.delta == "none":
        delta = np.zeros((ensemble, 0))
    elif net.delta == "shared":
        delta = np.full((ensemble, 1), 1.0 / L)
    else:
        delta = np.stack([r.normal(0.0, 1.0 / L, L) for r in rngs])
    return [(a, b, delta)]
