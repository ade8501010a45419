"""The shared sampling module: seed blocks, chunking and PSD-safe factors; pinned draws of every simulator.

No Monte Carlo assertion here: every check is an identity (same seed, same
numbers; $F F^\\top = \\Sigma$ up to a stated rounding bound), so none can fail
by chance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.core import sampling
from numerics.resnet_sde import (
    ResNet,
    conv_resnet_outputs,
    resnet_ntk,
    resnet_outputs,
)
from numerics.resnet_sde.ntk import resnet_jacobian
from numerics.kernel.networks import fc_empirical_ntk, fc_outputs
from numerics.log_gaussian import fc_relu_net, relu_resnet
from numerics.covariance_sde import shaped_smooth_mlp
from numerics.core.sampling import (
    BLOCK,
    TARGET_BYTES,
    SeedBlocks,
    blocks_per_chunk,
    check_seed,
    child_seeds,
    psd_cholesky,
    psd_factor,
)

seeds = st.integers(min_value=0, max_value=2**64 - 1)
EPS = np.finfo(np.float64).eps


def _documented_stream(seed, n_samples, j):
    """Block j's generator as the module docstring defines it: SFC64 of the j-th child of a fresh spawn."""
    n_blocks = -(-n_samples // BLOCK)
    return np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed).spawn(n_blocks)[j]))


# ----------------------------------------------------------------------------- seeds


def test_check_seed_accepts_integers_and_seed_sequences():
    ss = np.random.SeedSequence(5)
    assert check_seed(ss) is ss
    assert check_seed(7).entropy == 7 and check_seed(np.int64(7)).entropy == 7
    for bad in (-1, True, 1.5, "3", None):
        with pytest.raises(ValueError, match=r"seed=.* must be an integer >= 0 or a numpy.random.SeedSequence"):
            check_seed(bad)


@settings(deadline=None, max_examples=20)
@given(seed=seeds, n=st.integers(0, 5), key=st.lists(st.integers(0, 9), max_size=2))
def test_child_seeds_are_a_fresh_spawn_and_do_not_mutate(seed, n, key):
    parent = np.random.SeedSequence(seed, spawn_key=tuple(key))
    kids = child_seeds(parent, n)
    assert parent.n_children_spawned == 0
    fresh = np.random.SeedSequence(seed, spawn_key=tuple(key)).spawn(n)
    assert [k.spawn_key for k in kids] == [f.spawn_key for f in fresh]
    for k, f in zip(kids, fresh):
        np.testing.assert_array_equal(k.generate_state(4), f.generate_state(4))
    assert [k.spawn_key for k in child_seeds(parent, n)] == [k.spawn_key for k in kids]  # twice: same children
    with pytest.raises(ValueError, match="n=-1"):
        child_seeds(seed, -1)


# ----------------------------------------------------------------------------- blocks


