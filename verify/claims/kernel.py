r"""Claims of the ``kernel`` family: NNGP and NTK of finite fully connected networks.

* ``claim.nngp_depth1``: for one hidden layer, $E[f(x)f(x')] = K^{2}(x, x')$
  *exactly at every width* (the hidden pre-activations are exactly Gaussian),
  so the z-test needs no bias term.
* ``claim.nngp_deep``: for deeper networks $E[f(x)f(x')] = K + b_1/n + b_2/n^2 + \dots$;
  the limit is extrapolated in $1/n$ and compared with the NNGP.
* ``claim.ntk``: the empirical NTK's mean converges to the analytic NTK
  (extrapolated in $1/n$, error $O(1/n)$), and its fluctuation falls as $n^{-1/2}$
  (log-log slope).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
from hypothesis import strategies as st

from derivations.core.parameters import Domain, Parameter
from numerics.kernel import recursions as kernels
from numerics.kernel.networks import fc_empirical_ntk, fc_outputs

from ..core.claim import Claim, Profile
from ..core.extrapolation import assert_limit
from ..core.stats import TestResult, assert_mean, assert_rate
from ..plots import ClaimPlot, Exact, Limit, Rate

__all__ = ["CLAIMS", "NNGP_DEPTH1_CLAIM", "NNGP_DEEP_CLAIM", "NTK_CLAIM", "two_inputs"]

INF = math.inf
NETWORK_ACTIVATIONS = ("relu", "erf", "gelu", "tanh", "abs")
P_ACT = Parameter("activation", Domain(0, INF, integer=True), r"\varphi", (0, 0), "activation (categorical)")
P_WIDTH = Parameter("width", Domain(1, INF, integer=True), "n", (1, 64), "hidden width")
P_DEPTH = Parameter("depth", Domain(1, INF, integer=True), "L", (2, 3), "hidden layers")
P_W = Parameter("W_std", Domain(0, INF), r"\sigma_w", (0.8, 1.6), "weight standard deviation")
P_B = Parameter("b_std", Domain(0, INF), r"\sigma_b", (0.0, 0.3), "bias standard deviation")
P_ANGLE = Parameter("angle", Domain(0, math.pi), r"\gamma", (0.0, math.pi), "angle between the two inputs")
P_R1 = Parameter("r1", Domain(0, INF), "r_1", (0.5, 2.0), "norm of the first input")
P_R2 = Parameter("r2", Domain(0, INF), "r_2", (0.5, 2.0), "norm of the second input")


def two_inputs(params: Mapping) -> np.ndarray:
    """Inputs $x = r_1 e_1$ and $x' = r_2(\\cos\\gamma\\, e_1 + \\sin\\gamma\\, e_2)$ in $\\mathbb R^3$."""
    r1, r2, g = params["r1"], params["r2"], params["angle"]
    return np.array([[r1, 0.0, 0.0], [r2 * math.cos(g), r2 * math.sin(g), 0.0]])


def _samples(base: int, prof: Profile) -> int:
    return int(base * prof.sample_scale)


# -- NNGP at depth 1: exact at every width ---------------------------------------------
def _predict_nngp(p):
    x = two_inputs(p)
    k, _ = kernels.nngp_ntk(x, activation=p["activation"], depth=p["depth"], W_std=p["W_std"], b_std=p["b_std"])
    return np.array([k[0, 0], k[1, 1], k[0, 1]])


def _moments(f: np.ndarray) -> np.ndarray:
    return np.stack([f[:, 0] ** 2, f[:, 1] ** 2, f[:, 0] * f[:, 1]], axis=1)


def _run_nngp_depth1(claim, p, seed, rate, prof) -> TestResult:
    n = _samples(100_000, prof)
    f = fc_outputs(two_inputs(p), activation=p["activation"], depth=1, width=p["width"], W_std=p["W_std"],
                   b_std=p["b_std"], n_samples=n, seed=seed)
    m, predicted = _moments(f), claim.predict({**p, "depth": 1})
    res = assert_mean(m, predicted, false_fail_rate=rate, raise_on_failure=False)
    return dataclasses.replace(res, data={"moments": m.mean(0), "stderr": m.std(0, ddof=1) / math.sqrt(n),
                                          "prediction": np.asarray(predicted, dtype=float)})


