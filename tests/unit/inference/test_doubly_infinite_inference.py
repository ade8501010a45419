"""Weakly and fully trained doubly infinite ResNets: numerics against an independent composition and the record."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from derivations.inference import doubly_infinite_record
from numerics.generated import inference_doubly_infinite as gen
from numerics.inference import doubly_infinite, doubly_infinite_ensemble, nngp_posterior

RNG = np.random.default_rng(20260312)
X_TRAIN, X_TEST = RNG.normal(size=(5, 6)), RNG.normal(size=(4, 6))   # d + 1 > n: K_XX has full rank
Y_TRAIN = RNG.normal(size=5)
SW, SB, SZ, SY, T = 0.9, 0.4, 0.7, 1.3, 1.0
TIMES = np.array([0.0, 0.3, 4.0, np.inf])


def _kernels(a, b, sigma_b):
    """eqs. 41-43 written out here (phi'(0) = 1): K = sY^2[sZ^2 E zz + beta(E-1)], Theta = sY^2[sZ^2(C+2)E zz + beta(CE+E-1)]."""
    c = SW**2 * T
    e, beta, zz = math.exp(c), sigma_b**2 / SW**2, a @ b.T
    return SY**2 * (SZ**2 * e * zz + beta * (e - 1)), SY**2 * (SZ**2 * (c + 2) * e * zz + beta * (c * e + e - 1))


def _composition(theta, theta_tx, k, k_tx, k_tt, t, eta):
    """Lee et al. eq. 16 by eigendecomposition of the train kernel theta (N = 5 targets)."""
    lam, v = np.linalg.eigh(theta)
    a = v @ np.diag((1 - np.exp(-eta * lam * t / 5)) / lam if np.isfinite(t) else 1 / lam) @ v.T
    mean = theta_tx @ a @ Y_TRAIN
    cov = k_tt + theta_tx @ a @ k @ a @ theta_tx.T - theta_tx @ a @ k_tx.T - (theta_tx @ a @ k_tx.T).T
    return mean, cov


@pytest.mark.parametrize("trained", ["readout", "all"])
def test_numerics_equal_an_independent_composition(trained):
    k, th = _kernels(X_TRAIN, X_TRAIN, SB)
    k_tx, th_tx = _kernels(X_TEST, X_TRAIN, SB)
    k_tt, _ = _kernels(X_TEST, X_TEST, SB)
    ens = doubly_infinite_ensemble(X_TRAIN, X_TEST, Y_TRAIN, phi="tanh", sigma_w=SW, sigma_b=SB, trained=trained,
                                   learning_rate=0.7, sigma_z=SZ, sigma_y=SY, T=T)
    mean, cov = ens.predict(t=TIMES)
    for i, t in enumerate(TIMES):
        want = _composition(k, k_tx, k, k_tx, k_tt, t, 0.7) if trained == "readout" else \
            _composition(th, th_tx, k, k_tx, k_tt, t, 0.7)
        np.testing.assert_allclose(mean[i, :, 0], want[0], rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(cov[i], want[1], rtol=1e-8, atol=1e-10)


def test_readout_at_infinity_is_the_nngp_posterior_and_differs_from_full_training():
    k, _ = _kernels(X_TRAIN, X_TRAIN, SB)
    k_tx, _ = _kernels(X_TEST, X_TRAIN, SB)
    k_tt, _ = _kernels(X_TEST, X_TEST, SB)
    opts = {"phi": "identity", "sigma_w": SW, "sigma_b": SB, "sigma_z": SZ, "sigma_y": SY, "diag_reg": 1e-2}
    mean, cov = doubly_infinite_ensemble(X_TRAIN, X_TEST, Y_TRAIN, **opts).predict(t=[np.inf])
    post_mean, post_cov = nngp_posterior(k_train_train=k, k_test_train=k_tx, k_test_test=k_tt, y_train=Y_TRAIN,
                                         diag_reg=1e-2)
    np.testing.assert_allclose(mean[0], post_mean, rtol=1e-9)
    np.testing.assert_allclose(cov[0], post_cov, rtol=1e-8, atol=1e-12)
    full = doubly_infinite_ensemble(X_TRAIN, X_TEST, Y_TRAIN, trained="all", **opts).mean(t=[np.inf])
    assert np.max(np.abs(full[0] - post_mean)) > 1e-3   # with biases Theta is not proportional to K


def test_without_biases_full_training_is_readout_training_at_time_c_plus_2():
    """The record's eigen-form: Theta = (C + 2) K at sigma_b = 0, so the fully trained factors are the weak ones at (C+2)t."""
    opts = {"phi": "tanh", "sigma_w": SW, "sigma_b": 0.0, "sigma_z": SZ, "sigma_y": SY, "T": T}
    ratio = float(gen.ntk_to_nngp_ratio(1.0, SW, T))
    assert ratio == pytest.approx(SW**2 * T + 2, rel=1e-15)
    full = doubly_infinite_ensemble(X_TRAIN, X_TEST, Y_TRAIN, trained="all", **opts).predict(t=TIMES)
    weak = doubly_infinite_ensemble(X_TRAIN, X_TEST, Y_TRAIN, **opts).predict(t=ratio * TIMES)
    for f, w in zip(full, weak):
        np.testing.assert_allclose(f, w, rtol=1e-8, atol=1e-10)
    lam, t = np.array([0.2, 3.0]), 1.7
    np.testing.assert_allclose(gen.full_mean_factor(lam, 0.5, t, 5, 1.0, SW, T),
                               gen.weak_mean_factor(lam, 0.5, ratio * t, 5), rtol=1e-13)
    np.testing.assert_allclose(gen.weak_cov_factor(lam, 0.5, t, 5), (1 - np.exp(-2 * 0.5 * lam * t / 5)) / lam, rtol=1e-13)
    assert set(doubly_infinite_record().expressions) >= {"full_cov_factor", "limit_factor"}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"phi": "relu"}, "phi must be one of"), ({"trained": "some"}, "trained must be"),
    ({"sigma_w": 0.0}, "sigma_w"), ({"sigma_b": -1.0}, "sigma_b"), ({"learning_rate": -1.0}, "learning_rate"),
    ({"diag_reg": -0.1}, "diag_reg"), ({"sigma_z": -1.0}, "sigma_z"), ({"T": -1.0}, "T"),
    ({"x_test": np.ones((2, 2))}, "x_test must have 6 columns"), ({"x_train": np.full((5, 6), np.nan)}, "x_train"),
    ({"y_train": np.ones(4)}, "y_train"),
])
def test_bad_inputs_raise(kwargs, match):
    args = {"x_train": X_TRAIN, "x_test": X_TEST, "y_train": Y_TRAIN, "phi": "tanh", "sigma_w": SW, "sigma_b": SB} | kwargs
    with pytest.raises(ValueError, match=match):
        doubly_infinite_ensemble(args.pop("x_train"), args.pop("x_test"), args.pop("y_train"), **args)


def test_doctests():
    failures, attempted = doctest.testmod(doubly_infinite, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failures == 0


def test_record_factors_tend_to_the_posterior_factor():
    import sympy as sp

    rec = doubly_infinite_record()
    sym = {s.name: s for e in rec.expressions.values() for s in e.free_symbols}
    pos = {s: sp.Symbol(n, positive=True) for n, s in sym.items()}
    limit = rec.expressions["limit_factor"].subs(pos)
    for name in ("weak_mean_factor", "weak_cov_factor", "full_mean_factor", "full_cov_factor"):
        assert sp.simplify(sp.limit(rec.expressions[name].subs(pos), pos[sym["t"]], sp.oo) - limit) == 0, name
