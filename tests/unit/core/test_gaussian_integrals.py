r"""Tests for :mod:`derivations.core.gaussian_integrals`.

Hand integrands are checked by differentiating the antiderivative back
($F' - f \equiv 0$ after ``simplify``) and one definite integral against
quadrature.  The GELU Price chain is checked symbolically ($\partial_c V_\phi = V_{\phi'}$,
$\partial_c V_{\phi'} = V_{\phi''}$), against the closed forms and the
literature kernel, and numerically against 1-D conditional quadrature of the
2-D Gaussian expectation at 30 digits.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

from derivations.core.gaussian_integrals import (
    antiderivative,
    gelu_dual_chain,
    gelu_dual_second_derivative,
    integrate_price_step,
)
from derivations.core.symbols import c, q1, q2, t

a = sp.Symbol("a", positive=True)
b = sp.Symbol("b", real=True)
h = sp.Rational(1, 2)

HAND = [
    (a - t**2) ** (-5 * h),
    t**4 * (a - t**2) ** (-5 * h),
    b * t**2 * (a - t**2) ** (3 * h),
    t**3 * sp.asin(t / sp.sqrt(a)),
    (1 + b * t**2) * sp.asin(t / sp.sqrt(a)) + t / sp.sqrt(a - t**2),
    t**2 + b * t + 3,
    t / (a - t**2) ** (3 * h) + t**5 * sp.sqrt(a - t**2) - b / sp.sqrt(a - t**2),
    (2 * a - 2 * t**2) ** (-3 * h),  # radicand mu*(A - t^2), mu = 2
    sp.asin(2 * t) * t,  # A = 1/4 read off the arcsine
    1 / sp.sqrt(a - t**2) + 1 / sp.sqrt(a + 1 - t**2),  # two different A
    ((a - t**2) ** 2 + b * (a - t**2) + 3 * a) / (a - t**2) ** (5 * h),
]


@pytest.mark.parametrize("f", HAND, ids=[str(i) for i in range(len(HAND))])
def test_antiderivative_differentiates_back(f):
    F = antiderivative(f, t)
    assert sp.simplify(sp.diff(F, t) - f) == 0


def test_definite_against_quadrature():
    f = t**2 * (a - t**2) ** (-3 * h) + t * sp.asin(t / sp.sqrt(a)) + b
    vals = {a: sp.Rational(5, 2), b: sp.Rational(-1, 3)}
    upper = sp.Rational(13, 10)
    exact = integrate_price_step(f, t, upper).subs(vals)
    g = sp.lambdify(t, f.subs(vals), "mpmath")
    with mp.workdps(30):
        num = mp.quad(g, [0, mp.mpf(13) / 10])
        assert abs(sp.N(exact, 30) - num) < mp.mpf(10) ** -25


def test_lower_limit_is_zero():
    f = t**2 * (a - t**2) ** (-3 * h)
    assert integrate_price_step(f, t, 0) == 0


@pytest.mark.parametrize(
    "f",
    [1 / (a - t**2), sp.exp(t), 1 / t, sp.asin(t / sp.sqrt(a)) / sp.sqrt(a - t**2), (a - t**3) ** (-h),
     (a - t**2) ** sp.Rational(1, 3), sp.asin(t**2)],
)
def test_outside_class_raises(f):
    with pytest.raises(NotImplementedError):
        antiderivative(f, t)


# --- GELU chain ---------------------------------------------------------------

P = (1 + q1) * (1 + q2)
VDD_COMPACT = ((P - c**2) ** 2 + (q1 + q2) * (P - c**2) + 3 * P) / (2 * sp.pi * (P - c**2) ** (5 * h))
VD_CLOSED = h / 2 + (
    sp.asin(c / sp.sqrt(P)) + c * ((q1 + q2 + 3) * P - (q1 + q2 + 2) * c**2) / (P * (P - c**2) ** (3 * h))
) / (2 * sp.pi)
V_CLOSED = c / 4 + (c * sp.asin(c / sp.sqrt(P)) + (q1 * q2 * P + (1 - q1 * q2) * c**2) / (P * sp.sqrt(P - c**2))) / (
    2 * sp.pi
)


@pytest.fixture(scope="module")
def chain():
    return gelu_dual_chain(q1, q2, c)


def test_gelu_chain_derivatives(chain):
    v, vd = chain
    assert sp.simplify(sp.diff(v, c) - vd) == 0
    assert sp.simplify(sp.diff(vd, c) - gelu_dual_second_derivative(q1, q2, c)) == 0


def test_gelu_closed_forms(chain):
    v, vd = chain
    assert sp.simplify(v - V_CLOSED) == 0
    assert sp.simplify(vd - VD_CLOSED) == 0
    assert sp.simplify(gelu_dual_second_derivative(q1, q2, c) - VDD_COMPACT) == 0


def test_gelu_matches_tsuchida_kernel(chain):
    r"""Tsuchida et al.'s GELU kernel in $(q_1, q_2, \cos\theta)$, rewritten in $c$."""
    v, _ = chain
    s2 = 1 - c**2 / (q1 * q2)
    x1, x2 = 1 + q1 * s2, 1 + q2 * s2
    root = sp.sqrt(1 + q1 + q2 + q1 * q2 * s2)
    lit = c / 4 + q1 * q2 / (2 * sp.pi) * (
        (x1 * x2 - c**4 / (q1 * q2) ** 2) / (s2 * P * root) + c / (q1 * q2) * sp.atan(c / root)
    )
    pt = {q1: sp.Rational(7, 10), q2: sp.Rational(13, 10), c: sp.Rational(11, 20)}
    assert abs(sp.N((lit - v).subs(pt), 40)) < 1e-35
    num_lit = sp.cancel(q1 * q2 * (x1 * x2 - c**4 / (q1 * q2) ** 2) / s2)
    assert sp.expand(num_lit - (q1 * q2 * P + (1 - q1 * q2) * c**2)) == 0