NNGP_DEPTH1_CLAIM = Claim(
    id="claim.nngp_depth1",
    title="One hidden layer: the output covariance equals the NNGP at every width",
    source="Neal (1996); Lee et al. (ICLR 2018): the pre-activations of layer 1 are exactly Gaussian",
    records=("kernel.fc", "dual.relu"),
    parameters=(P_ACT, P_WIDTH, P_W, P_B, P_ANGLE, P_R1, P_R2),
    predict=_predict_nngp,
    run=_run_nngp_depth1,
    bias="exact at finite size: E[f(x) f(x')] = K^2(x, x') for any width",
    examples=({"activation": "relu", "width": 1, "W_std": 1.5, "b_std": 0.05, "angle": math.pi, "r1": 1.0, "r2": 1.0},),
    strategies={"activation": st.sampled_from(NETWORK_ACTIVATIONS)},
    plot=ClaimPlot("One hidden layer: output second moments against the NNGP (exact at every width)",
                   (Exact(("E f(x)^2", "E f(x')^2", "E f(x) f(x')"), observed="moments", theory="prediction",
                          stderr="stderr"),)),
    formulas=("kernel.fc:nngp_step", "dual.relu:dual"),
)


# -- NNGP of deeper networks: extrapolation in 1/n ----------------------------------------
DEEP_WIDTHS = (16, 32, 64, 128)


def _run_nngp_deep(claim, p, seed, rate, prof) -> TestResult:
    x = two_inputs(p)
    n = _samples(60_000, prof)
    predicted = claim.predict(p)
    seeds = np.random.SeedSequence(seed).spawn(len(DEEP_WIDTHS))
    est, se = [], []
    for width, s in zip(DEEP_WIDTHS, seeds):
        f = fc_outputs(x, activation=p["activation"], depth=p["depth"], width=width, W_std=p["W_std"],
                       b_std=p["b_std"], n_samples=n, seed=s)
        m = _moments(f)
        est.append(m.mean(0))
        se.append(m.std(0, ddof=1) / math.sqrt(n))
    est, se = np.array(est), np.array(se)
    results = [assert_limit(DEEP_WIDTHS, est[:, j], se[:, j], predicted[j], false_fail_rate=rate / 3,
                            n_samples=n * len(DEEP_WIDTHS)) for j in range(3)]
    worst = max(results, key=lambda r: r.statistic / r.threshold)
    return TestResult(passed=all(r.passed for r in results), statistic=worst.statistic, threshold=worst.threshold,
                      false_fail_rate=rate, detectable_discrepancy=max(r.detectable_discrepancy for r in results),
                      n_samples=n * len(DEEP_WIDTHS), observed=np.array([r.observed for r in results]),
                      predicted=predicted, detail="; ".join(r.detail for r in results),
                      data={"sizes": DEEP_WIDTHS, "error": est[:, 2] - predicted[2], "stderr": se[:, 2]})


NNGP_DEEP_CLAIM = Claim(
    id="claim.nngp_deep",
    title="Deep networks: the output covariance converges to the NNGP as width grows",
    source="Lee et al. (ICLR 2018); Matthews et al. (ICLR 2018); 1/n corrections: Roberts, Yaida and Hanin (2022)",
    records=("kernel.fc",),
    parameters=(P_ACT, P_DEPTH, P_W, P_B, P_ANGLE, P_R1, P_R2),
    predict=_predict_nngp,
    run=_run_nngp_deep,
    bias=f"extrapolation: quadratic fit in 1/n over widths {DEEP_WIDTHS}; O(n^-3) truncation neglected",
    examples=({"activation": "relu", "depth": 2, "W_std": 1.5, "b_std": 0.05, "angle": 2.0, "r1": 1.0, "r2": 1.5},),
    strategies={"activation": st.sampled_from(NETWORK_ACTIVATIONS)},
    plot=ClaimPlot("Deep networks: output covariance E f(x)f(x') against the NNGP K(x, x') as the width grows",
                   (Limit("E f(x) f(x')", estimate="error", theory=0.0, stderr="stderr"),)),
    formulas=("kernel.fc:nngp_step",),
)


