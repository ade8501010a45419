r"""Readout-only training of a one-hidden-layer network: the trained mean, exact given the features.

A network $f(x) = \tfrac{\sigma_w}{\sqrt n}\, v\cdot\varphi(h(x)) + \sigma_b\, b_o$ with
$h(x) = \tfrac{\sigma_w}{\sqrt d} W x + \sigma_b b$ (NTK parameterisation, all entries i.i.d.
$N(0, 1)$) whose readout $(v, b_o)$ alone is trained by gradient flow on
$\tfrac{1}{2N}\|f(X) - Y\|^2$ is linear in its trained parameters, with tangent kernel the
empirical readout kernel $\hat K = \tfrac{\sigma_w^2}{n}\varphi(h)\varphi(h)^\top + \sigma_b^2$.
Hence, exactly,

$$f_t(x) = f_0(x) - \hat K_{xX}\hat K_{XX}^{-1}\bigl(I - e^{-\eta \hat K_{XX} t/N}\bigr)\bigl(f_0(X) - Y\bigr),$$

and since $f_0$ has mean zero given the hidden layer (the readout is independent of it),

$$E[f_t(x) \mid h] = \hat K_{xX}\hat K_{XX}^{-1}\bigl(I - e^{-\eta \hat K_{XX} t/N}\bigr) Y .$$

:func:`readout_trained_means` draws this conditional mean (Rao-Blackwellised over the readout's
initialisation: same expectation as the trained networks' outputs, smaller variance), optionally minus a
control variate of mean exactly zero: the derivative of the mean map $M(\hat K)$ at
$\bar K = E\hat K$ in the direction $\hat K - \bar K$ (Daleckii-Krein: in the eigenbasis
$\bar K_{XX} = V\Lambda V^\top$, $D g(\bar K_{XX})[\Delta] = V\,(V^\top\Delta V \circ G)\,V^\top$ with the
divided differences $G_{ij} = (g(\lambda_i) - g(\lambda_j))/(\lambda_i - \lambda_j)$, $g'(\lambda_i)$ on ties).
It is linear in $\hat K - \bar K$, whose mean is exactly 0 at every width, so the draws keep their
expectation while their variance falls from $O(1/n)$ to $O(1/n^2)$.  $\bar K$ is computed here by
:func:`numerics.dual.reference.pair_expectation` (quadrature of the activation itself), independently
of the closed-form kernels a prediction would use, so an error there is not masked.  As the width
$n \to \infty$, $\hat K \to K$ (the NNGP of the readout) and the mean tends to the NNGP version of
the linearised ensemble, :func:`numerics.inference.gradient_descent_mse_ensemble` with
``get="nngp"``; at $t = \infty$ that is the NNGP posterior mean without noise.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import check_seed
from ..core.validation import check_finite_array, check_integer, check_scalar
from ..dual.activations import activation as _activation
from ..dual.reference import pair_expectation

__all__ = ["expected_readout_kernel", "readout_trained_means"]


def _times(times) -> np.ndarray:
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if t.ndim != 1 or t.size == 0 or np.any(np.isnan(t)) or np.any(t < 0):
        raise ValueError(f"times={times!r} must be a non-empty 1-D array of numbers in [0, inf]")
    return t


def readout_trained_means(x_train, x_test, y_train, *, activation: str, width: int, W_std: float,
                          b_std: float, learning_rate: float, times, n_samples: int, seed,
                          control: bool = True, chunk: int = 4096) -> np.ndarray:
    r"""Draws of $E[f_t(x) \mid h]$ after readout-only gradient flow, shape ``(n_samples, T * M)``.

    Parameters
    ----------
    x_train, x_test:
        Inputs, shapes ``(N, d)`` and ``(M, d)``, finite.
    y_train:
        Targets, shape ``(N,)``, finite.
    activation:
        Catalog activation name (``numerics.dual.activations``).
    width, W_std, b_std:
        Hidden width $n \ge 1$; $\sigma_w > 0$, $\sigma_b > 0$ (so $\hat K_{XX}$ is positive definite).
    learning_rate, times:
        $\eta > 0$ and the times $t \in [0, \infty]$ (``inf``: the trained limit).
    n_samples, seed:
        Independent hidden layers, integer >= 1; an integer >= 0 or a SeedSequence.
    control:
        Subtract the zero-mean control variate (module docstring).

    Returns
    -------
    ndarray: column ``i * M + j`` is the mean at time ``times[i]`` and test point ``j``.
    """
    xa = check_finite_array("x_train", x_train, ndim=2)
    xb = check_finite_array("x_test", x_test, ndim=2)
    y = check_finite_array("y_train", y_train, ndim=1)
    if xb.shape[1] != xa.shape[1] or y.shape[0] != xa.shape[0]:
        raise ValueError(f"shapes do not match: x_train {xa.shape}, x_test {xb.shape}, y_train {y.shape}; "
                         "need (N, d), (M, d), (N,)")
    act = _activation(activation)
    width = check_integer("width", width, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    chunk = check_integer("chunk", chunk, minimum=1)
    W_std = check_scalar("W_std", W_std, low=0.0, closed=(False, True))
    b_std = check_scalar("b_std", b_std, low=0.0, closed=(False, True))
    lr = check_scalar("learning_rate", learning_rate, low=0.0, closed=(False, True))
    for name, v in (("W_std", W_std), ("b_std", b_std), ("learning_rate", lr)):
        if not math.isfinite(v):
            raise ValueError(f"{name}={v!r} must be finite; allowed range (0, inf)")
    t = _times(times)
    if not isinstance(control, bool):
        raise ValueError(f"control={control!r} must be True or False")
    rng = np.random.default_rng(check_seed(seed))
    x = np.vstack([xa, xb])
    n_train, d = xa.shape
    out = np.empty((n_samples, t.size * xb.shape[0]))
    if control:
        kbar = expected_readout_kernel(x, activation=act, W_std=W_std, b_std=b_std)
        lam0, vec0 = np.linalg.eigh(kbar[:n_train, :n_train])
        if lam0[0] <= 0:
            raise ValueError("the readout kernel of x_train is singular; inputs must be distinct")
        g0 = _factor(lam0[None, :], t[:, None], lr, n_train)                        # (T, N)
        dg = _divided_differences(lam0, t, lr, n_train)                              # (T, N, N)
        y0 = vec0.T @ y
    for start in range(0, n_samples, chunk):
        s = min(chunk, n_samples - start)
        w = rng.standard_normal((s, width, d))
        b = rng.standard_normal((s, width, 1))
        h = (W_std / math.sqrt(d)) * np.einsum("snd,pd->snp", w, x) + b_std * b
        phi = np.asarray(act.phi(h), dtype=float)
        k = (W_std**2 / width) * np.einsum("snp,snq->spq", phi, phi) + b_std**2
        kxx, ktx = k[:, :n_train, :n_train], k[:, n_train:, :n_train]
        lam, vec = np.linalg.eigh(kxx)
        with np.errstate(over="ignore"):
            rate = lr * lam[:, None, :] * t[None, :, None] / n_train          # (s, T, N)
            g = np.where(np.isinf(t)[None, :, None], 1.0 / lam[:, None, :], -np.expm1(-rate) / lam[:, None, :])
        y_eig = np.einsum("snk,n->sk", vec, y)                                 # V^T Y
        kv = np.einsum("smn,snk->smk", ktx, vec)                               # K_tX V
        mean = np.einsum("smk,stk,sk->stm", kv, g, y_eig)
        if control:
            delta = k - kbar
            dxx = np.einsum("ik,sij,jl->skl", vec0, delta[:, :n_train, :n_train], vec0)   # V^T D V
            dtx = delta[:, n_train:, :n_train] @ vec0                                      # D_tX V
            ktx0 = kbar[n_train:, :n_train] @ vec0
            mean -= np.einsum("smk,tk,k->stm", dtx, g0, y0)
            mean -= np.einsum("mk,tkl,skl,l->stm", ktx0, dg, dxx, y0)
        out[start:start + s] = mean.reshape(s, -1)
    return out


def _factor(lam, t, lr, n_train):
    """$g(\\lambda) = (1 - e^{-\\eta\\lambda t/N})/\\lambda$ ($1/\\lambda$ at $t = \\infty$)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isinf(t), 1.0 / lam, -np.expm1(-lr * lam * np.where(np.isinf(t), 0.0, t) / n_train) / lam)


