r"""The leading variance of the empirical NTK at two inputs: $n\operatorname{Var}\hat\Theta(x_a, x_b) = \mathcal A + O(1/n)$.

The formula is record ``kernel.ntk_fluctuation`` (generated ``offdiag_step``, ``offdiag_swap_step``,
``readout_increment``, ``hidden_increment``); this module supplies its inputs at each layer's kernel $K^l$:

* the Gaussian moments $S_2, M_a, M_b, \dot V$ and the $4\times4$ covariance $C^l$ of a unit's statistics
  $s(u) = \sigma_w^2(\varphi_a^2, \varphi_b^2, \varphi_a\varphi_b, \varphi_a\varphi_b + \Theta^l\varphi'_a\varphi'_b)$,
  by the pair quadrature of :func:`numerics.core.quadrature.gaussian_pair_expectation` (every product of two
  statistics is a product $f(u_a)g(u_b)$);
* the unit's influence variance $\nabla\Phi_l^\top C^l\nabla\Phi_l$, where $\Phi_l$ maps the kernel
  $(G_{aa}, G_{bb}, G_{ab})$ and NTK $\theta$ of layer $l+1$ to the output NTK through the infinite-width
  recursion (record ``kernel.fc``).  It is $\sum_k (D_{r_k}\Phi_l)^2$ over the columns $r_k = \sqrt{\lambda_k}e_k$
  of $C^{1/2}$, each directional derivative by a central difference of step $h = 10^{-4}$ (halved until both
  perturbed kernels are positive semi-definite: at identical inputs $C$ lives on the boundary $\rho = 1$,
  along which the derivative is finite).  The truncation error is $O(h^2)\approx 10^{-8}$ relative.

>>> import numpy as np
>>> from numerics.kernel.moments import two_inputs
>>> theta, a = ntk_fluctuation_coefficient(two_inputs(r1=1.0, r2=1.0, angle=1.0), activation="relu", depth=2,
...                                        W_std=1.5, b_std=0.05)
>>> bool(a > 0)
True
"""

from __future__ import annotations

import math

import numpy as np

from ..core import quadrature
from ..core.validation import check_finite_array, check_integer, check_scalar
from ..dual.activations import Activation
from ..dual.activations import activation as _activation
from ..generated import kernel_fc as _fc
from ..generated import kernel_ntk_fluctuation as _nf

__all__ = ["expansion", "ntk_fluctuation_coefficient", "unit_moments"]

#: Relative step of the central differences of the output NTK along the columns of C^{1/2}.
STEP = 1e-4


def _act(activation) -> Activation:
    return activation if isinstance(activation, Activation) else _activation(activation)


def _layer(act, state, W_std, b_std):
    """One infinite-width layer: (q_a, q_b, c, theta) -> the next layer's (kernel record kernel.fc)."""
    qa, qb, c, theta = state
    c = float(np.clip(c, -math.sqrt(qa * qb), math.sqrt(qa * qb)))   # rounding of a perturbed boundary kernel
    v, vd = act.dual_and_derivative(qa, qb, c, validate=False)
    k = [float(_fc.nngp_step(act.variance(q, validate=False), W_std, b_std)) for q in (qa, qb)]
    knext = float(_fc.nngp_step(v, W_std, b_std))
    return (k[0], k[1], knext, float(_fc.ntk_step(knext, vd, theta, W_std)))


def _output_ntk(act, state, layers, W_std, b_std):
    for _ in range(layers):
        state = _layer(act, state, W_std, b_std)
    return state[3]


def _psd(state) -> bool:
    qa, qb, c, _ = state
    return qa >= 0 and qb >= 0 and c * c <= qa * qb * (1 + 1e-12) + 1e-300


def unit_moments(activation, kernel, theta):
    r"""At $(u_a, u_b) \sim N(0, K)$: $(S_2, M_a, M_b, \dot V)$ and the mean and covariance $C$ of $s(u)/\sigma_w^2$ (module docstring)."""
    act = _act(activation)
    qa, qb, c = kernel
    phi, dphi, one = act.phi, act.phi_prime, (lambda u: np.ones_like(u))

    def pair(f, g):
        return float(quadrature.gaussian_pair_expectation(f, g, qa, qb, c))

    terms = [[(lambda u: phi(u) ** 2, one, 1.0)], [(one, lambda v: phi(v) ** 2, 1.0)], [(phi, phi, 1.0)],
             [(phi, phi, 1.0), (dphi, dphi, theta)]]
    mean = np.array([sum(w * pair(f, g) for f, g, w in t) for t in terms])
    cov = np.empty((4, 4))
    for i in range(4):
        for j in range(i, 4):
            second = sum(wi * wj * pair(lambda u, a=fi, b=fj: a(u) * b(u), lambda v, a=gi, b=gj: a(v) * b(v))
                         for fi, gi, wi in terms[i] for fj, gj, wj in terms[j])
            cov[i, j] = cov[j, i] = second - mean[i] * mean[j]
    s2 = pair(lambda u: dphi(u) ** 2, lambda v: dphi(v) ** 2)
    ma, mb = pair(lambda u: dphi(u) ** 2, one), pair(one, lambda v: dphi(v) ** 2)
    return (s2, ma, mb, pair(dphi, dphi)), (mean, cov)


