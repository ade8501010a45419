r"""Forward simulation of deep ResNets, batched over networks and over inputs sharing one network.

:func:`resnet_outputs` runs ``n_samples`` independent networks of a
:class:`~numerics.resnet_sde.ResNet`, each on the same ``m`` inputs (the
inputs of one network share its parameters, so their joint law is the
multi-input law of JMLR Corollary 3), and records what claims need.

Two exact samplers of the same law
----------------------------------
``"full"`` draws $E_l$ ($D \times D$) and $e_l$ and computes
$A_l \psi(X_l) + a_l$ for the $D \times m$ state matrix $X_l$ by a batched
product: $O(D^2 m)$ flops and $D^2$ normals per layer.

``"exact_in_law"``: given $X_l$, the $D$ rows of the centred pre-increment
$\sigma_w\sqrt{\Delta t/D}\,E_l\psi(X_l) + \sigma_b\sqrt{\Delta t}\,e_l\mathbf 1^\top$
are i.i.d. $N(0, S_l)$ (rows of $E_l$ and entries of $e_l$ are i.i.d. and
independent of $X_l$) with

$$S_l = \frac{\sigma_w^2 \Delta t}{D}\,\psi(X_l)^\top\psi(X_l) + \sigma_b^2\Delta t\,\mathbf 1\mathbf 1^\top .$$

Drawing it as $G_l F_l^\top$ with $G_l$ a fresh $D \times m$ standard normal
matrix and $F_l F_l^\top = S_l$ (Cholesky, or an eigen-factor when $S_l$ is
singular, no jitter) gives the same conditional law of $X_{l+1}$ given the
past for *any* $\phi$ (applied elementwise afterwards), hence by induction the
same joint law of $(X_0, \dots, X_L)$.  Cost: $O(D m^2 + m^3)$ flops and $Dm$
normals per layer.  ``"auto"`` picks the cheaper of the two by a flop count
(``"exact_in_law"`` for $m \ll D$, e.g. $m = 2$; ``"full"`` when $m \sim D$,
e.g. 400 inputs at $D = 500$).  The two are equal in law, not draw by draw.

Randomness
----------
The seed-block scheme of :mod:`numerics.core.sampling`: fixed blocks of
:data:`~numerics.core.sampling.BLOCK` samples, block $j$ drawing from ``Generator(SFC64(child_j))``,
``child_j = SeedSequence(seed).spawn(n_blocks)[j]``, in the order: input layer
$A$ (``(D, d)``, dense input only), then per layer $E_l$ ``(D, D)`` and $e_l$
``(D, 1)`` (full) or $G_l$ ``(D, m)`` (in law), then the readout $G$ ``(1, D)``.
``chunk_size`` groups whole blocks; it never changes the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.sampling import BLOCK, SeedBlocks, blocks_per_chunk, psd_factor
from ..core.validation import check_integer
from ._model import ResNet, check_layers, check_units

__all__ = ["METHODS", "ResNetRecord", "choose_method", "resnet_outputs"]

METHODS = ("auto", "exact_in_law", "full")


@dataclass(frozen=True)
class ResNetRecord:
    """What :func:`resnet_outputs` recorded (arrays over ``n_samples`` networks and ``m`` inputs).

    Attributes:
        layers: the recorded layer indices $l$ (0 = input state, ``depth`` = output).
        units: the recorded unit indices.
        states: ``(n, len(layers), m, len(units))``, $x_{l,u}$ for each input.
        gram: ``(n, len(layers), m, m)``, $\\lambda_l = \\langle x_l^{(i)}, x_l^{(j)}\\rangle / D$
            (its diagonal is $q_l = |x_l|^2/D$), or None.
        final: ``(n, m, D)``, the whole final state $x_L$, or None.
        readout: ``(n, m)``, $y = G x_L$ (only with ``sigma_y``), or None.
        method: the sampler used (``"exact_in_law"`` or ``"full"``).
    """

    layers: tuple
    units: tuple
    states: np.ndarray
    gram: np.ndarray | None
    final: np.ndarray | None
    readout: np.ndarray | None
    method: str


def choose_method(width: int, m: int) -> str:
    r"""The cheaper exact sampler for ``m`` inputs at width ``width`` (flops, a normal counted as 20 flops).

    Full: $2D^2m + 20D^2$.  In law: $4Dm^2 + m^3/3 + 20Dm$.
    """
    D = width
    full = 2 * D * D * m + 20 * D * D
    in_law = 4 * D * m * m + m**3 / 3 + 20 * D * m
    return "exact_in_law" if in_law < full else "full"


def initial_states(model: ResNet, z: np.ndarray, blocks: SeedBlocks, chunk: range) -> np.ndarray:
    """$X_0$ of shape ``(S, D, m)`` for the samples of ``chunk`` (draws the dense input layer)."""
    lo, hi = blocks.span(chunk)
    S = hi - lo
    D, m = model.width, z.shape[0]
    if model.input == "state":
        return np.broadcast_to(z.T, (S, D, m)).copy()
    if model.input == "copy":
        return np.broadcast_to(z[:, 0], (S, D, m)).copy()
    A = blocks.normals(chunk, (D, z.shape[1]), np.float64)
    X = (A.reshape(S * D, -1) @ z.T).reshape(S, D, m)
    X *= model.sigma_z
    return X


def full_preactivation(model: ResNet, P: np.ndarray, E: np.ndarray, e: np.ndarray) -> np.ndarray:
    r"""$A_l P + a_l$ for $P = \psi(X_l)$ of shape ``(S, D, m)`` and drawn $E$ ``(S, D, D)``, $e$ ``(S, D, 1)``."""
    dt, D = model.dt, model.width
    h = np.matmul(E, P)
    h *= model.sigma_w * math.sqrt(dt / D)
    h += model.sigma_b * math.sqrt(dt) * e
    _add_means(model, h, P)
    return h


def _add_means(model, h, P):
    if model.mu_w:
        h += (model.mu_w * model.dt) * P
    if model.mu_b:
        h += model.mu_b * model.dt


def in_law_preactivation(model: ResNet, P: np.ndarray, G: np.ndarray) -> np.ndarray:
    r"""$G F^\top$ (+ means) with $F F^\top = S_l$ (module docstring), $P$ and $G$ of shape ``(S, D, m)``."""
    dt, D = model.dt, model.width
    gram = np.matmul(P.transpose(0, 2, 1), P)
    gram *= model.sigma_w**2 * dt / D
    gram += model.sigma_b**2 * dt
    h = np.matmul(G, _blockwise_factor(gram).transpose(0, 2, 1))
    _add_means(model, h, P)
    return h


def _blockwise_factor(gram: np.ndarray) -> np.ndarray:
    """:func:`~numerics.core.sampling.psd_factor` decided per seed block of ``BLOCK`` samples, not per chunk.

    The chunk's samples are whole seed blocks (the last one may be partial, the same in every chunking).  One
    singular Gram sends :func:`psd_factor` to the eigen-factor for its whole batch; deciding per block keeps
    every sample's factor, hence its draw, independent of ``chunk_size``.  When the chunk is positive definite
    (the usual case) this is one batched Cholesky.
    """
    try:
        return np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:
        return np.concatenate([psd_factor(gram[i:i + BLOCK]) for i in range(0, gram.shape[0], BLOCK)])


def _check_sampling(n_samples, chunk_size, method):
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    if chunk_size is not None:
        chunk_size = check_integer("chunk_size", chunk_size, minimum=1)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; allowed values: {', '.join(map(repr, METHODS))}")
    return n_samples, chunk_size


def _check_flag(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name}={value!r} must be True or False")
    return value


def _record(X, l, layers, idx, states, grams, lo, hi):
    """Store layer ``l`` of the chunk's states ``X`` (``(S, D, m)``) into rows ``lo:hi``."""
    k = layers.index(l)
    states[lo:hi, k] = X[:, idx, :].transpose(0, 2, 1)
    if grams is not None:
        grams[lo:hi, k] = np.matmul(X.transpose(0, 2, 1), X) / X.shape[1]