def _divided_differences(lam, t, lr, n_train):
    r"""$G_{ij} = (g(\lambda_i) - g(\lambda_j))/(\lambda_i - \lambda_j)$, $g'(\lambda_i)$ where $\lambda_i = \lambda_j$."""
    g = _factor(lam[None, :], t[:, None], lr, n_train)                     # (T, N)
    tt = np.where(np.isinf(t), 0.0, t)[:, None]
    e = np.exp(-lr * lam[None, :] * tt / n_train)
    deriv = np.where(np.isinf(t)[:, None], -1.0 / lam**2, (lr * tt / n_train) * e / lam - g / lam)
    diff = lam[:, None] - lam[None, :]
    close = np.abs(diff) <= 1e-9 * np.maximum(np.abs(lam[:, None]), np.abs(lam[None, :]))
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = (g[:, :, None] - g[:, None, :]) / np.where(close, 1.0, diff)[None]
    mid = 0.5 * (deriv[:, :, None] + deriv[:, None, :])
    return np.where(close[None], mid, dd)


def expected_readout_kernel(x, *, activation, W_std: float, b_std: float) -> np.ndarray:
    r"""$\bar K = \sigma_w^2 E[\varphi(h)\varphi(h)^\top] + \sigma_b^2$ at every width, by quadrature.

    $h$ is centred Gaussian with covariance $\sigma_w^2 x x^\top/d + \sigma_b^2$; each entry is
    :func:`numerics.dual.reference.pair_expectation` of the activation's own $\varphi$ (no closed form).
    """
    x = check_finite_array("x", x, ndim=2)
    act = _activation(activation)
    q = (W_std**2 / x.shape[1]) * (x @ x.T) + b_std**2
    m = x.shape[0]
    out = np.empty((m, m))
    for i in range(m):
        for j in range(i, m):
            rho = float(np.clip(q[i, j] / math.sqrt(q[i, i] * q[j, j]), -1.0, 1.0))
            v = pair_expectation(act.phi, act.phi, float(q[i, i]), float(q[j, j]), rho).value
            out[i, j] = out[j, i] = W_std**2 * v + b_std**2
    return out
