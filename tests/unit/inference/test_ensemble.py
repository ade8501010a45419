"""numerics.inference against independent closed forms (expm/solve, Cholesky, explicit GD iteration)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from numerics.inference import gradient_descent_mse_ensemble, max_learning_rate, nngp_posterior


def _joint(seed, n_train=6, n_test=3, rank=None):
    """A random PSD NNGP and NTK over train+test points (features of dimension ``rank``)."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    r = rank or 2 * n
    f1, f2 = rng.standard_normal((n, r)), rng.standard_normal((n, r))
    k = f1 @ f1.T / r
    theta = k + f2 @ f2.T / r
    y = rng.standard_normal((n_train, 2))
    split = lambda m: (m[:n_train, :n_train], m[n_train:, :n_train], m[n_train:, n_train:])
    return split(k), split(theta), y


def _reference(k, theta, y, t, lr, reg=0.0, *, noisy=False):
    """Lee et al. eq. 16 with scipy expm and a linear solve (no eigendecomposition).

    ``noisy``: the ridge also enters K_XX of the quadratic term (the NNGP mode: ridge = observation noise)."""
    (kdd, ktd, ktt), (tdd, ttd, _) = k, theta
    n = tdd.shape[0]
    kdd = kdd + reg * np.eye(n) if noisy else kdd
    a = np.linalg.solve(tdd + reg * np.eye(n), np.eye(n) - scipy.linalg.expm(-(tdd + reg * np.eye(n)) * lr * t / y.size))
    mean = ttd @ a @ y
    cross = ttd @ a @ ktd.T
    cov = ktt + ttd @ a @ kdd @ a.T @ ttd.T - cross - cross.T
    return mean, cov


def _ensemble(k, theta, y, get="ntk", **kw):
    (kdd, ktd, ktt), (tdd, ttd, _) = k, theta
    train, test = (tdd, ttd) if get == "ntk" else (kdd, ktd)
    return gradient_descent_mse_ensemble(k_train_train=train, k_test_train=test, y_train=y, get=get,
                                         k_train_train_nngp=kdd, k_test_train_nngp=ktd, k_test_test_nngp=ktt, **kw)


