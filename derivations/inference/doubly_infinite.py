r"""Weakly and fully trained doubly infinite ResNets: the linearised ensembles on the completed kernels.

Peluchetti and Favaro (JMLR 2021), section 5.5 eqs. 41-43 and section 6 (reference deep_resnet_diffusions.md):
the completed doubly infinite ResNet ($\psi = \mathrm{id}$, $\phi''(0) = 0$, record ``resnet_sde.ntk``) has, with
$C = \phi'(0)^2\sigma_w^2T$, $E = e^C$, $\beta = \sigma_b^2/\sigma_w^2$,

$$\mathcal K(z,z') = \sigma_Y^2[\sigma_Z^2E\langle z,z'\rangle + \beta(E-1)],\qquad
  \Theta(z,z') = \sigma_Y^2[\sigma_Z^2(C+2)E\langle z,z'\rangle + \beta(CE+E-1)].$$

Weakly trained (readout only) = record ``inference.linearised`` with $\Theta \to \mathcal K$; fully trained = the
same with the completed NTK $\Theta$ and prior $\mathcal K$ (Lee et al. 2019, eq. 16).  Without biases
($\sigma_b = 0$) $\Theta = (C+2)\mathcal K$, so per eigenvalue $\lambda$ of $\mathcal K_{XX}$ the fully trained
mean and covariance factors are the weakly trained ones at the time $(C+2)t$, and both end at the NNGP posterior.
"""

from __future__ import annotations

import sympy as sp

from ..core.record import Derivation, Method, Record
from ..resnet_sde.closed_forms import SIGMA_W_POS
from ..resnet_sde.general import DPHI0
from ..resnet_sde.general import TIME as DEPTH_TIME
from .spectral import ETA, LAM, NORM, TIME

__all__ = ["doubly_infinite_record"]

_SOURCE = ("Peluchetti and Favaro, JMLR 22(175) 2021, sections 5.5 (eqs. 41-43) and 6; "
           "Lee et al. (NeurIPS 2019), eq. 16")


def _factors(lam, eta, t, n, rate):
    """Per-mode mean factor $\\Theta_{xX}A_t$ and covariance factor of the NTK ensemble when $\\Theta = r\\mathcal K$."""
    h = (1 - sp.exp(-eta * rate * lam * t / n)) / (rate * lam)      # A_t on the mode, Theta eigenvalue r lam
    mean = sp.simplify(rate * h)                                    # Theta_xX A_t = K_xX (r h)
    cov = sp.simplify(-(lam * (rate * h) ** 2 - 2 * rate * h))      # K_xx - K_xX [.] K_Xx
    return mean, cov


def doubly_infinite_record() -> Record:
    lam, eta, t, n = (p.symbol for p in (LAM, ETA, TIME, NORM))
    p1, sw, T = DPHI0.symbol, SIGMA_W_POS.symbol, DEPTH_TIME.symbol
    ratio = p1**2 * sw**2 * T + 2                                   # Theta / K at sigma_b = 0: C + 2
    weak_mean, weak_cov = _factors(lam, eta, t, n, 1)
    full_mean, full_cov = _factors(lam, eta, t, n, ratio)
    want_weak_cov = (1 - sp.exp(-2 * eta * lam * t / n)) / lam
    if sp.simplify(weak_cov - want_weak_cov) != 0:
        raise AssertionError("weakly trained covariance factor differs")
    if any(sp.simplify(f - w.subs(t, ratio * t)) != 0 for f, w in ((full_mean, weak_mean), (full_cov, weak_cov))):
        raise AssertionError("fully trained factors are not the weak ones at time (C + 2) t")
    return Record(
        id="inference.doubly_infinite",
        title="Weakly and fully trained doubly infinite ResNets: linearised ensembles on the completed kernels",
        source=_SOURCE,
        assumptions=("completed doubly infinite ResNet of record resnet_sde.ntk (psi = identity, phi''(0) = 0; "
                     "the NTK limit is heuristic in the paper and its constancy in training unproven)",
                     "MSE loss (1/(2N))||f(X)-Y||^2, gradient flow on the linearised network (record inference.linearised)",
                     "eigen-form: lam is an eigenvalue of the completed NNGP train kernel; the factors in t hold for "
                     "sigma_b = 0, where Theta = (C + 2) K"),
        parameters=(LAM, ETA, TIME, NORM, DPHI0, SIGMA_W_POS, DEPTH_TIME),
        expressions={
            "ntk_to_nngp_ratio": ratio,
            "weak_mean_factor": weak_mean,
            "weak_cov_factor": weak_cov,
            "full_mean_factor": full_mean,
            "full_cov_factor": full_cov,
            "limit_factor": 1 / lam,
        },
        arguments={
            "ntk_to_nngp_ratio": ("dphi0", "sigma_w", "T"),
            "weak_mean_factor": ("lam", "eta", "t", "N"),
            "weak_cov_factor": ("lam", "eta", "t", "N"),
            "full_mean_factor": ("lam", "eta", "t", "N", "dphi0", "sigma_w", "T"),
            "full_cov_factor": ("lam", "eta", "t", "N", "dphi0", "sigma_w", "T"),
            "limit_factor": ("lam",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"Weakly trained (readout only, JMLR section 6): the ensemble of record inference.linearised with the "
             r"completed NNGP $\mathcal K$ (resnet_sde.ntk nngp_completed) as both train kernel and prior: "
             r"$\mu_t = \mathcal K_{xX}\mathcal K^{-1}(I - e^{-\eta\mathcal K t/N})Y$, "
             r"$\Sigma_t = \mathcal K_{xx} - \mathcal K_{xX}\mathcal K^{-1}(I - e^{-2\eta\mathcal K t/N})\mathcal K_{Xx}$.",
             r"Fully trained (all layers): the same with the completed NTK $\Theta$ (ntk_completed) as train kernel "
             r"and $\mathcal K$ as prior covariance of $f_0$ (Lee et al. eq. 16).",
             r"$\sigma_b = 0$: $\Theta = (C+2)\mathcal K$ (eqs. 41-43), so $\Theta_{xX}\Theta^{-1} = \mathcal K_{xX}\mathcal K^{-1}$ "
             r"and on an eigenmode $\lambda$ of $\mathcal K_{XX}$ the factors are the weak ones at time $(C+2)t$.",
             r"$t\to\infty$: both factors tend to $1/\lambda$ for $\sigma_b = 0$, the NNGP posterior (record "
             r"inference.posterior); with biases the fully trained limit is $\Theta_{xX}\Theta^{-1}Y$ with a "
             r"different covariance.  Both kernels are affine in $\langle z,z'\rangle$: the predictions are linear models."),
            ("weak covariance factor = (1 - e^{-2 eta lam t/N})/lam by sympy.simplify",
             "fully trained factors = weak factors at (C + 2) t by sympy.simplify",
             "numerics against an independent eigendecomposition (tests)"),
        ),
        notes="Limited expressive power: weakly and fully trained doubly infinite ResNets predict with linear models.",
    )
