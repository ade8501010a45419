r"""Two inputs through a shaped-ReLU MLP by its normalised Gram recursion: $O(n)$ per layer, no width-$n$ state.

For the MLP of :mod:`._shaped` with two inputs, given layer $\ell$ the $n$ rows of $h_{\ell+1}$ are i.i.d.
$N(0, \Phi_\ell)$ (exact in law).  $\varphi_s(x) = s_+\max(x,0) + s_-\min(x,0)$ is 1-homogeneous, so with
$\rho_\ell = \Phi^{ab}_\ell/\sqrt{\Phi^{aa}_\ell\Phi^{bb}_\ell}$ and fresh $g_i = (g_{i1}, g_{i2}) \sim N(0, I_2)$,

$$X^a_i = g_{i1},\quad X^b_i = \rho_\ell\, g_{i1} + \sqrt{1-\rho_\ell^2}\, g_{i2},\qquad
  A = \tfrac cn\sum_i\varphi_s(X^a_i)^2,\ B = \tfrac cn\sum_i\varphi_s(X^b_i)^2,\ C = \tfrac cn\sum_i\varphi_s(X^a_i)\varphi_s(X^b_i),$$

$$\Phi^{aa}_{\ell+1} = A\,\Phi^{aa}_\ell,\qquad \Phi^{bb}_{\ell+1} = B\,\Phi^{bb}_\ell,\qquad \rho_{\ell+1} = C/\sqrt{AB},$$

the same law as the width-$n$ simulation (:func:`numerics.covariance_sde.shaped_relu_mlp`; tested in
distribution, and step by step on shared normals).  Only $(\rho_\ell, \ln\Phi^{aa}_\ell)$ is carried.

The **identity-activation control**: the same $g_{i1}$ drive the linear network ($s_\pm = 1$), whose log-norm
$\Lambda_d = \sum_{\ell=1}^{d}\ln\big(\tfrac1n\sum_i g_{i1,\ell}^2\big)$ is a sum of $d$ i.i.d. $\ln(\chi^2_n/n)$:
$E\Lambda_d = d\,[\psi(n/2) + \ln(2/n)]$, $\operatorname{Var}\Lambda_d = d\,\psi'(n/2)$ exactly
(:func:`numerics.covariance_sde.log_norm_moments`).  Since $\varphi_s(x)^2 = x^2(s_+^2 1\{x>0\} + s_-^2 1\{x<0\})$,
$A = \big(\tfrac1n\sum_i g_{i1}^2\big)(1 + \delta Y_\ell)$ with $\delta = (s_+^2 - s_-^2)/(s_+^2 + s_-^2)$ and the
sign balance $Y_\ell = \sum_i g_{i1}^2\operatorname{sign}g_{i1}/\sum_i g_{i1}^2$, returned summed over layers.  Layer 1 maps the inputs (unit norms,
correlation $\rho_0$) like every other layer, so $d$ layers give $\Phi_1, \dots, \Phi_d$.

Draws: :class:`numerics.core.sampling.SeedBlocks`; block $j$ takes ``(|B_j|, n, 2)`` normals per layer,
layer by layer, so the numbers depend on ``(seed, n_samples, width, depth)`` only, not on the chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_integer, check_scalar

__all__ = ["ShapedReluPair", "shaped_relu_pair"]


@dataclass(frozen=True)
class ShapedReluPair:
    r"""Terminal state of ``n_samples`` networks: $\rho_d$, $\ln(\Phi^{aa}_d/\Phi^{aa}_0)$ and the identity control $\Lambda_d$."""

    rho: np.ndarray
    log_norm_ratio: np.ndarray
    identity_log_norm_ratio: np.ndarray
    #: $\rho_d$ of the linear network ($s_\pm = 1$) on the same normals
    identity_rho: np.ndarray
    #: $\sum_\ell Y_\ell$, $Y_\ell = \sum_i g_{i1,\ell}^2\operatorname{sign} g_{i1,\ell} / \sum_i g_{i1,\ell}^2$ (mean 0, independent of $\Lambda_d$)
    sign_balance: np.ndarray


def shaped_relu_pair(*, c_plus: float, c_minus: float, rho0: float, width: int, depth: int, n_samples: int, seed,
                     chunk_size: int | None = None) -> ShapedReluPair:
    r"""Simulate ``n_samples`` shaped-ReLU MLPs on two unit-norm inputs of correlation ``rho0`` (module docstring).

    Parameters
    ----------
    c_plus, c_minus:
        Shapings $s_\pm = 1 + c_\pm/\sqrt n$, finite, with $(s_+, s_-) \ne (0, 0)$.
    rho0:
        Input correlation in $[-1, 1]$.
    width, depth:
        $n \ge 1$ and $d \ge 1$ layers.
    n_samples, seed, chunk_size:
        Number of networks, seed (anything :class:`numpy.random.SeedSequence` takes), samples per batch
        (rounded to whole blocks; ``None``: about 64 MiB of temporaries; never changes the numbers).

    Returns
    -------
    :class:`ShapedReluPair`; a network whose layer is dead on an input ($A = 0$, possible only when
    $s_+ s_- \le 0$) has $\ln\Phi = -\infty$ and $\rho$ = NaN there.
    """
    c_plus = check_scalar("c_plus", c_plus, low=-math.inf, high=math.inf, closed=(False, False))
    c_minus = check_scalar("c_minus", c_minus, low=-math.inf, high=math.inf, closed=(False, False))
    rho0 = check_scalar("rho0", rho0, low=-1.0, high=1.0)
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    s_plus, s_minus = 1 + c_plus / math.sqrt(width), 1 + c_minus / math.sqrt(width)
    second = (s_plus**2 + s_minus**2) / 2
    if not (second > 0 and math.isfinite(second)):
        raise ValueError(f"(c_plus, c_minus)=({c_plus!r}, {c_minus!r}) gives s_+ = s_- = 0 at width={width}; "
                         "allowed: any finite c_pm with (s_+, s_-) != (0, 0)")
    c_over_n = 1.0 / (second * width)
    blocks = SeedBlocks(seed, n_samples)
    per_sample = 8 * 10 * width
    rho = np.empty(n_samples)
    log_norm = np.empty(n_samples)
    control = np.empty(n_samples)
    balance = np.empty(n_samples)
    rho_lin = np.empty(n_samples)
    with np.errstate(divide="ignore", invalid="ignore"):
        for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
            lo, hi = blocks.span(chunk)
            r = np.full(hi - lo, rho0)
            lnorm = np.zeros(hi - lo)
            lctrl = np.zeros(hi - lo)
            ysum = np.zeros(hi - lo)
            r_lin = np.full(hi - lo, rho0)
            for _ in range(depth):
                g = blocks.normals(chunk, (width, 2))
                xa = g[:, :, 0]
                xb = r[:, None] * xa + np.sqrt(np.maximum(1.0 - r * r, 0.0))[:, None] * g[:, :, 1]
                fa = np.where(xa > 0, s_plus * xa, s_minus * xa)
                fb = np.where(xb > 0, s_plus * xb, s_minus * xb)
                a = c_over_n * np.einsum("si,si->s", fa, fa)
                b = c_over_n * np.einsum("si,si->s", fb, fb)
                cab = c_over_n * np.einsum("si,si->s", fa, fb)
                r = np.clip(cab / np.sqrt(a * b), -1.0, 1.0)
                lnorm += np.log(a)
                sq = np.einsum("si,si->s", xa, xa)
                xl = r_lin[:, None] * xa + np.sqrt(np.maximum(1.0 - r_lin * r_lin, 0.0))[:, None] * g[:, :, 1]
                r_lin = np.clip(np.einsum("si,si->s", xa, xl) / np.sqrt(sq * np.einsum("si,si->s", xl, xl)), -1.0, 1.0)
                lctrl += np.log(sq / width)
                ysum += np.einsum("si,si->s", xa, np.abs(xa)) / sq
            rho[lo:hi], log_norm[lo:hi], control[lo:hi], balance[lo:hi], rho_lin[lo:hi] = r, lnorm, lctrl, ysum, r_lin
    return ShapedReluPair(rho, log_norm, control, rho_lin, balance)
