"""Fully trained one-hidden-layer ensembles (numerics.inference.trained): the control variates keep the mean
and cut the variance, their expansion is the Frechet derivative, the draws are the trainer's outputs."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.core.training import FCNetwork, Optimizer, train_full_batch
from numerics.inference._frechet import gd_divided_differences, gd_factor
from numerics.inference.trained import expected_kernels, trained_output_draws
from numerics.kernel import nngp_ntk

X = np.array([[1.0, 0.0], [0.0, 1.0], [-0.7, 0.7]])
XT = np.array([[0.8, 0.6]])
Y = np.array([1.0, -0.5, 0.8])
OPTS = dict(activation="erf", W_std=1.5, b_std=0.2, learning_rate=0.8, steps=[1, 4])


def test_expected_kernels_by_quadrature_equal_the_closed_forms():
    z = np.vstack([X, XT])
    k, th = expected_kernels(z, activation="tanh", W_std=1.3, b_std=0.3)
    k_ref, th_ref = nngp_ntk(z, activation="tanh", depth=1, W_std=1.3, b_std=0.3)
    np.testing.assert_allclose(k, k_ref, rtol=1e-10)
    np.testing.assert_allclose(th, th_ref, rtol=1e-10)


def test_frechet_derivative_of_the_gd_factor_matches_central_differences():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 6))
    theta, delta = a @ a.T / 6 + 0.1 * np.eye(4), rng.standard_normal((4, 4))
    delta = delta + delta.T
    x, steps = 0.2, np.array([1, 3, 9])

    def g_of(m):
        lam, v = np.linalg.eigh(m)
        return np.einsum("ik,tk,jk->tij", v, gd_factor(lam, x, steps), v)

    lam, v = np.linalg.eigh(theta)
    dk = np.einsum("ia,ab,tab,jb->tij", v, v.T @ delta @ v, gd_divided_differences(lam, x, steps)[None][0], v)
    h = 1e-6
    fd = (g_of(theta + h * delta) - g_of(theta - h * delta)) / (2 * h)
    np.testing.assert_allclose(dk, fd, rtol=1e-6, atol=1e-9)


def test_control_variates_keep_the_mean():
    """Same networks (same seed) with and without the controls: the difference has mean 0 at a small width, where
    the expansion point is far from each network (z-test, |z| < 5.3: a 1e-7 two-sided rate per component)."""
    raw = trained_output_draws(X, XT, Y, width=16, n_pairs=1000, seed=1, control=False, **OPTS)
    ctl = trained_output_draws(X, XT, Y, width=16, n_pairs=1000, seed=1, control=True, **OPTS)
    for r, c in zip(raw, ctl):
        diff = r - c
        z = diff.mean(axis=0) / (diff.std(axis=0, ddof=1) / np.sqrt(len(diff)))
        assert np.all(np.abs(z) < 5.3), z


def test_control_variates_cut_the_variance_at_width_64():
    """O(1) -> O(1/n^2): at n = 64 the draws vary at least 10x less (the claims' power rests on it)."""
    raw = trained_output_draws(X, XT, Y, width=64, n_pairs=500, seed=2, control=False, **OPTS)
    ctl = trained_output_draws(X, XT, Y, width=64, n_pairs=500, seed=2, control=True, **OPTS)
    for r, c in zip(raw, ctl):
        assert np.all(c.var(axis=0) < 0.1 * r.var(axis=0)), (c.var(axis=0), r.var(axis=0))


def test_raw_draws_are_the_trainers_outputs():
    """control=False: the mean draw of a pair is the average of two networks trained by the shared trainer."""
    mean, cov = trained_output_draws(X, XT, Y, width=8, n_pairs=2, seed=3, control=False, **OPTS)
    rng = np.random.default_rng(np.random.SeedSequence(3))
    w1, b1 = rng.standard_normal((4, 2, 8)), rng.standard_normal((4, 8))
    v, bo = rng.standard_normal((4, 8, 1)), rng.standard_normal((4, 1))
    net = FCNetwork((2, 8, 1), activation="erf", w_std=1.5, b_std=0.2)
    _, rec = train_full_batch(net, [(w1, b1), (v, bo)], x_train=X, y_train=Y[:, None], x_test=XT,
                              optimizer=Optimizer("sgd", learning_rate=0.8), record_steps=[1, 4])
    f = np.stack([rec[1][:, 0, 0], rec[4][:, 0, 0]], axis=1)        # (4 networks, 2 steps)
    np.testing.assert_allclose(mean, 0.5 * (f[:2] + f[2:]), rtol=1e-12)
    np.testing.assert_allclose(cov, 0.5 * (f[:2] - f[2:]) ** 2, rtol=1e-10)   # (fa^2 + fb^2 - 2 fa fb) / 2


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="relu"), "activation"),
    (dict(width=0), "width"),
    (dict(n_pairs=1), "n_pairs"),
    (dict(learning_rate=-1.0), "learning_rate"),
    (dict(steps=[3, 1]), "steps"),
    (dict(steps=[1.5]), "steps"),
    (dict(control="yes"), "control"),
    (dict(y_train=np.ones(2)), "shapes do not match"),
])
def test_bad_inputs_name_the_parameter(kwargs, match):
    opts = dict(OPTS, width=4, n_pairs=2, seed=0, y_train=Y)
    opts.update(kwargs)
    y = opts.pop("y_train")
    with pytest.raises(ValueError, match=match):
        trained_output_draws(X, XT, y, **opts)
