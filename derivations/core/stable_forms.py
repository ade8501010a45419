r"""Floating-point forms of the kinked duals, with series branches where they cancel.

Every kinked dual is a sum of $q_1^{j/2} q_2^{k/2} M_{jk}(\pm\rho)$
(:mod:`derivations.core.gaussian_kinked`).  Near $r = -1$ the closed form of
$M_{jk}(r)$ is a difference of $O(1)$ terms that is $O(\psi^{m})$ with
$\psi = \arccos(-r) \to 0$: the textbook ReLU dual loses all its digits there.
We therefore write $M_{jk}$ as a function of $\psi$ (using $r = -\cos\psi$,
$\sqrt{1 - r^2} = \sin\psi$, $\arcsin r = \psi - \pi/2$), compute
$\psi = \operatorname{atan2}(\sqrt{(1-\rho)(1+\rho)}, -\rho)$, which keeps full
relative accuracy as $\psi \to 0$, and evaluate the Taylor series of
$M_{jk}(\psi)$ about $\psi = 0$ below a threshold $\psi_0$ chosen so that the
general form loses fewer than $\log_{10} 50$ digits above it.  The series is
truncated where its next term is below $10^{-18}$ of its value at $\psi_0$.
"""

from __future__ import annotations

import mpmath as mp
import sympy as sp

from .gaussian_kinked import KinkedFunction, half_line_moment, r
from .numeric_functions import Branch, Correlation, RootProduct
from .record import NumericalForm
from .symbols import c, q1, q2

__all__ = ["kinked_prologue", "kinked_numerical_form", "SQ1", "SQ2", "S", "RHO", "SIN"]

SQ1, SQ2, S = sp.symbols("sqrt_q1 sqrt_q2 s", nonnegative=True)
RHO = sp.Symbol("rho", real=True)
SIN = sp.Symbol("sin_theta", nonnegative=True)
_psi = sp.Symbol("psi", nonnegative=True)

#: Largest relative cancellation accepted in the general branch.
_MAX_CANCELLATION = 50


def kinked_prologue() -> tuple[tuple[sp.Symbol, sp.Expr], ...]:
    r"""$\sqrt{q_i}$, $s$, the clipped $\rho$, $\sin\theta$, $\psi_\pm = \arccos(\mp\rho)$."""
    return (
        (SQ1, sp.sqrt(q1)),
        (SQ2, sp.sqrt(q2)),
        (S, RootProduct(q1, q2)),  # sqrt(q*q) == q exactly, so rho = 1 exactly on the diagonal
        (RHO, Correlation(c, S)),
        (SIN, sp.sqrt((1 - RHO) * (1 + RHO))),
    )


def _in_angle(g: sp.Expr, sign: int) -> sp.Expr:
    """Rewrite a function of r (with asin(r), sqrt(1 - r^2)) in the angle psi = arccos(-sign*r)."""
    g = g.replace(
        lambda e: e.is_Pow and sp.expand(e.base - (1 - r**2)) == 0,
        lambda e: sp.sin(_psi) ** (2 * e.exp),
    )
    # sign=+1: r = -cos psi, asin r = psi - pi/2;  sign=-1: r = cos psi, asin r = pi/2 - psi
    g = g.replace(sp.asin, lambda arg: sign * (_psi - sp.pi / 2) if arg == r else sp.asin(arg))
    g = g.replace(sp.acos, lambda arg: (sp.pi - _psi) if (arg == r and sign > 0) else (_psi if arg == r else sp.acos(arg)))
    g = g.subs(r, -sign * sp.cos(_psi))
    if g.has(r):
        raise RuntimeError(f"{g} did not convert to psi")
    return sp.expand(g)


def _mpf(v):
    return v if isinstance(v, mp.mpf) else mp.mpf(str(sp.N(v, 60)))


def _threshold_and_series(general: sp.Expr) -> tuple[sp.Expr, float]:
    """Series of ``general`` (a function of psi) about 0 and the threshold below which to use it."""
    if general.is_zero or not general.has(_psi):
        return sp.Integer(0), 0.0
    f = sp.lambdify(_psi, general, "mpmath")
    terms = [sp.lambdify(_psi, a, "mpmath") for a in sp.Add.make_args(general)]

    def cancellation(p: float) -> float:
        with mp.workdps(60):
            val = _mpf(f(mp.mpf(p)))
            return float(sum(abs(_mpf(g(mp.mpf(p)))) for g in terms) / abs(val)) if val != 0 else float("inf")

    if cancellation(1e-3) <= _MAX_CANCELLATION:
        return sp.Integer(0), 0.0
    lo, hi = 1e-3, 3.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if cancellation(mid) > _MAX_CANCELLATION else (lo, mid)
    psi0 = round(hi + 0.05, 2)
    order = 8
    while True:
        poly = sp.series(general, _psi, 0, order).removeO()
        with mp.workdps(60):
            exact = _mpf(f(mp.mpf(psi0)))
            err = abs(_mpf(sp.lambdify(_psi, poly, "mpmath")(mp.mpf(psi0))) - exact) / abs(exact)
        if err < 1e-18:
            return poly, psi0
        order += 4
        if order > 120:
            raise RuntimeError(f"series of {general} does not converge at psi0={psi0}")


