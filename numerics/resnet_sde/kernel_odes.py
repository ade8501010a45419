r"""Width-first kernel and NTK ODEs of infinitely deep ResNets (first $D \to \infty$, then $L \to \infty$).

For the block $x + \phi(A\psi(x) + a)$ with centred Gaussian unit
coordinates (e.g. $\phi''(0) = 0$, or $\phi = \mathrm{id}$: Hayou's stable
ResNet $x + L^{-1/2}W\psi(x)$, started from a Gaussian input layer
$x_0 = Az$, $K_0 = \sigma_Z^2\langle z, z'\rangle$), the NNGP kernel $K_t$ of
$m$ inputs and the NTK $\Theta_t$ solve

$$\dot K = \phi'(0)^2\big(\sigma_b^2 + \sigma_w^2\,V_\psi(K)\big),\qquad
  \dot\Theta = \phi'(0)^2\big(\sigma_b^2 + \sigma_w^2\,V_\psi(K) + \sigma_w^2\,\dot V_\psi(K)\odot\Theta\big),$$

entrywise, with $V_\psi(K)_{ij} = E[\psi(u)\psi(v)]$ and
$\dot V_\psi(K)_{ij} = E[\psi'(u)\psi'(v)]$ for
$(u, v) \sim N(0, [[K_{ii}, K_{ij}], [K_{ij}, K_{jj}]])$ (the duals of
:mod:`numerics.dual.activations`: closed forms where derived, quadrature otherwise).
Caveat: for a deterministic $x_0$ (e.g. the scalar input copied to every
unit) and a nonlinear $\psi$ the width limit of a unit is $x_{0,d}$ plus a
Gaussian, not $N(0, K)$, and these ODEs do not apply (for $\psi = \mathrm{id}$
they still do, since $V_\psi(K) = K$ holds for any law).
The residual recursion of :func:`numerics.kernel.recursions.residual_nngp_ntk` with
branch scale $\alpha = \sqrt{T/L}$ is the explicit Euler scheme of these ODEs.

References: Peluchetti & Favaro, JMLR 2021, §5.6 eq. (44); Hayou et al.,
"Stable ResNet" (AISTATS 2021); Hayou & Yang (ICML 2023).

>>> import numpy as np
>>> sol = solve_kernel_odes(np.array([[1.0]]), T=1.0, sigma_w=1.0, sigma_b=0.0, psi="identity")
>>> round(float(sol.K[-1, 0, 0]), 8)   # e = 2.718281828...
2.71828183
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from ..dual.activations import Activation
from ..dual.activations import activation as _activation
from ..core.validation import check_finite_array, check_scalar

__all__ = ["KernelODESolution", "solve_kernel_odes"]

#: Relative tolerance allowed on symmetry and positive semi-definiteness of ``K0``.
PSD_TOL = 1e-12


@dataclass(frozen=True)
class KernelODESolution:
    """Solution of :func:`solve_kernel_odes` at the times ``t``.

    Attributes:
        t: ``(k,)`` times.
        K: ``(k, m, m)`` NNGP kernels $K_t$.
        Theta: ``(k, m, m)`` NTKs $\\Theta_t$, or None when ``Theta0`` was not given.
        nfev: number of right-hand-side evaluations of the solver.
    """

    t: np.ndarray
    K: np.ndarray
    Theta: np.ndarray | None
    nfev: int


def _check_kernel(name, value, psd: bool):
    a = check_finite_array(name, value)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ValueError(f"{name} must be a square (m, m) matrix with m >= 1, got shape {a.shape}")
    scale = max(1.0, float(np.abs(a).max()))
    asym = float(np.abs(a - a.T).max())
    if asym > PSD_TOL * scale:
        raise ValueError(f"{name} is not symmetric: max|{name} - {name}^T| = {asym!r}; allowed range <= {PSD_TOL * scale!r}")
    a = (a + a.T) / 2
    if psd:
        low = float(np.linalg.eigvalsh(a).min())
        if low < -PSD_TOL * scale:
            raise ValueError(f"{name} has eigenvalue {low!r}; allowed range >= 0 (a covariance is positive semi-definite)")
    return a


def _duals(act: Activation, K: np.ndarray, iu: tuple, need_derivative: bool):
    """$V_\\psi$ (and $\\dot V_\\psi$) on the upper triangle ``iu`` of ``K``; exact forms on the diagonal."""
    q = np.maximum(np.diag(K), 0.0)
    i, j = iu
    bound = np.sqrt(q[i] * q[j])
    c = np.clip(K[i, j], -bound, bound)
    diag = i == j
    if not act.closed_form:  # tanh, swish...: the Mehler route over the whole Gram (numerics.dual.mehler)
        from ..dual.mehler import gram_dual

        Kc = np.array(K, dtype=np.float64)
        Kc[i, j] = Kc[j, i] = c
        V = gram_dual(act.phi, q, q, Kc, same=True)[0][iu]
        Vd = gram_dual(act.phi_prime, q, q, Kc, same=True)[0][iu] if need_derivative else None
        return V, Vd
    V = np.asarray(act.dual(q[i], q[j], c, validate=False), dtype=np.float64)
    V = np.where(diag, act.variance(q[i], validate=False), V)
    if not need_derivative:
        return V, None
    Vd = np.asarray(act.dual_derivative(q[i], q[j], c, validate=False), dtype=np.float64)
    Vd = np.where(diag, act.derivative_variance(q[i], validate=False), Vd)
    return V, Vd


def solve_kernel_odes(K0, Theta0=None, *, T, sigma_w, sigma_b, psi, phi_prime0=1.0, t_eval=None,
                      rtol=1e-10, atol=1e-12, method="DOP853") -> KernelODESolution:
    r"""Solve the kernel ODE (and the NTK ODE if ``Theta0`` is given) on $[0, T]$ with ``solve_ivp``.

    Parameters
    ----------
    K0:
        Initial kernel, symmetric positive semi-definite ``(m, m)``.
    Theta0:
        Initial NTK ``(m, m)`` (symmetric), e.g. the input layer's contribution; None: NNGP only.
    T:
        Horizon $T \ge 0$.
    sigma_w, sigma_b:
        $\sigma_w, \sigma_b \ge 0$.
    psi:
        Inner activation: catalog name or :class:`~numerics.dual.activations.Activation`.
    phi_prime0:
        $\phi'(0)$ of the outer activation (1 for $\phi = \mathrm{id}$ or $\tanh$).
    t_eval:
        Increasing times in $[0, T]$ at which to return the solution; None: ``[0, T]``.
    rtol, atol, method:
        Passed to :func:`scipy.integrate.solve_ivp`.

    Returns
    -------
    :class:`KernelODESolution`.

    Raises
    ------
    ValueError
        For bad input; RuntimeError if the solver fails.
    """
    act = psi if isinstance(psi, Activation) else _activation(psi)
    K0 = _check_kernel("K0", K0, psd=True)
    m = K0.shape[0]
    if Theta0 is not None:
        Theta0 = _check_kernel("Theta0", Theta0, psd=False)
        if Theta0.shape != K0.shape:
            raise ValueError(f"Theta0 has shape {Theta0.shape} but K0 has {K0.shape}; they must match")
    T = check_scalar("T", T, low=0.0)
    sw = check_scalar("sigma_w", sigma_w, low=0.0)
    sb = check_scalar("sigma_b", sigma_b, low=0.0)
    d0 = check_scalar("phi_prime0", phi_prime0)
    for name, v in (("T", T), ("sigma_w", sw), ("sigma_b", sb), ("phi_prime0", d0)):
        if not math.isfinite(v):
            raise ValueError(f"{name}={v!r} must be finite")
    rtol = check_scalar("rtol", rtol, low=0.0, closed=(False, True))
    atol = check_scalar("atol", atol, low=0.0, closed=(False, True))
    if t_eval is None:
        t_eval = np.array([0.0, T])
    else:
        t_eval = check_finite_array("t_eval", t_eval, ndim=1)
        if t_eval.size < 1 or t_eval[0] < 0 or t_eval[-1] > T or np.any(np.diff(t_eval) <= 0):
            raise ValueError(f"t_eval must be strictly increasing within [0, T={T!r}], got {t_eval!r}")

    iu = np.triu_indices(m)
    n_k = len(iu[0])
    a, b = d0**2 * sw**2, d0**2 * sb**2
    with_ntk = Theta0 is not None

    def rhs(_t, y):
        K = np.zeros((m, m))
        K[iu] = y[:n_k]
        K = K + np.triu(K, 1).T
        V, Vd = _duals(act, K, iu, with_ntk)
        dK = b + a * V
        if not with_ntk:
            return dK
        return np.concatenate([dK, dK + a * Vd * y[n_k:]])

    y0 = np.concatenate([K0[iu], Theta0[iu]]) if with_ntk else K0[iu].copy()
    if T == 0:
        ys = np.repeat(y0[:, None], t_eval.size, axis=1)
        nfev = 0
    else:
        sol = solve_ivp(rhs, (0.0, T), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        ys, nfev = sol.y, int(sol.nfev)

    def unpack(rows):
        out = np.zeros((t_eval.size, m, m))
        out[:, iu[0], iu[1]] = rows.T
        out[:, iu[1], iu[0]] = rows.T
        return out

    return KernelODESolution(t_eval, unpack(ys[:n_k]), unpack(ys[n_k:]) if with_ntk else None, nfev)
