"""The scaling_regimes records: the Ito correction derived from the master expansion, moment closure, generated code."""

from __future__ import annotations

import numpy as np
import sympy as sp

import derivations.scaling_regimes.diffusive as diffusive_module
from derivations.scaling_regimes import (
    diffusive_sde_record,
    gaussian_expectation,
    ito_drift,
    master_expansion_record,
)
from derivations.scaling_regimes.master import SIGMA1, SIGMA2, taylor_coefficients
from numerics.generated import scaling_regimes_diffusive_sde as gen
from numerics.scaling_regimes import linear_sde_moments

S1, S2 = SIGMA1.symbol, SIGMA2.symbol
DRIFT = diffusive_sde_record().expressions


def _sym(expr, name):
    return next(s for s in expr.free_symbols if s.name == name)


def test_taylor_coefficients_match_tanh_and_shifted_softplus():
    z = sp.Symbol("z")
    c = taylor_coefficients(2)
    for f, (s1, s2) in ((sp.tanh(z), (1, 0)), (sp.log(1 + sp.exp(z)) - sp.log(2), (sp.Rational(1, 2), sp.Rational(1, 4)))):
        truth = [sp.series(f, z, 0, 3).removeO().coeff(z, n) for n in range(3)]
        assert [sp.simplify(ci.subs({S1: s1, S2: s2}) - t) for ci, t in zip(c, truth)] == [0, 0, 0]
    inc = master_expansion_record().expressions["increment"]
    assert sp.expand(inc.diff(_sym(inc, "b"), 2) - _sym(inc, "delta") * S2) == 0   # the second-order term


def test_ito_correction_is_the_expectation_of_the_second_order_term():
    """Independent route: sympy.stats expectation of sigma''(0)/2 z^2 for the Gaussian layer, to first order in dt."""
    from sympy.stats import E, Normal
    drift = DRIFT["drift"]
    h, sa, sb, ab, bb = (_sym(drift, n) for n in ("H", "s_A", "s_b", "A_bar", "b_bar"))
    dt = sp.Symbol("dt", positive=True)
    xi, eta = Normal("xi", 0, 1), Normal("eta", 0, 1)
    z = (ab * dt + sa * sp.sqrt(dt) * xi) * h + bb * dt + sb * sp.sqrt(dt) * eta
    second = sp.expand(E(sp.expand(S2 / 2 * z ** 2)))
    correction = sp.limit(second / dt, dt, 0)
    assert sp.expand(DRIFT["ito_correction"] - correction) == 0
    assert sp.expand(drift - S1 * (ab * h + bb) - correction) == 0
    assert correction != 0   # a dropped correction fails the line above


def test_the_correction_follows_the_master_expansion(monkeypatch):
    """Derived, not typed in: tripling the expansion's second coefficient triples the record's correction."""
    monkeypatch.setattr(diffusive_module, "taylor_coefficients", lambda order: (0, S1, 3 * S2 / 2))
    drift, correction = ito_drift(1)
    assert sp.expand(correction - 3 * DRIFT["ito_correction"]) == 0


def test_isotropic_correction_depends_on_the_norm_only():
    _, corr2 = ito_drift(2)
    h0, h1 = sorted((s for s in corr2.free_symbols if s.name in ("H0", "H1")), key=str)
    assert sp.expand(corr2.diff(h0) * h1 - corr2.diff(h1) * h0) == 0   # rotation invariant
    r2 = _sym(DRIFT["ito_correction_isotropic"], "r2")
    assert sp.expand(DRIFT["ito_correction_isotropic"].subs(r2, h0 ** 2 + h1 ** 2) - corr2) == 0


def test_gaussian_expectation_moments():
    x, y = sp.symbols("x y")
    assert gaussian_expectation(x ** 4 * y ** 2 + x * y + 3, (x, y)) == 6


def test_no_moment_closure_with_curvature_and_closed_forms_solve_the_ode():
    drift = DRIFT["drift"]
    h = _sym(drift, "H")
    g2 = DRIFT["diffusion_weights"] ** 2 + DRIFT["diffusion_bias"] ** 2
    rate2 = sp.expand(2 * h * drift + g2)
    sa = _sym(drift, "s_A")
    assert sp.expand(rate2.coeff(h, 3) - S2 * sa ** 2) == 0
    mean, second = DRIFT["mean"], DRIFT["second_moment"]
    t, x = _sym(mean, "t"), _sym(mean, "x")
    m1r, m2r = DRIFT["mean_rate_tanh"], DRIFT["second_moment_rate_tanh"]
    assert sp.simplify(mean.diff(t) - m1r.subs(h, mean)) == 0
    ode2 = second.diff(t) - (m2r.coeff(h, 2) * second + m2r.coeff(h, 1) * mean + m2r.coeff(h, 0))
    assert sp.simplify(ode2) == 0
    assert sp.simplify(mean.subs(t, 0) - x) == 0 and sp.simplify(second.subs(t, 0) - x ** 2) == 0


def test_generated_moments_match_the_matrix_exponential():
    for ab, bb, sa, sb, s1, x, t in ((0.5, 0.2, 0.4, 0.3, 1.0, 1.0, 1.0), (-0.3, 0.1, 0.7, 0.0, 0.5, -0.8, 0.6)):
        ref = linear_sde_moments(x, t, a_bar=ab, b_bar=bb, s_a=sa, s_b=sb, sigma1=s1)
        np.testing.assert_allclose([gen.mean(x, t, ab, bb, s1), gen.second_moment(x, t, ab, bb, sa, sb, s1)], ref,
                                   rtol=1e-12)
    np.testing.assert_allclose(gen.drift(1.5, 0.5, 0.2, 0.4, 0.3, 0.5, 0.25),
                               0.5 * (0.75 + 0.2) + 0.125 * (0.16 * 2.25 + 0.09), rtol=1e-15)