@pytest.mark.parametrize("reg", [0.0, 0.3])
@pytest.mark.parametrize("get", ["ntk", "nngp"])
def test_matches_expm_reference_at_several_times(get, reg):
    k, theta, y = _joint(1)
    ens = _ensemble(k, theta, y, get=get, learning_rate=0.7, diag_reg=reg, diag_reg_absolute_scale=True)
    times = [0.0, 0.5, 3.0, 40.0]
    mean, cov = ens.predict(t=times)
    for i, t in enumerate(times):
        ref_m, ref_c = _reference(k, theta if get == "ntk" else k, y, t, 0.7, reg, noisy=get == "nngp")
        np.testing.assert_allclose(mean[i], ref_m, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(cov[i], ref_c, rtol=1e-10, atol=1e-12)


def test_time_zero_is_the_prior():
    k, theta, y = _joint(2)
    mean, cov = _ensemble(k, theta, y).predict(t=0.0)
    assert np.all(mean == 0.0)
    np.testing.assert_allclose(cov[0], k[2], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_nngp_at_infinite_time_is_the_bayesian_posterior(reg):
    k, theta, y = _joint(3)
    mean, cov = _ensemble(k, theta, y, get="nngp", diag_reg=reg, diag_reg_absolute_scale=True).predict(t=np.inf)
    pm, pc = nngp_posterior(k_train_train=k[0], k_test_train=k[1], k_test_test=k[2], y_train=y, diag_reg=reg)
    np.testing.assert_allclose(mean[0], pm, rtol=1e-9)
    np.testing.assert_allclose(cov[0], pc, rtol=1e-9, atol=1e-12)


def test_relative_ridge_is_scaled_by_the_mean_diagonal():
    k, theta, y = _joint(4)
    rel = _ensemble(k, theta, y, diag_reg=0.2).mean(t=[2.0])
    scale = np.trace(theta[0]) / theta[0].shape[0]
    ab = _ensemble(k, theta, y, diag_reg=0.2 * scale, diag_reg_absolute_scale=True).mean(t=[2.0])
    np.testing.assert_allclose(rel, ab, rtol=1e-13)


def test_gradient_descent_matches_explicit_iteration():
    k, theta, y = _joint(5)
    (kdd, ktd, ktt), (tdd, ttd, _) = k, theta
    lr, n = 0.9, y.size
    ens = _ensemble(k, theta, y, learning_rate=lr)
    b = np.zeros_like(tdd)   # f_k(x) = f_0(x) + Theta_xX B_k (Y - f_0(X)), B_{k+1} = B_k + lr/N (I - Theta B_k)
    for step in range(1, 31):
        b = b + lr / n * (np.eye(tdd.shape[0]) - tdd @ b)
        if step in (1, 7, 30):
            cross = ttd @ b @ ktd.T
            m, c = ens.predict(steps=step)
            np.testing.assert_allclose(m[0], ttd @ b @ y, rtol=1e-10, atol=1e-13)
            np.testing.assert_allclose(c[0], ktt + ttd @ b @ kdd @ b.T @ ttd.T - cross - cross.T, rtol=1e-10, atol=1e-13)


def test_small_steps_approach_gradient_flow_at_rate_one_over_m():
    k, theta, y = _joint(6)
    flow = _ensemble(k, theta, y, learning_rate=1.0).mean(t=[5.0])
    errs = [np.max(np.abs(_ensemble(k, theta, y, learning_rate=1.0 / m).mean(steps=[5 * m]) - flow)) for m in (10, 20, 40)]
    slope = np.polyfit(np.log([10, 20, 40]), np.log(errs), 1)[0]
    assert abs(slope + 1.0) < 0.05   # first-order (Euler) convergence in the step


def test_stability_threshold_separates_convergence_from_divergence():
    k, theta, y = _joint(7)
    eta_max = max_learning_rate(theta[0], n_outputs=y.shape[1])
    m_below = _ensemble(k, theta, y, learning_rate=0.99 * eta_max).mean(steps=[2000])
    m_inf = _ensemble(k, theta, y).mean(t=np.inf)
    np.testing.assert_allclose(m_below, m_inf, rtol=1e-6)
    m_above = _ensemble(k, theta, y, learning_rate=1.01 * eta_max).mean(steps=[2000])
    assert np.max(np.abs(m_above)) > 1e6 * np.max(np.abs(m_inf))


def test_singular_kernel_without_ridge_is_finite_and_tends_to_the_pseudo_inverse():
    k, theta, y = _joint(8, n_train=8, n_test=3, rank=5)   # rank 5 < 8: singular train kernels
    ens = _ensemble(k, theta, y, get="nngp")
    m_inf, c_inf = ens.predict(t=np.inf)
    pinv = np.linalg.pinv(k[0], rcond=1e-10, hermitian=True)
    np.testing.assert_allclose(m_inf[0], k[1] @ pinv @ y, rtol=1e-6, atol=1e-8)
    m_big = ens.mean(t=[1e9])
    assert np.all(np.isfinite(m_big))
    np.testing.assert_allclose(m_big[0], m_inf[0], rtol=1e-5, atol=1e-6)


def test_ill_conditioned_small_time_keeps_relative_accuracy():
    lam = np.array([1e-16, 1e-8, 1.0])    # diagonal kernel: exact answer per mode
    y = np.array([1.0, 1.0, 1.0])
    ens = gradient_descent_mse_ensemble(k_train_train=np.diag(lam), k_test_train=np.diag(lam), y_train=y)
    tau = 1e-3 / 3
    m = ens.mean(t=[1e-3])[0, :, 0]
    np.testing.assert_allclose(m, -np.expm1(-lam * tau), rtol=1e-14)   # 1 - e^{-x} computed naively loses everything at 1e-19


@pytest.mark.parametrize("kwargs, match", [
    (dict(learning_rate=-0.1), "learning_rate"),
    (dict(diag_reg=-1.0), "diag_reg"),
    (dict(get="foo"), "get"),
])
def test_bad_options_name_the_parameter(kwargs, match):
    k, theta, y = _joint(9)
    with pytest.raises(ValueError, match=match):
        _ensemble(k, theta, y, **kwargs)


def test_bad_kernels_and_times_are_rejected():
    k, theta, y = _joint(10)
    not_psd = np.diag([1.0, -0.5, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="k_train_train must be positive semidefinite"):
        gradient_descent_mse_ensemble(k_train_train=not_psd, k_test_train=k[1], y_train=y)
    with pytest.raises(ValueError, match="k_test_train must have shape"):
        gradient_descent_mse_ensemble(k_train_train=k[0], k_test_train=k[1][:, :4], y_train=y)
    with pytest.raises(ValueError, match="y_train must have shape"):
        gradient_descent_mse_ensemble(k_train_train=k[0], k_test_train=k[1], y_train=y[:3])
    with pytest.raises(ValueError, match="symmetric"):
        gradient_descent_mse_ensemble(k_train_train=k[0] + np.triu(np.ones_like(k[0]), 1), k_test_train=k[1], y_train=y)
    ens = _ensemble(k, theta, y)
    with pytest.raises(ValueError, match=r"t must lie in \[0, inf\], got -1.0"):
        ens.mean(t=[1.0, -1.0])
    with pytest.raises(ValueError, match="steps must be finite non-negative integers"):
        ens.mean(steps=[1.5])
    with pytest.raises(ValueError, match="exactly one"):
        ens.mean()
