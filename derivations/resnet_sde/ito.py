r"""Itô calculus helpers for the fully i.i.d. ResNet diffusion (JMLR Corollary 5), at explicit width.

For $n$ inputs $x^{(1)},\dots,x^{(n)} \in \mathbb R^D$ driven by the same
parameters, the limit SDE has drift $\tfrac12\phi''(0)s^2(x^{(i)})\mathbf 1_D$
and cross-variation $d[x^{(i)}_d, x^{(j)}_e] = \phi'(0)^2\kappa(x^{(i)}, x^{(j)})\delta_{de}\,dt$,
$\kappa(x, y) = \sigma_b^2 + \sigma_w^2\langle\psi(x),\psi(y)\rangle/D$.  Its generator
$\mathcal Lf = \sum \mu_a\partial_a f + \tfrac12\sum a_{ab}\partial_{ab}f$ and the
quadratic covariation $(\nabla f)^\top a\,\nabla g$ give the Itô drift and
diffusion of any smooth function of the states.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["IidDiffusion", "iid_diffusion"]


@dataclass(frozen=True)
class IidDiffusion:
    """Coordinates, drift vector and diffusion matrix of $n$ inputs at width $D$."""

    states: tuple[tuple[sp.Symbol, ...], ...]
    drift: sp.Matrix
    diffusion: sp.Matrix

    @property
    def coords(self) -> list[sp.Symbol]:
        return [v for st in self.states for v in st]

    def generator(self, f: sp.Expr) -> sp.Expr:
        r"""$\mathcal L f = \mu\cdot\nabla f + \tfrac12\mathrm{tr}(a\nabla^2 f)$."""
        c = self.coords
        grad = sp.Matrix([sp.diff(f, v) for v in c])
        hess = sp.hessian(f, c)
        n = len(c)
        second = sum(self.diffusion[i, j] * hess[i, j] for i in range(n) for j in range(n))
        return sp.expand((self.drift.T * grad)[0, 0] + second / 2)

    def covariation(self, f: sp.Expr, g: sp.Expr) -> sp.Expr:
        r"""$d[f, g]/dt = (\nabla f)^\top a\,\nabla g$."""
        c = self.coords
        gf = sp.Matrix([sp.diff(f, v) for v in c])
        gg = sp.Matrix([sp.diff(g, v) for v in c])
        return sp.expand((gf.T * self.diffusion * gg)[0, 0])


def iid_diffusion(D: int, n_inputs: int, psi, dphi0: sp.Expr, d2phi0: sp.Expr, sigma_w: sp.Expr,
                  sigma_b: sp.Expr) -> IidDiffusion:
    r"""The Corollary 5 diffusion of ``n_inputs`` inputs at width ``D`` (``psi``: a callable on SymPy scalars)."""
    states = tuple(tuple(sp.Symbol(f"x{i}_{d}", real=True) for d in range(D)) for i in range(n_inputs))

    def kappa(a, b):
        return sigma_b**2 + sigma_w**2 * sum(psi(u) * psi(v) for u, v in zip(a, b)) / D

    drift = sp.Matrix([d2phi0 * kappa(st, st) / 2 for st in states for _ in range(D)])
    N = D * n_inputs
    diff = sp.zeros(N, N)
    for i, a in enumerate(states):
        for j, b in enumerate(states):
            k = dphi0**2 * kappa(a, b)
            for d in range(D):
                diff[i * D + d, j * D + d] = k
    return IidDiffusion(states, drift, diff)
