r"""Optimisers on lists of parameter groups (``(W, b)`` pairs, ``(A, b, delta)`` triples): SGD, heavy-ball
momentum, Adam.

SGD: $\theta \leftarrow \theta - \eta g$.  Momentum: $v \leftarrow \beta v + g$, $\theta \leftarrow \theta - \eta v$.
Adam (Kingma & Ba 2015): $m \leftarrow \beta_1 m + (1-\beta_1)g$, $s \leftarrow \beta_2 s + (1-\beta_2)g^2$,
$\theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat s} + \epsilon)$ with bias-corrected $\hat m, \hat s$.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Optimizer"]


class Optimizer:
    """``Optimizer(kind, *, learning_rate, momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8)``; ``step(params, grads)``."""

    KINDS = ("sgd", "momentum", "adam")

    def __init__(self, kind: str = "sgd", *, learning_rate: float, momentum: float = 0.9,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got {kind!r}")
        if not (np.isfinite(learning_rate) and learning_rate >= 0):
            raise ValueError(f"learning_rate must lie in [0, inf), got {learning_rate!r}")
        for name, v in (("momentum", momentum), ("beta1", beta1), ("beta2", beta2)):
            if not (0 <= v < 1):
                raise ValueError(f"{name} must lie in [0, 1), got {v!r}")
        if not eps > 0:
            raise ValueError(f"eps must lie in (0, inf), got {eps!r}")
        self.kind, self.lr, self.mom, self.b1, self.b2, self.eps = kind, float(learning_rate), momentum, beta1, beta2, eps
        self._state, self._t = None, 0

    def step(self, params, grads):
        """Return the updated parameters (the inputs are not modified)."""
        flat_p = [a for pair in params for a in pair]
        flat_g = [a for pair in grads for a in pair]
        self._t += 1
        if self.kind == "sgd":
            new = [p - self.lr * g for p, g in zip(flat_p, flat_g)]
        elif self.kind == "momentum":
            v = self._state or [np.zeros_like(g) for g in flat_g]
            v = [self.mom * vi + g for vi, g in zip(v, flat_g)]
            self._state = v
            new = [p - self.lr * vi for p, vi in zip(flat_p, v)]
        else:
            m, s = self._state or ([np.zeros_like(g) for g in flat_g], [np.zeros_like(g) for g in flat_g])
            m = [self.b1 * mi + (1 - self.b1) * g for mi, g in zip(m, flat_g)]
            s = [self.b2 * si + (1 - self.b2) * g * g for si, g in zip(s, flat_g)]
            self._state = (m, s)
            c1, c2 = 1 - self.b1 ** self._t, 1 - self.b2 ** self._t
            new = [p - self.lr * (mi / c1) / (np.sqrt(si / c2) + self.eps) for p, mi, si in zip(flat_p, m, s)]
        out, start = [], 0
        for group in params:                   # the groups' own lengths: (W, b) pairs, (A, b, delta) triples...
            out.append(tuple(new[start:start + len(group)]))
            start += len(group)
        return out