def _angle_form(g: sp.Expr, sign: int) -> sp.Expr:
    """$G$ near $\\rho = -$``sign``: in $\\psi_\\pm$, with a series branch where it cancels."""
    in_psi = _in_angle(g, sign)
    cos_psi = -RHO if sign > 0 else RHO
    psi = sp.atan2(SIN, cos_psi)  # evaluated only inside this region's branch
    general = in_psi.subs({sp.sin(_psi): SIN, sp.cos(_psi): cos_psi}).subs(_psi, psi)
    series, psi0 = _threshold_and_series(in_psi)
    if not psi0:
        return general
    # psi < psi0  <=>  cos(psi) > cos(psi0)
    cond = sp.StrictGreaterThan(cos_psi, sp.Float(float(mp.cos(psi0)), 17))
    return Branch(cond, sp.horner(series.subs(_psi, psi)), general)


def _stable_in_r(g: sp.Expr) -> sp.Expr:
    r"""Numerical form of a function $G(r)$ of the correlation, $r = \rho$.

    Up to three regions: the central form in $\arcsin\rho$ (accurate at genuine
    zeros such as $\rho = 0$ for odd duals); where it cancels as $\rho \to -1$
    (resp. $+1$), the form in $\psi_+ = \arccos(-\rho)$ for $\rho < -1/2$ (resp.
    $\psi_- = \arccos\rho$ for $\rho > 1/2$), with a Taylor series where that
    form itself cancels as $\psi_\pm \to 0$.
    """
    g = sp.simplify(g)
    if not g.has(r):
        return g
    central = g.replace(
        lambda e: e.is_Pow and sp.expand(e.base - (1 - r**2)) == 0, lambda e: SIN ** (2 * e.exp)
    )
    central = central.subs(r, RHO)  # arcsin(rho) is as well conditioned as rho itself where it is used
    # group by powers of rho: coefficients such as (2 arcsin(rho) + pi) are then shared with the
    # derivative dual by common-subexpression elimination
    central = sp.collect(sp.expand(central), RHO)
    half = sp.Rational(1, 2)
    out = central
    # a region form only where the central form cancels as rho -> +-1 (keeps the common path cheap)
    if _cancels_near(g, 1):
        out = Branch(sp.StrictGreaterThan(RHO, half), _angle_form(g, -1), out)
    if _cancels_near(g, -1):
        out = Branch(sp.StrictLessThan(RHO, -half), _angle_form(g, 1), out)
    return out


def _cancels_near(g: sp.Expr, end: int) -> bool:
    r"""Whether the terms of $G(r)$ cancel by more than the accepted factor as $r \to$ ``end``."""
    terms = [sp.lambdify(r, a, "mpmath") for a in sp.Add.make_args(sp.expand(g))]
    f = sp.lambdify(r, g, "mpmath")
    with mp.workdps(60):
        for gap in ("1e-3", "1e-8"):
            x = mp.mpf(end) * (1 - mp.mpf(gap))
            val = abs(_mpf(f(x)))
            total = sum(abs(_mpf(t(x))) for t in terms)
            if val == 0 or total / val > _MAX_CANCELLATION:
                return True
    return False


def _scale(j: int, k: int) -> sp.Expr:
    r"""$q_1^{j/2} q_2^{k/2}$, as a power of $s = \sqrt{q_1 q_2}$ where $j = k$ (one product fewer)."""
    m = min(j, k)
    return S**m * SQ1 ** (j - m) * SQ2 ** (k - m)


def kinked_numerical_form(phi: KinkedFunction, psi_of: KinkedFunction | None = None) -> NumericalForm:
    r"""Stable form of $E[\varphi(u)\, \chi(v)]$ for kinked $\varphi$, $\chi$ (default $\chi = \varphi$).

    Terms are grouped by the powers $q_1^{j/2} q_2^{k/2}$; within a group the
    half-line moments at $\pm\rho$ are combined symbolically before the
    floating-point form is chosen, so that genuine zeros (e.g. at $\rho = 0$)
    keep their relative accuracy.
    """
    other = psi_of or phi
    groups: dict[tuple[int, int], sp.Expr] = {}
    for s1, p1 in ((-1, phi.negative), (1, phi.positive)):
        for s2, p2 in ((-1, other.negative), (1, other.positive)):
            for (j,), a in p1.terms():
                for (k,), b in p2.terms():
                    if a == 0 or b == 0:
                        continue
                    m = half_line_moment(min(j, k), max(j, k)).subs(r, s1 * s2 * r)
                    groups[(j, k)] = groups.get((j, k), sp.Integer(0)) + a * b * s1**j * s2**k * m
    total = sp.Integer(0)
    for (j, k), g in sorted(groups.items()):
        params = sorted(g.free_symbols - {r}, key=str)
        if not params:
            total += _scale(j, k) * _stable_in_r(g)
            continue
        # activation parameters (leaky slope...) multiply separately stabilised functions of rho
        poly = sp.Poly(sp.expand(g), *params, domain="EX")
        for monom, coeff in poly.terms():
            factor = sp.Mul(*(p**e for p, e in zip(params, monom)))
            total += factor * _scale(j, k) * _stable_in_r(coeff.as_expr() if hasattr(coeff, "as_expr") else coeff)
    return NumericalForm(kinked_prologue(), total)
