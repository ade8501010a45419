"""The learning-rate stability threshold: iteration-only bisection against 2N/lambda_max; bad inputs; the
ridge -> 0 limit of ill-conditioned kernels."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.inference import gradient_descent_mse_ensemble, max_learning_rate
from numerics.inference.stability import diverges, linearised_divergence_threshold


def _kernel(seed, n=5, rank=None):
    a = np.random.default_rng(seed).standard_normal((n, rank or 2 * n))
    return a @ a.T / a.shape[1]


@pytest.mark.parametrize("seed, n_outputs", [(0, 1), (1, 3), (2, 1)])
def test_bisection_of_the_iteration_finds_2n_over_lambda_max(seed, n_outputs):
    k = _kernel(seed)
    eta = max_learning_rate(k, n_outputs=n_outputs)
    assert linearised_divergence_threshold(k, n_outputs=n_outputs) == pytest.approx(eta, rel=1e-11)
    assert diverges(k, eta * (1 + 1e-9), n_outputs=n_outputs) and not diverges(k, eta * (1 - 1e-9), n_outputs=n_outputs)


def test_singular_kernel_threshold_is_set_by_its_largest_eigenvalue():
    k = _kernel(3, n=6, rank=2)      # rank 2: four zero modes never move, never diverge
    assert linearised_divergence_threshold(k) == pytest.approx(max_learning_rate(k), rel=1e-11)


@pytest.mark.parametrize("call, match", [
    (lambda: max_learning_rate(np.eye(3), n_outputs=0), "n_outputs=0 must be an integer >= 1"),
    (lambda: max_learning_rate(np.zeros((3, 3))), "positive eigenvalue"),
    (lambda: max_learning_rate(np.diag([1.0, -1.0])), "positive semidefinite"),
    (lambda: linearised_divergence_threshold(np.eye(2), rtol=0.0), "rtol"),
    (lambda: linearised_divergence_threshold(np.ones((2, 3))), "square"),
    (lambda: diverges(np.eye(2), -0.5), "learning_rate"),
    (lambda: diverges(np.eye(2), 0.5, squarings=0), "squarings"),
])
def test_bad_inputs_are_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ridge_to_zero_is_continuous_at_finite_times_and_tends_to_the_pseudo_inverse_at_infinity():
    """A singular train kernel: at finite t the ridge enters smoothly (difference O(rho)); at t = inf the ridge
    solution (K + rho)^-1 tends to the pseudo-inverse solution, also O(rho) (null modes carry no test-train part)."""
    a = np.random.default_rng(4).standard_normal((9, 3))
    joint = a @ a.T                                   # rank 3 over 6 train + 3 test points
    ktr, kte = joint[:6, :6], joint[6:, :6]
    y = np.random.default_rng(5).standard_normal(6)
    ens = lambda rho: gradient_descent_mse_ensemble(k_train_train=ktr, k_test_train=kte, y_train=y, get="nngp",
                                                    diag_reg=rho, diag_reg_absolute_scale=True)
    finite = [np.max(np.abs(ens(rho).mean(t=[3.0]) - ens(0.0).mean(t=[3.0]))) for rho in (1e-4, 1e-6)]
    assert finite[1] < 2e-2 * finite[0]             # O(rho): a 100x smaller ridge moves it 100x less
    at_inf = [np.max(np.abs(ens(rho).mean(t=[np.inf]) - ens(0.0).mean(t=[np.inf]))) for rho in (1e-4, 1e-6)]
    assert at_inf[1] < 2e-2 * at_inf[0]
    pinv = kte @ np.linalg.pinv(ktr, hermitian=True) @ y
    np.testing.assert_allclose(ens(0.0).mean(t=[np.inf])[0, :, 0], pinv, rtol=1e-7, atol=1e-9)


def test_posterior_and_ensemble_reject_bad_test_kernels():
    """The test-side NNGP kernels are checked too (by a Cholesky factor, with the eigenvalue named on failure)."""
    from numerics.inference import nngp_posterior
    k = _kernel(6, n=4)
    bad = np.diag([1.0, -0.3])
    with pytest.raises(ValueError, match="k_test_test must be positive semidefinite, got smallest eigenvalue -0.3"):
        nngp_posterior(k_train_train=k, k_test_train=np.ones((2, 4)), k_test_test=bad, y_train=np.ones(4))
    with pytest.raises(ValueError, match=r"k_test_test must have shape \(2, 2\), got \(3, 3\)"):
        nngp_posterior(k_train_train=k, k_test_train=np.ones((2, 4)), k_test_test=np.eye(3), y_train=np.ones(4))
    with pytest.raises(ValueError, match="k_test_test_nngp must be positive semidefinite"):
        gradient_descent_mse_ensemble(k_train_train=k, k_test_train=np.ones((2, 4)), y_train=np.ones(4), get="ntk",
                                      k_train_train_nngp=k, k_test_train_nngp=np.ones((2, 4)), k_test_test_nngp=bad)
    with pytest.raises(ValueError, match="k_train_train_nngp must be positive semidefinite"):
        gradient_descent_mse_ensemble(k_train_train=k, k_test_train=np.ones((2, 4)), y_train=np.ones(4), get="ntk",
                                      k_train_train_nngp=-k, k_test_train_nngp=np.ones((2, 4)), k_test_test_nngp=np.eye(2))


def test_cholesky_psd_check_accepts_what_the_eigenvalue_check_accepts():
    """A singular PSD kernel with rounding-level negative eigenvalues passes both routes."""
    from numerics.inference._checks import as_kernel
    a = np.random.default_rng(7).standard_normal((30, 3))
    k = a @ a.T                                   # rank 3: 27 eigenvalues at rounding level, some negative
    assert as_kernel("k", k)[1][0] < 0            # the eigenvalue route sees them, within its floor
    assert as_kernel("k", k, decompose=False)[1] is None
