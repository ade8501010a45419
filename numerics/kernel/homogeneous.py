r"""The NNGP/NTK recursion of one input set for positively homogeneous activations, fused.

For an activation with $\varphi(\lambda x) = \lambda\varphi(x)$ ($\lambda > 0$: ReLU, leaky
ReLU, $(a, b)$-ReLU, $|x|$, $x$) the duals depend on the variances only through
$\sqrt{q_1 q_2}$:

$$V_\varphi(q_1, q_2, c) = \sqrt{q_1 q_2}\;V_\varphi(1, 1, \rho),\qquad
  \dot V_\varphi(q_1, q_2, c) = \dot V_\varphi(1, 1, \rho),\qquad
  \rho = c / \sqrt{q_1 q_2},$$

so one layer of :func:`numerics.kernel.recursions.nngp_ntk`,

$$K_{ij} \leftarrow \sigma_w^2\sqrt{q_i q_j}\,V(1, 1, \rho_{ij}) + \sigma_b^2,\qquad
  \Theta_{ij} \leftarrow K_{ij} + \sigma_w^2\,\dot V(1, 1, \rho_{ij})\,\Theta_{ij},$$

needs per entry one evaluation of the generated unit-variance dual (its numerically stable
region forms near $\rho = -1$ included) and a few multiply-adds.  Here every layer is done in
place on row blocks of the upper triangle (columns from the block's first row on, so each
diagonal block is updated whole), the blocks shared by two threads; the diagonal takes the
exact $\rho = 1$ forms (``variance``, ``derivative_variance``) as in the generic route, and the
lower triangle is mirrored once, after the last layer.  Results do not depend on the number of
threads (the work is elementwise).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["HOMOGENEOUS", "fused_nngp_ntk", "unit_dual_body"]

#: Catalog activations with $\varphi(\lambda x) = \lambda\varphi(x)$ for $\lambda > 0$.
HOMOGENEOUS = ("relu", "leaky_relu", "abrelu", "abs", "identity")
_ROWS = 32  # rows per block: 32 x 1000 doubles, a dozen temporaries stay in L2
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deeplimits-homogeneous")


def unit_dual_body(act):
    """``rho -> (V(1, 1, rho), Vdot(1, 1, rho))`` of a catalog homogeneous activation, else ``None``.

    Only the catalog's own generated functions qualify (a user activation named ``relu`` does not).
    """
    fn = act.functions.get("dual_and_derivative")
    if act.name not in HOMOGENEOUS or fn is None or fn.__module__ != f"numerics.generated.dual_{act.name}":
        return None
    module = sys.modules[fn.__module__]
    body = module._dual_and_derivative_body
    params = tuple(act.params[p] for p in module.SIGNATURES["dual_and_derivative"][3:])
    if act.name == "relu":
        return lambda rho: _relu_unit(rho, body)
    return lambda rho: body(1.0, 1.0, rho, *params)


def _relu_unit(rho, body):
    r"""ReLU's unit duals with few passes: for $\rho \ge -1/2$ the generated record's own
    region form $\dot V = \tfrac14 + \arcsin(\rho)/(2\pi)$, $V = \sqrt{(1-\rho)(1+\rho)}/(2\pi) + \rho\dot V$
    (no cancellation there; at $\rho = 1$ exactly $V = \dot V = 1/2$, so a repeated input's
    row equals its own); the entries with $\rho < -1/2$ (and any below $-1$ by rounding) are
    patched by the generated ``body`` (its stable form and series near $\rho = -1$; it clips)."""
    with np.errstate(invalid="ignore"):  # rho < -1: NaN here, patched below
        vd = np.arcsin(rho)
        vd *= 0.5 / np.pi
        vd += 0.25
        v = np.subtract(1.0, rho)
        sin = np.add(1.0, rho)
        v *= sin
        np.sqrt(v, out=v)
    v *= 0.5 / np.pi
    np.multiply(rho, vd, out=sin)
    v += sin
    low = rho < -0.5
    if low.any():
        v[low], vd[low] = body(1.0, 1.0, rho[low])
    return v, vd


def _block(unit, K, T, q, w2, b2, rows, diag):
    i0 = rows.start
    k, t = K[rows, i0:], T[rows, i0:]
    m = rows.stop - i0
    on = (np.arange(m), np.arange(m))
    t_diag = t[on]
    s = np.multiply(q[rows, None], q[None, i0:])
    np.sqrt(s, out=s)  # sqrt(q_i q_j): exactly q_i for a repeated input, so rho = 1 exactly there
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.divide(k, s)
    if diag[2]:  # a zero variance: rho = 0 (the generated correlation's convention)
        rho[s == 0] = 0.0
    np.minimum(rho, 1.0, out=rho)  # rho < -1 by rounding: the generated forms clip it themselves
    rho[on] = 1.0  # the diagonal: exactly rho = 1
    v, vd = unit(rho)
    np.multiply(s, v, out=k)  # the operations of the generic route, in its order (kernel.fc's layer)
    k *= w2
    k += b2
    t *= vd
    t *= w2
    t += k
    k[on] = diag[0][rows]
    t[on] = t_diag * diag[1][rows] * w2 + diag[0][rows]


def fused_nngp_ntk(act, unit, k11, k12, depth, W_std, b_std):
    r"""$K^{L+1}$ and $\Theta^{L+1}$ of ``depth`` layers from the input kernel ``k12`` (diagonal ``k11``).

    ``k12`` (float64, C-contiguous, owned by the caller) is overwritten and returned as $K^{L+1}$."""
    K = k12  # overwritten: the caller's fresh input kernel
    T = K.copy()
    n = K.shape[0]
    w2, b2 = W_std * W_std, b_std * b_std
    blocks = [slice(i, min(i + _ROWS, n)) for i in range(0, n, _ROWS)]
    for _ in range(depth):
        var = act.variance(k11, validate=False)
        knew = w2 * var + b2
        diag = (knew, np.broadcast_to(act.derivative_variance(k11, validate=False), k11.shape), not np.all(k11))
        list(_POOL.map(lambda r: _block(unit, K, T, k11, w2, b2, r, diag), blocks))
        k11 = knew
    for rows in blocks:  # mirror the upper triangle
        K[rows, :rows.start] = K[:rows.start, rows].T
        T[rows, :rows.start] = T[:rows.start, rows].T
    return K, T
