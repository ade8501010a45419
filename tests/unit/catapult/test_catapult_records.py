"""Records catapult.uv_updates and catapult.uv_phases: derived from the model by SymPy, not typed in.

The updates are checked against a component-wise derivation in a concrete dimension (an independent route: sympy
``diff`` of the loss in every coordinate, then the Gram invariants evaluated at random points), and against the
reference's x = 1, y = 0 form; the phase record's expressions are recomputed from the updates.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations.catapult import gram_reduce, scaled_map, uv_phases_record, uv_step_in_invariants, uv_updates_record

f, lam, eta, x, y = sp.symbols("f lambda eta x y")
n = sp.Symbol("n", positive=True)


@pytest.fixture(scope="module")
def step():
    return uv_step_in_invariants(f=f, ntk=lam, eta=eta, n=n, x=x, y=y)


def test_updates_match_componentwise_gradient_descent_in_dimension_three(step):
    d = 3
    u, v = sp.symbols("u0:3"), sp.symbols("v0:3")
    model = x * sum(a * b for a, b in zip(u, v)) / sp.sqrt(d)
    loss = (model - y) ** 2 / 2
    u1 = [a - eta * sp.diff(loss, a) for a in u]
    v1 = [b - eta * sp.diff(loss, b) for b in v]
    f1 = x * sum(a * b for a, b in zip(u1, v1)) / sp.sqrt(d)
    lam1 = x ** 2 * sum(a ** 2 for a in u1 + v1) / d
    direct = sp.lambdify(u + v + (eta, x, y), (model, x ** 2 * sum(a ** 2 for a in u + v) / d, f1, lam1))
    derived = sp.lambdify((f, lam, eta, n, x, y), step)
    for point in np.random.default_rng(3).standard_normal((3, 2 * d)):
        f0, lam0, f_next, lam_next = direct(*point, 0.7, 1.3, -0.4)
        assert np.allclose(derived(f0, lam0, 0.7, d, 1.3, -0.4), (f_next, lam_next), rtol=1e-12, atol=0)


def test_updates_reduce_to_the_reference_form(step):
    at = {x: 1, y: 0}
    assert sp.simplify(step[0].subs(at) - f * (1 - eta * lam + eta ** 2 * f ** 2 / n)) == 0
    assert sp.simplify(step[1].subs(at) - (lam + eta * f ** 2 / n * (eta * lam - 4))) == 0


def test_record_expressions_are_the_derived_ones(step):
    rec = uv_updates_record()
    sub = {rec.parameter(name).symbol: s for name, s in [("f", f), ("ntk", lam), ("eta", eta), ("n", n), ("x", x),
                                                          ("y", y)]}
    assert sp.expand(rec.expressions["f_next"].subs(sub) - step[0]) == 0
    assert sp.expand(rec.expressions["ntk_next"].subs(sub) - step[1]) == 0


def test_a_typed_in_wrong_update_would_be_caught(step):
    wrong = f * (1 - eta * lam + eta ** 2 * f ** 2 / (2 * n))
    assert sp.simplify(step[0].subs({x: 1, y: 0}) - wrong) != 0


def test_gram_reduce_rejects_a_term_that_is_not_an_inner_product():
    u = sp.MatrixSymbol("u", 3, 1)
    with pytest.raises(ValueError, match="not a scalar multiple"):
        gram_reduce(u * u.T, {})


def test_scaled_map_is_width_free_and_has_the_phase_structure():
    w_next, c_next = scaled_map()
    w, c = sp.Symbol("w"), sp.Symbol(r"\eta\lambda")
    names = {s.name: s for s in w_next.free_symbols | c_next.free_symbols}
    w, c = names["w"], next(s for k, s in names.items() if k != "w")
    assert sp.expand(w_next - w * (1 - c + w) ** 2) == 0
    assert sp.expand(c_next - (c + w * (c - 4))) == 0


@pytest.fixture(scope="module")
def phases():
    return uv_phases_record()


def test_phase_edges_are_two_and_four_over_lambda0(phases):
    lam0 = phases.parameter("lambda0").symbol
    assert sp.simplify(phases.expressions["lazy_max_rate"] - 2 / lam0) == 0
    assert sp.simplify(phases.expressions["divergent_rate"] - 4 / lam0) == 0


def test_lazy_shift_is_negative_and_its_mean_is_the_limit(phases):
    c, w = phases.parameter("c").symbol, phases.parameter("w").symbol
    shift = sp.lambdify((w, c), phases.expressions["lazy_ntk_shift"])
    assert all(shift(1e-3, cc) < 0 for cc in np.linspace(0.1, 1.9, 19))
    assert sp.simplify(phases.expressions["lazy_ntk_shift_mean"] - (c - 4) / (4 * (2 - c))) == 0
    assert phases.expressions["peak_loss_width_exponent"] == 1


def test_lazy_shift_sums_the_linearised_orbit(phases):
    """Independent route: iterate the scaled map from a tiny w_0 and compare (c_inf - c)/(c w_0)."""
    rec = phases
    c, w = rec.parameter("c").symbol, rec.parameter("w").symbol
    shift = float(rec.expressions["lazy_ntk_shift"].subs({c: 0.8, w: 1.0}))
    wt, ct = 1e-9, 0.8
    for _ in range(400):
        wt, ct = wt * (1 - ct + wt) ** 2, ct + wt * (ct - 4)
    assert (ct - 0.8) / (0.8 * 1e-9) == pytest.approx(shift, rel=1e-6)


def test_init_ratio_moment_matches_a_monte_carlo_of_the_model(phases):
    """E[f_0^2/lambda_0^2] = n/(4(n+1)) for u, v in R^5 with N(0, 1) entries (z-test at 5 sigma)."""
    moment = float(phases.expressions["init_ratio_moment"].subs(phases.parameter("n").symbol, 5))
    uv = np.random.default_rng(11).standard_normal((2, 200_000, 5))
    ratio = 5 * np.einsum("ni,ni->n", *uv) ** 2 / (uv ** 2).sum(axis=(0, 2)) ** 2
    assert abs(ratio.mean() - moment) < 5 * ratio.std() / np.sqrt(ratio.size)
    assert moment == pytest.approx(5 / 24)
