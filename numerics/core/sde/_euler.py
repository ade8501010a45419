r"""Euler-Maruyama: strong order 1/2, weak order 1.

$$y_{k+1} = y_k + f(t_k, y_k)\,h + \sigma(t_k, y_k)\,\Delta W_k,\qquad \Delta W_k \sim N(0, h I_m).$$

For Lipschitz, linearly bounded coefficients (and $C^4$ ones with polynomial growth for the weak
order) $\big(E|y_n - y(T)|^2\big)^{1/2} = O(h^{1/2})$ and $|E\,\phi(y_n) - E\,\phi(y(T))| = O(h)$,
for any noise structure.

References: Kloeden & Platen (1992), Section 9.1 (the scheme), Section 10.2 (strong order 0.5),
Section 14.1 (weak order 1.0); Peluchetti & Favaro (2021, JMLR), eq. 6 (the scheme they simulate).
"""

from __future__ import annotations

__all__ = ["EulerMaruyama"]


class EulerMaruyama:
    """Euler-Maruyama stepper; works with every noise structure."""

    strong_order = 0.5
    weak_order = 1.0

    def check(self, noise) -> None:
        """Every noise structure is supported."""

    def step(self, drift, noise, t: float, y, h: float, dW, args):
        """One step from ``(t, y)`` with increment ``dW`` (shape ``(n_paths, 1, ..., 1, m)``); returns a new array."""
        out = noise.product(t, y, args, dW)
        if noise.fresh_product and out.shape == y.shape and out.dtype == y.dtype:
            out += y  # in place: the product is a new array of ours
        else:  # a user-supplied product may alias y; a constant coefficient may not fill y's shape
            out = y + out
        if drift is not None:
            out += h * drift(t, y, args)
        return out

    def __repr__(self) -> str:
        return "EulerMaruyama()"
