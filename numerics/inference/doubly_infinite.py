r"""Weakly and fully trained doubly infinite ResNets (record ``inference.doubly_infinite``).

The completed doubly infinite ResNet ($L = D\to\infty$, $\psi = \mathrm{id}$, $\phi''(0) = 0$; Peluchetti and
Favaro, JMLR 2021, eqs. 41-43, record ``resnet_sde.ntk``) has, with $C = \phi'(0)^2\sigma_w^2T$, $E = e^C$,
$\beta = \sigma_b^2/\sigma_w^2$,

$$\mathcal K(z,z') = \sigma_Y^2[\sigma_Z^2E\langle z,z'\rangle + \beta(E-1)],\qquad
  \Theta(z,z') = \sigma_Y^2[\sigma_Z^2(C+2)E\langle z,z'\rangle + \beta(CE+E-1)].$$

Weakly trained (``trained="readout"``, JMLR section 6): the linearised MSE ensemble with train kernel and prior
$\mathcal K$, $\mu_t = \mathcal K_{xX}\mathcal K_\rho^{-1}(I - e^{-\eta\mathcal K_\rho t/N})Y$, ending at the NNGP
posterior.  Fully trained (``trained="all"``): train kernel $\Theta$, prior $\mathcal K$ (Lee et al. 2019, eq. 16),
ending at $\Theta_{xX}\Theta_\rho^{-1}Y$.  Both kernels are affine in $\langle z,z'\rangle$: linear-model predictions.
"""

from __future__ import annotations

import numpy as np

from numerics.generated import resnet_sde_ntk as _ntk

from ..core.validation import check_scalar
from .ensemble import MSEEnsemble, gradient_descent_mse_ensemble

__all__ = ["doubly_infinite_ensemble", "doubly_infinite_kernels_matrix"]

#: activations with $\phi''(0) = 0$ (the closed forms need it) and their $\phi'(0)$.
PHI_PRIME0 = {"identity": 1.0, "tanh": 1.0}


def _inputs(name: str, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n,) or (n, d) with n, d >= 1, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got a non-finite entry")
    return x


def doubly_infinite_kernels_matrix(x1, x2, *, phi: str, sigma_w: float, sigma_b: float, sigma_z: float,
                                   sigma_y: float = 1.0, T: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""$(\mathcal K(x_1, x_2), \Theta(x_1, x_2))$, the completed NNGP and NTK on the Gram matrix $x_1x_2^\top$."""
    if phi not in PHI_PRIME0:
        raise ValueError(f"phi must be one of {sorted(PHI_PRIME0)} (phi''(0) = 0), got {phi!r}")
    args = (PHI_PRIME0[phi], check_scalar("sigma_w", sigma_w, low=0.0, closed=(False, True)),
            check_scalar("sigma_b", sigma_b, low=0.0), check_scalar("sigma_z", sigma_z, low=0.0),
            check_scalar("sigma_y", sigma_y, low=0.0), check_scalar("T", T, low=0.0))
    zz = _inputs("x1", x1) @ _inputs("x2", x2).T
    return np.asarray(_ntk.nngp_completed(zz, *args), float), np.asarray(_ntk.ntk_completed(zz, *args), float)


def doubly_infinite_ensemble(x_train, x_test, y_train, *, phi: str, sigma_w: float, sigma_b: float,
                             trained: str = "readout", learning_rate: float = 1.0, diag_reg: float = 0.0,
                             sigma_z: float | None = None, sigma_y: float = 1.0, T: float = 1.0) -> MSEEnsemble:
    r"""The linearised MSE ensemble of the completed doubly infinite ResNet (call ``.predict(t=...)``).

    Args:
        x_train, x_test: inputs, shape ``(n,)`` or ``(n, d)``.  y_train: targets, ``(n,)`` or ``(n, outputs)``.
        phi: ``"identity"`` or ``"tanh"`` (need $\phi''(0) = 0$).  sigma_w: $> 0$.  sigma_b: $\ge 0$.
        trained: ``"readout"`` (weakly trained: NNGP) or ``"all"`` (fully trained: completed NTK).
        learning_rate: $\eta \ge 0$.  diag_reg: absolute ridge $\rho \ge 0$ on the train kernel.
        sigma_z: input-layer scale, default $1/\sqrt d$.  sigma_y: output scale.  T: terminal time (depth).

    >>> ens = doubly_infinite_ensemble([1.0, -0.5], [0.3], [1.0, 2.0], phi="tanh", sigma_w=1.0, sigma_b=0.5)
    >>> ens.mean(t=[0.0]).tolist()
    [[[0.0]]]
    """
    if trained not in ("readout", "all"):
        raise ValueError(f"trained must be 'readout' or 'all', got {trained!r}")
    xtr, xte = _inputs("x_train", x_train), _inputs("x_test", x_test)
    if xtr.shape[1] != xte.shape[1]:
        raise ValueError(f"x_test must have {xtr.shape[1]} columns like x_train, got shape {xte.shape}")
    if sigma_z is None:
        sigma_z = 1.0 / np.sqrt(xtr.shape[1])
    opts = {"phi": phi, "sigma_w": sigma_w, "sigma_b": sigma_b, "sigma_z": sigma_z, "sigma_y": sigma_y, "T": T}
    k_dd, th_dd = doubly_infinite_kernels_matrix(xtr, xtr, **opts)
    k_td, th_td = doubly_infinite_kernels_matrix(xte, xtr, **opts)
    k_tt, _ = doubly_infinite_kernels_matrix(xte, xte, **opts)
    common = {"y_train": y_train, "k_test_test_nngp": k_tt, "learning_rate": learning_rate, "diag_reg": diag_reg,
                  "diag_reg_absolute_scale": True}
    if trained == "readout":
        return gradient_descent_mse_ensemble(k_train_train=k_dd, k_test_train=k_td, get="nngp", **common)
    return gradient_descent_mse_ensemble(k_train_train=th_dd, k_test_train=th_td, get="ntk",
                                         k_train_train_nngp=k_dd, k_test_train_nngp=k_td, **common)
