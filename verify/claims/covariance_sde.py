r"""The neural covariance SDE (Li, Nica and Roy, NeurIPS 2022) against finite shaped-ReLU networks.

``claim.covariance_sde``: for two inputs with correlation $\rho_0$ and equal norms,
an MLP with the shaped ReLU $s_+\max(x, 0) + s_-\min(x, 0)$, $s_\pm = 1 + c_\pm/\sqrt n$,
at depth $d = Tn$ has, as $n \to \infty$,

* the correlation $\rho_d \Rightarrow \rho_T$ solving
  $d\rho = [\nu(\rho) - \tfrac12\rho(1-\rho^2)]\,dt + (1-\rho^2)\,dW$ (record
  ``covariance_sde.shaped_relu``; the $-\tfrac12\rho(1-\rho^2)$ is Itô's correction);
* $\ln(\Phi_d^{aa}/\Phi_0^{aa}) \Rightarrow N(-T, 2T)$ (geometric Brownian motion).

Compared (one sweep of networks, :func:`numerics.covariance_sde.shaped_relu_terminal_draws`):
$E\rho_T$ and $P(\rho_T \le q)$ against the SDE solved by Euler--Maruyama
(:func:`numerics.covariance_sde.correlation_sde_estimate`: Richardson-extrapolated over two step
sizes, its Monte Carlo error in the z-test), with $q$ the median of a pilot SDE sample; and the
mean and variance of the log-norm per unit $T$ against $-1$ and $2$.  Network estimates are
extrapolated quadratically in $n^{-1/2}$.  Details and history: ``docs/claims/claim.covariance_sde.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from derivations.core.parameters import Domain, Parameter
from numerics.covariance_sde import (
    correlation_sde_estimate,
    correlation_sde_paths,
    shaped_relu_terminal_draws,
)

from ..core import Estimate, Extrapolated, theorem

__all__ = ["COVARIANCE_SDE_CLAIM", "predict_sde"]

INF = math.inf
WIDTHS = (32, 64, 128, 256)
NETWORKS = 4100  # 4000 before the port, x1.024 so that sharing the budget with the goodness of fit costs no power
SDE_PATHS = 100_000
SDE_STEPS = 200
PILOT_PATHS, PILOT_STEPS = 20_000, 100  # the CDF point: a fixed function of the parameters, near the SDE median
CHECK = "terminal statistics"


@functools.lru_cache(maxsize=64)
def cdf_point(c_plus: float, c_minus: float, rho0: float, T: float) -> float:
    """$q$: the median of a pilot sample of the (Itô) correlation SDE at time $T$ (deterministic, seed 0)."""
    return float(np.median(correlation_sde_paths(c_plus, c_minus, rho0, T, n_paths=PILOT_PATHS,
                                                 n_steps=PILOT_STEPS, seed=0)))


def _point(p) -> float:
    return cdf_point(p["c_plus"], p["c_minus"], p["rho0"], p["T"])


def predict_sde(p, *, seed, ito: bool = True) -> Estimate:
    """$(E\\rho_T, P(\\rho_T \\le q), -1, 2)$ with the SDE's Monte Carlo standard errors (``ito=False``: planted)."""
    e = correlation_sde_estimate(p["c_plus"], p["c_minus"], p["rho0"], p["T"], point=_point(p), n_paths=SDE_PATHS,
                                 n_steps=SDE_STEPS, seed=seed, ito=ito)
    return Estimate(np.array([e.mean, e.cdf, -1.0, 2.0]), np.array([e.mean_stderr, e.cdf_stderr, 0.0, 0.0]))


def _draws(p, *, size, n, seed):
    return shaped_relu_terminal_draws(c_plus=p["c_plus"], c_minus=p["c_minus"], rho0=p["rho0"], T=p["T"], width=size,
                                      n_samples=n, seed=seed, point=_point(p))


COVARIANCE_SDE_CLAIM = theorem(
    id="claim.covariance_sde",
    title="Shaped-ReLU MLPs at d/n -> T: the correlation follows the neural covariance SDE, the norm a GBM",
    source="Li, Nica and Roy, NeurIPS 2022, Thm 3.2 (correlation SDE by Ito's formula: record covariance_sde.shaped_relu)",
    records=("covariance_sde.shaped_relu",),
    parameters=[Parameter("c_plus", Domain(), "c_+", (0.0, 1.5), "shaping of the positive slope"),
                Parameter("c_minus", Domain(), "c_-", (-1.5, 0.0), "shaping of the negative slope"),
                Parameter("rho0", Domain(-1, 1), r"\rho_0", (-0.8, 0.8), "input correlation"),
                Parameter("T", Domain(0, INF, closed=(False, True)), "T", (0.25, 1.5), "depth-to-width ratio d/n")],
    checks=[Extrapolated(CHECK, simulate=_draws, predict=predict_sde, sizes=WIDTHS, samples=NETWORKS, order=2,
                         power=0.5, variable="n^-1/2",
                         labels=("E rho_T", "P(rho_T <= q)", "E ln Phi_T / T", "Var ln Phi_T / T"),
                         # a correlation and a probability may be near 0: relative to their range
                         scale=lambda p, pred: np.array([1.0, 1.0, 1.0, 2.0]))],
    bias=(f"network estimates extrapolated quadratically in n^-1/2 over widths {WIDTHS}; SDE by Euler-Maruyama, "
          f"Richardson over {SDE_STEPS} and {SDE_STEPS // 2} steps, {SDE_PATHS} paths each, its error in the z-test"),
    # the linear network (c_+ = c_- = 0): nu = 0, so the drift is Ito's correction alone
    examples=({"c_plus": 0.0, "c_minus": 0.0, "rho0": 0.6, "T": 1.5},),
    formulas=("covariance_sde.shaped_relu:correlation_drift", "covariance_sde.shaped_relu:correlation_diffusion",
              "covariance_sde.shaped_relu:log_norm_mean", "covariance_sde.shaped_relu:log_norm_variance"),
)

CLAIMS = (COVARIANCE_SDE_CLAIM,)
