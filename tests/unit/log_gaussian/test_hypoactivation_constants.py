r"""The hypoactivation constants of record ``log_gaussian.resnet_standard``, re-derived by a second route.

Issue 12 (the thorough failure of ``claim.hypoactivation``): is the record's constant wrong?  The record
evaluates $C_f = -\frac{\lambda^2}{\pi}S_3$ and $C_r = -\frac{\lambda^2}{4}S_2$ from Hermite coefficients
(Mehler) and Price's theorem.  Here the stationary solution of the $O(1/n)$ mean recursion
(docs/claims/claim.hypoactivation.md, "Derivation of the constant")

$$M(f) = M(P_\alpha f) + \tfrac{\lambda^2}{2}E_N[h\,P_\alpha Lf],\qquad h(x) = x|x|,\quad L = \partial^2 - x\partial,$$

is summed in function space, $M(f) = \frac{\lambda^2}{2}\sum_{j\ge1}E_N[h\,LP_\alpha^jf] =
-\frac{\lambda^2}{2}\sum_{j\ge1}E_N[h'\,(P_\alpha^jf)']$ ($L$ is symmetric in $L^2(N)$), each term by
1-D quadrature of the defining expectation, with no Hermite series and no closed form of $H$, $H'$ or $G'$:

* count ($f = \mathrm{sgn}$, $n(E\,\mathrm{frac} - \frac12) = M(\mathrm{sgn})/2$): $(P_\alpha^j\mathrm{sgn})(x) = 2\Phi(a_jx) - 1$,
  $a_j = \alpha^j/\sqrt{1 - \alpha^{2j}}$;
* mass ($f = h$, $nE\delta = M(h)/2$): $(P_\alpha^jh)' = \rho_j P_\alpha^j h'$, $h' = 2|x|$, with
  $E|m + sg| = m(2\Phi(m/s) - 1) + 2s\varphi(m/s)$ inside.
"""

from __future__ import annotations

import importlib
import math

import pytest
from scipy import integrate, special

from numerics.generated import MODULES

std = importlib.import_module(f"numerics.generated.{MODULES['log_gaussian.resnet_standard']}")


def _phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _normal_expectation(f) -> float:
    """E f(X), X ~ N(0, 1), by adaptive quadrature on [0, inf) of the even integrand (f is even below)."""
    value, err = integrate.quad(lambda x: 2 * f(x) * _phi(x), 0, math.inf, epsabs=1e-14, epsrel=1e-12)
    assert err < 1e-10
    return value


def _terms(lam2: float):
    alpha = math.sqrt(1 - lam2)
    j = 1
    while alpha**j > 1e-17:
        yield j, alpha**j, math.sqrt(1 - alpha ** (2 * j))
        j += 1


def count_constant_by_quadrature(lam2: float) -> float:
    r"""$n(E\,\mathrm{frac} - \frac12) = -\frac{\lambda^2}{4}\sum_j E_N[h'\,(P^j\mathrm{sgn})']$, $(P^j\mathrm{sgn})' = 2a_j\varphi(a_jx)$."""
    total = 0.0
    for _, rho, s in _terms(lam2):
        a = rho / s
        total += _normal_expectation(lambda x, a=a: 2 * abs(x) * 2 * a * _phi(a * x))
    return -lam2 / 4 * total


def mass_constant_by_quadrature(lam2: float) -> float:
    r"""$nE\delta = -\frac{\lambda^2}{4}\sum_j E_N[h'\,\rho_jP^jh']$ with $P^jh'(x) = 2E|\rho_jx + s_jg|$."""
    def folded(m, s):
        return m * (2 * special.ndtr(m / s) - 1) + 2 * s * _phi(m / s)
    total = 0.0
    for _, rho, s in _terms(lam2):
        total += _normal_expectation(lambda x, rho=rho, s=s: 2 * abs(x) * rho * 2 * folded(rho * x, s))
    return -lam2 / 4 * total


@pytest.mark.parametrize("lam2", [0.2, 0.5, 0.8])
def test_record_constants_equal_the_function_space_sum(lam2):
    lam = math.sqrt(lam2)
    count = 1e6 * (std.activation_fraction(lam, 1e6) - 0.5)
    mass = 1e6 * (std.mass_fraction(lam, 1e6) - 0.5)
    assert count == pytest.approx(count_constant_by_quadrature(lam2), rel=1e-8, abs=1e-9)
    assert mass == pytest.approx(mass_constant_by_quadrature(lam2), rel=1e-8, abs=1e-9)


def test_the_quadrature_route_can_fail():
    """A 2% error (the size of the thorough discrepancy) in either constant is far outside the agreement."""
    lam = math.sqrt(0.5)
    count = 1e6 * (std.activation_fraction(lam, 1e6) - 0.5)
    assert abs(1.02 * count - count_constant_by_quadrature(0.5)) > 1e-3
    # dropping the first term of the series (a plausible slip: j from 2) moves the constant by a quarter
    alpha = math.sqrt(0.5)
    first = -0.5 / math.pi * alpha * math.sqrt(1 - alpha**2)
    assert abs(count - first - count_constant_by_quadrature(0.5)) > 0.05
    mass = 1e6 * (std.mass_fraction(lam, 1e6) - 0.5)
    assert abs(0.98 * mass - mass_constant_by_quadrature(0.5)) > 1e-2
