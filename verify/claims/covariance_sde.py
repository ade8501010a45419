r"""The neural covariance SDE (Li, Nica and Roy, NeurIPS 2022) against finite shaped-ReLU networks.

``claim.covariance_sde``: for two inputs with correlation $\rho_0$ and equal norms,
an MLP with the shaped ReLU $s_+\max(x, 0) + s_-\min(x, 0)$, $s_\pm = 1 + c_\pm/\sqrt n$,
at depth $d = Tn$ has, as $n \to \infty$,

* the correlation $\rho_d \Rightarrow \rho_T$ solving
  $d\rho = [\nu(\rho) - \tfrac12\rho(1-\rho^2)]\,dt + (1-\rho^2)\,dW$ (record
  ``covariance_sde.shaped_relu``; the $-\tfrac12\rho(1-\rho^2)$ is Itô's correction);
* $\ln(\Phi_d^{aa}/\Phi_0^{aa}) \Rightarrow N(-T, 2T)$ (geometric Brownian motion).

Two checks read one sweep of networks (:func:`numerics.covariance_sde.shaped_relu_mirrored_draws`: pairs of
networks with mirrored shapings $\pm(c_+, c_-)$, simulated by the $O(n)$-per-layer Gram recursion):

* **correlation**: $E\rho_T$ and $P(\rho_T \le q)$ against the SDE's backward Kolmogorov equation
  (:func:`numerics.covariance_sde.correlation_expectations`, no Monte Carlo error), the network estimates
  extrapolated linearly in $1/n$ (the mirroring cancels the $n^{-1/2}$ term) with a goodness-of-fit test on
  the spare widths; $q$ is the median of a pilot SDE sample;
* **log-norm**: $E\ln\Phi_T/T$ and $\operatorname{Var}\ln\Phi_T/T$ against $-1$ and $2$, exact at every width:
  the network's log-norm minus its exact finite-width offset
  (:func:`numerics.covariance_sde.log_norm_moments`), with the identity-activation network on the same
  normals as a control variate; the rows of all widths pooled.

Details, power and history: ``docs/claims/claim.covariance_sde.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from derivations.core.parameters import Domain, Parameter
from numerics.covariance_sde import correlation_expectations, correlation_sde_paths, shaped_relu_mirrored_draws
from numerics.generated import covariance_sde_shaped_relu as shaped_relu

from ..core import Exact, Extrapolated, theorem

__all__ = ["COVARIANCE_SDE_CLAIM", "LOG_NORM_CHECK", "predict_log_norm", "predict_sde"]

INF = math.inf
WIDTHS = (16, 32, 64)
NETWORKS = 4000  # pairs of mirrored networks per width (x the profile's scale)
PILOT_PATHS, PILOT_STEPS = 20_000, 100  # the CDF point: a fixed function of the parameters, near the SDE median
CHECK = "correlation"
LOG_NORM_CHECK = "log-norm"


@functools.lru_cache(maxsize=64)
def cdf_point(c_plus: float, c_minus: float, rho0: float, T: float) -> float:
    """$q$: the median of a pilot sample of the (Itô) correlation SDE at time $T$ (deterministic, seed 0)."""
    return float(np.median(correlation_sde_paths(c_plus, c_minus, rho0, T, n_paths=PILOT_PATHS,
                                                 n_steps=PILOT_STEPS, seed=0)))


def _point(p) -> float:
    return cdf_point(p["c_plus"], p["c_minus"], p["rho0"], p["T"])


def predict_sde(p, *, seed=None, ito: bool = True) -> np.ndarray:
    r"""$(E\rho_T, P(\rho_T \le q))$ of the SDE by its backward equation (``ito=False``: Itô's term dropped, planted).

    ``seed`` is accepted and unused: the prediction has no Monte Carlo error.
    """
    return np.array(correlation_expectations(p["c_plus"], p["c_minus"], p["rho0"], p["T"], point=_point(p),
                                             ito=ito))


def predict_log_norm(p) -> np.ndarray:
    r"""$(E\ln\Phi_T/T, \operatorname{Var}\ln\Phi_T/T)$ of the record: $(\ln\Phi_0 - T)/T$ at $\Phi_0 = 1$ and $2T/T$."""
    T = p["T"]
    return np.array([float(shaped_relu.log_norm_mean(1.0, T)) / T, float(shaped_relu.log_norm_variance(T)) / T])


def _networks(p, *, size, n, seed):
    """Both checks read the **same** networks: drawn from the example's seed and the width alone (spawn key
    ``(size,)``, distinct from the harness's per-check keys), and memoised."""
    return _shared(p["c_plus"], p["c_minus"], p["rho0"], p["T"], size, n, seed.entropy)


@functools.lru_cache(maxsize=96)  # every example x width of a thorough run (26 x 3; 0.1-0.5 MB each): mutants reuse them
def _shared(c_plus, c_minus, rho0, T, size, n, entropy):
    return shaped_relu_mirrored_draws(c_plus=c_plus, c_minus=c_minus, rho0=rho0, T=T, width=size, n_samples=n,
                                      seed=np.random.SeedSequence(entropy, spawn_key=(size,)),
                                      point=cdf_point(c_plus, c_minus, rho0, T))


def _correlation_draws(p, *, size, n, seed):
    return _networks(p, size=size, n=n, seed=seed)[:, :2]


def _log_norm_draws(p, *, n, seed):
    """The log-norm columns of the same networks, pooled over the widths (each row's mean is the limit at every
    width, so the pooled rows are draws of one mean; their spread across widths only inflates the SE)."""
    per = [n // len(WIDTHS)] * (len(WIDTHS) - 1)
    per.append(n - sum(per))
    return np.concatenate([_networks(p, size=w, n=k, seed=seed)[:, 2:] for w, k in zip(WIDTHS, per)])


COVARIANCE_SDE_CLAIM = theorem(
    id="claim.covariance_sde",
    title="Shaped-ReLU MLPs at d/n -> T: the correlation follows the neural covariance SDE, the norm a GBM",
    source="Li, Nica and Roy, NeurIPS 2022, Thm 3.2 (correlation SDE by Ito's formula: record covariance_sde.shaped_relu)",
    records=("covariance_sde.shaped_relu",),
    parameters=[Parameter("c_plus", Domain(), "c_+", (0.0, 1.5), "shaping of the positive slope"),
                Parameter("c_minus", Domain(), "c_-", (-1.5, 0.0), "shaping of the negative slope"),
                Parameter("rho0", Domain(-1, 1), r"\rho_0", (-0.8, 0.8), "input correlation"),
                Parameter("T", Domain(0, INF, closed=(False, True)), "T", (0.25, 1.5), "depth-to-width ratio d/n")],
    checks=[Extrapolated(CHECK, simulate=_correlation_draws, predict=predict_sde, sizes=WIDTHS, samples=NETWORKS,
                         order=1, power=1.0, variable="1/n",
                         labels=("E rho_T", "P(rho_T <= q)"),
                         # a correlation may be near 0 and a probability is one: relative to their range
                         scale=lambda p, pred: np.array([1.0, 1.0])),
            Exact(LOG_NORM_CHECK, simulate=_log_norm_draws, predict=predict_log_norm,
                  samples=NETWORKS * len(WIDTHS), labels=("E ln Phi_T / T", "Var ln Phi_T / T"))],
    bias=(f"correlation: mirrored shapings +-(c_+, c_-) cancel the n^-1/2 term, linear fit in 1/n over widths "
          f"{WIDTHS} with a goodness-of-fit test, depth rounding corrected by the limit SDE; SDE by its backward "
          f"Kolmogorov equation (no Monte Carlo error); log-norm: exact finite-width offsets (chi-square and "
          f"sign-balance series), identity-network control variate, pooled over the widths"),
    # the linear network (c_+ = c_- = 0): nu = 0, so the drift is Ito's correction alone
    examples=({"c_plus": 0.0, "c_minus": 0.0, "rho0": 0.6, "T": 1.5},),
    formulas=("covariance_sde.shaped_relu:correlation_drift", "covariance_sde.shaped_relu:correlation_diffusion",
              "covariance_sde.shaped_relu:log_norm_mean", "covariance_sde.shaped_relu:log_norm_variance"),
)

CLAIMS = (COVARIANCE_SDE_CLAIM,)
