"""Finite networks: Monte Carlo outputs, empirical NTK, executor-independent sweeps.

Statistical assertions state their false-failure rate and the discrepancy they detect.
"""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from numerics.dual.activations import activation
from numerics.kernel.recursions import nngp_ntk
from numerics.kernel.networks import BLOCK, fc_empirical_ntk, fc_outputs, sweep

X = np.array([[1.0, 0.5, -0.3], [-0.2, 0.8, 0.4], [0.3, -0.7, 1.1]])
OPTS = dict(activation="relu", depth=2, width=8, W_std=1.4, b_std=0.2)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


# ----------------------------------------------------------------------------- shapes, seeds


@settings(deadline=None, max_examples=10)
@given(seed=seeds, method=st.sampled_from(["exact_in_law", "full"]), dtype=st.sampled_from(["float32", "float64"]),
       n_samples=st.integers(1, 3 * BLOCK + 1))
def test_shapes_dtypes_determinism(seed, method, dtype, n_samples):
    f = fc_outputs(X, **OPTS, n_samples=n_samples, seed=seed, dtype=dtype, method=method)
    assert f.shape == (n_samples, 3) and f.dtype == np.dtype(dtype) and np.isfinite(f).all()
    again = fc_outputs(X, **OPTS, n_samples=n_samples, seed=np.random.SeedSequence(seed), dtype=dtype, method=method)
    np.testing.assert_array_equal(f, again)
    # the chunking groups fixed blocks: it never changes the result
    small = fc_outputs(X, **OPTS, n_samples=n_samples, seed=seed, dtype=dtype, method=method, chunk_size=1)
    np.testing.assert_array_equal(f, small)
    other = fc_outputs(X, **OPTS, n_samples=n_samples, seed=seed + 1, dtype=dtype, method=method)
    assert not np.array_equal(f, other)
    # a prefix of the samples does not depend on how many follow
    if n_samples > BLOCK:
        np.testing.assert_array_equal(f[:BLOCK], fc_outputs(X, **OPTS, n_samples=BLOCK, seed=seed, dtype=dtype,
                                                            method=method))


def test_seed_sequence_not_mutated_and_depth_zero():
    ss = np.random.SeedSequence(7)
    a = fc_outputs(X, **OPTS, n_samples=5, seed=ss)
    b = fc_outputs(X, **OPTS, n_samples=5, seed=ss)
    np.testing.assert_array_equal(a, b)
    assert ss.n_children_spawned == 0
    f0 = fc_outputs(X, activation="relu", depth=0, width=3, W_std=1.0, b_std=0.0, n_samples=4, seed=1)
    assert f0.shape == (4, 3)


def test_duplicated_inputs_give_equal_outputs():
    """Rank-deficient Gram matrices (duplicated inputs) take the eigen-factor path."""
    xd = np.vstack([X, X, X])   # m = 9 > d + 1, hidden Gram of rank <= 3
    f = fc_outputs(xd, **OPTS, n_samples=40, seed=2)
    np.testing.assert_allclose(f[:, :3], f[:, 3:6], rtol=0, atol=1e-12 * np.abs(f).max())
    np.testing.assert_allclose(f[:, :3], f[:, 6:], rtol=0, atol=1e-12 * np.abs(f).max())


# ----------------------------------------------------------------------------- empirical NTK


def _reference_forward(params, x, act, W_std, b_std):
    """Plain per-sample forward pass of the documented parameterisation."""
    a = x.T
    for i, (W, b) in enumerate(params):
        h = W_std / math.sqrt(W.shape[1]) * (W @ a) + b_std * b
        a = act.phi(h) if i < len(params) - 1 else h
    return a[0]


