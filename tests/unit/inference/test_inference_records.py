"""The inference records: generated scalar functions against the stable numerics and SymPy limits."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.inference import linearised_record, posterior_record
from numerics.generated import inference_linearised as gen
from numerics.inference.spectral import flow_inverse, gd_inverse


def test_generated_flow_and_gd_factors_match_the_numerics():
    lam = np.array([1e-9, 0.3, 2.0, 7.0])
    for t in (0.0, 0.5, 12.0):
        np.testing.assert_allclose(flow_inverse(lam, np.array([t * 0.8 / 3])), [gen.flow_inverse(lam, 0.8, t, 3)], rtol=1e-13)
    for k in (0, 1, 9):
        np.testing.assert_allclose(gd_inverse(lam, 0.8 / 3, np.array([k])), [gen.gd_inverse(lam, 0.8, k, 3)], rtol=1e-7)
    assert gen.stability_threshold(4.0, 3) == 1.5


def test_symbolic_limits_of_the_records():
    rec = linearised_record()
    sym = {s.name: s for s in rec.expressions["flow_inverse"].free_symbols}
    lam, t, eta, n = sym["lam"], sym["t"], sym["eta"], sym["N"]
    pos = {s: sp.Symbol(s.name, positive=True) for s in (lam, eta, n)}
    flow_pos = rec.expressions["flow_inverse"].subs(pos)
    post = posterior_record().expressions["posterior_inverse"]
    at = {pos[lam]: sp.Rational(3, 7), pos[eta]: sp.Rational(1, 3), pos[n]: 5, t: 10**5}
    assert abs(sp.N(flow_pos.subs(at) - post.subs(lam, sp.Rational(3, 7)), 30)) < 1e-30   # t -> inf
    assert sp.simplify(sp.limit(flow_pos, pos[lam], 0) - pos[eta] * t / pos[n]) == 0
    # GD with step eta/m for m t steps tends to the flow (floats: exact rationals would be huge).
    gd = sp.lambdify([s_ for s_ in sorted(rec.expressions["gd_inverse"].free_symbols, key=str)],
                     rec.expressions["gd_inverse"])   # arguments N, eta, k, lam
    flow = float(flow_pos.subs({pos[lam]: 1.5, pos[eta]: 0.5, t: 3, pos[n]: 2}))
    m = 10**6
    assert abs(gd(2, 0.5 / m, 3 * m, 1.5) - flow) < 1e-5 * flow
