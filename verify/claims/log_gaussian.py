r"""Claims of the depth-and-width regime ($d/n \to \beta$): log-Gaussian norms and hypoactivation.

* ``claim.hanin_nica_exact``: $\ln(\|a_d\|^2/\|a_0\|^2)$ of a fully connected He-ReLU
  (or linear) network has mean $d\,m_1(n)$ and variance $d\,v_1(n)$ **exactly at every
  width**, with $m_1, v_1$ the per-layer log-moments of $(2/n)\chi^2_K$,
  $K \sim \mathrm{Bin}(n, 1/2)$ (Hanin and Nica 2020).  z-tests, no bias term.
* ``claim.log_gaussian``: $L_d = \ln(\|z_d\|^2/\|z_0\|^2) \Rightarrow N(\mu\beta, \sigma^2\beta)$ for
  fully connected ReLU nets and the balanced and standard ReLU ResNets (Li, Nica and
  Roy 2021, architecture of ``log_gaussian.*``).  Finite-size bias by extrapolation:
  the mean and variance per unit $\beta$ in $1/n$ (first order), and the CDF of the
  standardised $L_d$ at three points in $n^{-1/2}$ (Edgeworth: the first correction
  to a CDF is $O(d^{-1/2})$).
* ``claim.gaussian_falsified``: the infinite-width (Gaussian) prediction for the
  output norm of a standard ResNet, $\ln\|z_{out}\|^2 \sim \ln(\|x\|^2/n_{in}) + \ln\chi^2_{n_{out}}$,
  is rejected by hypothesis's search over the depth at fixed width, and the
  log-Gaussian claim passes at the smallest rejected $d/n$.
* ``claim.hypoactivation``: $n(E\,\#\text{active}/n - \tfrac12)$ and $n(E r_\ell - \tfrac12)$, the
  lag-one correlation of $\delta_\ell$ and the overlap of consecutive activation patterns
  of the standard ResNet against the series of ``log_gaussian.hypoactivation``, and their
  absence in the balanced ResNet (extrapolated in $1/n$).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from scipy import stats as sstats

from derivations.core.parameters import Domain, Parameter
from numerics.generated import log_gaussian_fc_linear as fc_linear
from numerics.generated import log_gaussian_fc_relu as fc_relu
from numerics.generated import log_gaussian_resnet_balanced as resnet_balanced
from numerics.generated import log_gaussian_resnet_standard as resnet_standard
from numerics.log_gaussian import fc_linear_net, fc_relu_net, relu_resnet

from ..core.claim import Claim, Profile
from ..core.extrapolation import assert_limit
from ..core.joint import all_of
from ..plots import Cdf, ClaimPlot, Exact, Limit
from ..core.stats import TestResult, assert_cdf_dkwm, assert_mean, assert_two_sample_dkwm

__all__ = ["LOG_GAUSSIAN_CLAIMS"]

INF = math.inf
P_FC_ACT = Parameter("activation", Domain(0, INF, integer=True), r"\varphi", (0, 0), "relu or linear (categorical)")
P_N = Parameter("width", Domain(1, INF, integer=True), "n", (8, 128), "hidden width")
P_D = Parameter("depth", Domain(1, INF, integer=True), "d", (1, 48), "hidden layers")
P_ARCH = Parameter("architecture", Domain(0, INF, integer=True), "A", (0, 0),
                   "fc_relu, resnet_balanced or resnet_standard (categorical)")
P_BETA = Parameter("beta", Domain(0, INF, closed=(False, True)), r"\beta", (0.25, 1.0), "depth-to-width ratio d/n")
P_LAM2 = Parameter("lambda2", Domain(0, 1), r"\lambda^2", (0.2, 0.8), "squared branch weight (alpha^2 = 1 - lambda^2)")


def _samples(base: int, prof: Profile) -> int:
    return int(base * prof.sample_scale)


def _alive(x: np.ndarray) -> np.ndarray:
    """Drop dead ReLU networks ($-\\infty$): conditions every layer on $K_\\ell \\ge 1$, as the exact law does."""
    return x[np.isfinite(x)]


# -- predictions (generated numerics of the log_gaussian.* records) ---------------------------
def _hn_per_layer(activation: str, n: int) -> tuple[float, float]:
    """Exact per-layer mean and variance of $\\ln R$ (records ``log_gaussian.fc_relu`` / ``fc_linear``)."""
    module = fc_relu if activation == "relu" else fc_linear
    return float(module.log_ratio_mean(n)), float(module.log_ratio_variance(n))


def _limit_per_beta(architecture: str, lam2: float) -> tuple[float, float]:
    """$(\\mu/\\beta, \\sigma^2/\\beta)$ of the log-Gaussian limit."""
    lam = math.sqrt(lam2)
    if architecture == "fc_relu":
        return float(fc_relu.limit_mean(1.0)), float(fc_relu.limit_variance(1.0))
    module = {"resnet_balanced": resnet_balanced, "resnet_standard": resnet_standard}[architecture]
    return float(module.limit_mean(lam, 1.0)), float(module.limit_variance(lam, 1.0))


# -- claim.hanin_nica_exact -----------------------------------------------------------------
def _predict_hn(p):
    m1, v1 = _hn_per_layer(p["activation"], p["width"])
    return np.array([p["depth"] * m1, p["depth"] * v1])


def _simulate_fc(activation, n, d, n_samples, seed):
    net = fc_relu_net if activation == "relu" else fc_linear_net
    x = np.ones(n)
    return net(x, widths=[n] * d, n_out=0, n_samples=n_samples, seed=seed).log_norm_ratio[:, 0]


def _run_hn(claim, p, seed, rate, prof) -> TestResult:
    mean, var = claim.predict(p)
    x = _alive(_simulate_fc(p["activation"], p["width"], p["depth"], _samples(20_000, prof), seed))
    t_mean = assert_mean(x, mean, false_fail_rate=rate / 2, raise_on_failure=False)
    t_var = assert_mean((x - mean) ** 2, var, false_fail_rate=rate / 2, raise_on_failure=False)
    sq = (x - mean) ** 2  # plot data: the two tested means and their standard errors
    return all_of([t_mean, t_var], names=["mean", "variance"],
                  data={"observed": np.array([x.mean(), sq.mean()]), "prediction": np.array([mean, var]),
                        "stderr": np.array([x.std(ddof=1), sq.std(ddof=1)]) / math.sqrt(len(x))})


HN_EXACT_CLAIM = Claim(
    id="claim.hanin_nica_exact",
    title="Fully connected ReLU and linear nets: exact finite-width log-moments of the squared norm",
    source="Hanin and Nica, Comm. Math. Phys. 376 (2020); records log_gaussian.fc_relu, log_gaussian.fc_linear",
    records=("log_gaussian.fc_relu", "log_gaussian.fc_linear"),
    parameters=(P_FC_ACT, P_N, P_D),
    predict=_predict_hn,
    run=_run_hn,
    bias="exact at finite size: mean d m_1(n) and variance d v_1(n) (dead ReLU networks, probability <= d 2^-n, "
         "are dropped: the exact law conditions on K >= 1)",
    examples=({"activation": "relu", "width": 8, "depth": 48}, {"activation": "linear", "width": 8, "depth": 48}),
    strategies={"activation": st.sampled_from(("relu", "linear")), "width": st.integers(8, 128),
                "depth": st.integers(1, 48)},
    plot=ClaimPlot("Fully connected ReLU and linear nets: mean and variance of ln(|a_d|^2/|a_0|^2), exact at every width",
                   (Exact(("mean d m_1(n)", "variance d v_1(n)"), observed="observed", theory="prediction",
                          stderr="stderr"),)),
    formulas=("log_gaussian.fc_relu:log_norm_mean", "log_gaussian.fc_relu:log_norm_variance",
              "log_gaussian.fc_linear:log_norm_mean", "log_gaussian.fc_linear:log_norm_variance"),
)


# -- claim.log_gaussian ----------------------------------------------------------------------
ARCHITECTURES = ("fc_relu", "resnet_balanced", "resnet_standard")
LG_WIDTHS = (32, 64, 128, 256)  # below 32 the standard ResNet is not yet in its O(1/n) regime
LG_POINTS = (-1.0, 0.0, 1.0)  # standardised CDF points


def _depth(beta: float, n: int) -> int:
    return max(1, round(beta * n))


def _simulate_log_norm(architecture, lam2, n, d, n_samples, seed) -> np.ndarray:
    if architecture == "fc_relu":
        return _alive(_simulate_fc("relu", n, d, n_samples, seed))
    block = architecture.removeprefix("resnet_")
    r = relu_resnet(np.ones(n), width=n, depth=d, branch_weight=math.sqrt(lam2), block=block, n_out=0,
                    n_samples=n_samples, seed=seed)
    return r.log_norm_ratio[:, 0]


def _predict_lg(p):
    return np.array(_limit_per_beta(p["architecture"], p.get("lambda2", 0.5)))


def _moment_estimates(x: np.ndarray, beta_n: float):
    """Mean and variance per unit beta, with standard errors (the variance's from the 4th central moment)."""
    N = len(x)
    mean, var = x.mean(), x.var(ddof=1)
    m4 = np.mean((x - mean) ** 4)
    return (mean / beta_n, math.sqrt(var / N) / beta_n, var / beta_n, math.sqrt(max(m4 - var**2, 0.0) / N) / beta_n)


def log_gaussian_test(p, predicted, seed, rate, prof, *, widths=LG_WIDTHS, n_samples=3000) -> TestResult:
    """The test behind ``claim.log_gaussian``: ``predicted`` is $(\\mu/\\beta, \\sigma^2/\\beta)$."""
    mu, s2 = predicted
    N = _samples(n_samples, prof)
    seeds = np.random.SeedSequence(seed).spawn(len(widths))
    rows, cdf, cdf_se = [], [], []
    for n, s in zip(widths, seeds):
        d = _depth(p["beta"], n)
        x = _simulate_log_norm(p["architecture"], p.get("lambda2", 0.5), n, d, N, s)
        beta_n = d / n
        rows.append(_moment_estimates(x, beta_n))
        z = (x - mu * beta_n) / math.sqrt(s2 * beta_n)
        f = np.array([np.mean(z <= t) for t in LG_POINTS])
        cdf.append(f)
        cdf_se.append(np.sqrt(np.maximum(f * (1 - f), 1.0 / len(x)) / len(x)))
    rows = np.array(rows)
    cdf, cdf_se = np.array(cdf), np.array(cdf_se)
    k = 2 + len(LG_POINTS)
    total = N * len(widths)
    tests = [assert_limit(widths, rows[:, 0], rows[:, 1], mu, false_fail_rate=rate / k, order=1, n_samples=total),
             assert_limit(widths, rows[:, 2], rows[:, 3], s2, false_fail_rate=rate / k, order=1, n_samples=total)]
    root = [math.sqrt(n) for n in widths]  # 1/size = n^{-1/2}
    for j, t in enumerate(LG_POINTS):
        tests.append(assert_limit(root, cdf[:, j], cdf_se[:, j], float(sstats.norm.cdf(t)),
                                  false_fail_rate=rate / k, order=2, n_samples=total,
                                  variable="n^-1/2 (sizes: sqrt n)"))
    names = ["mean/beta", "variance/beta"] + [f"P(Z <= {t:g})" for t in LG_POINTS]
    return all_of(tests, names=names, data={"sizes": widths, "mean": rows[:, 0], "mean_se": rows[:, 1],
                                            "variance": rows[:, 2], "variance_se": rows[:, 3],
                                            "mean_error": rows[:, 0] - mu, "variance_error": rows[:, 2] - s2,
                                            "prediction": np.array([mu, s2])})


def _run_lg(claim, p, seed, rate, prof) -> TestResult:
    return log_gaussian_test(p, claim.predict(p), seed, rate, prof)


LOG_GAUSSIAN_CLAIM = Claim(
    id="claim.log_gaussian",
    title="ln(|z_d|^2/|z_0|^2) is log-Gaussian N(mu beta, sigma^2 beta) as d/n -> beta (FC ReLU, balanced and standard ResNets)",
    source="Hanin and Nica (2020); Li, Nica and Roy, NeurIPS 2021, Thm 1 and Thm 4 (architecture of log_gaussian.*)",
    records=("log_gaussian.fc_relu", "log_gaussian.resnet_balanced", "log_gaussian.resnet_standard"),
    parameters=(P_ARCH, P_BETA, P_LAM2),
    predict=_predict_lg,
    run=_run_lg,
    bias=(f"extrapolation over widths {LG_WIDTHS} with d = round(beta n): mean and variance per unit beta linear in "
          "1/n; the standardised CDF at -1, 0, 1 quadratic in n^-1/2 (Edgeworth)"),
    examples=({"architecture": "resnet_standard", "beta": 1.0, "lambda2": 0.5},),
    strategies={"architecture": st.sampled_from(ARCHITECTURES)},
    plot=ClaimPlot("Log-norm moments per unit d/n against the log-Gaussian limit (d = round(beta n))",
                   (Limit("E L_d / β", estimate="mean", theory=("prediction", 0), stderr="mean_se"),
                    Limit("Var L_d / β", estimate="variance", theory=("prediction", 1), stderr="variance_se"))),
    formulas=("log_gaussian.fc_relu:limit_mean", "log_gaussian.fc_relu:limit_variance",
              "log_gaussian.resnet_balanced:limit_mean", "log_gaussian.resnet_balanced:limit_variance",
              "log_gaussian.resnet_standard:limit_mean", "log_gaussian.resnet_standard:limit_variance"),
)


# -- claim.gaussian_falsified ------------------------------------------------------------------
FALSIFIER_WIDTH = 128
FALSIFIER_OUTPUTS = 10
FALSIFIER_SAMPLES = 2000
MODEL_SAMPLES = 400_000  # draws from the predicted law (two-sample DKWM; its envelope is then ~20x smaller)
P_DEPTH_F = Parameter("depth", Domain(1, INF, integer=True), "d", (1, FALSIFIER_WIDTH),
                      f"hidden layers (width {FALSIFIER_WIDTH})")


def _output_log_norms(depth: int, n_samples: int, seed) -> np.ndarray:
    r"""$\ln\|z_{out}\|^2$ of standard ReLU ResNets ($\lambda^2 = 1/2$) on an input with $\|x\|^2 = n_{in}$."""
    n = FALSIFIER_WIDTH
    r = relu_resnet(np.ones(n), width=n, depth=depth, branch_weight=math.sqrt(0.5), block="standard",
                    n_out=FALSIFIER_OUTPUTS, n_samples=n_samples, seed=seed)
    return r.log_output_norm[:, 0]


def _gp_output_cdf(y):
    r"""CDF of $\ln\chi^2_{n_{out}}$: the infinite-width law of $\ln\|z_{out}\|^2$ for $\|x\|^2 = n_{in}$."""
    return sstats.chi2.cdf(np.exp(y), FALSIFIER_OUTPUTS)


def _run_gaussian(claim, p, seed, rate, prof) -> TestResult:
    y = _output_log_norms(p["depth"], _samples(FALSIFIER_SAMPLES, prof), seed)
    return assert_cdf_dkwm(y, _gp_output_cdf, false_fail_rate=rate, raise_on_failure=False)


GAUSSIAN_CLAIM = Claim(
    id="claim.gaussian_limit_standard_resnet",
    title="(expected false) the infinite-width Gaussian law of the output norm holds for standard ReLU ResNets at d/n > 0",
    source="Infinite-width limit at fixed depth (Neal 1996; Lee et al. 2018), applied where d/n is not small",
    records=("log_gaussian.fc_relu",),
    parameters=(P_DEPTH_F,),
    predict=lambda p: float(sstats.chi2.median(FALSIFIER_OUTPUTS)),
    run=_run_gaussian,
    bias="none: the Gaussian prediction is exact only as n -> infinity at fixed d; this claim exists to be falsified",
)


def log_gaussian_output_sample(depth: int, n_samples: int, seed, *, lam2: float = 0.5) -> np.ndarray:
    r"""Draws of the log-Gaussian prediction for $\ln\|z_{out}\|^2$ at width $n$ and depth $d$.

    $\ln(\chi^2_n/n) + N(\mu\beta, \sigma^2\beta) + \ln\chi^2_{n_{out}}$, $\beta = d/n$, the three
    terms independent (input layer, residual stream, readout; record ``log_gaussian.output_neuron``).
    """
    n = FALSIFIER_WIDTH
    mu, s2 = _limit_per_beta("resnet_standard", lam2)
    beta = depth / n
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    return (np.log(rng.chisquare(n, n_samples) / n) + rng.normal(mu * beta, math.sqrt(s2 * beta), n_samples)
            + np.log(rng.chisquare(FALSIFIER_OUTPUTS, n_samples)))


def _run_falsifier(claim, p, seed, rate, prof) -> TestResult:
    from ..core.claim import check

    inner = check(GAUSSIAN_CLAIM, profile=prof)
    if inner.counterexample is None:
        return TestResult(passed=False, statistic=math.inf, threshold=1.0, false_fail_rate=rate,
                          detectable_discrepancy=math.nan, n_samples=inner.n_samples, observed=math.nan,
                          predicted=math.nan, detail="the Gaussian limit was not rejected at any searched depth")
    params, _, rejected = inner.counterexample
    d = params["depth"]
    beta = d / FALSIFIER_WIDTH
    y = _output_log_norms(d, _samples(FALSIFIER_SAMPLES, prof), np.random.SeedSequence(seed).spawn(2)[1])
    model = log_gaussian_output_sample(d, MODEL_SAMPLES, seed)
    lg = assert_two_sample_dkwm(y, model, false_fail_rate=rate, raise_on_failure=False)
    grid = np.linspace(*np.quantile(y, [0.002, 0.998]), 200)  # plot data: both laws and the networks' CDF
    cdf = {"cdf_grid": grid, "cdf_network": np.searchsorted(np.sort(y), grid, side="right") / len(y),
           "cdf_gaussian": _gp_output_cdf(grid),
           "cdf_log_gaussian": np.searchsorted(np.sort(model), grid, side="right") / len(model)}
    detail = (f"smallest rejected d/n = {d}/{FALSIFIER_WIDTH} = {beta:.4g} (Gaussian: sup|F_n - F| = "
              f"{rejected.statistic:.3g} > {rejected.threshold:.3g}; detects {rejected.detectable_discrepancy:.3g}); "
              f"log-Gaussian at that depth, fresh networks: {'passes' if lg.passed else 'REJECTED'} ({lg.detail})")
    return TestResult(passed=lg.passed, statistic=lg.statistic, threshold=lg.threshold, false_fail_rate=rate,
                      detectable_discrepancy=lg.detectable_discrepancy, n_samples=lg.n_samples + inner.n_samples,
                      observed=beta, predicted=beta, detail=detail,
                      data={"smallest_rejected_beta": beta, "gaussian": rejected, "log_gaussian": lg, **cdf})


FALSIFIER_CLAIM = Claim(
    id="claim.gaussian_falsified",
    title="The Gaussian limit of a standard ReLU ResNet is rejected as d/n grows, where the log-Gaussian one holds",
    source="Li, Nica and Roy, NeurIPS 2021 (Fig. 1); the Gaussian search is claim.gaussian_limit_standard_resnet",
    records=("log_gaussian.resnet_standard", "log_gaussian.fc_relu"),
    parameters=(),
    predict=lambda p: 0.0,
    run=_run_falsifier,
    bias=(f"both laws tested at the same width {FALSIFIER_WIDTH} and depth with {FALSIFIER_SAMPLES} networks: the "
          "Gaussian by one-sample DKWM (hypothesis shrinks the depth to the smallest rejected one), the log-Gaussian "
          f"by two-sample DKWM against {MODEL_SAMPLES} draws of its law"),
    max_examples=1,
    plot=ClaimPlot(f"Standard ReLU ResNet (width {FALSIFIER_WIDTH}) at the smallest depth where the Gaussian limit "
                   "is rejected: output log-norm against both laws",
                   (Cdf("ln |z_out|^2", grid="cdf_grid", empirical="cdf_network",
                        theories=(("Gaussian limit (rejected)", "cdf_gaussian"),
                                  ("log-Gaussian law", "cdf_log_gaussian"))),)),
    formulas=("log_gaussian.resnet_standard:limit_mean", "log_gaussian.resnet_standard:limit_variance"),
)


# -- claim.hypoactivation --------------------------------------------------------------------
HYPO_WIDTHS = (32, 64, 128, 256)  # at n = 16 the deficit still drifts after 300 layers
HYPO_BURN_IN = 60   # alpha^60 <= 0.894^60 < 1.2e-3: the transient of E delta_l is below the noise
HYPO_WINDOW = 120   # stationary layers averaged per network
P_BLOCK = Parameter("block", Domain(0, INF, integer=True), "B", (0, 0), "standard or balanced (categorical)")
HYPO_NAMES = ("n (E frac_on - 1/2)", "n (E r - 1/2)", "corr(delta_l, delta_l+1)", "P(active at l and l+1)")


def _predict_hypo(p):
    return np.array(_hypoactivation(p["block"], p["lambda2"]))


def _hypoactivation(block: str, lam2: float) -> tuple[float, float, float, float]:
    """$n(E\\,\\text{frac} - \\tfrac12)$, $n(E r - \\tfrac12)$, lag-one corr of $\\delta$, pattern overlap."""
    if block == "balanced":  # fresh signs: delta is a martingale difference, patterns independent
        return 0.0, 0.0, 0.0, 0.25
    lam = math.sqrt(lam2)
    return (float(resnet_standard.activation_fraction(lam, 1)) - 0.5, float(resnet_standard.mass_fraction(lam, 1)) - 0.5,
            float(resnet_standard.delta_correlation(lam, 1)), float(resnet_standard.pattern_overlap(lam)))


def _ratio_estimate(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """$\\sum num / \\sum den$ over i.i.d. networks, with its delta-method standard error."""
    r = num.sum() / den.sum()
    resid = num - r * den
    return r, resid.std(ddof=1) / (math.sqrt(len(num)) * den.mean())


def _hypo_estimates(block, lam2, n, n_samples, seed):
    d = HYPO_BURN_IN + HYPO_WINDOW
    r = relu_resnet(np.ones(n), width=n, depth=d, branch_weight=math.sqrt(lam2), block=block, n_out=0,
                    n_samples=n_samples, seed=seed, record=("active_fraction", "active_mass", "overlap"))
    w = slice(HYPO_BURN_IN, d)
    frac = n * (r.active_fraction[:, w, 0].mean(axis=1) - 0.5)
    mass = n * (r.active_mass[:, w, 0].mean(axis=1) - 0.5)
    overlap = r.overlap[:, HYPO_BURN_IN:, 0].mean(axis=1)
    delta = r.active_mass[:, w, 0] - 0.5
    delta = delta - delta.mean()
    corr = _ratio_estimate((delta[:, :-1] * delta[:, 1:]).sum(axis=1), (delta[:, :-1] ** 2).sum(axis=1))
    N = n_samples
    return [(frac.mean(), frac.std(ddof=1) / math.sqrt(N)), (mass.mean(), mass.std(ddof=1) / math.sqrt(N)), corr,
            (overlap.mean(), overlap.std(ddof=1) / math.sqrt(N))]


def _run_hypo(claim, p, seed, rate, prof) -> TestResult:
    predicted = claim.predict(p)
    N = _samples(1000, prof)
    seeds = np.random.SeedSequence(seed).spawn(len(HYPO_WIDTHS))
    est = np.array([_hypo_estimates(p["block"], p["lambda2"], n, N, s) for n, s in zip(HYPO_WIDTHS, seeds)])
    tests = [assert_limit(HYPO_WIDTHS, est[:, j, 0], est[:, j, 1], predicted[j], false_fail_rate=rate / 4, order=1,
                          n_samples=N * len(HYPO_WIDTHS)) for j in range(4)]
    return all_of(tests, names=HYPO_NAMES, data={"sizes": HYPO_WIDTHS, "estimates": est,
                                                 "mass_error": est[:, 1, 0] - predicted[1], "mass_se": est[:, 1, 1],
                                                 "count_error": est[:, 0, 0] - predicted[0], "count_se": est[:, 0, 1],
                                                 "prediction": np.asarray(predicted, dtype=float)})


HYPO_CLAIM = Claim(
    id="claim.hypoactivation",
    title="Standard ReLU ResNets are hypoactivated and their layers correlated; balanced ResNets are not",
    source="Li, Nica and Roy, NeurIPS 2021, Prop 2 and Thm 4 (series of record log_gaussian.hypoactivation)",
    records=("log_gaussian.resnet_standard",),
    parameters=(P_BLOCK, P_LAM2),
    predict=_predict_hypo,
    run=_run_hypo,
    bias=(f"extrapolation linear in 1/n over widths {HYPO_WIDTHS}; layers {HYPO_BURN_IN}..{HYPO_BURN_IN + HYPO_WINDOW} "
          "averaged per network (stationary), networks i.i.d."),
    examples=({"block": "standard", "lambda2": 0.5}, {"block": "balanced", "lambda2": 0.5}),
    strategies={"block": st.sampled_from(("standard", "balanced"))},
    # estimates[:, j] = (mean, SE) of quantity j: ("estimates", 0, j) is the mean, ("estimates", 1, j) its SE
    plot=ClaimPlot("Hypoactivation and layer correlation of ReLU ResNets against the series",
                   tuple(Limit(name, estimate=("estimates", 0, j), theory=("prediction", j),
                               stderr=("estimates", 1, j)) for j, name in enumerate(HYPO_NAMES))),
    formulas=("log_gaussian.resnet_standard:activation_fraction", "log_gaussian.resnet_standard:mass_fraction",
              "log_gaussian.resnet_standard:delta_correlation", "log_gaussian.resnet_standard:pattern_overlap"),
)

LOG_GAUSSIAN_CLAIMS = (HN_EXACT_CLAIM, LOG_GAUSSIAN_CLAIM, FALSIFIER_CLAIM, HYPO_CLAIM)
CLAIMS = LOG_GAUSSIAN_CLAIMS