@settings(deadline=None, max_examples=5)
@given(seed=seeds, name=st.sampled_from(["tanh", "erf"]))
def test_empirical_ntk_matches_finite_difference_jacobian(seed, name):
    x = X[:2]
    W_std, b_std, width, depth = 1.3, 0.4, 3, 2
    out, ntk = fc_empirical_ntk(x, activation=name, depth=depth, width=width, W_std=W_std, b_std=b_std,
                                n_samples=1, seed=seed)
    # the documented draw order: block 0's generator, per layer W (n_out, n_in) then b (n_out, 1)
    gen = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed).spawn(1)[0]))
    dims = [x.shape[1]] + [width] * depth + [1]
    params = [(gen.standard_normal((1, dims[i + 1], dims[i]))[0], gen.standard_normal((1, dims[i + 1], 1))[0])
              for i in range(depth + 1)]
    act = activation(name)
    f = _reference_forward(params, x, act, W_std, b_std)
    np.testing.assert_allclose(out[0], f, rtol=1e-13, atol=1e-14)
    # central differences, every parameter: error O(eps^2 f''') + O(1e-16/eps), ~1e-10 here
    eps = 1e-5
    rows = []
    for arr in (p for pair in params for p in pair):
        for idx in np.ndindex(arr.shape):
            keep = arr[idx]
            arr[idx] = keep + eps
            up = _reference_forward(params, x, act, W_std, b_std)
            arr[idx] = keep - eps
            down = _reference_forward(params, x, act, W_std, b_std)
            arr[idx] = keep
            rows.append((up - down) / (2 * eps))
    jac = np.array(rows).T                      # (m, n_params)
    np.testing.assert_allclose(ntk[0], jac @ jac.T, rtol=1e-6, atol=1e-6 * np.abs(ntk[0]).max())


def test_empirical_ntk_shapes_and_outputs_equal_full_method():
    out, ntk = fc_empirical_ntk(X, **OPTS, n_samples=BLOCK + 3, seed=11)
    assert out.shape == (BLOCK + 3, 3) and ntk.shape == (BLOCK + 3, 3, 3)
    np.testing.assert_array_equal(out, fc_outputs(X, **OPTS, n_samples=BLOCK + 3, seed=11, method="full"))
    np.testing.assert_allclose(ntk, ntk.transpose(0, 2, 1), rtol=1e-12, atol=1e-12)
    assert (np.linalg.eigvalsh(ntk) > -1e-10).all()
    o32, t32 = fc_empirical_ntk(X, **OPTS, n_samples=2, seed=11, dtype="float32")
    assert o32.dtype == t32.dtype == np.float32


# ----------------------------------------------------------------------------- laws


def test_exact_in_law_and_full_agree_in_law():
    """Two-sample KS tests, n = 20000 draws per method, rejecting only if p < 1e-6.

    False-failure rate: 1e-6 per test (2e-6 for the two).  Detectable discrepancy:
    the critical KS distance is sqrt(-ln(alpha/2) * (n1+n2)/(2 n1 n2)) =
    sqrt(14.5/20000) ~ 0.027; a true sup-distance of ~0.054 (twice that, by the
    DKW bound on each side) is detected with power ~1 - 1e-6.
    """
    x = np.array([[1.0, 0.2, -0.5, 0.3], [0.1, -1.0, 0.4, 0.8]])
    opts = dict(activation="relu", depth=3, width=64, W_std=1.5, b_std=0.1, n_samples=20000)
    a = fc_outputs(x, **opts, seed=1, method="exact_in_law")
    b = fc_outputs(x, **opts, seed=2, method="full")
    assert stats.ks_2samp(a[:, 0], b[:, 0]).pvalue > 1e-6
    # a joint statistic: the difference of the two outputs
    assert stats.ks_2samp(a[:, 0] - a[:, 1], b[:, 0] - b[:, 1]).pvalue > 1e-6