def _influence_gradient(act, cov, state, layers, W_std, b_std):
    r"""$\nabla\Phi$ on the range of $C$: $\sum_k (D_{r_k}\Phi/\sqrt{\lambda_k})\,e_k$, central differences along $r_k$.

    Eigenvalues below $10^{-14}\lambda_{max}$ are dropped: the unit's statistics have no variance there.
    """
    lam, vec = np.linalg.eigh(cov)
    grad = np.zeros(4)
    for lk, ek in zip(lam, vec.T):
        if lk <= 1e-14 * max(lam[-1], 0.0) or lk <= 0:
            continue
        r, h = math.sqrt(lk) * ek, STEP
        while True:
            up, down = (tuple(s + sign * h * ri for s, ri in zip(state, r)) for sign in (1, -1))
            if (_psd(up) and _psd(down)) or h < 1e-12:
                break
            h /= 2
        slope = (_output_ntk(act, up, layers, W_std, b_std) - _output_ntk(act, down, layers, W_std, b_std)) / (2 * h)
        grad += slope / math.sqrt(lk) * ek
    return grad


def expansion(x, *, activation, depth, W_std, b_std) -> dict:
    r"""Everything :func:`ntk_fluctuation_coefficient` computes, by layer.

    Keys: ``theta`` ($\Theta(x_a, x_b)$ of the output), ``A``, ``hidden`` (the $\mathcal H^l$), ``readout``
    ($\mathcal R$), ``theta_top`` ($\Theta^L$), ``theta_layers`` ($\Theta^1..\Theta^L$), ``grad`` (the
    $\nabla\Phi_l$ in units of $s$, so $\mathcal H^l = \sigma_w^4\,\nabla\Phi_l^\top C^l\nabla\Phi_l$), and for
    layer 1 ``mean_1`` and ``cov_1`` (mean and covariance of the unit statistics $s/\sigma_w^2$ at $K^1$).
    """
    act = _act(activation)
    x = check_finite_array("x", x, ndim=2)
    if x.shape[0] != 2:
        raise ValueError(f"x must hold exactly two inputs (shape (2, d)), got shape {x.shape}")
    depth = check_integer("depth", depth, minimum=1)
    W_std, b_std = check_scalar("W_std", W_std, low=0.0), check_scalar("b_std", b_std, low=0.0)
    if not (math.isfinite(W_std) and math.isfinite(b_std)):
        raise ValueError(f"W_std={W_std!r} and b_std={b_std!r} must be finite; allowed range [0, inf)")
    d = x.shape[1]
    k1 = [float(_fc.input_kernel(x[i] @ x[j], d, W_std, b_std)) for i, j in ((0, 0), (1, 1), (0, 1))]
    states = [(*k1, k1[2])]
    for _ in range(depth):
        states.append(_layer(act, states[-1], W_std, b_std))
    out = {"theta": states[-1][3], "theta_top": states[depth - 1][3], "hidden": [], "grad": [],
           "theta_layers": [st[3] for st in states[:depth]]}
    p, q = 0.0, 0.0
    for l in range(1, depth + 1):                         # units of layer l at kernel K^l = states[l - 1]
        kernel, theta = states[l - 1][:3], states[l - 1][3]
        (s2, ma, mb, vd), (mean, cov) = unit_moments(act, kernel, theta)
        grad = _influence_gradient(act, W_std**4 * cov, states[l], depth - l, W_std, b_std)
        out["hidden"].append(float(_nf.hidden_increment(float(grad @ cov @ grad), W_std)))
        out["grad"].append(grad)
        if l == 1:
            out.update(mean_1=mean, cov_1=cov)
        if l < depth:
            p, q = float(_nf.offdiag_step(s2, ma, mb, theta, p, W_std)), float(_nf.offdiag_swap_step(s2, vd, theta, q, W_std))
        else:
            out["readout"] = float(_nf.readout_increment(s2, ma, mb, vd, theta, p, q, W_std))
    out["A"] = sum(out["hidden"]) + out["readout"]
    return out


def ntk_fluctuation_coefficient(x, *, activation, depth, W_std, b_std):
    r"""$(\Theta(x_a, x_b), \mathcal A)$: the limiting NTK and $\lim_n n\operatorname{Var}\hat\Theta(x_a, x_b)$.

    Parameters
    ----------
    x:
        The two inputs, shape ``(2, d)``, finite.
    activation:
        Catalog name or :class:`~numerics.dual.activations.Activation`.
    depth:
        Hidden layers $L \ge 1$ ($L = 1$: $\operatorname{Var}\hat\Theta = \mathcal A/n$ exactly).
    W_std, b_std:
        $\sigma_w, \sigma_b \ge 0$, finite.
    """
    e = expansion(x, activation=activation, depth=depth, W_std=W_std, b_std=b_std)
    return e["theta"], e["A"]


