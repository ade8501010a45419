r"""The neural covariance SDE (Li, Nica and Roy, NeurIPS 2022) against finite shaped-ReLU networks.

``claim.covariance_sde``: for two inputs with correlation $\rho_0$ and equal norms,
an MLP with the shaped ReLU $s_+\max(x, 0) + s_-\min(x, 0)$, $s_\pm = 1 + c_\pm/\sqrt n$,
at depth $d = Tn$ has, as $n \to \infty$,

* the correlation $\rho_d \Rightarrow \rho_T$ solving
  $d\rho = [\nu(\rho) - \tfrac12\rho(1-\rho^2)]\,dt + (1-\rho^2)\,dW$ (record
  ``covariance_sde.shaped_relu``; the $-\tfrac12\rho(1-\rho^2)$ is Itô's correction);
* $\ln(\Phi_d^{aa}/\Phi_0^{aa}) \Rightarrow N(-T, 2T)$ (geometric Brownian motion).

Compared: $E\rho_T$ and $P(\rho_T \le \text{median})$ against the SDE solved by
Euler--Maruyama (Richardson-extrapolated over two step sizes, so the step bias is
$O(h^2)$, and with its Monte Carlo error in the z-test), and the mean and
variance of the log-norm against $-T$ and $2T$.  Finite-width bias: the
network estimates are extrapolated in $n^{-1/2}$ (quadratic), since the shaping
$1 + c/\sqrt n$ leaves $O(n^{-3/2})$ per layer over $Tn$ layers.
"""

from __future__ import annotations

import math

import numpy as np

from derivations.core.parameters import Domain, Parameter
from numerics.generated import covariance_sde_shaped_relu as shaped_relu
from numerics.covariance_sde import shaped_relu_mlp
from numerics.core.sde import ScalarNoise, solve

from ..core.claim import Claim, Profile
from ..core.extrapolation import assert_limit
from ..core.joint import all_of
from ..plots import ClaimPlot, Limit
from ..core.stats import TestResult

__all__ = ["COVARIANCE_SDE_CLAIM", "correlation_sde_paths"]

INF = math.inf
P_CP = Parameter("c_plus", Domain(), "c_+", (0.0, 1.5), "shaping of the positive slope")
P_CM = Parameter("c_minus", Domain(), "c_-", (-1.5, 0.0), "shaping of the negative slope")
P_RHO0 = Parameter("rho0", Domain(-1, 1), r"\rho_0", (-0.8, 0.8), "input correlation")
P_T = Parameter("T", Domain(0, INF, closed=(False, True)), "T", (0.25, 1.5), "depth-to-width ratio d/n")
WIDTHS = (32, 64, 128, 256)
SDE_PATHS = 100_000
SDE_STEPS = 200


def correlation_sde_paths(c_plus, c_minus, rho0, T, *, n_paths, n_steps, seed, ito=True):
    """$\\rho_T$ on ``n_paths`` Euler--Maruyama paths of the correlation SDE (clipped to [-1, 1]).

    Drift ``correlation_drift`` of record ``covariance_sde.shaped_relu``; with ``ito=False`` only
    $\\nu(\\rho)$ (the planted error of dropping Ito's correction).
    """
    drift_fn = shaped_relu.correlation_drift if ito else shaped_relu.nu

    def drift(t, r, args):
        return drift_fn(c_plus, c_minus, np.clip(r, -1.0, 1.0))

    def diffusion(t, r, args):
        return shaped_relu.correlation_diffusion(np.clip(r, -1.0, 1.0))

    sol = solve(drift, ScalarNoise(diffusion), np.full((1, 1), float(rho0)), n_steps=n_steps, t1=T,
                n_paths=n_paths, seed=seed)
    return np.clip(sol.y[:, 0], -1.0, 1.0)


def _inputs(rho0: float) -> np.ndarray:
    return np.array([[1.0, 0.0], [rho0, math.sqrt(max(1.0 - rho0**2, 0.0))]])


