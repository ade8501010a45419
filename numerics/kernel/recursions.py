r"""Infinite-width kernels: dual activations and the NNGP/NTK recursions.

Public, stable API (other tools call these):

* :func:`dual` and :func:`dual_derivative`: $E[\varphi(u)\varphi(v)]$ and
  $E[\varphi'(u)\varphi'(v)]$ for $(u, v) \sim N(0, [[q_1, c], [c, q_2]])$,
  broadcasting over arrays;
* :func:`nngp_ntk`: NNGP and NTK Gram matrices of a fully connected network,
  with the conventions of neural-tangents'
  ``stax.serial(Dense(n, W_std, b_std), Act(), ..., Dense(1, W_std, b_std))``
  (NTK parameterisation, input kernel $\sigma_w^2 x\cdot x'/d + \sigma_b^2$):

  $$K^{l+1} = \sigma_w^2 V_\varphi(K^l) + \sigma_b^2,\qquad
    \Theta^{l+1} = K^{l+1} + \sigma_w^2 \dot V_\varphi(K^l)\,\Theta^l;$$

* :func:`residual_nngp_ntk`: the same for a stack of residual blocks with
  branch scale $\alpha$.

The recursion steps are the generated functions of records ``kernel.fc`` and
``kernel.residual``; the duals are those of ``dual.<activation>``.

>>> import numpy as np
>>> nngp, ntk = nngp_ntk(np.array([[1.0, 0.0, 0.0]]), activation="relu", depth=2, W_std=1.5, b_std=0.05)
>>> float(nngp[0, 0]), float(ntk[0, 0])   # exact: 0.9576953125, 2.8652734375
(0.9576953125, 2.8652734375)
"""

from __future__ import annotations

import numpy as np

from ..dual.activations import Activation, activation as _activation
from ..generated import kernel_fc as _fc
from ..generated import kernel_residual as _res
from ..core.validation import check_finite_array, check_integer, check_scalar
from . import fast as _fast
from . import homogeneous as _homogeneous

__all__ = ["dual", "dual_derivative", "nngp_ntk", "residual_nngp_ntk"]


def _act(activation) -> Activation:
    if isinstance(activation, Activation):
        return activation
    return _activation(activation)


def dual(activation, q1, q2, c):
    r"""$V_\varphi(q_1, q_2, c) = E[\varphi(u)\varphi(v)]$, broadcasting over arrays.

    ``activation`` is a catalog name (``"relu"``, ``"erf"``...) or an
    :class:`~numerics.dual.activations.Activation`.  Raises ``ValueError`` for a
    negative or NaN variance or $|c| > \sqrt{q_1 q_2}$ beyond rounding.
    """
    return _act(activation).dual(q1, q2, c)


def dual_derivative(activation, q1, q2, c):
    r"""$\dot V_\varphi(q_1, q_2, c) = E[\varphi'(u)\varphi'(v)]$, broadcasting over arrays."""
    return _act(activation).dual_derivative(q1, q2, c)


def _inputs(x1, x2):
    x1 = check_finite_array("x1", x1, ndim=2)
    if x2 is None:
        return x1, x1, True
    x2 = check_finite_array("x2", x2, ndim=2)
    if x2.shape[1] != x1.shape[1]:
        raise ValueError(f"x2 has {x2.shape[1]} features but x1 has {x1.shape[1]}; they must match")
    return x1, x2, False


def _options(depth, W_std, b_std):
    depth = check_integer("depth", depth, minimum=0)
    W_std = check_scalar("W_std", W_std, low=0.0)
    b_std = check_scalar("b_std", b_std, low=0.0)
    if not np.isfinite(W_std) or not np.isfinite(b_std):
        raise ValueError(f"W_std={W_std!r} and b_std={b_std!r} must be finite; allowed range [0, inf)")
    return depth, W_std, b_std


def _input_kernels(x1, x2, same, W_std, b_std):
    d = x1.shape[1]
    k12 = _fc.input_kernel(x1 @ x2.T, d, W_std, b_std)
    k11 = _fc.input_kernel(np.einsum("ij,ij->i", x1, x1), d, W_std, b_std)
    k22 = k11 if same else _fc.input_kernel(np.einsum("ij,ij->i", x2, x2), d, W_std, b_std)
    return k11, k22, k12


