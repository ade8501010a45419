"""The standard ResNet's limit mean per unit beta, by a route on which the limit record does not drop out.

claim.log_gaussian subtracts the record's finite-depth mean before it fits, so for the standard ResNet its moment
check tests ``finite_depth_mean``, not ``limit_mean`` (issue 12, finding 4).  Here the limit is measured directly:
after a burn-in the per-layer log-ratio is stationary, and ``n E ln R_l`` at width ``n`` is
``mu/beta + e_2/n + e_3/n^2 + ...`` with no boundary term at all.  Antithetic pairs with the martingale control
(``numerics.log_gaussian.antithetic_activation_statistics``) measure it at n = 32..256, and a quadratic in 1/n (one
spare degree for its chi-square) extrapolates it; a planted x1.03 on the limit is more than 5 standard errors away.

It also settles the thorough failure of issue 12 (docs/claims/claim.log_gaussian.md): the limit is right (within
0.3%), and the per-layer mean has a large 1/n^2 term (measured e_3 ~ -25 at lambda^2 = 1/4 over n = 32..1024),
so a line through n = 32..256 is biased.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from numerics.generated import log_gaussian_resnet_standard as std
from numerics.log_gaussian import antithetic_activation_statistics

WIDTHS = (32, 64, 128, 256)
PAIRS = (8000, 6000, 3000, 2000)  # ~25 s CPU on an idle core; SE of the intercept ~0.003 at lambda^2 = 1/4
BURN_IN, WINDOW = 80, 120  # alpha^80 < 1e-5 at lambda^2 = 1/4: the O(1/n) transient is below 1e-4 of the mean
Z = 4.9  # two-sided 1e-6


def _fit(y, se, order):
    x = 1 / np.asarray(WIDTHS, float)
    design = np.vander(x, order + 1, increasing=True)
    w = 1 / np.asarray(se) ** 2
    cov = np.linalg.inv(design.T @ (w[:, None] * design))
    coef = cov @ design.T @ (w * y)
    chi2 = float((w * (y - design @ coef) ** 2).sum())
    return coef[0], math.sqrt(cov[0, 0]), chi2


@pytest.mark.slow
def test_stationary_per_layer_log_mean_extrapolates_to_the_limit_record():
    lam2 = 0.25
    lam = math.sqrt(lam2)
    means, ses = [], []
    for n, pairs in zip(WIDTHS, PAIRS):
        o = antithetic_activation_statistics("standard", branch_weight=lam, width=n, n_pairs=pairs,
                                             seed=np.random.SeedSequence(2026, spawn_key=(n,)), burn_in=BURN_IN,
                                             window=WINDOW, log_norm_only=True)
        per_pair = (o["log_norm"] - o["martingale"]).mean(axis=1) * n / WINDOW  # n E ln R_l, control mean 0
        means.append(per_pair.mean())
        ses.append(per_pair.std(ddof=1) / math.sqrt(pairs))
    limit = std.limit_mean(lam, 1.0)
    a, se, chi2 = _fit(np.array(means), ses, 2)
    assert chi2 < stats.chi2.isf(1e-6, 1)  # the quadratic describes n = 32..256
    assert abs(a - limit) < Z * se, (a, se, limit)
    assert se < 0.2 * 0.03 * abs(limit)  # power: a 3% error in the limit is > 5 standard errors away


def _exact_conditional_log_mean(lam2: float, delta: float, n: int) -> float:
    r"""$E[\ln R_\ell \mid \text{layer}]$ exactly at width $n$: $R = \|\alpha x + \lambda s g\|^2/n$ with $\|x\|^2 = n$,
    $s^2 = 1 + 2\delta$, is $\lambda^2 s^2/n$ times a noncentral $\chi^2_n(\nu)$, $\nu = \alpha^2 n/(\lambda^2 s^2)$, and
    $E\ln\chi^2_n(\nu) = \ln 2 + E\,\psi(n/2 + J)$ with $J \sim \mathrm{Poisson}(\nu/2)$ (summed over +-12 standard deviations)."""
    from scipy import special

    s2, half_nu = 1 + 2 * delta, (1 - lam2) * n / (2 * lam2 * (1 + 2 * delta))
    j = np.arange(max(0, int(half_nu - 12 * math.sqrt(half_nu) - 5)), int(half_nu + 12 * math.sqrt(half_nu) + 6))
    weights = stats.poisson.pmf(j, half_nu)
    return math.log(lam2 * s2 / n) + math.log(2) + float(weights @ special.digamma(n / 2 + j)) / float(weights.sum())


def test_exact_per_layer_log_mean_against_monte_carlo_and_the_records_expansion():
    r"""The per-layer conditional log-mean behind the record's $nE\ln R = 2\lambda^2 nE\delta - \lambda^2(4+\lambda^2)/2$:

    * exact (noncentral $\chi^2$, :func:`_exact_conditional_log_mean`) against Monte Carlo of $\|\alpha x + \lambda s g\|^2/n$
      at $n = 8$ (an independent path; 4.9 standard errors, two-sided 1e-6);
    * its expansion $\ln(1+2\lambda^2\delta) - (2\alpha^2\lambda^2 s^2 + \lambda^4 s^4)/(n(1+2\lambda^2\delta)^2)$: $n^2$ times the
      remainder stays bounded as $n$ grows 10-fold (an $O(n^{-2})$ rest), while dropping the $1/n$ term leaves a rest
      whose $n$-multiple tends to the term (so the check can fail).  With $E\delta^2 = 3/(4n)$ and
      $\partial_\delta^2\ln(1+2\lambda^2\delta) = -4\lambda^4$ it gives the record's constant
      $-(2\alpha^2\lambda^2 + \lambda^4) - \tfrac32\lambda^4 = -\lambda^2(4+\lambda^2)/2$."""
    lam2 = 0.25
    alpha2 = 1 - lam2
    rng = np.random.default_rng(12)
    n, delta, m = 8, 0.07, 400_000
    x = rng.standard_normal(n)
    x *= math.sqrt(n) / np.linalg.norm(x)
    g = rng.standard_normal((m, n))
    r = ((math.sqrt(alpha2) * x + math.sqrt(lam2 * (1 + 2 * delta)) * g) ** 2).sum(axis=1) / n
    mc, se = np.log(r).mean(), np.log(r).std() / math.sqrt(m)
    assert abs(mc - _exact_conditional_log_mean(lam2, delta, n)) < 4.9 * se

    def term(delta, n):
        s2 = 1 + 2 * delta
        return (2 * alpha2 * lam2 * s2 + lam2**2 * s2**2) / (n * (1 + 2 * lam2 * delta) ** 2)

    for delta in (-0.1, 0.0, 0.1):
        rests = [n**2 * (_exact_conditional_log_mean(lam2, delta, n) - math.log(1 + 2 * lam2 * delta) + term(delta, n))
                 for n in (200, 2000)]
        assert abs(rests[1]) < 1.5 * abs(rests[0]) + 1e-3 and abs(rests[1]) < 5.0, (delta, rests)
        dropped = 2000 * (_exact_conditional_log_mean(lam2, delta, 2000) - math.log(1 + 2 * lam2 * delta))
        assert dropped == pytest.approx(-2000 * term(delta, 2000), rel=0.01)
    per_layer = -(2 * alpha2 * lam2 + lam2**2) + 0.5 * (-4 * lam2**2) * 0.75
    assert per_layer == pytest.approx(-lam2 * (4 + lam2) / 2, rel=1e-14)
