r"""Mean and covariance of an infinite ensemble of wide networks trained on MSE.

Semantics of neural-tangents' ``predict.gradient_descent_mse_ensemble`` (loss
$\frac{1}{2N}\lVert f(X)-Y\rVert^2$, $N$ = ``y_train.size``, ``diag_reg`` added to the
train kernel, relative to its mean diagonal unless ``diag_reg_absolute_scale``).
With $\Theta$ the train kernel of the chosen mode ($\Theta$ for ``"ntk"``, $K$ for
``"nngp"``: readout-only training), $\Theta_\rho = \Theta + \rho I$ and
$A_t = \Theta_\rho^{-1}(I - e^{-\eta\Theta_\rho t/N})$ (Lee et al. 2019, eq. 16):

$$\mu_t = \Theta_{xX}A_tY,\qquad
\Sigma_t = K_{xx} + \Theta_{xX}A_tK_{XX}A_t\Theta_{Xx} - (\Theta_{xX}A_tK_{Xx} + \text{h.c.}).$$

For ``"ntk"`` $K_{XX}$ is the NNGP without ridge; for ``"nngp"`` the ridge acts as
observation noise and enters $K_{XX}$ too, so that the covariance is
$K_{xx} - K_{xX}K_\rho^{-1}(I - e^{-2\eta K_\rho t/N})K_{Xx}$ (both as in neural-tangents).
$t = 0$ gives the prior $(0, K_{xx})$; for ``"nngp"`` at $t=\infty$ the Bayesian
posterior $K_{xX}K_\rho^{-1}Y$, $K_{xx} - K_{xX}K_\rho^{-1}K_{Xx}$.  One ``eigh`` of
$\Theta_\rho$ serves every time.  As $\rho\to0$ with a singular train kernel, finite
times stay bounded (each null mode contributes $\eta t/N$ times a vanishing
test-train component) and $t=\infty$ is the pseudo-inverse limit (see
:mod:`numerics.inference.spectral`); with $\rho > 0$ everything is smooth in $\rho$.
Discrete gradient descent (``steps=``) replaces $I - e^{-\eta\Theta_\rho t/N}$ by
$I - (I - \eta\Theta_\rho/N)^k$; it diverges iff $\eta > 2N/\lambda_{\max}(\Theta_\rho)$
(:func:`max_learning_rate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import _checks
from .spectral import flow_inverse, gd_inverse

__all__ = ["MSEEnsemble", "gradient_descent_mse_ensemble", "max_learning_rate", "nngp_posterior"]


@dataclass(frozen=True)
class MSEEnsemble:
    """A prepared ensemble predictor; call :meth:`mean`, :meth:`cov` or :meth:`predict`."""

    evals: np.ndarray
    evecs: np.ndarray
    k_test_train: np.ndarray
    k_test_train_nngp: np.ndarray | None
    k_test_test_nngp: np.ndarray | None
    k_train_train_nngp: np.ndarray | None
    y_eig: np.ndarray
    learning_rate: float
    normalization: int
    get: str

    def _factors(self, t=None, steps=None) -> np.ndarray:
        if (t is None) == (steps is None):
            raise ValueError("give exactly one of t (gradient flow) and steps (gradient descent)")
        if t is not None:
            tau = _checks.as_times("t", t) * self.learning_rate / self.normalization
            return flow_inverse(self.evals, tau)
        k = _checks.as_times("steps", steps)
        if np.any(k != np.floor(k)) or np.any(np.isinf(k)):
            raise ValueError(f"steps must be finite non-negative integers, got {steps!r}")
        return gd_inverse(self.evals, self.learning_rate / self.normalization, k)

    @cached_property
    def _kv(self) -> np.ndarray:
        r"""$\Theta_{xX}V$: the test-train kernel in the eigenbasis (computed once, shared by mean and cov)."""
        return self.k_test_train @ self.evecs

    def mean(self, *, t=None, steps=None) -> np.ndarray:
        """Mean on the test points, shape ``(T, n_test, n_outputs)``."""
        g = self._factors(t, steps)
        return np.matmul(self._kv, g[:, :, None] * self.y_eig[None])

    def cov(self, *, t=None, steps=None) -> np.ndarray:
        """Covariance on the test points (same for each output), shape ``(T, n_test, n_test)``."""
        if self.k_test_test_nngp is None:
            raise ValueError("cov needs k_test_test_nngp")
        g = self._factors(t, steps)
        kv = self._kv
        out = np.empty((g.shape[0],) + self.k_test_test_nngp.shape)
        if self.get == "nngp":
            # K_tt - K_tX K^-1 (I - e^{-2 eta K t/N}) K_Xt: (1 - e^{-2u})/lam = g (2 - lam g).
            lam = np.maximum(self.evals, 0.0)
            for i, gi in enumerate(g):
                out[i] = self.k_test_test_nngp - (kv * (gi * (2.0 - lam * gi))) @ kv.T
            return out
        k_eig = self.evecs.T @ self.k_train_train_nngp @ self.evecs
        kx_eig = self.evecs.T @ self.k_test_train_nngp.T             # (n, m)
        for i, gi in enumerate(g):                                  # one time at a time: O(m n) memory
            b = kv * gi                                             # Theta_xX A_t in the eigenbasis, (m, n)
            cross = b @ kx_eig
            out[i] = self.k_test_test_nngp + (b @ k_eig) @ b.T - cross - cross.T
        return out

    def predict(self, *, t=None, steps=None, compute_cov: bool = True):
        """``(mean, cov)`` (or the mean alone when ``compute_cov`` is false)."""
        m = self.mean(t=t, steps=steps)
        return (m, self.cov(t=t, steps=steps)) if compute_cov else m


def _regularise(evals: np.ndarray, k: np.ndarray, diag_reg: float, absolute: bool) -> np.ndarray:
    return evals + (diag_reg if absolute else diag_reg * float(np.trace(k)) / k.shape[0])


def gradient_descent_mse_ensemble(
    *, k_train_train, k_test_train, y_train, get: str = "ntk",
    k_train_train_nngp=None, k_test_train_nngp=None, k_test_test_nngp=None,
    learning_rate: float = 1.0, diag_reg: float = 0.0, diag_reg_absolute_scale: bool = False,
) -> MSEEnsemble:
    r"""Prepare the linearised MSE ensemble of kernel mode ``get`` (``"ntk"`` or ``"nngp"``).

    ``k_train_train``/``k_test_train`` are the kernels of that mode; for ``get="ntk"`` the
    covariance also needs the NNGP kernels ``k_train_train_nngp``, ``k_test_train_nngp``,
    ``k_test_test_nngp`` (for ``get="nngp"`` only ``k_test_test_nngp``).

    >>> import numpy as np
    >>> ens = gradient_descent_mse_ensemble(k_train_train=np.eye(2), k_test_train=np.eye(2),
    ...     y_train=[1.0, -1.0], learning_rate=2.0)
    >>> bool(np.allclose(ens.mean(t=[np.log(2)])[0, :, 0], [0.5, -0.5]))
    True
    """
    if get not in ("ntk", "nngp"):
        raise ValueError(f"get must be 'ntk' or 'nngp', got {get!r}")
    lr = _checks.nonneg_scalar("learning_rate", learning_rate)
    reg = _checks.nonneg_scalar("diag_reg", diag_reg)
    k, evals, evecs = _checks.as_kernel("k_train_train", k_train_train)
    n = k.shape[0]
    ktx = _checks.as_cross("k_test_train", k_test_train, n)
    y = _checks.as_targets(y_train, n)
    evals = _regularise(evals, k, reg, bool(diag_reg_absolute_scale))
    ktt = kdd = ktx_nngp = None
    if k_test_test_nngp is not None:
        ktt, _, _ = _checks.as_kernel("k_test_test_nngp", k_test_test_nngp, decompose=False)
        if ktt.shape[0] != ktx.shape[0]:
            raise ValueError(f"k_test_test_nngp must have shape {(ktx.shape[0],) * 2}, got {ktt.shape}")
    if get == "ntk" and k_test_test_nngp is not None:
        if k_train_train_nngp is None or k_test_train_nngp is None:
            raise ValueError("get='ntk' with k_test_test_nngp needs k_train_train_nngp and k_test_train_nngp")
        kdd, _, _ = _checks.as_kernel("k_train_train_nngp", k_train_train_nngp, decompose=False)
        if kdd.shape != k.shape:
            raise ValueError(f"k_train_train_nngp must have shape {k.shape}, got {kdd.shape}")
        ktx_nngp = _checks.as_cross("k_test_train_nngp", k_test_train_nngp, n)
        if ktx_nngp.shape != ktx.shape:
            raise ValueError(f"k_test_train_nngp must have shape {ktx.shape}, got {ktx_nngp.shape}")
    return MSEEnsemble(evals, evecs, ktx, ktx_nngp, ktt, kdd, evecs.T @ y, lr, y.size, get)


def nngp_posterior(*, k_train_train, k_test_train, k_test_test, y_train, diag_reg: float = 0.0):
    r"""Exact GP regression $K_{xX}(K+\rho I)^{-1}Y$, $K_{xx} - K_{xX}(K+\rho I)^{-1}K_{Xx}$ by Cholesky
    (an independent path from the eigenbasis; $\rho$ absolute)."""
    import scipy.linalg

    reg = _checks.nonneg_scalar("diag_reg", diag_reg)
    k, _, _ = _checks.as_kernel("k_train_train", k_train_train)
    ktx = _checks.as_cross("k_test_train", k_test_train, k.shape[0])
    ktt, _, _ = _checks.as_kernel("k_test_test", k_test_test, decompose=False)
    if ktt.shape[0] != ktx.shape[0]:
        raise ValueError(f"k_test_test must have shape {(ktx.shape[0],) * 2}, got {ktt.shape}")
    y = _checks.as_targets(y_train, k.shape[0])
    c = scipy.linalg.cho_factor(k + reg * np.eye(k.shape[0]))
    return ktx @ scipy.linalg.cho_solve(c, y), ktt - ktx @ scipy.linalg.cho_solve(c, ktx.T)


def max_learning_rate(k_train_train, *, n_outputs: int = 1) -> float:
    r"""$2N/\lambda_{\max}$ ($N$ = number of train points times ``n_outputs``): above it discrete gradient
    descent on the linearised model diverges (:mod:`numerics.inference.stability` finds it without eigenvalues).

    >>> max_learning_rate(np.diag([1.0, 4.0]))      # 2 * 2 / 4
    1.0
    """
    if isinstance(n_outputs, bool) or not isinstance(n_outputs, (int, np.integer)) or n_outputs < 1:
        raise ValueError(f"n_outputs={n_outputs!r} must be an integer >= 1")
    _, evals, _ = _checks.as_kernel("k_train_train", k_train_train)
    if evals[-1] <= 0:
        raise ValueError("k_train_train must have a positive eigenvalue, got all eigenvalues <= 0")
    return 2.0 * evals.size * int(n_outputs) / float(evals[-1])
