r"""The exact finite-width law of the log-norm of a shaped-ReLU MLP: mean and variance at any $n$ and $d$.

Given layer $\ell$, $\Phi^{aa}_{\ell+1}/\Phi^{aa}_\ell = R_\ell = \frac cn\sum_{i=1}^n\varphi_s(g_i)^2$ with fresh
$g \sim N(0, I_n)$ (1-homogeneity), so $L_d = \ln(\Phi^{aa}_d/\Phi^{aa}_0) = \sum_{\ell=1}^d\ln R_\ell$ is a sum of $d$
i.i.d. terms.  With $c = 2/(s_+^2 + s_-^2)$,

$$R = \frac{\chi^2_n}{n}\,(1 + \delta Y),\qquad \delta = \frac{s_+^2 - s_-^2}{s_+^2 + s_-^2},\qquad
  Y = \frac{\sum_i g_i^2\operatorname{sign}g_i}{\sum_i g_i^2} \in [-1, 1],$$

and $Y$ (a function of the direction of $g$ and the signs) is independent of $\chi^2_n = |g|^2$.  Hence

$$E L_d = d\,\big[\psi(\tfrac n2) + \ln\tfrac2n + E\ln(1+\delta Y)\big],\qquad
  \operatorname{Var} L_d = d\,\big[\psi'(\tfrac n2) + \operatorname{Var}\ln(1+\delta Y)\big].$$

$Y$ is symmetric, so with $\mu_{2k} = EY^{2k}$ (odd moments vanish) and $|\delta| < 1$,

$$E\ln(1+\delta Y) = -\sum_{k\ge1}\frac{\delta^{2k}\mu_{2k}}{2k},\qquad
  E\ln^2(1+\delta Y) = \sum_{k\ge1}\frac{2H_{2k-1}}{2k}\,\delta^{2k}\mu_{2k}$$

($\ln^2(1+x) = \sum_{m\ge2}(-1)^m 2H_{m-1}x^m/m$, $H$ the harmonic numbers).  The moments are exact rationals:
$S = \sum_i g_i^2\operatorname{sign}g_i = \chi^2_n Y$ with the two factors independent, so
$\mu_{2k} = ES^{2k}/E(\chi^2_n)^{2k}$, $E(\chi^2_n)^{j} = \prod_{i<j}(n + 2i)$, and $ES^{j} = j!\,[t^j]\,m(t)^n$ with
$m(t) = Ee^{tg^2\operatorname{sign}g} = \tfrac12[(1-2t)^{-1/2} + (1+2t)^{-1/2}] = \sum_j\binom{4j}{2j}4^{-j}t^{2j}$
(e.g. $\mu_2 = 3/(n+2)$).  Since $\mu_{2k} \le \mu_{2K}$ for $k \ge K$, the tail after $K$ terms is at most
$\mu_{2K+2}\,\delta^{2K+2}\,(1 + H_{2K+1})/(1 - \delta^2)$; it is checked against :data:`TAIL_BOUND`.

The $\delta = 0$ terms and $EY^2$, $EY^4$ and the $1/n$ terms below are record
``covariance_sde.shaped_relu_finite_width`` (derived in SymPy; its generated functions are used here and
cross-checked in the tests).  As $n \to \infty$ with $d/n \to T$: $\psi(x) + \ln(1/x) = -\tfrac1{2x} + O(x^{-2})$ and $\psi'(x) = \tfrac1x + O(x^{-2})$
give $d[\psi(n/2) + \ln(2/n)] \to -T$ and $d\psi'(n/2) \to 2T$, while $\delta = O(n^{-1/2})$ and $\mu_2 = O(1/n)$ make the
$\delta$ terms $O(1/n)$: the limits :data:`LIMIT_PER_T` $= (-1, 2)$ of the finite-width formula, to be compared with
the SDE's $N(-T, 2T)$ (record ``covariance_sde.shaped_relu``, by Itô's formula).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from ..core.validation import check_integer, check_scalar
from ..generated import covariance_sde_shaped_relu_finite_width as finite_width

__all__ = ["LIMIT_PER_T", "LogNormMoments", "TAIL_BOUND", "log_norm_moments", "sign_balance_moments"]

#: $\lim E L_d/T_n$ and $\lim\operatorname{Var}L_d/T_n$ of the finite-width formula (module docstring).
LIMIT_PER_T = (-1.0, 2.0)
#: Largest allowed bound on the truncated tail of the $\delta$ series (per layer).
TAIL_BOUND = 1e-10
#: Terms of the $\delta$ series.
TERMS = 32


@lru_cache(maxsize=64)
def sign_balance_moments(width: int, terms: int = TERMS) -> tuple[float, ...]:
    r"""$(\mu_2, \mu_4, \dots, \mu_{2\,\text{terms}+2})$, $\mu_{2k} = EY^{2k}$ at width $n$, exact rationals rounded once.

    >>> sign_balance_moments(10, 2)[0] == 3 / 12
    True
    """
    n = check_integer("width", width, minimum=1)
    degree = 2 * terms + 2
    base = [Fraction(0)] * (degree + 1)
    for j in range(0, degree // 2 + 1):
        base[2 * j] = Fraction(math.comb(4 * j, 2 * j), 4**j)

    def mul(a, b):
        out = [Fraction(0)] * (degree + 1)
        for i, x in enumerate(a):
            if x:
                for j in range(degree + 1 - i):
                    if b[j]:
                        out[i + j] += x * b[j]
        return out

    power, result, e = base, [Fraction(1)] + [Fraction(0)] * degree, n
    while e:
        if e & 1:
            result = mul(result, power)
        e >>= 1
        if e:
            power = mul(power, power)
    out = []
    for k in range(1, terms + 2):
        j = 2 * k
        chi = math.prod(n + 2 * i for i in range(j))
        out.append(float(result[j] * math.factorial(j) / chi))
    return tuple(out)


@dataclass(frozen=True)
class LogNormMoments:
    r"""Exact moments at width $n$, depth $d$: $L_d$, the identity control $\Lambda_d$ and $V_d = \delta\sum_\ell Y_\ell$."""

    mean: float
    variance: float
    identity_mean: float
    identity_variance: float
    balance_variance: float  # Var V_d = d delta^2 mu_2 (E V_d = 0)
    delta: float


def log_norm_moments(*, c_plus: float, c_minus: float, width: int, depth: int) -> LogNormMoments:
    r"""$E L_d$, $\operatorname{Var} L_d$ (module docstring) and the control moments, exact to the series tail.

    >>> m = log_norm_moments(c_plus=0.0, c_minus=0.0, width=2, depth=3)   # chi^2_2/2 is Exp(1): E ln = -gamma
    >>> round(m.mean / 3, 12) == round(-0.5772156649015329, 12), round(m.variance / 3, 12) == round(math.pi**2 / 6, 12)
    (True, True)
    """
    c_plus = check_scalar("c_plus", c_plus, low=-math.inf, high=math.inf, closed=(False, False))
    c_minus = check_scalar("c_minus", c_minus, low=-math.inf, high=math.inf, closed=(False, False))
    n = check_integer("width", width, minimum=1)
    d = check_integer("depth", depth, minimum=1)
    sp2, sm2 = (1 + c_plus / math.sqrt(n)) ** 2, (1 + c_minus / math.sqrt(n)) ** 2
    if not sp2 + sm2 > 0:
        raise ValueError(f"(c_plus, c_minus)=({c_plus!r}, {c_minus!r}) gives s_+ = s_- = 0 at width={n}")
    delta = (sp2 - sm2) / (sp2 + sm2)
    mu = sign_balance_moments(n)
    d2 = delta * delta
    tail = mu[-1] * d2 ** (TERMS + 1) * (1 + sum(1 / j for j in range(1, 2 * TERMS + 2))) / (1 - d2) if d2 < 1 else math.inf
    if not tail <= TAIL_BOUND:
        raise ValueError(f"(c_plus, c_minus, width)=({c_plus!r}, {c_minus!r}, {n}) gives delta={delta!r}: the series "
                         f"tail bound {tail:.3g} exceeds {TAIL_BOUND}; allowed: |delta| small enough (e.g. |c_pm| <= sqrt(width)/2)")
    e1 = e2 = 0.0
    harmonic = 0.0
    for k in range(1, TERMS + 1):
        harmonic += 1 / (2 * k - 1) + (1 / (2 * k - 2) if k > 1 else 0.0)
        term = d2**k * mu[k - 1]
        e1 -= term / (2 * k)
        e2 += 2 * harmonic / (2 * k) * term
    ident_mean = float(finite_width.identity_log_norm_mean(n, 1))
    ident_var = float(finite_width.identity_log_norm_variance(n, 1))
    return LogNormMoments(mean=d * (ident_mean + e1), variance=d * (ident_var + e2 - e1 * e1),
                          identity_mean=d * ident_mean, identity_variance=d * ident_var,
                          balance_variance=d * d2 * mu[0], delta=delta)
