r"""Gaussian expectations of functions with a kink or a jump at 0, via Price's theorem.

The class is $\varphi(x) = p_-(x)\,1[x<0] + p_+(x)\,1[x>0]$ with polynomials
$p_\pm$ (relu, leaky relu, ABReLU, abs, step, sign, rectified monomials...).
Writing $u = \sqrt{q_1}\,\xi_1$, $v = \sqrt{q_2}\,\xi_2$ with correlation $r$, every
term reduces to the half-line moments

$$M_{jk}(r) = E\left[\xi_1^j \xi_2^k\, 1[\xi_1>0]\, 1[\xi_2>0]\right],$$

since $E[u^j 1[\sigma_1 u>0]\, v^k 1[\sigma_2 v>0]] = q_1^{j/2} q_2^{k/2}\sigma_1^j\sigma_2^k M_{jk}(\sigma_1\sigma_2\rho)$.

**Derivation (Price's theorem from the $r = 0$ boundary).**  With
$\partial_\xi(\xi^j 1[\xi>0]) = j\xi^{j-1}1[\xi>0] + \delta_{j0}\,\delta(\xi)$,

$$\frac{dM_{jk}}{dr} = jk\,M_{j-1,k-1}
 + \delta_{k0}\, j\, E[\xi_1^{j-1}1[\xi_1>0]\,\delta(\xi_2)]
 + \delta_{j0}\, k\, E[\delta(\xi_1)\,\xi_2^{k-1}1[\xi_2>0]]
 + \delta_{j0}\delta_{k0}\, E[\delta(\xi_1)\delta(\xi_2)],$$

with $E[\delta(\xi_1)\xi_2^m 1[\xi_2>0]] = (1-r^2)^{m/2} h_m/\sqrt{2\pi}$,
$E[\delta(\xi_1)\delta(\xi_2)] = 1/(2\pi\sqrt{1-r^2})$, and the boundary value
$M_{jk}(0) = h_j h_k$ where $h_m = E[\xi^m 1[\xi>0]] = 2^{m/2-1}\Gamma(\tfrac{m+1}{2})/\sqrt\pi$.
Integrating in $r$ from 0 (SymPy ``integrate``) gives $M_{jk}$ in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .symbols import x

__all__ = ["KinkedFunction", "split_at_zero", "half_moment", "half_line_moment", "r"]

#: The correlation variable of the unit-variance moments.
r = sp.Symbol("r", real=True)
_y = sp.Symbol("y", positive=True)


@dataclass(frozen=True)
class KinkedFunction:
    """$\\varphi = p_-(x) 1[x<0] + p_+(x) 1[x>0]$ with polynomial pieces."""

    negative: sp.Poly
    positive: sp.Poly

    @property
    def continuous(self) -> bool:
        return self.negative.eval(0) == self.positive.eval(0)

    def derivative(self) -> "KinkedFunction":
        """The derivative away from 0 (the jump's delta is dropped)."""
        return KinkedFunction(self.negative.diff(x), self.positive.diff(x))

    def as_expr(self) -> sp.Expr:
        return sp.Piecewise((self.negative.as_expr(), x < 0), (self.positive.as_expr(), True))


def split_at_zero(expr: sp.Expr) -> KinkedFunction | None:
    """Recognise a function that is polynomial on each side of 0.

    Accepts ``Piecewise``, ``Heaviside``, ``Max``, ``Min``, ``Abs`` and ``sign``
    in ``x``; returns ``None`` when ``expr`` is not of that form, or is a plain
    polynomial (no kink: handled by :mod:`derivations.core.gaussian_mgf`).
    """
    if not expr.has(sp.Piecewise, sp.Heaviside, sp.Max, sp.Min, sp.Abs, sp.sign):
        return None
    pieces = []
    for side in (-_y, _y):
        piece = sp.piecewise_fold(expr.subs(x, side)).rewrite(sp.Piecewise)
        piece = sp.simplify(piece).subs(_y, sp.Abs(x))  # y = |x| on each side
        piece = sp.expand(piece.subs(sp.Abs(x), -x if side == -_y else x))
        if not piece.is_polynomial(x) or piece.has(sp.Piecewise, sp.Heaviside):
            return None
        pieces.append(sp.Poly(piece, x))
    return KinkedFunction(*pieces)


def half_moment(m: int) -> sp.Expr:
    r"""$h_m = E[\xi^m 1[\xi>0]]$ for a standard normal $\xi$."""
    return sp.simplify(2 ** sp.Rational(m, 2) * sp.gamma(sp.Rational(m + 1, 2)) / (2 * sp.sqrt(sp.pi)))


@lru_cache(maxsize=None)
def half_line_moment(j: int, k: int) -> sp.Expr:
    """$M_{jk}(r)$, derived by integrating Price's identity from $r = 0$."""
    if j < 0 or k < 0:
        raise ValueError(f"half_line_moment needs j, k >= 0, got j={j}, k={k}")
    rate = sp.Integer(0)
    if j > 0 and k > 0:
        rate += j * k * half_line_moment(j - 1, k - 1)
    if k == 0 and j > 0:
        rate += j * (1 - r**2) ** sp.Rational(j - 1, 2) * half_moment(j - 1) / sp.sqrt(2 * sp.pi)
    if j == 0 and k > 0:
        rate += k * (1 - r**2) ** sp.Rational(k - 1, 2) * half_moment(k - 1) / sp.sqrt(2 * sp.pi)
    if j == 0 and k == 0:
        rate += 1 / (2 * sp.pi * sp.sqrt(1 - r**2))
    s = sp.Dummy("s", real=True)
    integral = sp.integrate(rate.subs(r, s), (s, 0, r))
    return sp.simplify(half_moment(j) * half_moment(k) + integral)
