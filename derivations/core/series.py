r"""Sums in records, and the small moment calculus behind the depth-and-width derivations.

Canonical expressions show sums as :class:`sympy.Sum` (so ``deeplimits show``
prints ``Sum(...)`` and the LaTeX export renders $\sum$).  Two kinds reach the
generated code:

* a **finite sum** ``Sum(term, (k, lower, upper))`` with an integer-valued
  ``upper`` (a parameter such as a width): the emitter turns it into
  :func:`numerics.core._runtime.finite_sum`, evaluated block by block over ``k``;
* a **bounded series** ``BoundedSeries(term, j, start, ratio, bound)`` (numerical
  forms only): $\sum_{j \ge \mathrm{start}} t_j$ with the proven bound
  $|t_j| \le C r^j$, $0 \le r < 1$.  The emitter turns it into
  :func:`numerics.core._runtime.bounded_series`, which adds terms until the
  geometric tail bound $C r^{J}/(1-r)$ is below $2^{-45}$ times the partial sum,
  so the truncation error is proven, not estimated.

The moment helpers compute expectations of polynomials in independent
centred variables from their moments; the asymptotic expansions in
:mod:`derivations.log_gaussian.fc` and :mod:`derivations.log_gaussian.resnet`
use them.
"""

from __future__ import annotations

from typing import Mapping

import sympy as sp

__all__ = ["BoundedSeries", "LogGamma", "strip_series", "expect_polynomial", "binomial_central_moments", "gaussian_moment"]


class BoundedSeries(sp.Function):
    r"""$\sum_{j\ge s} t_j$ with $|t_j| \le C r^j$: ``BoundedSeries(term, j, s, r, C)``.

    Mathematically equal to ``Sum(term, (j, s, oo))``; the ratio and the
    constant give the generated code its stopping rule.
    """

    nargs = 5

    def as_sum(self) -> sp.Sum:
        term, j, start, _, _ = self.args
        return sp.Sum(term, (j, start, sp.oo))


class LogGamma(sp.Function):
    r"""$\ln\Gamma(z)$ that SymPy leaves alone inside ``exp`` (``exp(loggamma(z))`` would become ``gamma(z)``,
    which overflows); printed as ``scipy.special.gammaln``."""

    nargs = 1


def strip_series(expr: sp.Expr) -> sp.Expr:
    """Replace every :class:`BoundedSeries` by the :class:`sympy.Sum` it equals, and :class:`LogGamma` by ``loggamma``."""
    expr = expr.replace(lambda e: isinstance(e, LogGamma), lambda e: sp.loggamma(e.args[0]))
    return expr.replace(lambda e: isinstance(e, BoundedSeries), lambda e: e.as_sum())


def gaussian_moment(k: int) -> sp.Integer:
    """$E[g^k]$ for $g \\sim N(0, 1)$: $(k-1)!!$ for even $k$, else 0."""
    return sp.Integer(0) if k % 2 else sp.factorial2(k - 1)


def expect_polynomial(poly: sp.Expr, moments: Mapping[sp.Symbol, callable]) -> sp.Expr:
    """$E[\\mathrm{poly}]$ for independent variables, ``moments[v](k)`` $= E[v^k]$.

    ``poly`` must be polynomial in the variables (other symbols are
    coefficients).
    """
    variables = list(moments)
    p = sp.Poly(sp.expand(poly), *variables)
    total = sp.Integer(0)
    for powers, coeff in p.terms():
        term = coeff
        for v, k in zip(variables, powers):
            term *= moments[v](k) if k else 1
        total += term
    return sp.expand(total)


def binomial_central_moments(n: sp.Expr, p: sp.Expr, order: int) -> list[sp.Expr]:
    r"""$E[(K - np)^m]$, $m = 0..\mathrm{order}$, for $K \sim \mathrm{Bin}(n, p)$.

    The cumulants are $n$ times those of a Bernoulli($p$) variable (Taylor
    coefficients of $\ln(1 - p + pe^t)$); central moments follow from the
    cumulants (with $\kappa_1$ set to 0) by
    $\mu_m = \sum_{k=1}^{m} \binom{m-1}{k-1}\kappa_k\mu_{m-k}$.
    """
    t = sp.Dummy("t")
    cgf = sp.series(sp.log(1 - p + p * sp.exp(t)), t, 0, order + 1).removeO()
    kappa = [sp.Integer(0), sp.Integer(0)] + [sp.expand(n * cgf.coeff(t, m) * sp.factorial(m)) for m in range(2, order + 1)]
    mu = [sp.Integer(1)]
    for m in range(1, order + 1):
        mu.append(sp.expand(sum(sp.binomial(m - 1, k - 1) * kappa[k] * mu[m - k] for k in range(1, m + 1))))
    return mu