def _predict(p, *, ito=True, seed=0):
    """SDE predictions: E rho_T, its standard error, the median m and (for P(rho <= m)) its standard error."""
    ss = np.random.SeedSequence(seed).spawn(2)
    fine = correlation_sde_paths(p["c_plus"], p["c_minus"], p["rho0"], p["T"], n_paths=SDE_PATHS,
                                 n_steps=SDE_STEPS, seed=ss[0], ito=ito)
    coarse = correlation_sde_paths(p["c_plus"], p["c_minus"], p["rho0"], p["T"], n_paths=SDE_PATHS,
                                   n_steps=SDE_STEPS // 2, seed=ss[1], ito=ito)
    mean = 2 * fine.mean() - coarse.mean()  # Richardson: weak order 1 -> O(h^2)
    se = math.sqrt(4 * fine.var() + coarse.var()) / math.sqrt(SDE_PATHS)
    median = float(np.median(fine))
    return {"mean": mean, "se": se, "median": median, "cdf_se": 0.5 / math.sqrt(SDE_PATHS)}


def _samples(base: int, prof: Profile) -> int:
    return int(base * prof.sample_scale)


def _run(claim, p, seed, rate, prof) -> TestResult:
    pred = claim.predict({**p, "_seed": seed})
    N = _samples(4000, prof)
    seeds = np.random.SeedSequence(seed).spawn(len(WIDTHS))
    rows = []
    for n, s in zip(WIDTHS, seeds):
        d = max(1, round(p["T"] * n))
        r = shaped_relu_mlp(_inputs(p["rho0"]), width=n, depth=d, c_plus=p["c_plus"], c_minus=p["c_minus"], n_out=0,
                            n_samples=N, seed=s, record=("covariance_path",))
        rho = r.correlation_path[:, -1, 0, 1]
        L, Tn = r.log_norm_ratio[:, 0], d / n
        below = (rho <= pred["median"]).astype(float)
        m4 = np.mean((L - L.mean()) ** 4)
        rows.append([rho.mean(), rho.std(ddof=1) / math.sqrt(N), below.mean(), below.std(ddof=1) / math.sqrt(N),
                     L.mean() / Tn, L.std(ddof=1) / math.sqrt(N) / Tn, L.var(ddof=1) / Tn,
                     math.sqrt(max(m4 - L.var() ** 2, 0.0) / N) / Tn])
    rows = np.array(rows)
    root = [math.sqrt(n) for n in WIDTHS]
    k, total = 4, N * len(WIDTHS)
    tests = [
        assert_limit(root, rows[:, 0], rows[:, 1], pred["mean"], false_fail_rate=rate / k, n_samples=total,
                     predicted_stderr=pred["se"], variable="n^-1/2 (sizes: sqrt n)"),
        assert_limit(root, rows[:, 2], rows[:, 3], 0.5, false_fail_rate=rate / k, n_samples=total,
                     predicted_stderr=pred["cdf_se"], variable="n^-1/2 (sizes: sqrt n)"),
        assert_limit(root, rows[:, 4], rows[:, 5], -1.0, false_fail_rate=rate / k, n_samples=total,
                     variable="n^-1/2 (sizes: sqrt n)"),
        assert_limit(root, rows[:, 6], rows[:, 7], 2.0, false_fail_rate=rate / k, n_samples=total,
                     variable="n^-1/2 (sizes: sqrt n)"),
    ]
    return all_of(tests, names=["E rho_T", "P(rho_T <= SDE median)", "E ln Phi_T / T", "Var ln Phi_T / T"],
                  data={"sizes": WIDTHS, "rows": rows, "prediction": pred, "rho_error": rows[:, 0] - pred["mean"],
                        "rho_se": rows[:, 1]})


COVARIANCE_SDE_CLAIM = Claim(
    id="claim.covariance_sde",
    title="Shaped-ReLU MLPs at d/n -> T: the correlation follows the neural covariance SDE, the norm a GBM",
    source="Li, Nica and Roy, NeurIPS 2022, Thm 3.2 (correlation SDE by Ito's formula: record covariance_sde.shaped_relu)",
    records=("covariance_sde.shaped_relu",),
    parameters=(P_CP, P_CM, P_RHO0, P_T),
    predict=lambda p: _predict(p, seed=p.get("_seed", 0)),
    run=_run,
    bias=(f"network estimates extrapolated quadratically in n^-1/2 over widths {WIDTHS}; SDE by Euler-Maruyama with "
          f"{SDE_STEPS} and {SDE_STEPS // 2} steps, Richardson-extrapolated, {SDE_PATHS} paths each (its standard "
          "error enters the z-test)"),
    # the linear network (c_+ = c_- = 0): nu = 0, so the drift is Ito's correction alone
    examples=({"c_plus": 0.0, "c_minus": 0.0, "rho0": 0.6, "T": 1.5},),
    # rows[:, 2j] is the estimate of quantity j and rows[:, 2j + 1] its standard error (see _run)
    plot=ClaimPlot("Shaped-ReLU MLPs at d = Tn against the neural covariance SDE (correlation) and a GBM (log-norm)",
                   tuple(Limit(name, estimate=("rows", 2 * j), stderr=("rows", 2 * j + 1), theory=theory, power=0.5)
                         for j, (name, theory) in enumerate((("E ρ_d", ("prediction", "mean")),
                                                             ("P(ρ_d ≤ SDE median)", 0.5),
                                                             ("E ln Φ_d / T", -1.0), ("Var ln Φ_d / T", 2.0))))),
    formulas=("covariance_sde.shaped_relu:correlation_drift", "covariance_sde.shaped_relu:correlation_diffusion",
              "covariance_sde.shaped_relu:log_norm_mean", "covariance_sde.shaped_relu:log_norm_variance"),
)

CLAIMS = (COVARIANCE_SDE_CLAIM,)
