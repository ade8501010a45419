r"""The fast route for the duals of a layer when the activation has no closed form.

$V = E[\varphi(u)\varphi(v)]$ and $\dot V = E[\varphi'(u)\varphi'(v)]$ of every pair of
a Gram matrix by Mehler's series (:func:`numerics.dual.mehler.gram_dual`): Hermite
coefficients once per distinct diagonal value, the series summed with a
certified truncation bound (``TOL`` $= 10^{-12}$ of the Cauchy--Schwarz bound
$\sqrt{E\varphi(u)^2 E\varphi(v)^2}$), the adaptive reference for the few entries
near $|\rho| = 1$ the series cannot certify.  The diagonal of a one-set kernel is
the second moment itself ($\rho = 1$ exactly).  Catalog activations without a
closed form (tanh, softplus, SiLU...) and user activations written as SymPy
expressions take this route in :func:`numerics.kernel.recursions.nngp_ntk`.

**Derivative coefficients by Stein's identity.** $\varphi$'s coefficients are computed 33
orders higher than asked (at most ``MAX_ORDER``) and kept; $\varphi'$'s then cost no quadrature:
$b^{\varphi'}_k(q) = \sqrt{(k+1)/q}\, b^{\varphi}_{k+1}(q)$
(:func:`numerics.dual.hermite.stein_derivative_coefficients`), only $E\varphi'^2$ is one pass
over the nodes.  The identity multiplies the error of $b^\varphi_{k+1}$ by $\sqrt{(k+1)/q}$; it is
used for the variances with $\sqrt{(K+1)/q} \le$ ``STEIN_GAIN`` $= 10$ (so a coefficient error of
$10^{-16}$ of the norm stays below the $10^{-14}$ rounding allowance of the series bound), the
others are computed directly.
"""

from __future__ import annotations

import numpy as np

from ..dual.hermite import MAX_ORDER, hermite_coefficients, second_moments, stein_derivative_coefficients
from ..dual.mehler import TOL, gram_dual

__all__ = ["STEIN_GAIN", "layer_duals"]

STEIN_GAIN = 10.0
_MARGIN = 32  # phi' asks a higher first stage than phi (its coefficients decay slower): 8-32 orders measured


def _providers(act):
    """Coefficient callables for $\\varphi$ (computed one order up, kept) and $\\varphi'$ (Stein where allowed)."""
    kept = {}

    def phi(q, order):
        up = min(order + 1 + _MARGIN, MAX_ORDER)
        b, s = hermite_coefficients(act.phi, q, order=up)
        key = q.tobytes()
        if key not in kept or kept[key][1] < up:
            kept[key] = (b, up)
        return b[:, :order + 1], s

    def phi_prime(q, order):
        found = kept.get(q.tobytes())
        if found is None or found[1] < order + 1:
            return hermite_coefficients(act.phi_prime, q, order=order)
        b, _ = found
        easy = q * STEIN_GAIN**2 >= order + 1
        out = np.empty((q.size, order + 1))
        out[easy] = stein_derivative_coefficients(b[easy, :order + 2], q[easy])
        if not np.all(easy):
            out[~easy] = hermite_coefficients(act.phi_prime, q[~easy], order=order)[0]
        return out, second_moments(act.phi_prime, q, order=order)

    return phi, phi_prime


def layer_duals(act, k11, k22, k12, same: bool, *, tol: float = TOL):
    """``(V, Vdot, E phi^2 at k11, E phi^2 at k22)`` of one layer (``k11``, ``k22`` the diagonals)."""
    phi, phi_prime = _providers(act)
    v, var11, var22 = gram_dual(act.phi, k11, k22, k12, same=same, tol=tol, coefficients=phi)
    vd, _, _ = gram_dual(act.phi_prime, k11, k22, k12, same=same, tol=tol, coefficients=phi_prime)
    return v, vd, var11, var22