@settings(deadline=None, max_examples=20)
@given(n=st.integers(1, 5 * BLOCK + 3))
def test_blocks_partition_the_samples(n):
    b = SeedBlocks(0, n)
    assert b.n_blocks == -(-n // BLOCK) == len(b.gens)
    assert b.bounds[0][0] == 0 and b.bounds[-1][1] == n
    assert all(hi == lo2 for (_, hi), (lo2, _) in zip(b.bounds[:-1], b.bounds[1:]))
    assert all(hi - lo == BLOCK for lo, hi in b.bounds[:-1]) and 1 <= b.bounds[-1][1] - b.bounds[-1][0] <= BLOCK
    for k in (1, 2, b.n_blocks + 1):
        chunks = list(b.chunks(k))
        assert [j for c in chunks for j in c] == list(range(b.n_blocks))
        assert all(len(c) == k for c in chunks[:-1])
        assert b.span(chunks[0])[0] == 0 and b.span(chunks[-1])[1] == n


@settings(deadline=None, max_examples=15)
@given(seed=seeds, n=st.integers(1, 4 * BLOCK + 5), k=st.integers(1, 5),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_normals_follow_the_documented_streams_whatever_the_chunking(seed, n, k, dtype):
    """Two draws in order (shapes (3, 2) then (1,)): chunked, they equal the documented per-block streams."""
    b = SeedBlocks(seed, n)
    first, second = [], []
    for chunk in b.chunks(k):
        first.append(b.normals(chunk, (3, 2), dtype))
        second.append(b.normals(chunk, (1,), dtype))
    first, second = np.concatenate(first), np.concatenate(second)
    assert first.dtype == dtype and first.shape == (n, 3, 2) and second.shape == (n, 1)
    for j, (lo, hi) in enumerate(b.bounds):
        gen = _documented_stream(seed, n, j)
        np.testing.assert_array_equal(first[lo:hi], gen.standard_normal((hi - lo, 3, 2), dtype=dtype))
        np.testing.assert_array_equal(second[lo:hi], gen.standard_normal((hi - lo, 1), dtype=dtype))


def test_threaded_fill_equals_the_serial_streams():
    """A chunk of 3 blocks x (40, 40) normals (76 800 numbers) is filled by the thread pool: same numbers."""
    n, shape = 3 * BLOCK, (40, 40)
    assert n * 40 * 40 >= sampling._PARALLEL_FILL
    z = SeedBlocks(11, n).normals(range(3), shape)
    for j in range(3):
        np.testing.assert_array_equal(z[j * BLOCK:(j + 1) * BLOCK],
                                      _documented_stream(11, n, j).standard_normal((BLOCK,) + shape))


@settings(deadline=None, max_examples=10)
@given(seed=seeds, n1=st.integers(1, 3 * BLOCK), extra=st.integers(0, 2 * BLOCK))
def test_whole_blocks_do_not_depend_on_the_samples_that_follow(seed, n1, extra):
    a, b = SeedBlocks(seed, n1), SeedBlocks(seed, n1 + extra)
    za, zb = a.normals(range(a.n_blocks), (2,)), b.normals(range(b.n_blocks), (2,))
    whole = (n1 // BLOCK) * BLOCK
    np.testing.assert_array_equal(za[:whole], zb[:whole])


def test_seed_sequence_passed_twice_gives_the_same_numbers():
    ss = np.random.SeedSequence(3)
    a = SeedBlocks(ss, 20).normals(range(2), (4,))
    b = SeedBlocks(ss, 20).normals(range(2), (4,))
    np.testing.assert_array_equal(a, b)
    assert ss.n_children_spawned == 0
    assert not np.array_equal(a, SeedBlocks(4, 20).normals(range(2), (4,)))


@settings(deadline=None, max_examples=10)
@given(seed=seeds, n=st.integers(1, 3 * BLOCK + 2), k=st.integers(1, 3))
def test_bits_follow_the_documented_streams(seed, n, k):
    b = SeedBlocks(seed, n)
    bits = np.concatenate([b.bits(chunk, (5,)) for chunk in b.chunks(k)])
    assert bits.dtype == np.bool_ and bits.shape == (n, 5)
    for j, (lo, hi) in enumerate(b.bounds):
        ref = _documented_stream(seed, n, j).integers(0, 2, size=(hi - lo, 5), dtype=np.int8).astype(bool)
        np.testing.assert_array_equal(bits[lo:hi], ref)


def test_blocks_per_chunk():
    n_blocks = 100
    n = n_blocks * BLOCK
    for per_sample in (1, 1000, 10**5, 10**7, 10**9):
        k = blocks_per_chunk(None, per_sample, n)
        assert 1 <= k <= n_blocks
        assert k == 1 or k * BLOCK * per_sample <= TARGET_BYTES    # near the target, never a multiple of it
    assert blocks_per_chunk(None, 0, n) == n_blocks
    assert [blocks_per_chunk(c, 8, n) for c in (1, BLOCK, BLOCK + 1, 10**9)] == [1, 1, 2, n_blocks]
    assert blocks_per_chunk(10**9, 8, 3) == 1
    for args, msg in (((0, 8, 10), "chunk_size=0"), ((None, -1, 10), "bytes_per_sample=-1"),
                      ((None, 8, 0), "n_samples=0")):
        with pytest.raises(ValueError, match=msg):
            blocks_per_chunk(*args)
    with pytest.raises(ValueError, match="n_samples=0"):
        SeedBlocks(0, 0)
    with pytest.raises(ValueError, match="blocks_per_chunk=0"):
        list(SeedBlocks(0, 5).chunks(0))


# ----------------------------------------------------------------------------- PSD-safe factors


def _random_psd(rng, batch, m, rank):
    """Batch of ``m x m`` Grams ``A^T A`` of rank ``min(rank, m)``, entries O(1)."""
    a = rng.standard_normal((batch, rank, m))
    return np.matmul(a.transpose(0, 2, 1), a) / rank


def _reconstruction_bound(gram):
    """Rounding bound on |F F^T - gram|: 8 m^2 eps max|lambda| (Cholesky's backward error is O(m eps |gram|);
    the eigen-factor drops eigenvalues below m eps max|lambda|, at most m of them)."""
    m = gram.shape[-1]
    return 8 * m * m * np.finfo(gram.dtype).eps * np.max(np.abs(np.linalg.eigvalsh(gram)), axis=-1)[..., None, None]


@settings(deadline=None, max_examples=20)
@given(seed=seeds, m=st.integers(1, 6), rank=st.integers(1, 8), factor=st.sampled_from(["psd_factor", "psd_cholesky"]))
def test_factors_reproduce_the_gram(seed, m, rank, factor):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    gram = _random_psd(rng, 5, m, rank)
    F = getattr(sampling, factor)(gram)
    assert F.shape == gram.shape and np.isfinite(F).all()
    assert np.all(np.abs(np.matmul(F, F.transpose(0, 2, 1)) - gram) <= _reconstruction_bound(gram))
    if factor == "psd_cholesky" or rank >= m:
        np.testing.assert_array_equal(np.triu(F, 1), 0.0)                 # lower-triangular


def test_psd_factor_is_cholesky_when_positive_definite_and_eigen_otherwise():
    rng = np.random.default_rng(np.random.SeedSequence(1))
    pd = _random_psd(rng, 4, 3, 6)
    np.testing.assert_array_equal(psd_factor(pd), np.linalg.cholesky(pd))
    mixed = pd.copy()
    mixed[2] = np.ones((3, 3))                                          # one singular matrix in the batch
    w, v = np.linalg.eigh(mixed)
    F = psd_factor(mixed)
    np.testing.assert_array_equal(F, v * np.sqrt(np.where(w > 3 * EPS * np.abs(w).max(-1, keepdims=True), w, 0))
                                  [..., None, :])
    np.testing.assert_array_equal(psd_factor(np.zeros((2, 3, 3))), 0.0)
    f32 = psd_factor(np.ones((2, 2), dtype=np.float32))
    assert f32.dtype == np.float32 and np.isfinite(f32).all()


def test_psd_cholesky_is_per_matrix_and_exact_on_degenerate_grams():
    rng = np.random.default_rng(np.random.SeedSequence(2))
    batch = np.concatenate([_random_psd(rng, 3, 4, 2), _random_psd(rng, 3, 4, 9), np.zeros((1, 4, 4))])
    L = psd_cholesky(batch)
    for i in range(len(batch)):                                         # same arithmetic whatever else is in the batch
        np.testing.assert_array_equal(psd_cholesky(batch[i:i + 1])[0], L[i])
    np.testing.assert_array_equal(L[-1], 0.0)
    np.testing.assert_allclose(L[3:6], np.linalg.cholesky(batch[3:6]), rtol=0, atol=64 * EPS * np.abs(batch).max())
    np.testing.assert_array_equal(psd_cholesky(np.array([[[4.0]], [[0.0]]])), [[[2.0]], [[0.0]]])


def test_factors_reject_non_square_input():
    for factor in (psd_factor, psd_cholesky):
        for bad in (np.ones(3), np.ones((2, 3)), [[1.0]]):
            with pytest.raises(ValueError, match=r"gram must be an array of shape \(\.\.\., m, m\)"):
                factor(bad)


def test_doctests():
    import doctest

    failures, attempted = doctest.testmod(sampling, optionflags=doctest.ELLIPSIS)
    assert failures == 0 and attempted > 0


# ----------------------------------------------------------------------------- pinned numbers
# Values produced by the simulators *before* they shared this module (commit 865a31f) and unchanged
# by it (bit for bit on the development machine).  Any change of a draw (order, shape, generator,
# block boundaries, seed children) changes them by O(1); rtol 1e-12 only absorbs BLAS rounding
# differences between machines (a few ulps through a handful of layers).

X = np.array([[1.0, 0.5, -0.3], [-0.2, 0.8, 0.4]])
PIN = dict(rtol=1e-12, atol=1e-14)


def test_pinned_raw_draws():
    """Pure generator output (platform independent, so compared exactly): rows 0, 17, 39 of block 0, 1, 2."""
    b = SeedBlocks(2024, 40)
    z = b.normals(range(3), (2,))
    assert z[[0, 17, 39]].ravel().tolist() == [0.717670203231843, -1.6329577718449877, -0.3350525541259576,
                                               0.008008938882321449, -0.1434310740225178, -1.1662567787412335]
    assert b.bits(range(3), (3,))[[0, 17, 39]].astype(int).tolist() == [[1, 0, 1], [1, 1, 0], [1, 1, 1]]


def test_pinned_fc_networks():
    opts = dict(activation="tanh", depth=2, width=24, W_std=1.3, b_std=0.2, n_samples=20, seed=2024)
    np.testing.assert_allclose(fc_outputs(X, **opts, method="exact_in_law")[[0, 17]].ravel(),
                               [0.03455411583885509, -0.4850268957135929, -0.07211812110905538, 0.4446905118043441],
                               **PIN)
    np.testing.assert_allclose(fc_outputs(X, **opts, method="full")[[0, 17]].ravel(),
                               [-1.9619688019163914, -0.9417605412380841, -1.0398094113148693, 0.3051772723595234],
                               **PIN)
    _, ntk = fc_empirical_ntk(X, activation="tanh", depth=2, width=6, W_std=1.3, b_std=0.2, n_samples=18, seed=2024)
    np.testing.assert_allclose(ntk[17].ravel(), [0.7940975378987118, -0.3032535746545636, -0.3032535746545636,
                                                 0.8427751049222864], **PIN)


def test_pinned_deep_resnets():
    net = ResNet(depth=5, width=6, sigma_w=1.2, sigma_b=0.4, phi="tanh", psi="tanh", input="dense", sigma_z=1.0,
                 sigma_y=1.0)
    np.testing.assert_allclose(
        resnet_outputs(net, X, n_samples=20, seed=2024, method="exact_in_law").readout[[0, 17]].ravel(),
        [1.132685742473775, 1.6748151309057508, 0.4507055792678176, 0.48141828419899735], **PIN)
    np.testing.assert_allclose(
        resnet_outputs(net, X, n_samples=20, seed=2024, method="full").readout[[0, 17]].ravel(),
        [-0.2884400542582511, -0.9988094345529125, -0.7335139877334648, 0.2965593056791232], **PIN)
    np.testing.assert_allclose(resnet_ntk(net, X, n_samples=18, seed=2024).ntk_total[17].ravel(),
                               [2.469293595369235, -0.10459415370467018, -0.10459415370467018, 1.4373078461100417],
                               **PIN)
    small = ResNet(depth=4, width=3, sigma_w=1.2, sigma_b=0.4, phi="tanh", psi="tanh")
    np.testing.assert_allclose(
        resnet_jacobian(small, np.array([[0.3, -0.1, 0.7]]), n_samples=18, seed=2024)[17, 0].ravel(),
        [0.6665563816317523, 0.004465286984611697, -0.17861446829990724, 1.0005859868656857, 0.4647608811980926,
         0.5174418628656585, 0.5077044407021254, -0.1597978691776934, 0.4469332377856937], **PIN)
    np.testing.assert_allclose(
        conv_resnet_outputs(small, np.linspace(-1, 1, 12).reshape(1, 4, 3), kernel_size=3, n_samples=18,
                            seed=2024)[17, 0, :2].ravel(),
        [0.3440643333019374, 0.26931991644268644, -0.9703475136073781, -0.0505515058919109, -0.85328352671257,
         -0.37156157000676], **PIN)


@pytest.mark.parametrize("method, resnet, mlp, shaped", [
    ("exact_in_law", [-7.31167168016188, -2.1547720455734476], [-0.9509470389422353, -3.9816484556363867],
     [-1.885633441682382, -2.3093410434969437]),
    ("full", [-1.2996761916198398, -0.5442021557137995], [-0.562016595151789, -5.080122464606145],
     [-5.355707726505376, -3.5284559942412117]),
])
def test_pinned_proportional(method, resnet, mlp, shaped):
    common = dict(n_samples=18, seed=2024, method=method)
    np.testing.assert_allclose(relu_resnet(X, width=8, depth=3, block="balanced", **common).log_output_norm[17],
                               resnet, **PIN)
    np.testing.assert_allclose(fc_relu_net(X, widths=[5, 7], **common).log_output_norm[17], mlp, **PIN)
    np.testing.assert_allclose(shaped_smooth_mlp(X, width=8, depth=3, phi=np.tanh, a=1.0, **common)
                               .log_output_norm[17], shaped, **PIN)