def nngp_ntk(x1, x2=None, *, activation, depth, W_std, b_std):
    r"""NNGP and NTK Gram matrices of a fully connected network of ``depth`` hidden layers.

    Parameters
    ----------
    x1, x2:
        Inputs of shape ``(n1, d)`` and ``(n2, d)``; ``x2=None`` means ``x1``.
    activation:
        Catalog name or :class:`~numerics.dual.activations.Activation`.
    depth:
        Number of hidden Dense+activation layers (``depth=2`` is
        Dense, Act, Dense, Act, Dense(1)); an integer >= 0.
    W_std, b_std:
        Weight and bias standard deviations (NTK parameterisation), >= 0.

    Returns
    -------
    (nngp, ntk):
        Arrays of shape ``(n1, n2)``: $K^{L+1}$ and $\Theta^{L+1}$ of the output.
    """
    act = _act(activation)
    depth, W_std, b_std = _options(depth, W_std, b_std)
    x1, x2, same = _inputs(x1, x2)
    k11, k22, k12 = _input_kernels(x1, x2, same, W_std, b_std)
    unit = _homogeneous.unit_dual_body(act) if same else None
    if unit is not None:  # ReLU family, one input set: the fused in-place triangle (:mod:`.homogeneous`)
        return _homogeneous.fused_nngp_ntk(act, unit, k11, k12, depth, W_std, b_std)
    if same and not act.closed_form:  # no closed form, one input set: the Mehler route on the triangle (:mod:`.fast`)
        return _fast.fused_nngp_ntk(act, k11, k12, depth, W_std, b_std)
    ntk = k12.copy()
    for _ in range(depth):
        v, vd, var11, var22 = _layer_duals(act, k11, k22, k12, same)
        k12, ntk = _fc.layer(v, vd, ntk, W_std, b_std)
        k11 = _fc.nngp_step(var11, W_std, b_std)
        k22 = k11 if same else _fc.nngp_step(var22, W_std, b_std)
    return k12, ntk


def _layer_duals(act, k11, k22, k12, same):
    """Duals of one layer; with x2 = x1 the diagonal uses the exact rho = 1 forms.

    Off the diagonal rho is c/sqrt(q1 q2) from rounded kernels; on it, rounding
    would put rho a few ulps below 1, where the derivative dual has an infinite
    slope (an error of order sqrt(eps)): neural-tangents special-cases it too.
    Without a closed form the duals take the fast Mehler route (:mod:`.fast`).
    """
    if not act.closed_form:
        return _fast.layer_duals(act, k11, k22, k12, same)
    v, vd = act.dual_and_derivative(k11[:, None], k22[None, :], k12, validate=False)
    var11 = act.variance(k11, validate=False)
    var22 = var11 if same else act.variance(k22, validate=False)
    if same:
        np.fill_diagonal(v, var11)
        np.fill_diagonal(vd, act.derivative_variance(k11, validate=False))
    return v, vd, var11, var22


def residual_nngp_ntk(x1, x2=None, *, activation, depth, W_std, b_std, alpha):
    r"""NNGP and NTK of ``depth`` residual blocks $h \mapsto h + \alpha[\frac{\sigma_w}{\sqrt n}W\varphi(h) + \sigma_b b]$.

    The input layer is the Dense layer of :func:`nngp_ntk`; no readout is added
    (the kernel of the last block's output is returned).
    """
    act = _act(activation)
    depth, W_std, b_std = _options(depth, W_std, b_std)
    alpha = check_scalar("alpha", alpha, low=0.0)
    x1, x2, same = _inputs(x1, x2)
    k11, k22, k12 = _input_kernels(x1, x2, same, W_std, b_std)
    ntk = k12.copy()
    for _ in range(depth):
        v, vd, var11, var22 = _layer_duals(act, k11, k22, k12, same)
        k12, ntk = _res.layer(k12, ntk, v, vd, W_std, b_std, alpha)
        k11n = _res.nngp_step(k11, var11, W_std, b_std, alpha)
        k22 = k11n if same else _res.nngp_step(k22, var22, W_std, b_std, alpha)
        k11 = k11n
    return k12, ntk
