r"""Tests of numerics.core.sde: convergence orders, shared multi-input noise, reproducibility, validation.

Statistical budget: each Monte Carlo test function has a false-fail rate <= 1e-6 (stated per test).
The order tests fit log-log slopes with :func:`verify.core.stats.assert_rate`; Monte Carlo noise in the
slope is controlled by a delta-method standard error (the slope is a smooth function of sample
means, $\hat s = \sum_j w_j \log \hat e_j$ with $w_j = (\log h_j - \overline{\log h})/S_{xx}$), and
each test *asserts* that $z_{\alpha}\,\widehat{SE}(\hat s)$ fits inside the part of the tolerance
that the deterministic (pre-asymptotic) bias leaves free, so noise cannot decide the verdict.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.core.sde import (
    DiagonalNoise,
    EulerMaruyama,
    GeneralNoise,
    Milstein,
    OperatorNoise,
    ScalarNoise,
    brownian_increments,
    coarsen_increments,
    solve,
)
from numerics.core.sde import _solve as solve_module
from verify.core.stats import assert_mean, assert_rate, z_threshold

FALSE_FAIL = 1e-6
Z = z_threshold(FALSE_FAIL)  # 4.89


def _slope_and_stderr(h, per_path, transform):
    """Log-log slope of ``transform(mean_j)`` against ``h`` and its delta-method standard error.

    ``per_path`` has shape (levels, n): per-path samples whose mean is the level's statistic;
    ``transform`` is ``"sqrt"`` (RMS error: log e = log(mean)/2) or ``"abs"`` (log e = log|mean|).
    """
    lx = np.log(h)
    w = (lx - lx.mean()) / float(((lx - lx.mean()) ** 2).sum())
    means = per_path.mean(axis=1)
    factor = 0.5 if transform == "sqrt" else 1.0
    errors = np.sqrt(means) if transform == "sqrt" else np.abs(means)
    influence = (w[:, None] * factor * per_path / means[:, None]).sum(axis=0)
    return errors, influence.std(ddof=1) / math.sqrt(per_path.shape[1])


# --------------------------------------------------------------------------- strong order

GBM_MU = np.array([0.5, 0.2])
GBM_SIGMA = np.array([0.5, 0.8])


def _gbm_drift(t, y, args):
    return GBM_MU * y


def _gbm_diffusion(t, y, args):
    return GBM_SIGMA * y


def _gbm_diffusion_derivative(t, y, args):
    return np.broadcast_to(GBM_SIGMA, y.shape)


@pytest.mark.parametrize(
    "solver, predicted, bias",
    [
        (EulerMaruyama(), 0.5, 0.010),
        (Milstein(), 1.0, 0.046),
        (Milstein(diffusion_derivative=_gbm_diffusion_derivative), 1.0, 0.031),
    ],
    ids=["euler_maruyama", "milstein_derivative_free", "milstein_analytic"],
)
def test_strong_order_gbm(solver, predicted, bias):
    r"""Strong order on a 2-d diagonal-noise GBM, error against the exact solution on the same path.

    $X^i_T = X^i_0 \exp((\mu_i - \sigma_i^2/2) T + \sigma_i W^i_T)$ with $W_T$ the sum of the fine
    increments that, summed in blocks, drive every coarser solve.  The RMS error
    $e(h) = (E|X_n - X_T|^2)^{1/2}$ over $h = 2^{-3}, \dots, 2^{-9}$ has log-log slope
    ``predicted`` within 0.2 (the issue's acceptance tolerance).

    Error budget: the infinite-sample slope differs from the order by ``bias`` (measured with
    $2^{18}$ paths: 0.510, 0.957, 0.974); the test asserts $z_{10^{-6}}\,\widehat{SE} \le 0.1$, so
    with $|s_\infty - p| \le 0.05 < 0.1$ the false-fail rate is at most $10^{-6}$ (CLT), and a
    scheme whose true slope is off by more than $0.2 + 4.75\,\widehat{SE}$ passes with probability
    at most $10^{-6}$.
    """
    n_paths, n_fine = 2**14, 2**9
    levels = np.array([2**j for j in range(3, 10)])
    dW = brownian_increments(np.random.SeedSequence(20240601), n_steps=n_fine, n_paths=n_paths, noise_dim=2)
    x0 = np.ones((n_paths, 2))
    exact = x0 * np.exp((GBM_MU - GBM_SIGMA**2 / 2) + GBM_SIGMA * dW.sum(axis=0))
    sq_err = np.empty((levels.size, n_paths))
    for j, n in enumerate(levels):
        y = solve(_gbm_drift, DiagonalNoise(_gbm_diffusion), x0, n_steps=int(n),
                  dW=coarsen_increments(dW, n_fine // int(n)), solver=solver).y
        sq_err[j] = ((y - exact) ** 2).sum(axis=-1)
    h = 1.0 / levels
    errors, stderr = _slope_and_stderr(h, sq_err, "sqrt")
    assert Z * stderr <= 0.1, f"slope too noisy: z*SE = {Z * stderr:.3g} > 0.1; use more paths"
    result = assert_rate(h, errors, predicted_order=predicted, tolerance=0.2)
    assert abs(result.slope - predicted) <= bias + 0.1  # tighter: the measured bias plus the noise allowance


# --------------------------------------------------------------------------- weak order


def test_weak_order_euler_maruyama_gbm_second_moment():
    r"""Weak order of Euler-Maruyama within 0.25 of 1 on $E X_T^2$ of a scalar-noise GBM.

    $dX = \mu X dt + \sigma X dW$, $X_0 = 1$, $T = 1$: $E X_T^2 = e^{(2\mu + \sigma^2) T}$.
    The weak error $e(h) = E X_n^2 - E X_T^2$ is estimated with common random numbers:
    $\hat e(h) = \overline{X_n^2 - X_T^2}$, with $X_T$ the exact solution on the same Brownian path,
    so the variance is $O(h)$ instead of $O(1)$ (the multilevel Monte Carlo coupling).

    Error budget: Euler-Maruyama's expectation is known exactly, $E X_n^2 = (1 + (2\mu + \sigma^2)h +
    \mu^2 h^2)^n$, so the deterministic slope $s_\mathrm{det}$ over the grid is computed here
    (0.972).  The test asserts $z_{10^{-6}}\widehat{SE} \le 0.25 - |s_\mathrm{det} - 1|$, so the
    false-fail rate is at most $10^{-6}$ (CLT for the delta-method slope); a scheme with slope off by
    more than $0.25 + 4.75\,\widehat{SE}$ passes with probability at most $10^{-6}$.
    """
    mu, sigma, n_paths, n_fine = 0.5, 0.5, 2**16, 2**8
    levels = np.array([2**j for j in range(3, 9)])
    h = 1.0 / levels
    a = 2 * mu + sigma**2
    deterministic = (1 + a * h + mu**2 * h**2) ** levels - math.exp(a)
    s_det = np.polyfit(np.log(h), np.log(np.abs(deterministic)), 1)[0]
    dW = brownian_increments(np.random.SeedSequence(7), n_steps=n_fine, n_paths=n_paths, noise_dim=1)
    exact_sq = np.exp(2 * ((mu - sigma**2 / 2) + sigma * dW.sum(axis=0)[:, 0]))
    diffs = np.empty((levels.size, n_paths))
    for j, n in enumerate(levels):
        y = solve(lambda t, y, _: mu * y, ScalarNoise(lambda t, y, _: sigma * y), np.ones((n_paths, 1)),
                  n_steps=int(n), dW=coarsen_increments(dW, n_fine // int(n))).y
        diffs[j] = y[:, 0] ** 2 - exact_sq
    errors, stderr = _slope_and_stderr(h, diffs, "abs")
    assert np.all(np.sign(diffs.mean(axis=1)) == np.sign(deterministic))
    assert Z * stderr <= 0.25 - abs(s_det - 1.0), f"slope too noisy: z*SE = {Z * stderr:.3g}"
    assert_rate(h, errors, predicted_order=1.0, tolerance=0.25)


def test_euler_maruyama_matches_its_exact_discrete_expectation():
    r"""$E X_n^2 = (1 + (2\mu + \sigma^2)h + \mu^2 h^2)^n$ for Euler-Maruyama on GBM (exact, any $h$).

    ``assert_mean`` at false-fail rate $10^{-6}$ on $2^{17}$ paths; its detectable discrepancy
    (0.08, 2.6% of the mean) is below a quarter of the weak error at $h = 1/4$ (0.38), so a scheme
    converging to the wrong moment, or with mis-scaled increments, fails.
    """
    mu, sigma, n, n_paths = 0.5, 0.5, 4, 2**17
    sol = solve(lambda t, y, _: mu * y, DiagonalNoise(lambda t, y, _: sigma * y), np.ones((n_paths, 1)),
                n_steps=n, seed=11)
    predicted = (1 + (2 * mu + sigma**2) / n + (mu / n) ** 2) ** n
    res = assert_mean(sol.y[:, 0] ** 2, predicted, false_fail_rate=FALSE_FAIL)
    assert res.detectable_discrepancy < abs(predicted - math.exp(2 * mu + sigma**2)) / 4


# --------------------------------------------------------------------------- shared multi-input noise


def _resnet_scale(t, x, args):
    """P&F fully i.i.d. diffusion scale $s(x) = (\\sigma_b^2 + \\sigma_w^2 |\\tanh x|^2 / D)^{1/2}$."""
    sb2, sw2 = args
    return np.sqrt(sb2 + sw2 * np.mean(np.tanh(x) ** 2, axis=-1, keepdims=True))


def test_identical_inputs_give_identical_paths_and_paths_differ():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((64, 1, 8))
    x0 = np.concatenate([base, base, base + 1.0], axis=1)  # (paths, 3 inputs, D)
    sol = solve(lambda t, x, a: 0.5 * _resnet_scale(t, x, a) ** 2, DiagonalNoise(_resnet_scale), x0,
                n_steps=50, seed=3, args=(0.1, 1.0), save_every=10)
    np.testing.assert_array_equal(sol.ys[:, :, 0], sol.ys[:, :, 1])
    assert not np.allclose(sol.y[:, 0], sol.y[:, 2])
    assert np.all(np.std(sol.y[:, 0] - base[:, 0], axis=0) > 0)


def _matrix_noise_apply(t, x, args, dW):
    d = x.shape[-1]
    return np.matmul(dW.reshape(*dW.shape[:-1], d, d), x[..., None])[..., 0]


def _matrix_noise_general(t, x, args):
    d = x.shape[-1]
    return (np.eye(d)[:, :, None] * x[..., None, None, :]).reshape(*x.shape, d * d)


def test_linear_sde_with_shared_matrix_noise_is_a_random_linear_map():
    r"""$dx = dW\,x$ with a $d \times d$ matrix Brownian motion shared by all inputs.

    Euler-Maruyama gives $x_n = \prod_k (I + \Delta W_k)\,x_0 = g_n x_0$ with one random $g_n$ per
    path, so (exactly up to rounding) the solution is linear in $x_0$: $x(a + b) = x(a) + x(b)$
    and $x(c) = g_n c$ with $g_n$'s columns the solutions from the unit vectors.  Independent noise
    per input would break both.  General (dense $G$) and operator (matrix-free) noise agree.
    """
    d, n_paths = 3, 200
    rng = np.random.default_rng(1)
    a, b, c = rng.standard_normal((3, n_paths, 1, d))
    x0 = np.concatenate([a, b, a + b, c, np.broadcast_to(np.eye(d), (n_paths, d, d))], axis=1)
    dW = brownian_increments(5, n_steps=40, n_paths=n_paths, noise_dim=d * d)
    sol = solve(None, OperatorNoise(_matrix_noise_apply, d * d), x0, n_steps=40, dW=dW).y
    sol_general = solve(None, GeneralNoise(_matrix_noise_general, d * d), x0, n_steps=40, dW=dW).y
    np.testing.assert_allclose(sol_general, sol, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sol[:, 2], sol[:, 0] + sol[:, 1], rtol=1e-12, atol=1e-12)
    g = np.swapaxes(sol[:, 4:], -1, -2)  # columns g e_j
    np.testing.assert_allclose(sol[:, 3], np.einsum("pij,pj->pi", g, c[:, 0]), rtol=1e-12, atol=1e-12)
    assert np.std(g[:, 0, 0]) > 0.1


def test_noise_structures_agree():
    """Diagonal == general with diag(g); scalar == general with one column; same increments."""
    d, n_paths, n = 4, 32, 20
    x0 = np.random.default_rng(2).standard_normal((n_paths, 2, d))

    def g(t, x, _):
        return np.cos(x) + 2.0

    def drift(t, x, _):
        return np.sin(x)

    dW = brownian_increments(9, n_steps=n, n_paths=n_paths, noise_dim=d)
    diag = solve(drift, DiagonalNoise(g), x0, n_steps=n, dW=dW).y
    general = solve(drift, GeneralNoise(lambda t, x, _: g(t, x, _)[..., None] * np.eye(d), d), x0, n_steps=n, dW=dW).y
    np.testing.assert_allclose(general, diag, rtol=1e-13, atol=1e-13)
    dW1 = dW[..., :1]
    scalar = solve(drift, ScalarNoise(g), x0, n_steps=n, dW=dW1).y
    general1 = solve(drift, GeneralNoise(lambda t, x, _: g(t, x, _)[..., None], 1), x0, n_steps=n, dW=dW1).y
    np.testing.assert_allclose(general1, scalar, rtol=1e-13, atol=1e-13)


# --------------------------------------------------------------------------- seeds, saving, dtype


def test_seed_reproducible_and_equal_to_precomputed_increments(monkeypatch):
    x0 = np.zeros((50, 2, 3))
    noise = DiagonalNoise(_resnet_scale)
    ss = np.random.SeedSequence(42)
    first = solve(None, noise, x0, n_steps=30, seed=ss, args=(0.1, 1.0)).y
    again = solve(None, noise, x0, n_steps=30, seed=ss, args=(0.1, 1.0)).y
    as_int = solve(None, noise, x0, n_steps=30, seed=42, args=(0.1, 1.0)).y
    dW = brownian_increments(42, n_steps=30, n_paths=50, noise_dim=3)
    given = solve(None, noise, x0, n_steps=30, dW=dW, args=(0.1, 1.0)).y
    monkeypatch.setattr(solve_module, "INCREMENT_BLOCK_BYTES", 7 * 50 * 3 * 8)  # blocks of 7 steps
    blocked = solve(None, noise, x0, n_steps=30, seed=42, args=(0.1, 1.0)).y
    for other in (again, as_int, given, blocked):
        np.testing.assert_array_equal(other, first)
    assert not np.array_equal(solve(None, noise, x0, n_steps=30, seed=43, args=(0.1, 1.0)).y, first)


def test_coarsened_increments_have_the_coarse_law():
    """Sums of 8 fine increments are N(0, 8h): variance via assert_mean at false-fail 1e-6 (2^15 samples)."""
    fine = brownian_increments(4, n_steps=64, n_paths=2**9, noise_dim=1, t0=1.0, t1=3.0)
    coarse = coarsen_increments(fine, 8)
    assert coarse.shape == (8, 2**9, 1)
    np.testing.assert_allclose(coarse.sum(axis=0), fine.sum(axis=0), rtol=1e-12, atol=1e-12)
    assert_mean(coarse.reshape(-1) ** 2, 8 * 2.0 / 64, false_fail_rate=FALSE_FAIL / 2, min_samples=4096)
    assert_mean(fine.reshape(-1) ** 2, 2.0 / 64, false_fail_rate=FALSE_FAIL / 2)


def test_save_every_and_save_at():
    x0 = np.ones((10, 1))
    kw = dict(n_steps=10, t0=0.5, t1=1.5, seed=1)
    drift, noise = (lambda t, y, _: -y), DiagonalNoise(lambda t, y, _: 0.3 + 0 * y)
    full = solve(drift, noise, x0, **kw)
    every = solve(drift, noise, x0, save_every=4, **kw)
    np.testing.assert_array_equal(every.step_indices, [0, 4, 8, 10])
    np.testing.assert_allclose(every.ts, [0.5, 0.9, 1.3, 1.5], rtol=1e-15)
    np.testing.assert_array_equal(every.ys[0], x0)
    np.testing.assert_array_equal(every.ys[-1], full.y)
    np.testing.assert_array_equal(every.y, full.y)
    at = solve(drift, noise, x0, save_at=[7, 3], **kw)
    dW = brownian_increments(1, n_steps=10, n_paths=10, noise_dim=1, t0=0.5, t1=1.5)
    partial = solve(drift, noise, x0, n_steps=3, t0=0.5, t1=0.8, dW=dW[:3]).y
    np.testing.assert_array_equal(at.step_indices, [3, 7])
    np.testing.assert_allclose(at.ys[0], partial, rtol=1e-14)
    assert full.ts is None and full.ys is None


def test_float32_and_broadcast_leading_axis():
    sol = solve(None, ScalarNoise(lambda t, y, _: 1.0 + 0 * y), np.zeros((1, 2)), n_paths=5, n_steps=4,
                seed=0, dtype="float32")
    assert sol.y.dtype == np.float32 and sol.y.shape == (5, 2)
    np.testing.assert_array_equal(sol.y[:, 0], sol.y[:, 1])  # scalar noise: one W per path


# --------------------------------------------------------------------------- validation

_X0 = np.zeros((4, 2))
_NOISE = DiagonalNoise(lambda t, y, _: 1.0 + 0 * y)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_steps=0, seed=0), r"n_steps=0"),
        (dict(n_steps=2.5, seed=0), r"n_steps=2.5"),
        (dict(n_steps=4, seed=0, t0=1.0, t1=1.0), r"t1=1.0 .*allowed range \(1.0"),
        (dict(n_steps=4, seed=0, t1=float("nan")), r"t1=nan"),
        (dict(n_steps=4), r"exactly one of seed"),
        (dict(n_steps=4, seed=0, dW=np.zeros((4, 4, 2))), r"exactly one of seed"),
        (dict(n_steps=4, seed=-1), r"seed=-1"),
        (dict(n_steps=4, seed=1.5), r"seed=1.5"),
        (dict(n_steps=4, dW=np.zeros((3, 4, 2))), r"dW has shape \(3, 4, 2\); expected .* \(4, 4, 2\)"),
        (dict(n_steps=4, dW=np.full((4, 4, 2), np.inf)), r"dW=inf"),
        (dict(n_steps=4, seed=0, n_paths=3), r"y0.shape\[0\]=4 must be 1 .* n_paths=3"),
        (dict(n_steps=4, seed=0, save_every=5), r"save_every=5"),
        (dict(n_steps=4, seed=0, save_at=[5]), r"save_at contains 5"),
        (dict(n_steps=4, seed=0, save_at=[1], save_every=1), r"Cannot pass both"),
        (dict(n_steps=4, seed=0, dtype="float16"), r"dtype='float16'"),
        (dict(n_steps=4, seed=0, solver=Milstein()), None),  # valid: diagonal noise
    ],
)
def test_bad_input_raises_value_error(kwargs, match):
    if match is None:
        solve(None, _NOISE, _X0, **kwargs)
        return
    with pytest.raises(ValueError, match=match):
        solve(None, _NOISE, _X0, **kwargs)


def test_bad_terms_raise_value_error():
    with pytest.raises(ValueError, match="y0 has shape"):
        solve(None, _NOISE, np.zeros(3), n_steps=2, seed=0)
    with pytest.raises(ValueError, match="noise="):
        solve(None, lambda t, y, a: y, _X0, n_steps=2, seed=0)
    with pytest.raises(ValueError, match="diffusion="):
        DiagonalNoise(3.0)
    with pytest.raises(ValueError, match="noise_dim=0"):
        GeneralNoise(lambda t, y, a: y, 0)
    with pytest.raises(ValueError, match="'general' is not supported by Milstein"):
        solve(None, GeneralNoise(lambda t, y, a: y[..., None], 1), _X0, n_steps=2, seed=0, solver=Milstein())
    with pytest.raises(ValueError, match=r"trailing axes \(d, m\) = \(2, 3\)"):
        solve(None, GeneralNoise(lambda t, y, a: y[..., None], 3), _X0, n_steps=2, seed=0)
    with pytest.raises(ValueError, match="mapped y of shape"):
        solve(lambda t, y, a: np.zeros((4, 2, 2)), _NOISE, _X0, n_steps=2, seed=0)
    with pytest.raises(ValueError, match="diffusion_derivative="):
        Milstein(diffusion_derivative=1.0)
    with pytest.raises(ValueError, match="factor=3 must divide"):
        coarsen_increments(np.zeros((4, 1, 1)), 3)


def test_constant_coefficients_and_aliasing_operator():
    """Constant (non-array) coefficients broadcast; an operator product that returns y itself is not overwritten."""
    x0 = np.zeros((3, 2, 2))
    sol = solve(lambda t, y, _: 1.0, ScalarNoise(lambda t, y, _: 0.0), x0, n_steps=4, seed=0)
    np.testing.assert_allclose(sol.y, 1.0, rtol=1e-15)
    ident = solve(None, OperatorNoise(lambda t, y, _, dW: y, 1), np.ones((3, 2)), n_steps=3, seed=0)
    np.testing.assert_array_equal(ident.y, 8.0)  # y <- 2 y, three times


@pytest.mark.parametrize("module", ["numerics.core.sde", "numerics.core.sde._brownian", "numerics.core.sde._solve"])
def test_doctests(module):
    import doctest
    import importlib

    failures, attempted = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert failures == 0 and attempted > 0
