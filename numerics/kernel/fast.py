r"""The fast route for the duals of a layer when the activation has no closed form.

$V = E[\varphi(u)\varphi(v)]$ and $\dot V = E[\varphi'(u)\varphi'(v)]$ of every pair of
a Gram matrix by Mehler's series (:func:`numerics.dual.mehler.gram_dual`): Hermite
coefficients once per distinct diagonal value, the series summed with a
certified truncation bound (``TOL`` $= 10^{-12}$ of the Cauchy--Schwarz bound
$\sqrt{E\varphi(u)^2 E\varphi(v)^2}$), the adaptive reference for the few entries
near $|\rho| = 1$ the series cannot certify.  The diagonal of a one-set kernel is
the second moment itself ($\rho = 1$ exactly).  Catalog activations without a
closed form (tanh, softplus, SiLU...) and user activations written as SymPy
expressions take this route in :func:`numerics.kernel.recursions.nngp_ntk`; for one input set it
runs on the upper triangle only (:func:`fused_nngp_ntk`).

**Coefficients interpolated in $\sqrt q$.** With many inputs the coefficients of the $n$ diagonal
values come from Chebyshev interpolation on a few dozen variances per piece of the range
(:func:`numerics.dual.interpolation.interpolated_coefficients`, error-checked to about $10^{-14}$ of
$\sqrt{E\varphi^2}$, 50 times below ``TOL``): the activation is evaluated at those points only.

**Coefficients shared by Stein's identity.** $\dot V$ is summed first; its coefficients
$b^{\varphi'}_k$ are kept, and $\varphi$'s then need only $b_0 = E\varphi$ and $E\varphi^2$ (one pass
over the nodes): $b^{\varphi}_{k+1}(q) = \sqrt{q/(k+1)}\, b^{\varphi'}_k(q)$
(:func:`numerics.dual.hermite.stein_antiderivative_coefficients`).  $\varphi'$ is done first because
its coefficients decay slower, so its series asks the higher order and $\varphi$'s is then covered.
The identity multiplies an error of $b^{\varphi'}_k$ by $\sqrt{q/(k+1)} \le \sqrt q$; it is used for
the variances with $\sqrt q \le$ ``STEIN_GAIN`` $= 10$ (a coefficient error of $10^{-16}$ of the norm
stays below the $10^{-14}$ rounding allowance of the series bound), the others directly.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..dual.hermite import stein_antiderivative_coefficients
from ..dual.interpolation import interpolated_coefficients
from ..dual.mehler import TOL, correlation_blocks, gram_dual
from ..generated import kernel_fc as _fc

__all__ = ["STEIN_GAIN", "fused_nngp_ntk", "layer_duals"]

STEIN_GAIN = 10.0
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deeplimits-fast")


def _providers(act):
    """Coefficient callables for $\\varphi'$ (computed, kept) and $\\varphi$ (Stein where allowed, else direct)."""
    kept = {}

    def phi_prime(q, order):
        b, s = interpolated_coefficients(act.phi_prime_block, q, order=order)
        key = q.tobytes()
        if key not in kept or kept[key].shape[1] < b.shape[1]:
            kept[key] = b
        return b, s

    def phi(q, order):
        found = kept.get(q.tobytes())
        if found is None or found.shape[1] < order:
            return interpolated_coefficients(act.phi_block, q, order=order)
        b0, s = interpolated_coefficients(act.phi_block, q, order=0)
        out = stein_antiderivative_coefficients(found[:, :order], q, b0[:, 0])
        hard = q > STEIN_GAIN**2
        if np.any(hard):
            out[hard] = interpolated_coefficients(act.phi_block, q[hard], order=order)[0]
        return out, s

    return phi, phi_prime


def fused_nngp_ntk(act, k11, k12, depth, W_std, b_std, *, tol: float = TOL):
    r"""$K^{L+1}$, $\Theta^{L+1}$ of one input set on the upper triangle only (``k12`` is overwritten).

    Each layer: the duals of the row blocks of :func:`numerics.dual.mehler.correlation_blocks`
    (columns from the block's first row on) by :func:`numerics.dual.mehler.gram_dual` with
    ``mirror=False``, then the generated layer update of record ``kernel.fc`` on the same blocks
    (two threads); the lower triangle is mirrored once, after the last layer.  Entry for entry the
    operations of the generic route (:func:`layer_duals` and ``kernel.fc``'s ``layer``), so the same up to the series' certified truncation, with half the update work and no per-layer mirror.

    The inputs are taken in ascending order of their variances (and put back at the end): a row
    block then holds similar variances, and the series order of a block follows the envelope of its
    own rows' coefficients (:mod:`numerics.dual.mehler`), which decay fast for small variances."""
    order = np.argsort(k11, kind="stable")  # ascending variances: see the docstring
    sort = not np.all(order[1:] > order[:-1])
    K = k12[order][:, order] if sort else k12
    k11 = k11[order]
    T = K.copy()
    w2, b2 = W_std**2, b_std**2  # as the generated body computes them
    buffers = (np.empty(K.shape), np.empty(K.shape))  # V' and V of every layer
    for _ in range(depth):
        phi, phi_prime = _providers(act)
        rho = correlation_blocks(k11, k11, K, same=True)
        vd, _, _ = gram_dual(act.phi_prime, k11, k11, K, same=True, tol=tol, coefficients=phi_prime,
                             correlations=rho, mirror=False, out=buffers[0])
        v, var, _ = gram_dual(act.phi, k11, k11, K, same=True, tol=tol, coefficients=phi, correlations=rho,
                              mirror=False, out=buffers[1])

        def update(block, v=v, vd=vd):  # kernel.fc's layer, in place, in the generated body's order of operations
            rows, cols = block
            k, t = K[rows, cols], T[rows, cols]
            np.multiply(v[rows, cols], w2, out=k)
            k += b2
            t *= vd[rows, cols]
            t *= w2
            t += k

        list(_POOL.map(update, rho[0]))
        k11 = _fc.nngp_step(var, W_std, b_std)
    for rows, _ in rho[0] if depth else ():  # the mirror (the input kernel itself is symmetric)
        K[rows, :rows.start] = K[:rows.start, rows].T
        T[rows, :rows.start] = T[:rows.start, rows].T
    if sort:
        back = np.argsort(order)
        K, T = K[back][:, back], T[back][:, back]
    return K, T


def layer_duals(act, k11, k22, k12, same: bool, *, tol: float = TOL):
    """``(V, Vdot, E phi^2 at k11, E phi^2 at k22)`` of one layer (``k11``, ``k22`` the diagonals)."""
    phi, phi_prime = _providers(act)
    rho = correlation_blocks(k11, k22, k12, same=same)  # shared by both duals
    vd, _, _ = gram_dual(act.phi_prime, k11, k22, k12, same=same, tol=tol, coefficients=phi_prime, correlations=rho)
    v, var11, var22 = gram_dual(act.phi, k11, k22, k12, same=same, tol=tol, coefficients=phi, correlations=rho)
    return v, vd, var11, var22
