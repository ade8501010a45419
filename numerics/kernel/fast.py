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
"""

from __future__ import annotations

from ..dual.mehler import TOL, gram_dual

__all__ = ["layer_duals"]


def layer_duals(act, k11, k22, k12, same: bool, *, tol: float = TOL):
    """``(V, Vdot, E phi^2 at k11, E phi^2 at k22)`` of one layer (``k11``, ``k22`` the diagonals)."""
    v, var11, var22 = gram_dual(act.phi, k11, k22, k12, same=same, tol=tol)
    vd, _, _ = gram_dual(act.phi_prime, k11, k22, k12, same=same, tol=tol)
    return v, vd, var11, var22
