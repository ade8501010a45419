r"""Finite fully connected networks at initialisation: Monte Carlo outputs and empirical NTKs.

Conventions are those of :mod:`numerics.kernel.recursions` (neural-tangents'
``stax.serial(Dense(n, W_std, b_std), Act(), ..., Dense(1, W_std, b_std))``,
NTK parameterisation).  With $n_0 = d$, $n_1 = \dots = n_L = $ ``width``,
$n_{L+1} = 1$, $L = $ ``depth`` and all $W_l, b_l$ standard normal,

$$h_1 = \frac{\sigma_w}{\sqrt{d}} W_1 x + \sigma_b b_1,\qquad
  h_{l+1} = \frac{\sigma_w}{\sqrt{n_l}} W_{l+1}\,\varphi(h_l) + \sigma_b b_{l+1},\qquad
  f(x) = h_{L+1}(x).$$

Public API:

* :func:`fc_outputs`: $f$ on ``m`` inputs for ``n_samples`` independent
  initialisations, batched over samples with BLAS, either drawing every weight
  matrix (``method="full"``) or, exactly in law and $O(n m^2)$ per layer
  instead of $O(n^2 m)$, drawing each layer's pre-activations from their
  conditional Gaussian law (``method="exact_in_law"``);
* :func:`fc_empirical_ntk`: outputs and the exact empirical NTK
  $\hat\Theta(x_a, x_b) = \sum_\theta \partial_\theta f(x_a)\,\partial_\theta f(x_b)$
  by a hand-written backward pass;
* :func:`sweep`: run a function over a parameter grid through any
  :class:`concurrent.futures.Executor`, with child seeds from
  :class:`numpy.random.SeedSequence`.

Randomness and reproducibility
------------------------------
The seed-block scheme of :mod:`numerics.core.sampling`: samples are grouped in fixed
blocks of :data:`BLOCK` consecutive samples; block $j$ draws everything it
needs from its own generator ``Generator(SFC64(child_j))`` with ``child_j`` the
$j$-th child of ``SeedSequence(seed).spawn(n_blocks)``, in a fixed order (layer
by layer; for drawn weights $W$ then $b$).  ``chunk_size`` only groups whole
blocks for batching, and the per-sample arithmetic (batched ``matmul``,
per-matrix LAPACK factorisations) does not depend on which samples share a
batch, so results depend on ``(seed, n_samples, inputs, options)`` only: not on
``chunk_size``, the number of threads, or the executor.  Blocks are filled by a
small thread pool (NumPy generators release the GIL); for
``method="exact_in_law"`` each worker runs whole blocks (their draws, then
their forward pass, products split into pieces that OpenBLAS runs
single-threaded).  Each generator is used by one thread at a time, so this
changes nothing either.  A ``SeedSequence`` passed as ``seed`` is not mutated:
its children are those that a fresh copy's first ``spawn`` would give.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..dual.activations import Activation, activation as _activation
from ..core.sampling import BLOCK, THREADS, SeedBlocks, blocks_per_chunk, child_seeds, psd_factor, thread_pool
from ..core.validation import check_finite_array, check_integer, check_scalar

__all__ = ["fc_outputs", "fc_empirical_ntk", "sweep", "BLOCK", "METHODS"]

#: Methods of :func:`fc_outputs`.
METHODS = ("exact_in_law", "full")
#: Upper bound on the bytes of temporaries held per chunk (chunks aim at
#: :data:`numerics.core.sampling.TARGET_BYTES`, a quarter of it).
MEMORY_BUDGET = 256 * 2**20
_DTYPES = {"float32": np.float32, "float64": np.float64}


# ----------------------------------------------------------------------------- validation


def _act(activation) -> Activation:
    if isinstance(activation, Activation):
        return activation
    return _activation(activation)


def _check_options(x, depth, width, W_std, b_std, n_samples, dtype):
    x = check_finite_array("x", x, ndim=2)
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must have shape (m, d) with m >= 1 inputs and d >= 1 features, got {x.shape}")
    depth = check_integer("depth", depth, minimum=0)
    width = check_integer("width", width, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    W_std = check_scalar("W_std", W_std, low=0.0)
    b_std = check_scalar("b_std", b_std, low=0.0)
    for name, v in (("W_std", W_std), ("b_std", b_std)):
        if not math.isfinite(v):
            raise ValueError(f"{name}={v!r} must be finite; allowed range [0, inf)")
    if not isinstance(dtype, str) or dtype not in _DTYPES:
        raise ValueError(f"dtype={dtype!r} is not allowed; allowed values: {', '.join(map(repr, _DTYPES))}")
    return x, depth, width, W_std, b_std, n_samples, _DTYPES[dtype]


def _check_chunk(chunk_size):
    if chunk_size is None:
        return None
    return check_integer("chunk_size", chunk_size, minimum=1)


# ----------------------------------------------------------------------------- layers


def _dense_full(a, x_first, n_out, W_std, b_std, blocks, chunk, dtype):
    r"""$h = \frac{\sigma_w}{\sqrt{n_{in}}} W a + \sigma_b b$ with $W$, $b$ drawn; returns ``(h, W)``.

    ``a`` has shape ``(S, n_in, m)``, or is None for the first layer, whose
    input ``x_first`` (``(m, d)``) is shared by all samples (one 2-D GEMM).
    """
    n_in = x_first.shape[1] if a is None else a.shape[1]
    W = blocks.normals(chunk, (n_out, n_in), dtype)
    b = blocks.normals(chunk, (n_out, 1), dtype)
    S = W.shape[0]
    scale = dtype(W_std / math.sqrt(n_in))
    if a is None:
        h = (W.reshape(S * n_out, n_in) @ x_first.T).reshape(S, n_out, -1)
    else:
        h = np.matmul(W, a)
    h *= scale
    h += dtype(b_std) * b
    return h, W


def _phi(act: Activation, h: np.ndarray, dtype) -> np.ndarray:
    return np.asarray(act.phi(h)).astype(dtype, copy=False)


def _explicit(n_in: int, n_out: int, m: int) -> bool:
    """Draw this layer with explicit weights rather than in law?

    Explicit: $n_{out}(n_{in}+1)$ normals and $2 n_{out} n_{in} m$ flops.  In law:
    $n_{out} m$ normals, the Gram ($2 n_{in} m^2$), its factor ($m^3/3$) and
    $G F^\top$ ($2 n_{out} m^2$).  Explicit wins for a small fan-in (a first
    layer with few features) and for a narrow output (the readout).
    """
    return n_out * (n_in + 1) <= n_out * m + n_in * m


def _in_law_draws(j, blocks, dims, m, dtype) -> list:
    """Every draw of fixed block ``j`` for ``exact_in_law``, in the documented order.

    Layer by layer: ``(W, b)`` for a layer with explicit weights
    (:func:`_explicit`), else ``G`` of shape ``(S, n_out, m)``.  The draws do not depend on
    the forward pass, so they can be made ahead of it (in another thread).
    """
    gen = blocks.gens[j]
    lo, hi = blocks.bounds[j]
    S, draws = hi - lo, []
    for n_in, n_out in zip(dims[:-1], dims[1:]):
        if _explicit(n_in, n_out, m):
            draws.append((gen.standard_normal((S, n_out, n_in), dtype=dtype),
                          gen.standard_normal((S, n_out, 1), dtype=dtype)))
        else:
            draws.append(gen.standard_normal((S, n_out, m), dtype=dtype))
    return draws


#: OpenBLAS runs a GEMM with M*N*K above this on all its threads; on these small
#: per-sample products that only costs CPU and stalls the other block worker,
#: so :func:`_mm` and :func:`_gram` split products to stay at or below it.
_GEMM_SINGLE = 1 << 18


def _mm(a, b, out):
    """Batched ``a @ b`` into ``out`` (``(..., M, K) @ (..., K, N)``), split into row pieces.

    Each output row is computed exactly as by one ``matmul``; only the grouping
    of rows into BLAS calls changes.
    """
    M, K = a.shape[-2:]
    R = max(1, _GEMM_SINGLE // max(1, K * b.shape[-1]))
    for r in range(0, M, R):
        np.matmul(a[..., r:r + R, :], b, out=out[..., r:r + R, :])
    return out


def _gram(a, out):
    """Batched ``a^T a`` (``a`` of shape ``(S, n, m)``) summed over fixed pieces of ``n``."""
    S, n, m = a.shape
    R = max(1, _GEMM_SINGLE // (m * m))
    at = a.transpose(0, 2, 1)
    np.matmul(at[:, :, :R], a[:, :R], out=out)
    if n > R:
        tmp = np.empty_like(out)
        for r in range(R, n, R):
            out += np.matmul(at[:, :, r:r + R], a[:, r:r + R], out=tmp)
    return out


def _times_lower_t(G, F, out):
    r"""$G F^\top$ for lower-triangular $F$ (``(S, n, m) @ (S, m, m)^T``) in 3/4 of the GEMM work.

    Columns $j < m/2$ only see $F_{11}$: $[G F^\top]_{:, :h} = G_{:, :h} F_{11}^\top$; the rest is
    $G F_{h:, :}^\top$.  Equal to the full product up to rounding (the skipped terms are zeros).
    """
    m = F.shape[-1]
    h = m // 2
    Ft = np.swapaxes(F, -1, -2)
    if h:
        _mm(G[..., :h], np.ascontiguousarray(Ft[..., :h, :h]), out[..., :h])
    _mm(G, np.ascontiguousarray(Ft[..., :, h:]), out[..., h:])
    return out


def _phi_into(act, h, dtype):
    """``act.phi(h)`` as ``dtype``, in one pass on this worker thread (:meth:`Activation.phi_block`)."""
    a = act.phi_block(h)
    return a if a.dtype == dtype else a.astype(dtype)


def _in_law_block(j, blocks, act, xd, x_factor, dims, W_std, b_std, dtype) -> np.ndarray:
    """Draws (:func:`_in_law_draws`) and forward pass of fixed block ``j``; returns ``(S, m)``."""
    draws = _in_law_draws(j, blocks, dims, xd.shape[0], dtype)
    m, depth = xd.shape[0], len(dims) - 2
    a = None
    for l in range(depth + 1):
        n_in, n_out = dims[l], dims[l + 1]
        if _explicit(n_in, n_out, m):                       # explicit weights (cheaper here, equally exact)
            W, b = draws[l]
            S = W.shape[0]
            h = np.empty((S, n_out, m), dtype=dtype)
            _mm(W, xd.T if a is None else a, h)
            h *= dtype(W_std / math.sqrt(n_in))
            h += dtype(b_std) * b
        else:
            G = draws[l]
            S = G.shape[0]
            if a is None:
                factor = x_factor
            else:
                gram = _gram(a, np.empty((S, m, m), dtype=dtype))
                gram *= dtype(W_std**2 / n_in)
                gram += dtype(b_std**2)
                factor = None
                try:  # Cholesky: lower-triangular, so G F^T costs 3/4 of a GEMM
                    h = _times_lower_t(G, np.linalg.cholesky(gram), np.empty_like(G))
                except np.linalg.LinAlgError:  # rank-deficient Gram: eigen factor (:func:`~numerics.core.sampling.psd_factor`)
                    factor = psd_factor(gram)
            if factor is not None:
                h = _mm(G, np.swapaxes(factor, -1, -2), np.empty_like(G))
        if l < depth:
            a = _phi_into(act, h, dtype)
    return h[:, 0, :]


# ----------------------------------------------------------------------------- public API


def fc_outputs(x, *, activation, depth, width, W_std, b_std, n_samples, seed, dtype="float64",
               method="exact_in_law", chunk_size=None) -> np.ndarray:
    r"""Outputs $f(x_1), \dots, f(x_m)$ of ``n_samples`` independent initialisations.

    Parameters
    ----------
    x:
        Inputs, shape ``(m, d)``, finite.
    activation:
        Catalog name or :class:`~numerics.dual.activations.Activation`.
    depth:
        Number of hidden Dense+activation layers, integer >= 0 (0: $f$ = Dense(1) of $x$).
    width:
        Width of every hidden layer, integer >= 1.
    W_std, b_std:
        $\sigma_w, \sigma_b$, finite and >= 0.
    n_samples:
        Number of independent initialisations, integer >= 1.
    seed:
        Integer >= 0 or :class:`numpy.random.SeedSequence`; the only source of
        randomness (see the module docstring).
    dtype:
        ``"float64"`` or ``"float32"``: draws and arithmetic in that type.
    method:
        ``"exact_in_law"`` (default) or ``"full"``.
    chunk_size:
        Samples per batch (rounded up to a multiple of :data:`BLOCK`); None
        picks one keeping temporaries small (<= 256 MB).  It does not change
        the result.

    Returns
    -------
    ndarray of shape ``(n_samples, m)``: row $s$ holds $f_s(x_1), \dots, f_s(x_m)$.

    Methods
    -------
    ``"full"`` draws every $W_l$ (shape $n_l \times n_{l-1}$) and $b_l$ and
    runs the forward pass with batched matrix products: $O(n^2 m)$ per layer.

    ``"exact_in_law"``: given the layer input $A = \varphi(h_l)$ (an
    $n_l \times m$ matrix, one column per input), the rows of
    $h_{l+1} = \frac{\sigma_w}{\sqrt{n_l}} W A + \sigma_b b 1^\top$ are
    $w_i^\top A\,\sigma_w/\sqrt{n_l} + \sigma_b b_i$ with independent
    $w_i \sim N(0, I)$, $b_i \sim N(0, 1)$: conditionally on $A$ they are
    i.i.d. $N(0, \Sigma)$,
    $\Sigma = \frac{\sigma_w^2}{n_l} A^\top A + \sigma_b^2 1 1^\top$.  Since
    $W_{l+1}, b_{l+1}$ are independent of $A$ (a function of earlier layers),
    drawing $h_{l+1} = G F^\top$ with $G$ an $n_{l+1} \times m$ standard
    normal matrix independent of the past and $F F^\top = \Sigma$ gives the
    same conditional law, hence by induction over layers the same joint law
    of $(h_1, \dots, h_{L+1})$, hence of $f$.  $F$ is the Cholesky factor, or
    an eigen-factor when $\Sigma$ is singular (see :func:`~numerics.core.sampling.psd_factor`; no
    jitter).  Cost per layer: $O(n m^2 + m^3)$ and $n m$ normals instead of
    $n^2$.  A layer with a small fan-in (a first layer with few features) or a
    narrow output (the readout) is drawn with explicit weights
    (:func:`_explicit`), which is cheaper there and equally exact.  Samples of the two methods are not equal draw by draw,
    only in law.

    >>> import numpy as np
    >>> f = fc_outputs(np.eye(2), activation="relu", depth=2, width=8, W_std=1.0, b_std=0.0,
    ...                n_samples=3, seed=0)
    >>> f.shape, f.dtype
    ((3, 2), dtype('float64'))
    """
    act = _act(activation)
    x, depth, width, W_std, b_std, n_samples, dt = _check_options(x, depth, width, W_std, b_std, n_samples, dtype)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; allowed values: {', '.join(map(repr, METHODS))}")
    chunk_size = _check_chunk(chunk_size)
    m, d = x.shape
    xd = x.astype(dt)
    dims = [d] + [width] * depth + [1]
    itemsize = np.dtype(dt).itemsize
    if method == "full":
        per_sample = (max(dims[i] * dims[i + 1] for i in range(len(dims) - 1)) + 4 * width * m) * max(itemsize, 8)
    else:
        per_sample = (5 * max(width, d) * m + 3 * m * m) * max(itemsize, 8)
    blocks = SeedBlocks(seed, n_samples)
    out = np.empty((n_samples, m), dtype=dt)
    if method == "exact_in_law":
        x_factor = psd_factor((W_std**2 / d) * (xd @ xd.T) + b_std**2) if d + 1 > m else None
        n_blocks = len(blocks.bounds)
        run = lambda j: _in_law_block(j, blocks, act, xd, x_factor, dims, W_std, b_std, dt)  # noqa: E731
        # whole blocks per worker: draws and forward pass of a block stay on one thread, in cache
        results = thread_pool().map(run, range(n_blocks)) if THREADS > 1 and n_blocks > 1 else map(run, range(n_blocks))
        for j, f in enumerate(results):
            lo, hi = blocks.bounds[j]
            out[lo:hi] = f
        return out
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        a = None
        for l in range(depth + 1):
            h, _ = _dense_full(a, xd, dims[l + 1], W_std, b_std, blocks, chunk, dt)
            a = _phi(act, h, dt) if l < depth else h
        lo, hi = blocks.span(chunk)
        out[lo:hi] = a[:, 0, :]
    return out


def fc_empirical_ntk(x, *, activation, depth, width, W_std, b_std, n_samples, seed, dtype="float64"):
    r"""Outputs and exact empirical NTKs of ``n_samples`` sampled networks (explicit weights).

    For layer $l = 1, \dots, L+1$ with input $a_{l-1}$ ($a_0 = x$, dimension
    $n_{l-1}$) and $\delta_l = \partial f / \partial h_l$,

    $$\hat\Theta(x_a, x_b) = \sum_{l=1}^{L+1}
      \Big(\frac{\sigma_w^2}{n_{l-1}}\, a_{l-1}(x_a)\cdot a_{l-1}(x_b) + \sigma_b^2\Big)\,
      \delta_l(x_a)\cdot\delta_l(x_b),$$

    the first term from $\partial h_l/\partial W_l^{ij} = \frac{\sigma_w}{\sqrt{n_{l-1}}} a_{l-1}^j$,
    the second from $\partial h_l / \partial b_l^i = \sigma_b$; the backward pass is
    $\delta_{L+1} = 1$, $\delta_l = \varphi'(h_l) \odot \frac{\sigma_w}{\sqrt{n_l}} W_{l+1}^\top \delta_{l+1}$.
    All batched over samples (loops over layers and fixed sample blocks only).

    Parameters are those of :func:`fc_outputs`.  The weights are drawn exactly
    as ``fc_outputs(..., method="full")`` draws them, so the returned outputs
    equal that function's for the same seed.

    Returns
    -------
    (outputs, ntk):
        Arrays of shapes ``(n_samples, m)`` and ``(n_samples, m, m)``.
    """
    act = _act(activation)
    x, depth, width, W_std, b_std, n_samples, dt = _check_options(x, depth, width, W_std, b_std, n_samples, dtype)
    m, d = x.shape
    xd = x.astype(dt)
    dims = [d] + [width] * depth + [1]
    per_sample = (sum(dims[i] * dims[i + 1] for i in range(len(dims) - 1)) + (3 * depth + 4) * width * m
                  + 4 * m * m) * 8
    blocks = SeedBlocks(seed, n_samples)
    outputs = np.empty((n_samples, m), dtype=dt)
    ntk = np.empty((n_samples, m, m), dtype=dt)
    x_gram = xd @ xd.T
    for chunk in blocks.chunks(blocks_per_chunk(None, per_sample, n_samples)):
        weights, pre, post = [], [], []
        a = None
        for l in range(depth + 1):
            h, W = _dense_full(a, xd, dims[l + 1], W_std, b_std, blocks, chunk, dt)
            weights.append(W)
            if l < depth:
                pre.append(h)
                a = _phi(act, h, dt)
                post.append(a)
            else:
                f = h
        S = f.shape[0]
        delta = np.ones((S, 1, m), dtype=dt)
        theta = np.zeros((S, m, m), dtype=dt)
        for l in range(depth + 1, 0, -1):           # layer l: input a_{l-1}, delta_l
            dd = np.matmul(delta.transpose(0, 2, 1), delta)
            aa = x_gram if l == 1 else np.matmul(post[l - 2].transpose(0, 2, 1), post[l - 2])
            theta += (dt(W_std**2 / dims[l - 1]) * aa + dt(b_std**2)) * dd
            if l > 1:
                back = np.matmul(weights[l - 1].transpose(0, 2, 1), delta)
                back *= dt(W_std / math.sqrt(dims[l - 1]))
                delta = np.asarray(act.phi_prime(pre[l - 2])).astype(dt, copy=False) * back
        lo, hi = blocks.span(chunk)
        outputs[lo:hi] = f[:, 0, :]
        ntk[lo:hi] = theta
    return outputs, ntk


def _call(fn, params, seed):
    return fn(params, seed=seed)


def sweep(fn, grid, *, seed, executor=None) -> list:
    r"""``[fn(params, seed=child_i) for i, params in enumerate(grid)]`` through ``executor.map``.

    ``child_i`` is the $i$-th of ``SeedSequence(seed).spawn(len(grid))``
    (``seed`` an integer >= 0 or a SeedSequence, not mutated).  Randomness
    comes only from the seed, so the results, in grid order, are bit-identical
    for any executor: None (serial built-in ``map``), a thread or process pool,
    or a dask ``Client.get_executor()``.  For process pools and clusters
    ``fn`` must be picklable (a module-level function) and so must ``params``.
    """
    if not callable(fn):
        raise ValueError(f"fn={fn!r} must be callable as fn(params, seed=...)")
    grid = list(grid)
    for i, params in enumerate(grid):
        if not isinstance(params, Mapping):
            raise ValueError(f"grid[{i}]={params!r} must be a dict of parameters")
    seeds = child_seeds(seed, len(grid))
    if executor is not None and not callable(getattr(executor, "map", None)):
        raise ValueError(f"executor={executor!r} must be None or have a map method (concurrent.futures.Executor)")
    mapper = map if executor is None else executor.map
    return list(mapper(_call, [fn] * len(grid), grid, seeds))