# 1-D conditional quadrature: v | u ~ N(m, s2), m = c u / q1, s2 = q2 - c^2 / q1.
# With g = phi_N(m / sqrt(1 + s2)) / sqrt(1 + s2), the Gaussian tilt gives
# E[h(v) phi_N(v)] = g * E_{N(m/(1+s2), s2/(1+s2))}[h], so
#   E[v Phi(v)]  = m Phi(m/sqrt(1+s2)) + s2 g,
#   E[phi'(v)]   = Phi(m/sqrt(1+s2)) + g m/(1+s2),
#   E[phi''(v)]  = g (2 - m^2/(1+s2)^2 - s2/(1+s2)).


def _cond(kind, m, s2):
    r = mp.sqrt(1 + s2)
    g = mp.npdf(m / r) / r
    if kind == 0:
        return m * mp.ncdf(m / r) + s2 * g
    if kind == 1:
        return mp.ncdf(m / r) + g * m / (1 + s2)
    return g * (2 - (m / (1 + s2)) ** 2 - s2 / (1 + s2))


_PHI = [lambda x: x * mp.ncdf(x), lambda x: mp.ncdf(x) + x * mp.npdf(x), lambda x: (2 - x**2) * mp.npdf(x)]


def _gauss2(kind, Q1, Q2, C):
    s2 = max(Q2 - C**2 / Q1, mp.mpf(0))
    f = lambda u: mp.npdf(u, 0, mp.sqrt(Q1)) * _PHI[kind](u) * _cond(kind, C * u / Q1, s2)  # noqa: E731
    return mp.quad(f, [-mp.inf, 0, mp.inf])


POINTS = [("0.7", "1.3", "0.55"), ("0.7", "1.3", "0.999"), ("0.7", "1.3", "-1")]  # third entry: c / sqrt(q1 q2)


@pytest.mark.parametrize("pt", POINTS, ids=["interior", "near+", "boundary-"])
def test_gelu_chain_numerics(chain, pt):
    v, vd = chain
    exprs = [v, vd, gelu_dual_second_derivative(q1, q2, c)]
    with mp.workdps(30):
        Q1, Q2 = mp.mpf(pt[0]), mp.mpf(pt[1])
        C = mp.mpf(pt[2]) if pt[2] == "0.55" else mp.mpf(pt[2]) * mp.sqrt(Q1 * Q2)
        for kind, e in enumerate(exprs):
            exact = sp.lambdify((q1, q2, c), e, "mpmath")(Q1, Q2, C)
            num = _gauss2(kind, Q1, Q2, C)
            assert abs(exact - num) <= mp.mpf(10) ** -20 * abs(num), (kind, exact, num)


@pytest.mark.parametrize("Q", ["0.3", "1", "2.5"])
def test_gelu_boundary_expectations(Q):
    r"""$E[u\Phi(u)] = q/\sqrt{2\pi(1+q)}$ and $E[\phi'(u)] = 1/2$ for $u \sim N(0, q)$."""
    with mp.workdps(30):
        q = mp.mpf(Q)
        e0 = mp.quad(lambda u: mp.npdf(u, 0, mp.sqrt(q)) * u * mp.ncdf(u), [-mp.inf, 0, mp.inf])
        e1 = mp.quad(lambda u: mp.npdf(u, 0, mp.sqrt(q)) * _PHI[1](u), [-mp.inf, 0, mp.inf])
        assert abs(e0 - q / mp.sqrt(2 * mp.pi * (1 + q))) < mp.mpf(10) ** -25
        assert abs(e1 - mp.mpf(1) / 2) < mp.mpf(10) ** -25
