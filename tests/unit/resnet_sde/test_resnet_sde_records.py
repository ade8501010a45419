"""Records of infinitely deep ResNets as diffusions (Peluchetti and Favaro): derivations, closed forms, emitted code."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from derivations.core.codegen import emit_module
from derivations.resnet_sde import (
    SHIPPED,
    check_corollaries,
    check_theorem2,
    derive_increment_limits,
    outer_derivatives_at_zero,
    relu_outer_drift_rate,
    resnet_sde_record,
    resnet_sde_records,
    specialise,
)
from derivations.core.symbols import x


@pytest.fixture(scope="module")
def records():
    return {r.id: r for r in resnet_sde_records()}


@pytest.fixture(scope="module")
def generated(records):
    out = {}
    for rid, rec in records.items():
        ns: dict = {}
        exec(compile(emit_module(rec), f"<{rid}>", "exec"), ns)
        out[rid] = ns
    return out


def _num(rec, name, **values):
    expr = rec.expressions[name]
    return float(sp.N(expr.subs({rec.parameter(k).symbol: v for k, v in values.items()}), 30))


# -- the general derivation (Theorem 2, Corollaries 3-5) -----------------------------------------
def test_general_derivation_has_theorem2_form_and_corollaries():
    lim = derive_increment_limits(2)
    assert check_theorem2(lim) and check_corollaries(lim)
    p1, p2, p3 = lim.dphi
    assert p3 not in set().union(*(e.free_symbols for e in (*lim.drift, *lim.covariance)))
    # Corollary 5 from the general limit, compared with the shipped swish record at a numeric point
    sw, sb = sp.symbols("sigma_w sigma_b", nonnegative=True)
    iid = specialise(lim, sw**2 / 2 * sp.eye(4), sb**2 * sp.eye(2), sp.zeros(2, 2), sp.zeros(2, 1))
    rec = resnet_sde_record("swish", "identity")
    vals = {sw: sp.Rational(7, 5), sb: sp.Rational(1, 3), lim.state[0]: sp.Rational(1, 2), lim.state[1]: -2}
    drift = iid["drift"].subs({p1: sp.Rational(1, 2), p2: sp.Rational(1, 2)}).subs(lim.psi(lim.state[0]), lim.state[0])
    drift = drift.subs(lim.psi(lim.state[1]), lim.state[1]).subs(vals)
    mean_sq = (sp.Rational(1, 4) + 4) / 2
    want = _num(rec, "drift", mean_psi_sq=mean_sq, sigma_w=vals[sw], sigma_b=vals[sb])
    assert float(drift[0]) == pytest.approx(want, rel=1e-15) and drift[0] == drift[1]


def test_general_record_prints_theorem2_and_corollary5(records):
    rec = records["resnet_sde.general"]
    assert rec.latex("drift") == (r"\frac{\phi''(0) V[\varepsilon^W\psi(x)+\varepsilon^b]_{dd}}{2}"
                                  r" + \phi'(0) (\mu_b + \mu_W\psi(x))_d")
    assert rec.latex("diffusion") == r"\phi'(0)^{2} V[\varepsilon^W\psi(x)+\varepsilon^b]_{de}"
    assert rec.latex("iid_drift") == r"\frac{\phi''(0) \left(\|\psi(x)\|^2/D \sigma_w^{2} + \sigma_b^{2}\right)}{2}"
    assert rec.latex("iid_diffusion") == r"\phi'(0) \sqrt{\|\psi(x)\|^2/D \sigma_w^{2} + \sigma_b^{2}}"
    assert "1_D" in rec.notes and "I_D" in rec.notes  # the correction of Corollary 5 is stated
    assert any("Remark 9" in a for a in rec.assumptions)


@pytest.mark.parametrize("phi,psi", SHIPPED)
def test_shipped_records_phi_derivatives_and_planted_variant(phi, psi, records):
    rec = records[f"resnet_sde.{phi}_{psi}"]
    want = {"tanh": (1, 0), "swish": (sp.Rational(1, 2), sp.Rational(1, 2))}[phi]
    p = dict(mean_psi_sq=0.7, sigma_w=1.3, sigma_b=0.4)
    s2 = 0.4**2 + 1.3**2 * 0.7
    assert _num(rec, "drift", **p) == pytest.approx(float(want[1]) / 2 * s2, rel=1e-14)
    assert _num(rec, "diffusion", **p) == pytest.approx(float(want[0]) * math.sqrt(s2), rel=1e-14)
    planted = resnet_sde_record(phi, psi, omit_second_order_drift=True)
    assert planted.id.endswith(".planted_no_drift") and planted.expressions["drift"] == 0
    assert (_num(planted, "drift", **p) != _num(rec, "drift", **p)) == (phi == "swish")


def test_bad_activations_are_rejected():
    relu = sp.Piecewise((0, x < 0), (x, True))
    with pytest.raises(ValueError, match="Remark 9"):
        resnet_sde_record(relu, "tanh")
    with pytest.raises(ValueError, match=r"phi\(0\) = 0"):
        resnet_sde_record(sp.cos(x), "tanh")
    with pytest.raises(ValueError, match="not a known outer activation"):
        resnet_sde_record("relu", "tanh")
    with pytest.raises(ValueError, match="expression of x only"):
        resnet_sde_record(sp.tanh(x), sp.Symbol("y") * x)
    assert outer_derivatives_at_zero(sp.sin(x)) == (1, 0)
    dt = sp.Symbol("dt", positive=True)
    assert sp.limit(relu_outer_drift_rate(), dt, 0) == sp.oo  # relu as phi: the drift blows up


# -- emitted code ----------------------------------------------------------------------------------
def _draw(p, rng, n):
    lo, hi = p.typical
    if p.domain.integer:
        return rng.integers(int(lo), int(min(hi, 50)) + 1, n).astype(float)
    return rng.uniform(lo, hi, n)


def test_emitted_code_matches_sympy_evaluation(records, generated):
    rng = np.random.default_rng(np.random.SeedSequence(20240607))
    n = 25
    compared = 0
    for rid, rec in records.items():
        for name in rec.expressions:
            params = rec.args_of(name)
            vals = {p.name: _draw(p, rng, n) for p in params}
            got = np.asarray(generated[rid][name](*(vals[p.name] for p in params)), dtype=float)
            f = sp.lambdify([p.symbol for p in params], rec.expressions[name], "mpmath")
            want = []
            for i in range(n):
                try:
                    w = complex(f(*(vals[p.name][i] for p in params)))
                    want.append(w.real if abs(w.imag) <= 1e-12 * max(1.0, abs(w.real)) else np.nan)
                except (ZeroDivisionError, ValueError, TypeError):
                    want.append(np.nan)
            want = np.asarray(want)
            both = np.isfinite(got) & np.isfinite(want)
            assert both.sum() >= n // 3, (rid, name)
            np.testing.assert_allclose(got[both], want[both], rtol=1e-9, atol=1e-12, err_msg=f"{rid}.{name}")
            compared += 1
    assert compared > 60


# -- closed forms ----------------------------------------------------------------------------------
def test_norm_gbm_and_linear_gain_agree_at_d1(records):
    gbm, lin = records["resnet_sde.norm_gbm"], records["resnet_sde.linear"]
    p1, sw, T, D = (gbm.parameter(k).symbol for k in ("dphi0", "sigma_w", "T", "D"))
    # D = 1: log g_T = phi'(0) W_T - a T / 2 with W_T ~ N(0, sigma_w^2 T)
    assert sp.simplify(gbm.expressions["log_norm_mean"].subs(D, 1) + p1**2 * sw**2 * T / 2) == 0
    assert sp.simplify(gbm.expressions["log_norm_variance"].subs(D, 1) - p1**2 * sw**2 * T) == 0
    assert gbm.expressions["log_norm_mean"].subs(D, 2) == 0  # D = 2: driftless log-norm
    wt = lin.parameter("W_T").symbol
    assert sp.expand(sp.log(lin.expressions["gain_d1"]), force=True).coeff(wt) == lin.parameter("dphi0").symbol


def test_norm_moments_solve_their_odes_and_special_cases(records):
    rec = records["resnet_sde.norm_moments"]
    q0, p1, sw, sb, D, T, L = (rec.parameter(k).symbol for k in ("q0", "dphi0", "sigma_w", "sigma_b", "D", "T", "L"))
    mean, second = rec.expressions["mean_q"], rec.expressions["second_moment_q"]
    a, b, k = p1**2 * sw**2, p1**2 * sb**2, 1 + 2 / D
    assert sp.simplify(sp.diff(mean, T) - (b + a * mean)) == 0 and sp.simplify(mean.subs(T, 0) - q0) == 0
    assert sp.simplify(sp.diff(second, T) - 2 * k * (a * second + b * mean)) == 0
    assert sp.simplify(second.subs(T, 0) - q0**2) == 0
    # D = 1, sigma_b = 0: x_T = x_0 exp(phi'(0) W_T - a T / 2), so E x_T^4 = x_0^4 e^{6 a T}
    assert sp.simplify(second.subs({D: 1}).subs(sb, 0) - q0**2 * sp.exp(6 * a * T)) == 0
    # D -> infinity: q_T concentrates, E q^2 -> (E q)^2
    assert sp.simplify(sp.limit(second, D, sp.oo) - mean**2) == 0
    fin = rec.expressions["mean_q_finite_depth"]
    assert sp.simplify(fin.subs(L, 1) - (q0 + (sw**2 * q0 + sb**2) * T)) == 0
    point = {q0: sp.Rational(3, 2), sw: sp.Rational(6, 5), sb: sp.Rational(1, 2), T: 1}
    assert sp.limit(fin.subs(point), L, sp.oo) == sp.simplify(mean.subs(point).subs(p1, 1))


def test_backward_gram_mean_and_conv(records):
    bw, conv, gen = records["resnet_sde.backward"], records["resnet_sde.conv"], records["resnet_sde.general"]
    p1, sw, T = (bw.parameter(k).symbol for k in ("dphi0", "sigma_w", "T"))
    assert bw.expressions["gram_mean"] == sp.exp(p1**2 * sw**2 * T)
    # a 1x1 patch (K = 1) reduces the convolutional drift to Corollary 5
    sub = {conv.parameter("patch_sq_sum").symbol: conv.parameter("D").symbol * gen.parameter("mean_psi_sq").symbol}
    by_name = {s: conv.parameter(s.name).symbol for s in gen.expressions["iid_drift"].free_symbols if s.name != "mean_psi_sq"}
    assert sp.simplify(conv.expressions["drift"].subs(sub) - gen.expressions["iid_drift"].subs(by_name)) == 0


def _integrate_prop18(m0, q0, p1, p2, sw, sb, t_end):
    def rhs(_, y):
        m, q = y
        S = sb**2 + sw**2 * q
        return [p2 * S / 2, (p2 * m + p1**2) * S]
    return solve_ivp(rhs, (0, t_end), [m0, q0], rtol=1e-12, atol=1e-13, dense_output=True)


@pytest.mark.parametrize("m0,q0", [(0.2, 0.3), (1.5, 2.25), (-1.0, 1.0)])  # C_* > 0, < 0 with and without explosion
def test_doubly_infinite_solution_matches_ode_integration(m0, q0, generated):
    gen = generated["resnet_sde.doubly_infinite"]
    p1, p2, sw, sb = 0.5, 0.5, 1.0, 1.0  # swish
    tstar = float(gen["explosion_time"](m0, q0, p1, p2, sw, sb))
    t_end = min(1.0, 0.8 * tstar)
    sol = _integrate_prop18(m0, q0, p1, p2, sw, sb, t_end)
    ts = np.linspace(0, t_end, 7)
    np.testing.assert_allclose(gen["m_t"](m0, q0, ts, p1, p2, sw, sb), sol.sol(ts)[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(gen["q_t"](m0, q0, ts, p1, p2, sw, sb), sol.sol(ts)[1], rtol=1e-8, atol=1e-10)
    if math.isfinite(tstar):  # the solution blows up at t*
        assert gen["u_t"](m0, q0, tstar * (1 - 1e-7), p1, p2, sw, sb) > 1e5


@pytest.mark.parametrize("m0,q0,p1,p2,sw,sb", [
    (0.75, 0.5625, 0.5, 0.5, 1.0, 1.0),  # swish at z = 3/4: C_* = 0 exactly (was NaN)
    (0.2, 0.3, 0.5, 0.5, 1.0, 1.0),      # C_* > 0, u_0 > 0
    (-3.0, 9.0, 0.5, 0.5, 1.0, 1.0),     # C_* > 0, u_0 < 0
    (1.5, 2.25, 0.5, 0.5, 1.0, 1.0),     # C_* < 0 with explosion
    (-1.0, 1.0, 0.5, 0.5, 1.0, 1.0),     # C_* < 0 without explosion
    (-0.5, 0.0, 0.5, 0.5, 1.0, 0.0),     # C_* = 0, u_0 = 0: u stays 0, no explosion
])
def test_explosion_time_is_the_blow_up_time_of_the_ode(m0, q0, p1, p2, sw, sb, generated):
    """t* against an independent path: mpmath quadrature of dt = dS/S' along the (m, q) ODE of Proposition 18.

    On the trajectory S' = sigma_w^2 u S and u^2 = (phi''(0)^2 S - C_*)/sigma_w^2 with u of fixed sign after
    it crosses 0, so t* = int_{S_0}^oo dS/(sigma_w^2 u(S) S) is computed here from m, q directly (C_* from
    m_0, q_0 in mpmath, not from the record); explosion iff the integral converges.
    """
    import mpmath as mp
    mp.mp.dps = 40
    gen = generated["resnet_sde.doubly_infinite"]
    got = float(gen["explosion_time"](m0, q0, p1, p2, sw, sb))
    u0, S0 = mp.mpf(p2) * m0 + mp.mpf(p1) ** 2, mp.mpf(sb) ** 2 + mp.mpf(sw) ** 2 * q0
    cs = mp.mpf(p2) ** 2 * S0 - mp.mpf(sw) ** 2 * u0**2
    # u rises (u' = phi''(0)^2 S/2 > 0): from u_0 < 0 it passes 0 at S_min = C_*/phi''(0)^2 (needs C_* > 0)
    if u0 <= 0 and cs <= 0:
        want = mp.inf
    else:
        def dt_dS(S, sign):
            return 1 / (sw**2 * sign * mp.sqrt((p2**2 * S - cs) / sw**2) * S)
        if u0 > 0:
            want = mp.quad(lambda S: dt_dS(S, 1), [S0, 2 * S0, mp.inf])
        else:  # S falls to S_min while u < 0, then rises with u > 0
            s_min = cs / p2**2
            want = mp.quad(lambda S: -dt_dS(S, -1), [s_min, S0]) + mp.quad(lambda S: dt_dS(S, 1), [s_min, 2 * s_min, mp.inf])
    if mp.isinf(want):
        assert math.isinf(got) and got > 0
    else:
        assert math.isfinite(got)
        assert got == pytest.approx(float(want), rel=1e-10)
        sol = _integrate_prop18(m0, q0, p1, p2, sw, sb, 0.999 * got)  # and the ODE is still finite just before
        assert np.all(np.isfinite(sol.y))


def test_width_first_reproduces_depth_first_for_identity(records):
    wf, ntk, di = records["resnet_sde.width_first"], records["resnet_sde.ntk"], records["resnet_sde.doubly_infinite"]
    t, lam0, T = wf.parameter("t").symbol, ntk.parameter("lam0").symbol, ntk.parameter("T").symbol
    K_t = di.expressions["lambda_t_linear"].subs({di.parameter("t").symbol: t, di.parameter("lam0").symbol: lam0})
    V = wf.parameter("V").symbol
    assert sp.simplify(sp.diff(K_t, t) - wf.expressions["kernel_rate"].subs(V, K_t)) == 0
    # the NTK ODE with psi = id (Vdot = 1) and Theta_0 = 0 gives the doubly infinite total NTK
    Th = sp.Function("Th")
    rate = wf.expressions["ntk_rate"].subs({V: K_t, wf.parameter("Vdot").symbol: 1, wf.parameter("Theta").symbol: Th(t)})
    sol = sp.dsolve(sp.Eq(Th(t).diff(t), rate), Th(t), ics={Th(0): 0}).rhs
    assert sp.simplify(sol.subs(t, T) - ntk.expressions["ntk_total"]) == 0
    f = wf.expressions["relu_correlation_map"]
    rho = wf.parameter("rho").symbol
    assert f.subs(rho, 1) == 1 and f.subs(rho, 0) == 1 / sp.pi


def test_ntk_values_of_figure3_and_affine_kernels(records):
    rec = records["resnet_sde.ntk"]
    vals = dict(lam0=2, dphi0=1, sigma_w=1, sigma_b=1, T=1)  # F_tanh at z = (1, 2): lambda_0 = 1 * 2
    assert _num(rec, "ntk_bias", **vals) == pytest.approx(math.e - 1, rel=1e-15)
    assert _num(rec, "ntk_weights", **vals) == pytest.approx(2 * math.e + 1, rel=1e-15)
    zz = rec.parameter("zz").symbol
    for name in ("nngp_completed", "ntk_completed"):
        assert sp.diff(rec.expressions[name], zz, 2) == 0
    assert any("affine" in c for c in rec.derivation.checks)
    law = records["resnet_sde.two_input_law"]
    assert _num(law, "shift_to_variance_ratio", dphi0=0.5, d2phi0=0.5) == 1.0  # swish
