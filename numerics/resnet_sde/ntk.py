r"""Full-weights forward pass, input Jacobian and empirical NTK of deep ResNets (hand-derived backward pass).

Output $f$: the unit $x_{L,u}$ (``unit``) or, for a model with a readout,
$y = G x_L$.  Parameters are the standard-normal reparametrised
$(E_l, e_l)_{l<L}$ (and $\hat A$, $\hat G$ of the completed network, with
$A = \sigma_Z \hat A$, $G = \sigma_Y \hat G / \sqrt D$), as in JMLR §5.4-5.5.

Backward pass.  With $h_l = A_l\psi(x_l) + a_l$, $\delta_l = \partial f/\partial x_l$
and $\gamma_l = \delta_{l+1} \odot \phi'(h_l)$:

$$\delta_L = e_u \ (\text{or } \sigma_Y \hat G^\top/\sqrt D),\qquad
  \delta_l = \delta_{l+1} + \psi'(x_l) \odot A_l^\top \gamma_l .$$

Since $\partial f/\partial E_{l,rc} = \sigma_w\sqrt{\Delta t/D}\,\gamma_{l,r}\,\psi(x_l)_c$ and
$\partial f/\partial e_{l,r} = \sigma_b\sqrt{\Delta t}\,\gamma_{l,r}$, the NTK parts for inputs $i, j$ are

$$K_W = \sum_l \frac{\sigma_w^2\Delta t}{D}\,\langle\gamma^i_l,\gamma^j_l\rangle
        \langle\psi(x^i_l),\psi(x^j_l)\rangle,\qquad
  K_b = \sum_l \sigma_b^2\Delta t\,\langle\gamma^i_l,\gamma^j_l\rangle,$$
$$K_{in} = \sigma_Z^2\,\langle\delta^i_0,\delta^j_0\rangle\,\langle z^i, z^j\rangle,\qquad
  K_{out} = \frac{\sigma_Y^2}{D}\,\langle x^i_L, x^j_L\rangle .$$

The input Jacobian $g_L = \partial x_L/\partial x_0$ is accumulated forward
(JMLR §4): $g_{l+1} = g_l + \mathrm{diag}(\phi'(h_l))\,A_l\,\mathrm{diag}(\psi'(x_l))\,g_l$
($O(D^3)$ per layer and input; optional; :func:`resnet_jacobian` runs this forward pass alone).

The weights are never all stored: the backward pass redraws $E_l, e_l$ by
restoring each block generator's saved state, so the draws (and the outputs)
are exactly those of ``resnet_outputs(..., method="full")`` for the same seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_integer
from ._model import ResNet, check_units
from .forward import _check_flag, full_preactivation, initial_states

__all__ = ["ResNetNTK", "resnet_jacobian", "resnet_ntk", "resnet_parameters"]


@dataclass(frozen=True)
class ResNetNTK:
    """Result of :func:`resnet_ntk` (``n`` networks, ``m`` inputs).

    Attributes:
        outputs: ``(n, m)``: $f$ (the unit $x_{L,u}$ or the readout $y$).
        ntk: dict of ``(n, m, m)`` arrays: ``"W"`` and ``"b"`` (residual weights and
            biases), and for a completed network ``"input"`` (dense input layer) and
            ``"output"`` (readout); ``ntk_total`` is their sum.
        grad_input: ``(n, m, D)``: $\\delta_0 = \\partial f/\\partial x_0$.
        jacobian: ``(n, m, D, D)``: $g_L = \\partial x_L/\\partial x_0$ per input, or None.
    """

    outputs: np.ndarray
    ntk: dict
    grad_input: np.ndarray
    jacobian: np.ndarray | None

    @property
    def ntk_total(self) -> np.ndarray:
        return sum(self.ntk.values())


def _forward(model: ResNet, z, blocks, chunk, *, jacobian: bool, keep: bool):
    r"""Forward pass of the samples of ``chunk`` with the ``"full"`` draws.

    Returns ``(X_L, g_L, saved, xs, dphis)``: the final states ``(S, D, m)``, the input Jacobians
    ``(S, m, D, D)`` (or None), and, with ``keep``, the generator states before each layer, the states
    $x_l$ and $\phi'(h_l)$ that the backward pass of :func:`resnet_ntk` needs (empty lists otherwise).
    """
    m, D, L, dt = z.shape[0], model.width, model.depth, model.dt
    phi, dphi, psi, dpsi = model._phi.f, model._phi.df, model._psi.f, model._psi.df
    sw = model.sigma_w * math.sqrt(dt / D)
    X = initial_states(model, z, blocks, chunk)
    S = X.shape[0]
    g = np.broadcast_to(np.eye(D), (S, m, D, D)).copy() if jacobian else None
    saved, xs, dphis = [], [], []
    for _ in range(L):
        if keep:
            saved.append([blocks.gens[j].bit_generator.state for j in chunk])
        E = blocks.normals(chunk, (D, D), np.float64)
        e = blocks.normals(chunk, (D, 1), np.float64)
        P = np.asarray(psi(X), dtype=np.float64)
        h = full_preactivation(model, P, E, e)
        dph = np.asarray(dphi(h), dtype=np.float64)
        if jacobian:
            A = sw * E
            if model.mu_w:
                A += model.mu_w * dt * np.eye(D)
            dps = np.asarray(dpsi(X), dtype=np.float64).transpose(0, 2, 1)       # (S, m, D)
            step = np.matmul(A[:, None], dps[..., None] * g)
            g += dph.transpose(0, 2, 1)[..., None] * step
        if keep:
            xs.append(X.copy())
            dphis.append(dph)
        X += np.asarray(phi(h), dtype=np.float64)
    return X, g, saved, xs, dphis


def _check_common(caller: str, model, n_samples, chunk_size) -> tuple[int, int | None]:
    """Validate the arguments shared by :func:`resnet_jacobian` and :func:`resnet_ntk`."""
    if not isinstance(model, ResNet):
        raise ValueError(f"model={model!r} must be a numerics.resnet_sde.ResNet")
    model.needs_derivatives(caller)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    if chunk_size is not None:
        chunk_size = check_integer("chunk_size", chunk_size, minimum=1)
    return n_samples, chunk_size


def resnet_jacobian(model: ResNet, x, *, n_samples, seed, chunk_size=None) -> np.ndarray:
    r"""Input Jacobians $g_L = \partial x_L/\partial x_0$ of ``n_samples`` networks, shape ``(n, m, D, D)``.

    The forward pass of :func:`resnet_ntk` alone (same draws for the same seed, so the result equals
    ``resnet_ntk(..., jacobian=True).jacobian`` exactly), without the backward NTK pass and its second
    draw of the weights: about half the cost.  $g_{l+1} = g_l + \mathrm{diag}(\phi'(h_l))\,A_l\,
    \mathrm{diag}(\psi'(x_l))\,g_l$, batched over the networks of a chunk ($O(L D^3 m)$ flops).
    The output direction $u$ gives $J^\top u$ as ``u @ g``, an input direction $v$ gives $J v$ as ``g @ v``.

    Reference: Peluchetti & Favaro, JMLR 2021, §4 (Theorem 14).
    """
    n_samples, chunk_size = _check_common("resnet_jacobian", model, n_samples, chunk_size)
    z = model.initial_state_shape(x)
    m, D = z.shape[0], model.width
    blocks = SeedBlocks(seed, n_samples)
    per_sample = 8 * (2 * D * D + 6 * D * m + 3 * m * D * D)
    jac = np.empty((n_samples, m, D, D))
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        jac[lo:hi] = _forward(model, z, blocks, chunk, jacobian=True, keep=False)[1]
    return jac


def resnet_ntk(model: ResNet, x, *, n_samples, seed, unit=0, jacobian=False, chunk_size=None) -> ResNetNTK:
    r"""Outputs, empirical NTK parts, input gradient and (optionally) input Jacobian of ``n_samples`` networks.

    Parameters
    ----------
    model, x, n_samples, seed, chunk_size:
        As in :func:`~numerics.resnet_sde.resnet_outputs` (explicit weights, the
        ``"full"`` draws).  ``model.phi`` and ``model.psi`` need derivatives
        (names, Activations or ``(f, f')`` pairs).
    unit:
        The output unit $u$ when the model has no readout (default 0: $x_{L,1}$).
    jacobian:
        Also return $g_L = \partial x_L / \partial x_0$ (``(n, m, D, D)``; $O(L D^3 m)$ flops).

    Returns
    -------
    :class:`ResNetNTK` (formulas in the module docstring).

    Reference: Peluchetti & Favaro, JMLR 2021, §4 (Jacobian), §5.4-5.5 (NTK).
    """
    n_samples, chunk_size = _check_common("resnet_ntk", model, n_samples, chunk_size)
    unit = check_units(unit, model.width)[0]
    jacobian = _check_flag("jacobian", jacobian)
    z = model.initial_state_shape(x)
    m, D, L, dt = z.shape[0], model.width, model.depth, model.dt
    psi, dpsi = model._psi.f, model._psi.df
    sw = model.sigma_w * math.sqrt(dt / D)

    blocks = SeedBlocks(seed, n_samples)
    per_sample = 8 * (2 * D * D + (2 * L + 8) * D * m + (2 * m * D * D if jacobian else 0))
    outputs = np.empty((n_samples, m))
    parts = ["W", "b"] + (["input"] if model.input == "dense" else []) + (["output"] if model.sigma_y is not None else [])
    ntk = {k: np.empty((n_samples, m, m)) for k in parts}
    grad_input = np.empty((n_samples, m, D))
    jac = np.empty((n_samples, m, D, D)) if jacobian else None

    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        S = hi - lo
        X, g, saved, xs, dphis = _forward(model, z, blocks, chunk, jacobian=jacobian, keep=True)
        after = [blocks.gens[j].bit_generator.state for j in chunk]

        if model.sigma_y is not None:
            G = blocks.normals(chunk, (1, D), np.float64)                       # (S, 1, D), standard normal
            scale = model.sigma_y / math.sqrt(D)
            f = np.matmul(G, X)[:, 0, :] * scale                                 # as resnet_outputs computes it
            delta = np.broadcast_to(G.transpose(0, 2, 1) * scale, (S, D, m)).copy()
            ntk["output"][lo:hi] = np.matmul(X.transpose(0, 2, 1), X) * (model.sigma_y**2 / D)
        else:
            f = X[:, unit, :]
            delta = np.zeros((S, D, m))
            delta[:, unit, :] = 1.0
        kw = np.zeros((S, m, m))
        kb = np.zeros((S, m, m))
        for l in range(L - 1, -1, -1):
            for j, state in zip(chunk, saved[l], strict=True):
                blocks.gens[j].bit_generator.state = state
            E = blocks.normals(chunk, (D, D), np.float64)
            Xl = xs[l]
            P = np.asarray(psi(Xl), dtype=np.float64)
            gamma = delta * dphis[l]
            gg = np.matmul(gamma.transpose(0, 2, 1), gamma)
            kw += np.matmul(P.transpose(0, 2, 1), P) * gg
            kb += gg
            back = np.matmul(E.transpose(0, 2, 1), gamma)
            back *= sw
            if model.mu_w:
                back += (model.mu_w * dt) * gamma
            delta += np.asarray(dpsi(Xl), dtype=np.float64) * back
        for j, state in zip(chunk, after, strict=True):          # leave the generators where the forward pass left them
            blocks.gens[j].bit_generator.state = state
        ntk["W"][lo:hi] = kw * (model.sigma_w**2 * dt / D)
        ntk["b"][lo:hi] = kb * (model.sigma_b**2 * dt)
        if model.input == "dense":
            ntk["input"][lo:hi] = model.sigma_z**2 * np.matmul(delta.transpose(0, 2, 1), delta) * (z @ z.T)
        outputs[lo:hi] = f
        grad_input[lo:hi] = delta.transpose(0, 2, 1)
        if jacobian:
            jac[lo:hi] = g
    return ResNetNTK(outputs, ntk, grad_input, jac)


def resnet_parameters(model: ResNet, x, *, n_samples, seed) -> dict:
    r"""The standard-normal parameters that :func:`resnet_ntk` (and ``method="full"``) draw, in full.

    For tests and small networks (it stores $L D^2$ floats per network).  Returns a
    dict with ``"E"`` ``(n, L, D, D)``, ``"e"`` ``(n, L, D)``, and ``"input"``
    ``(n, D, d)`` / ``"readout"`` ``(n, D)`` where the model has them.
    """
    if not isinstance(model, ResNet):
        raise ValueError(f"model={model!r} must be a numerics.resnet_sde.ResNet")
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    z = model.initial_state_shape(x)
    D, L = model.width, model.depth
    blocks = SeedBlocks(seed, n_samples)
    chunk = range(blocks.n_blocks)
    out = {}
    if model.input == "dense":
        out["input"] = blocks.normals(chunk, (D, z.shape[1]), np.float64)
    Es, es = [], []
    for _ in range(L):
        Es.append(blocks.normals(chunk, (D, D), np.float64))
        es.append(blocks.normals(chunk, (D, 1), np.float64)[..., 0])
    out["E"], out["e"] = np.stack(Es, axis=1), np.stack(es, axis=1)
    if model.sigma_y is not None:
        out["readout"] = blocks.normals(chunk, (1, D), np.float64)[:, 0, :]
    return out
