"""The regime records (F1-F10): exponents read off the master expansion, limits, orders against measured slopes,
the ReLU random-sign SDE's exact second moment against Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import derivations.scaling_regimes.regimes as regimes_module
from derivations.scaling_regimes import (
    diffusive_delta_record,
    ito_drift,
    relu_gaussian_moments,
    relu_random_sign_record,
    smooth_weights_record,
)
from derivations.scaling_regimes.master import SIGMA1, SIGMA2
from numerics.generated import scaling_regimes_relu_random_sign as relu_gen
from numerics.generated import scaling_regimes_smooth_weights as smooth_gen
from numerics.scaling_regimes import relu_resnet, smooth_limit, smooth_resnet

SMOOTH = smooth_weights_record().expressions
DELTA = diffusive_delta_record().expressions
RELU = relu_random_sign_record().expressions


def _sym(expr, name):
    return next(s for s in expr.free_symbols if s.name == name)


def test_increment_rate_is_the_taylor_series_of_a_concrete_activation():
    """Independent route: L * L^-alpha * tanh(L^-beta u) expanded in u to third order."""
    rate = SMOOTH["increment_rate"]
    big_l, a, b, u = (_sym(rate, n) for n in ("L", "alpha", "beta", "u"))
    s3 = _sym(rate, "sigma3")
    truth = sp.series(big_l ** (1 - a) * sp.tanh(big_l ** -b * u), u, 0, 4).removeO()
    assert sp.simplify(sp.expand(rate.subs({SIGMA1.symbol: 1, SIGMA2.symbol: 0, s3: -2}) - truth)) == 0


def test_exponents_and_orders_are_derived_from_the_expansion(monkeypatch):
    """Derived, not typed in: an expansion whose coefficients are scaled by L^1 shifts every exponent by 1."""
    a, b = _sym(SMOOTH["growth_exponent"], "alpha"), _sym(SMOOTH["growth_exponent"], "beta")
    assert sp.expand(SMOOTH["growth_exponent"] - (1 - a - b)) == 0
    assert SMOOTH["order_curved"] == sp.Min(1, b) and SMOOTH["order_odd"] == sp.Min(1, 2 * b)
    assert sp.expand(SMOOTH["limit_drift_linear"] - SIGMA1.symbol * _sym(SMOOTH["limit_drift_linear"], "u")) == 0
    big_l = regimes_module.L.symbol
    monkeypatch.setattr(regimes_module, "_coefficients", lambda: (0, big_l, big_l, big_l))
    _, exps = regimes_module.expansion_exponents(a, b)
    assert [sp.expand(e - (2 - a - n * b)) for n, e in enumerate(exps, 1)] == [0, 0, 0]


def test_relu_homogeneity():
    rate = SMOOTH["relu_increment_rate"]
    big_l, a, b, u = (_sym(rate, n) for n in ("L", "alpha", "beta", "u"))
    for value in (0.7, -0.4):
        direct = (big_l * big_l ** -a * sp.Max(0, big_l ** -b * value)).subs({big_l: 37, a: 0.6, b: 0.4})
        assert abs(float(direct - rate.subs({u: value, big_l: 37, a: 0.6, b: 0.4}))) < 1e-14


@pytest.mark.parametrize("activation, beta", [("softplus", 0.2), ("softplus", 0.5), ("tanh", 0.5), ("tanh", 0.0)])
def test_measured_slopes_follow_the_record_orders(activation, beta):
    """Deterministic (fixed inputs): log-log slope of max |h_L - H_1| over L = 256..2048 within the issue's 0.15 of
    the record's order (measured -0.19, -0.42, -1.00, -1.00; tanh at beta 0.2..0.45 is pre-asymptotic, see the
    record's notes)."""
    x = np.array([[0.5, -0.3, 0.8], [-1.0, 0.2, 0.1]])
    ref = smooth_limit(x, activation=activation, beta=beta)
    depths = (256, 512, 1024, 2048)
    err = [np.abs(smooth_resnet(x, activation=activation, alpha=1 - beta, beta=beta, depth=L) - ref).max()
           for L in depths]
    slope = np.polyfit(np.log(depths), np.log(err), 1)[0]
    order = 1.0 if beta == 0 else (smooth_gen.order_curved(beta) if activation == "softplus" else smooth_gen.order_odd(beta))
    assert abs(slope + order) < 0.15, (slope, order)


def test_identity_regime_deviation_and_relu_limit():
    """F4: alpha + beta = 1.2 gives |h_L - x| ~ L^-0.2 (growth_exponent); F3: ReLU reaches the ReLU neural ODE."""
    x = np.array([[0.5, -0.3, 0.8]])
    dev = [np.linalg.norm(smooth_resnet(x, activation="tanh", alpha=0.7, beta=0.5, depth=L) - x) for L in (64, 4096)]
    assert abs(np.log(dev[1] / dev[0]) / np.log(64) - smooth_gen.growth_exponent(0.7, 0.5)) < 0.02
    err = [np.abs(smooth_resnet(x, activation="relu", alpha=0.6, beta=0.4, depth=L)
                  - smooth_limit(x, activation="relu", beta=0.4, rtol=1e-10)).max() for L in (64, 512)]
    assert 6 < err[0] / err[1] < 10   # order 1: a factor 8


def test_diffusive_delta_reduces_to_f6_and_scales_the_correction():
    corr = DELTA["ito_correction_scaled"]
    a, big_l = _sym(corr, "alpha"), _sym(corr, "L")
    f6 = ito_drift(1)[1]
    hs = {_sym(f6, "H"): _sym(corr, "h")}
    assert sp.expand(corr.subs(a, 0) - f6.xreplace(hs)) == 0
    assert sp.expand(corr - big_l ** a * corr.subs(a, 0)) == 0
    assert DELTA["correction_exponent"] == a