# -- NTK: mean error O(1/n), fluctuation O(n^-1/2) ---------------------------------------
NTK_WIDTHS = (32, 64, 128, 256)
FLUCTUATION_TOLERANCE = 0.15  # modelling tolerance on the slope (O(1/n) corrections to the sd), not a probability


def _predict_ntk(p):
    x = two_inputs(p)
    _, t = kernels.nngp_ntk(x, activation=p["activation"], depth=p["depth"], W_std=p["W_std"], b_std=p["b_std"])
    return float(t[0, 1])


def _run_ntk(claim, p, seed, rate, prof) -> TestResult:
    x = two_inputs(p)
    n = _samples(1500, prof)
    predicted = claim.predict(p)
    seeds = np.random.SeedSequence(seed).spawn(len(NTK_WIDTHS))
    est, se, sd = [], [], []
    for width, s in zip(NTK_WIDTHS, seeds):
        _, ntk = fc_empirical_ntk(x, activation=p["activation"], depth=p["depth"], width=width, W_std=p["W_std"],
                                  b_std=p["b_std"], n_samples=n, seed=s)
        v = ntk[:, 0, 1]
        est.append(v.mean())
        sd.append(v.std(ddof=1))
        se.append(sd[-1] / math.sqrt(n))
    mean_test = assert_limit(NTK_WIDTHS, est, se, predicted, false_fail_rate=rate, n_samples=n * len(NTK_WIDTHS))
    slope = assert_rate(NTK_WIDTHS, sd, predicted_order=-0.5, tolerance=FLUCTUATION_TOLERANCE, raise_on_failure=False)
    detail = f"{mean_test.detail}; fluctuation slope {slope.slope:.3f} (predicted -0.5 +- {FLUCTUATION_TOLERANCE})"
    return TestResult(passed=mean_test.passed and slope.passed, statistic=mean_test.statistic,
                      threshold=mean_test.threshold, false_fail_rate=rate,
                      detectable_discrepancy=mean_test.detectable_discrepancy, n_samples=n * len(NTK_WIDTHS),
                      observed=mean_test.observed, predicted=predicted, detail=detail,
                      data={"sizes": NTK_WIDTHS, "mean_error": np.array(est) - predicted, "stderr": se, "sd": sd})


NTK_CLAIM = Claim(
    id="claim.ntk",
    title="The empirical NTK converges to the analytic NTK: mean error O(1/n), fluctuation O(n^-1/2)",
    source="Jacot et al. (NeurIPS 2018), Thm 1-2; Hanin and Nica (ICLR 2020) for the 1/n corrections",
    records=("kernel.fc",),
    parameters=(P_ACT, P_DEPTH, P_W, P_B, P_ANGLE, P_R1, P_R2),
    predict=_predict_ntk,
    run=_run_ntk,
    bias=f"extrapolation of the mean in 1/n over widths {NTK_WIDTHS}; log-log slope of the standard deviation",
    examples=({"activation": "relu", "depth": 2, "W_std": 1.5, "b_std": 0.05, "angle": 1.0, "r1": 1.0, "r2": 1.0},),
    strategies={"activation": st.sampled_from(NETWORK_ACTIVATIONS)},
    plot=ClaimPlot("Empirical NTK against the analytic NTK: mean error O(1/n), fluctuation O(n^-1/2)",
                   (Limit("mean empirical NTK Θ(x, x')", estimate="mean_error", theory=0.0, stderr="stderr"),
                    Rate("standard deviation of the empirical NTK", values="sd", order=-0.5))),
    formulas=("kernel.fc:ntk_layer",),
)


CLAIMS = (NNGP_DEPTH1_CLAIM, NNGP_DEEP_CLAIM, NTK_CLAIM)