def resnet_outputs(model: ResNet, x, *, n_samples, seed, method="auto", layers=None, units=(0,), gram=False,
                   final=False, chunk_size=None) -> ResNetRecord:
    r"""Simulate ``n_samples`` independent networks of ``model`` on the inputs ``x``.

    Parameters
    ----------
    model:
        A :class:`~numerics.resnet_sde.ResNet`.
    x:
        Inputs, shaped as ``model.input`` requires: ``(m, D)`` (state), ``(m,)``
        (copy) or ``(m, d)`` (dense).  All ``m`` inputs go through the same network.
    n_samples:
        Number of independent networks, integer >= 1.
    seed:
        Integer >= 0 or :class:`numpy.random.SeedSequence` (not mutated); the only randomness.
    method:
        ``"auto"`` (default), ``"exact_in_law"`` or ``"full"`` (module docstring).
    layers:
        Layer indices in ``[0, depth]`` at which ``states`` and ``gram`` are recorded;
        None means ``(depth,)``.  ``range(depth + 1)`` records whole paths.
    units:
        Unit indices recorded in ``states`` (default ``(0,)``, i.e. $x_{l,1}$).
    gram:
        Record $\lambda_l^{(ij)} = \langle x^{(i)}_l, x^{(j)}_l\rangle / D$ at ``layers``.
    final:
        Keep the whole final state $x_L$ (``(n, m, D)`` floats: mind the memory).
    chunk_size:
        Samples per batch (rounded up to whole blocks); None: about 64 MB of
        temporaries.  It does not change the result.

    Returns
    -------
    :class:`ResNetRecord`.

    Reference: Peluchetti & Favaro, JMLR 2021, eq. 11 (Assumption 7), §5.5, §6.

    >>> import numpy as np
    >>> from numerics.resnet_sde import ResNet
    >>> net = ResNet(depth=4, width=8, sigma_w=1.0, sigma_b=0.5, phi="tanh", psi="identity", input="copy")
    >>> r = resnet_outputs(net, np.array([0.0, 1.0]), n_samples=3, seed=0, gram=True)
    >>> r.states.shape, r.gram.shape, r.method
    ((3, 1, 2, 1), (3, 1, 2, 2), 'exact_in_law')
    """
    if not isinstance(model, ResNet):
        raise ValueError(f"model={model!r} must be a numerics.resnet_sde.ResNet")
    n_samples, chunk_size = _check_sampling(n_samples, chunk_size, method)
    z = model.initial_state_shape(x)
    layers = check_layers(layers, model.depth)
    units = check_units(units, model.width)
    gram, final = _check_flag("gram", gram), _check_flag("final", final)
    m, D, L = z.shape[0], model.width, model.depth
    method = choose_method(D, m) if method == "auto" else method
    phi, psi = model._phi.f, model._psi.f

    blocks = SeedBlocks(seed, n_samples)
    per_sample = 8 * (D * D + 6 * D * m if method == "full" else 7 * D * m + 3 * m * m)
    states = np.empty((n_samples, len(layers), m, len(units)))
    grams = np.empty((n_samples, len(layers), m, m)) if gram else None
    finals = np.empty((n_samples, m, D)) if final else None
    readout = np.empty((n_samples, m)) if model.sigma_y is not None else None
    idx = np.asarray(units)

    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        X = initial_states(model, z, blocks, chunk)

        if 0 in layers:
            _record(X, 0, layers, idx, states, grams, lo, hi)
        for l in range(L):
            P = np.asarray(psi(X), dtype=np.float64)
            if method == "full":
                E = blocks.normals(chunk, (D, D), np.float64)
                e = blocks.normals(chunk, (D, 1), np.float64)
                h = full_preactivation(model, P, E, e)
            else:
                h = in_law_preactivation(model, P, blocks.normals(chunk, (D, m), np.float64))
            X += np.asarray(phi(h), dtype=np.float64)
            if l + 1 in layers:
                _record(X, l + 1, layers, idx, states, grams, lo, hi)
        if final:
            finals[lo:hi] = X.transpose(0, 2, 1)
        if readout is not None:
            G = blocks.normals(chunk, (1, D), np.float64)
            readout[lo:hi] = np.matmul(G, X)[:, 0, :] * (model.sigma_y / math.sqrt(D))
    return ResNetRecord(layers, units, states, grams, finals, readout, method)