def _summed_term_exponents(n):
    """Independent route: z_tilde = mu + s g with mu = m/L, s^2 = v/L; the drift L * L^((n-1) alpha) E z^n and the
    martingale (L * L^(2(n-1) alpha) Var z^n)^(1/2), their powers of L found by limits L^p * E z^n -> finite, != 0."""
    big_l, m, v, g = sp.symbols("L m v g", positive=True)
    z = m / big_l + sp.sqrt(v / big_l) * g
    gauss = lambda e: sp.Add(*(c * (sp.factorial2(k - 1) if k % 2 == 0 else 0)
                               for (k,), c in sp.Poly(sp.expand(e), g).terms()))
    mean = gauss(z ** n)
    var = sp.expand(gauss(z ** (2 * n)) - mean ** 2)
    power = lambda e: next(sp.Rational(p, 2) for p in range(4 * n + 1)
                           if sp.limit(e * big_l ** sp.Rational(p, 2), big_l, sp.oo) != 0)
    return 1 - power(mean), (1 - power(var)) / 2


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_summed_expansion_terms_drift_and_martingale_exponents(n):
    """The record's cubic (and quartic) exponents and term_sum_exponents against the limit route: cubic drift and
    martingale both 2 alpha - 1 (not the bound's 2 alpha - 1/2), quartic 3 alpha - 1 and 3 alpha - 3/2."""
    a = _sym(DELTA["remainder_exponent"], "alpha")
    mean, mart = _summed_term_exponents(n)
    drift, martingale = regimes_module.term_sum_exponents(n, a)
    assert sp.expand(drift - ((n - 1) * a + mean)) == 0 and sp.expand(martingale - ((n - 1) * a + mart)) == 0
    if n == 3:
        assert sp.expand(DELTA["remainder_mean_exponent"] - drift) == 0
        assert sp.expand(DELTA["remainder_martingale_exponent"] - martingale) == 0
        assert sp.expand(DELTA["remainder_exponent"] - (2 * a - 1)) == 0
    if n == 4:
        assert sp.expand(DELTA["quartic_exponent"] - (3 * a - 1)) == 0
    if n % 2:   # odd sigma: order 2m+1 sums to L^(m(2 alpha - 1))
        assert sp.expand(sp.Max(drift, martingale) - (n - 1) // 2 * (2 * a - 1)) == 0


def test_summed_term_exponents_are_read_off_the_parametrisation(monkeypatch):
    """Derived, not typed in: noise of size L^-1/4 instead of L^-1/2 moves the cubic exponents."""
    big_l, a = regimes_module.L.symbol, sp.Symbol("alpha")
    xi, eta = sp.symbols("xi eta", real=True)
    monkeypatch.setattr(regimes_module, "_z_tilde", lambda: (xi * big_l ** sp.Rational(-1, 4) + 1 / big_l, (xi, eta)))
    drift, martingale = regimes_module.term_sum_exponents(3, a)
    assert sp.expand(drift - (2 * a - sp.Rational(1, 2))) == 0          # 1 + 2a + (-1 - 1/2)
    assert sp.expand(martingale - (2 * a - sp.Rational(1, 4))) == 0     # (1 + 4a - 3/2) / 2


def test_relu_moments_by_quadrature_and_the_finite_depth_limit():
    from scipy import integrate, stats
    m1, m2 = relu_gaussian_moments()
    q1, q2 = (integrate.quad(lambda g, k=k: g ** k * stats.norm.pdf(g), 0, np.inf)[0] for k in (1, 2))
    assert abs(float(m1) - q1) < 1e-12 and abs(float(m2) - q2) < 1e-12
    finite, limit = RELU["second_moment_finite"], RELU["second_moment"]
    big_l, t = _sym(finite, "L"), _sym(limit, "t")
    assert sp.simplify(sp.limit(finite - limit.subs(t, 1), big_l, sp.oo)) == 0


def test_relu_random_sign_second_moment_is_exact_at_finite_depth():
    """Monte Carlo: 40,000 networks at L = 4 and 16; |z| < 5 (false failure < 1e-6 per comparison)."""
    x = np.array([0.5, -0.3, 0.8])
    for depth, seed in ((4, 1), (16, 2)):
        h = relu_resnet(x, s_a=0.8, s_b=0.5, depth=depth, n_networks=40_000, seed=seed)
        v = np.sum(h * h, axis=1)
        exact = relu_gen.second_moment_finite(x @ x, depth, 3, 0.8, 0.5)
        z = (v.mean() - exact) / (v.std(ddof=1) / np.sqrt(v.size))
        assert abs(z) < 5, z
    assert relu_gen.second_moment_finite(x @ x, 16, 3, 0.8, 0.5) != relu_gen.second_moment(x @ x, 1.0, 3, 0.8, 0.5)


def test_bad_inputs_name_the_parameter():
    x = np.zeros((1, 3))
    with pytest.raises(ValueError, match="activation"):
        smooth_resnet(x, activation="gelu", alpha=1, beta=0, depth=2)
    with pytest.raises(ValueError, match="beta"):
        smooth_limit(x, activation="tanh", beta=1.0)
    with pytest.raises(ValueError, match="x must"):
        smooth_resnet(np.zeros((1, 2)), activation="tanh", alpha=1, beta=0, depth=2)
    with pytest.raises(ValueError, match="gates"):
        relu_resnet([1.0], s_a=1, s_b=0, depth=2, n_networks=2, seed=0, gates="mixed")