@pytest.mark.parametrize("method", ["exact_in_law", "full"])
def test_one_hidden_layer_second_moments_equal_nngp(method):
    """depth=1: E[f(x_a) f(x_b)] = K^2(x_a, x_b) (the NNGP) exactly at any width.

    The hidden pre-activations are exactly Gaussian with kernel K^1, and the
    readout gives E[f f'] = sigma_w^2 E[phi(h) phi(h')] + sigma_b^2.  z-test with
    the standard error from the n = 20000 samples; reject only if |z| > 5.3:
    false-failure rate ~1.2e-7 per entry (3 entries per method).  Minimal
    discrepancy detected with power 1 - 1e-6: (5.3 + 4.75) * SE ~ 10 SE
    (about 10 * sqrt(2/n) ~ 10% of K(x, x) here).
    """
    x = np.array([[1.0, 0.2, -0.5], [0.1, -1.0, 0.4]])
    f = fc_outputs(x, activation="relu", depth=1, width=16, W_std=1.5, b_std=0.3, n_samples=20000, seed=5,
                   method=method)
    nngp, _ = nngp_ntk(x, activation="relu", depth=1, W_std=1.5, b_std=0.3)
    for i, j in [(0, 0), (0, 1), (1, 1)]:
        prod = f[:, i] * f[:, j]
        z = (prod.mean() - nngp[i, j]) / (prod.std(ddof=1) / math.sqrt(prod.size))
        assert abs(z) < 5.3, (i, j, z)


# ----------------------------------------------------------------------------- sweeps


def _cell(params, *, seed):
    return fc_outputs(X, activation="erf", depth=2, width=params["width"], W_std=params["W_std"], b_std=0.1,
                      n_samples=BLOCK + 5, seed=seed)


GRID = [{"width": w, "W_std": s} for w in (4, 32) for s in (0.8, 1.6)]


def _same(results, reference):
    assert len(results) == len(reference)
    for r, ref in zip(results, reference):
        np.testing.assert_array_equal(r, ref)


def test_sweep_bit_identical_across_executors():
    serial = sweep(_cell, GRID, seed=123)
    assert len(serial) == len(GRID)
    assert not np.array_equal(serial[0], serial[1][:, :])
    with ThreadPoolExecutor(2) as ex:
        _same(sweep(_cell, GRID, seed=123, executor=ex), serial)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        _same(sweep(_cell, GRID, seed=123, executor=ex), serial)
    _same(sweep(_cell, GRID, seed=np.random.SeedSequence(123)), serial)
    # the cell's seed is the i-th child of SeedSequence(seed).spawn(len(grid))
    child = np.random.SeedSequence(123).spawn(len(GRID))[2]
    np.testing.assert_array_equal(serial[2], _cell(GRID[2], seed=child))


def test_sweep_dask_executor_identical():
    distributed = pytest.importorskip("distributed")
    serial = sweep(_cell, GRID, seed=9)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        _same(sweep(_cell, GRID, seed=9, executor=client.get_executor()), serial)


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("bad, name", [
    (dict(width=0), "width"), (dict(width=2.5), "width"), (dict(depth=-1), "depth"), (dict(n_samples=0), "n_samples"),
    (dict(W_std=-1.0), "W_std"), (dict(b_std=float("inf")), "b_std"), (dict(W_std=float("nan")), "W_std"),
    (dict(dtype="float16"), "dtype"), (dict(method="fast"), "method"), (dict(chunk_size=0), "chunk_size"),
    (dict(seed=-3), "seed"), (dict(seed=1.5), "seed"), (dict(activation="nope"), "nope"),
    (dict(x=np.ones(3)), "x"), (dict(x=np.array([[1.0, np.nan]])), "x"),
])
def test_bad_inputs_raise_value_error_naming_parameter(bad, name):
    kwargs = dict(x=X, **OPTS, n_samples=2, seed=0)
    kwargs.update(bad)
    x = kwargs.pop("x")
    with pytest.raises(ValueError, match=name):
        fc_outputs(x, **kwargs)
    if "method" not in bad and "chunk_size" not in bad:
        with pytest.raises(ValueError, match=name):
            fc_empirical_ntk(x, **kwargs)


def test_sweep_validation():
    with pytest.raises(ValueError, match="fn"):
        sweep(3, GRID, seed=0)
    with pytest.raises(ValueError, match="grid"):
        sweep(_cell, [1, 2], seed=0)
    with pytest.raises(ValueError, match="seed"):
        sweep(_cell, GRID, seed="x")