def _unit_statistics(raw, theta):
    """(phi_a^2, phi_b^2, phi_a phi_b, phi_a phi_b + theta phi'_a phi'_b) from the simulator's four raw averages."""
    return np.column_stack([raw[:, :3], raw[:, 2] + theta * raw[:, 3]])


def fluctuation_draws(x, *, activation, depth, width, W_std, b_std, n_samples, seed, terms=None) -> np.ndarray:
    r"""I.i.d. draws of $\hat\Theta(x_a, x_b)$ and of an unbiased, variance-reduced estimate of $n E(\hat\Theta - \Theta)^2$.

    Shape ``(n_samples, 2)``.  With the linearised influence of hidden layer $l$,
    $Z_l = \sigma_w^2\nabla\Phi_l\cdot(\bar s_l - E[\bar s_l\mid\mathcal F_{l-1}])$, and the diagonal part of the readout's
    increment, $Z_R = \sigma_w^2\Theta^L\frac1n\sum_k p_k(w_k^2 - 1)$ (statistics of
    :func:`numerics.kernel.ntk_in_law.ntk_draws_in_law`), the second column is $n(\hat\Theta - \Theta)^2 - Y$ with

    $$Y = n\Big(\sum_l Z_l + Z_R\Big)^2 - n\sum_{l \ge 2} Z_l^2 - \sigma_w^4\nabla\Phi_1^\top C^1\nabla\Phi_1
          - 2\sigma_w^4(\Theta^L)^2\frac1n\sum_k p_k^2 .$$

    $E Y = 0$ exactly at every width, whatever the accuracy of $\nabla\Phi_l$: the $Z$'s are martingale
    increments in the order layer 1, ..., layer $L$, readout (so every cross product has mean 0); layer 1's units
    are exactly Gaussian, so $nEZ_1^2 = \sigma_w^4\nabla\Phi_1^\top C^1\nabla\Phi_1$ (computed here from
    $C^1$, not by the record's ``hidden_increment``, which enters only the prediction $\mathcal A$: an error
    there cannot cancel); $nE[Z_R^2\mid\mathcal F_L] = 2\sigma_w^4(\Theta^L)^2\frac1n\sum_k p_k^2$.
    The conditional means of layers $l \ge 2$ need the duals at each network's own kernel $\hat G^l$, so these
    $Z_l$ are used for activations with closed-form duals only (else $Z_l = 0$ for $l \ge 2$).  $Y$ removes the
    squares of the controlled parts and all their cross products: if they carry the share $f$ of $\mathcal A$,
    the estimator's variance falls to about $(1 - f)^2 + 2f(1 - f)\cdot$(the uncontrolled share outside
    the hidden layers) of its value.

    ``terms``: the result of :func:`expansion` for these inputs and options (computed if None).
    """
    from .ntk_in_law import ntk_draws_in_law

    act = _act(activation)
    e = terms if terms is not None else expansion(x, activation=act, depth=depth, W_std=W_std, b_std=b_std)
    d = ntk_draws_in_law(x, activation=act, depth=depth, width=width, W_std=W_std, b_std=b_std,
                         n_samples=n_samples, seed=seed, controls=True)
    w2, n = W_std**2, width
    zs = [w2 * (_unit_statistics(d[:, 3:7], e["theta_layers"][0]) - e["mean_1"]) @ e["grad"][0]]
    for l in range(2, depth + 1) if act.closed_form else ():
        block = d[:, 3 + 7 * (l - 1):3 + 7 * l]
        gaa, gbb, gab = block[:, 4], block[:, 5], np.clip(block[:, 6], -np.sqrt(block[:, 4] * block[:, 5]),
                                                         np.sqrt(block[:, 4] * block[:, 5]))
        v, vd = act.dual_and_derivative(gaa, gbb, gab, validate=False)
        mean = np.column_stack([act.variance(gaa, validate=False), act.variance(gbb, validate=False), v,
                                v + e["theta_layers"][l - 1] * vd])
        zs.append(w2 * (_unit_statistics(block[:, :4], e["theta_layers"][l - 1]) - mean) @ e["grad"][l - 1])
    zr = w2 * e["theta_top"] * d[:, -2]
    # n E Z_1^2 from C^1 directly, not from the record's hidden_increment: the prediction A carries the record's
    # H^1, so an error in hidden_increment must not cancel between the simulation and the prediction
    layer1 = w2**2 * float(e["grad"][0] @ e["cov_1"] @ e["grad"][0])
    control = (n * (sum(zs) + zr) ** 2 - n * sum(z * z for z in zs[1:]) - layer1
               - 2 * w2**2 * e["theta_top"] ** 2 * d[:, -1])
    return np.column_stack([d[:, 2], n * (d[:, 2] - e["theta"]) ** 2 - control])
