"""propagation numerics: fixed points against direct iteration, the vectorised line against the
certified point and the explicit parametrisation, slopes against finite differences, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.dual import activation
from numerics.generated import propagation_critical_line as line
from numerics.generated import propagation_relu as relu
from numerics.propagation import certified_critical_point, critical_line, propagation, q_star
from numerics.propagation.activations import smooth_activation
from numerics.core.quadrature import gaussian_expectation as expect  # the 1-d rule the solvers use
from numerics.propagation.gaussian import pair_expect


def _length_map(act, sw, sb, q):
    d0 = smooth_activation(act).derivatives[0]
    return sw * float(expect(lambda x: d0(x) ** 2, q)) + sb


@pytest.mark.parametrize("act,sw,sb", [("tanh", 1.5, 0.05), ("tanh", 2.5, 0.3), ("erf", 3.0, 0.05)])
def test_fixed_points_by_iteration_and_slopes_by_differences(act, sw, sb):
    p = propagation(act, sigma_w2=sw, sigma_b2=sb)
    q = 1.0
    for _ in range(200):  # independent path: plain iteration of the map
        q = _length_map(act, sw, sb, q)
    assert q == pytest.approx(p.q_star, rel=1e-12)
    h = 1e-5 * p.q_star
    slope = (_length_map(act, sw, sb, p.q_star + h) - _length_map(act, sw, sb, p.q_star - h)) / (2 * h)
    assert slope == pytest.approx(p.chi_q, rel=1e-7)
    if p.c_star < 1.0:
        d0 = smooth_activation(act).derivatives[0]
        cmap = lambda c: (sw * pair_expect(d0, d0, p.q_star, c) + sb) / p.q_star  # noqa: E731
        assert cmap(p.c_star) == pytest.approx(p.c_star, abs=1e-12)
        dc = 1e-5
        assert (cmap(p.c_star + dc) - cmap(p.c_star - dc)) / (2 * dc) == pytest.approx(p.chi_c, rel=1e-6)
        assert p.chi_1 > 1.0 and p.xi_grad < 0
    else:
        assert p.chi_1 <= 1.0 and p.chi_c == p.chi_1


def test_tanh_critical_point_is_certified_to_1e9_and_the_vectorised_line_agrees():
    cert = certified_critical_point("tanh", 0.05)
    assert cert.bound < 1e-9
    sw, q = critical_line("tanh", 0.05)
    assert abs(sw[0] - cert.sigma_w2) <= cert.bound + 1e-13
    assert abs(cert.sigma_w2 - 1.7609546) < 1e-6  # Schoenholz et al. (2017) fig. 1 reads ~1.76; the digits are ours
    assert q_star("tanh", cert.sigma_w2, 0.05) == pytest.approx(cert.q_star, rel=1e-10)
    d1 = smooth_activation("tanh").derivatives[1]
    assert cert.sigma_w2 * float(expect(lambda x: d1(x) ** 2, cert.q_star)) == pytest.approx(1.0, abs=1e-9)


def test_line_solves_its_defining_equations_vectorised():
    sb = np.linspace(0.0, 1.0, 100)
    for act in ("tanh", "erf"):
        sw, q = critical_line(act, sb)
        d0, d1 = smooth_activation(act).derivatives[:2]
        v, d = expect(lambda x: d0(x) ** 2, q), expect(lambda x: d1(x) ** 2, q)
        assert np.max(np.abs(line.length_residual(q, v, sw, sb))) < 1e-12
        assert np.max(np.abs(line.chi_1_residual(d, sw))) < 1e-12
        assert np.all(np.diff(sw) > 0) and sw[0] == pytest.approx(1.0 if act == "tanh" else np.pi / 4, rel=1e-9)


@pytest.mark.parametrize("call,match", [
    (lambda: propagation("tanh", sigma_w2=-1.0, sigma_b2=0.1), "sigma_w2=-1.0 is outside"),
    (lambda: propagation("tanh", sigma_w2=1.0, sigma_b2=-0.1), "sigma_b2=-0.1 is outside"),
    (lambda: q_star("tanh", 0.8, 0.0), "no fixed point"),
    (lambda: critical_line("tanh", [0.1, -0.2]), "sigma_b2=-0.2"),
    (lambda: critical_line("tanh", 50.0), "sigma_b2=50.0: activation='tanh' has no critical point"),
    (lambda: critical_line("relu", 0.1), "sigma_b2=0.1: activation='relu' has no critical point"),
    (lambda: q_star("relu", 2.5, 0.1), "activation='relu' has no fixed point"),
    (lambda: critical_line("no_such_thing", 0.1), "activation='no_such_thing' is not supported"),
    (lambda: propagation("tanh", sigma_w2=float("nan"), sigma_b2=0.1), "sigma_w2=nan"),
])
def test_bad_inputs_name_parameter_value_and_range(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_dual_engine_path_agrees_with_the_hermite_path_for_tanh():
    """Catalog tanh through numerics.dual (graded Gauss-Legendre, heat-equation slopes) vs Gauss-Hermite + Stein."""
    dual_tanh = activation("tanh")
    for sw, sb in [(1.5, 0.05), (2.5, 0.3)]:
        a, b = propagation("tanh", sigma_w2=sw, sigma_b2=sb), propagation(dual_tanh, sigma_w2=sw, sigma_b2=sb)
        for name in ("q_star", "c_star", "chi_1", "chi_q", "chi_c"):
            # Gauss-Hermite-160 loses digits as q grows (tanh's poles at +-i pi/2 scale to +-i pi/(2 sqrt q)): at
            # q* = 1.46 its chi_q is off by 1.5e-9 relative; the dual path is within 3e-12 of mpmath there
            assert getattr(b, name) == pytest.approx(getattr(a, name), rel=1e-8), name
    sb = np.array([0.0, 0.05, 0.5])
    for x, y in zip(critical_line("tanh", sb), critical_line(dual_tanh, sb)):
        assert y == pytest.approx(x, rel=1e-9, abs=1e-12)


def test_relu_through_the_dual_engine_matches_its_closed_forms():
    sw, sb = 1.5, 0.2
    p = propagation("relu", sigma_w2=sw, sigma_b2=sb)
    assert p.q_star == pytest.approx(relu.q_star(sw, sb), rel=1e-12)
    assert p.chi_1 == pytest.approx(relu.chi_1(sw), rel=1e-12) and p.c_star == 1.0
    assert p.chi_q == pytest.approx(relu.chi_1(sw), rel=1e-9)  # heat-equation slope of V(q) = q/2 across the kink
    sw_crit, q_crit = critical_line("relu", 0.0)
    assert (float(sw_crit[0]), float(q_crit[0])) == (2.0, 0.0)  # the only critical point, exactly
