r"""``claim.gaussian_falsified``: the Gaussian law of a standard ReLU ResNet's output norm is rejected as d/n grows.

Moved out of :mod:`verify.claims.log_gaussian`, which re-exports :data:`FALSIFIER_CLAIM`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as sstats

from derivations.core.parameters import Domain, Parameter
from numerics.generated import log_gaussian_resnet_standard as resnet_standard
from numerics.log_gaussian import log_gaussian_output_sample, relu_resnet

from ..core import Custom, Law, theorem
from ..core.claim import PROFILES, Profile, check
from ..core.evaluate import CheckOutcome, PowerRow
from ..core.stats import assert_two_sample_dkwm
from ..plots import Cdf

__all__ = ["FALSIFIER_CHECK", "FALSIFIER_CLAIM", "FALSIFIER_WIDTH", "GAUSSIAN_CLAIM"]

INF = math.inf


def _limit_per_beta_standard(lam2: float) -> np.ndarray:
    """$(\\mu/\\beta, \\sigma^2/\\beta)$ of the standard ResNet's log-Gaussian limit (record ``log_gaussian.resnet_standard``)."""
    lam = math.sqrt(lam2)
    return np.array([resnet_standard.limit_mean(lam, 1.0), resnet_standard.limit_variance(lam, 1.0)], dtype=float)


# -- claim.gaussian_falsified ------------------------------------------------------------------
FALSIFIER_WIDTH = 128
FALSIFIER_OUTPUTS = 10
FALSIFIER_SAMPLES = 2000
MODEL_SAMPLES = 400_000  # draws from the predicted law (two-sample DKWM; its envelope is then ~20x smaller)
FALSIFIER_CHECK = "log-Gaussian at the smallest rejected depth"


def _output_log_norms(depth: int, n_samples: int, seed) -> np.ndarray:
    r"""$\ln\|z_{out}\|^2$ of standard ReLU ResNets ($\lambda^2 = 1/2$) on an input with $\|x\|^2 = n_{in}$."""
    n = FALSIFIER_WIDTH
    r = relu_resnet(np.ones(n), width=n, depth=depth, branch_weight=math.sqrt(0.5), block="standard",
                    n_out=FALSIFIER_OUTPUTS, n_samples=n_samples, seed=seed)
    return r.log_output_norm[:, 0]


def _gp_output_cdf(y):
    r"""CDF of $\ln\chi^2_{n_{out}}$: the infinite-width law of $\ln\|z_{out}\|^2$ for $\|x\|^2 = n_{in}$."""
    return sstats.chi2.cdf(np.exp(y), FALSIFIER_OUTPUTS)


GAUSSIAN_CLAIM = theorem(
    id="claim.gaussian_limit_standard_resnet",
    title="(expected false) the infinite-width Gaussian law of the output norm holds for standard ReLU ResNets at d/n > 0",
    source="Infinite-width limit at fixed depth (Neal 1996; Lee et al. 2018), applied where d/n is not small",
    records=("log_gaussian.fc_relu",),
    parameters=[Parameter("depth", Domain(1, INF, integer=True), "d", (1, FALSIFIER_WIDTH),
                          f"hidden layers (width {FALSIFIER_WIDTH})")],
    checks=[Law("output log-norm", simulate=lambda p, *, n, seed: _output_log_norms(p["depth"], n, seed),
                predict=lambda p: _gp_output_cdf, samples=FALSIFIER_SAMPLES)],
    bias="none: the Gaussian prediction is exact only as n -> infinity at fixed d; this claim exists to be falsified",
)


def _search_profile(scale: float) -> Profile:
    """The search's profile: a Custom check is given the sample scale only, so the shipped profile with that
    scale that draws the most examples (quick: 3, thorough: 25), always shrinking (a search needs both)."""
    same = [p for p in PROFILES.values() if p.sample_scale == scale and getattr(p, "shrink", True)]
    best = max(same, key=lambda p: p.max_examples, default=None)
    return best if best is not None and best.max_examples > 0 else Profile("search", PROFILES["quick"].max_examples,
                                                                            scale)


def _falsify(p, predicted, *, seed, rate, scale) -> CheckOutcome:
    """Search the smallest depth rejecting the Gaussian law; two-sample DKWM of the log-Gaussian law there."""
    inner = check(GAUSSIAN_CLAIM, profile=_search_profile(scale))
    if inner.counterexample is None:
        return CheckOutcome(FALSIFIER_CHECK, "custom", False, math.inf, 1.0, rate, inner.n_samples,
                            "the Gaussian limit was not rejected at any searched depth", ())
    params, _, rejected = inner.counterexample
    d = params["depth"]
    beta = d / FALSIFIER_WIDTH
    net_seed, model_seed = seed.spawn(2)
    y = _output_log_norms(d, max(2, round(FALSIFIER_SAMPLES * scale)), net_seed)
    mu, s2 = predicted
    model = log_gaussian_output_sample(width=FALSIFIER_WIDTH, depth=d, mu=mu, sigma2=s2, n_out=FALSIFIER_OUTPUTS,
                                       n_samples=MODEL_SAMPLES, seed=model_seed)
    lg = assert_two_sample_dkwm(y, model, false_fail_rate=rate, raise_on_failure=False)
    grid = np.linspace(*np.quantile(y, [0.002, 0.998]), 200)  # plot data: both laws and the networks' CDF
    data = {"smallest_rejected_beta": beta, "gaussian": rejected, "log_gaussian": lg, "cdf_grid": grid,
            "cdf_network": np.searchsorted(np.sort(y), grid, side="right") / len(y),
            "cdf_gaussian": _gp_output_cdf(grid),
            "cdf_log_gaussian": np.searchsorted(np.sort(model), grid, side="right") / len(model)}
    detail = (f"smallest rejected d/n = {d}/{FALSIFIER_WIDTH} = {beta:.4g} (Gaussian: sup|F_n - F| = "
              f"{rejected.statistic:.3g} > {rejected.threshold:.3g}); log-Gaussian at that depth, fresh networks: "
              f"{'passes' if lg.passed else 'REJECTED'} ({lg.detail})")
    power = (PowerRow(FALSIFIER_CHECK, "sup|F_net - F_log-Gaussian|", 1.0, 1.0 - lg.statistic,
                      float(lg.detectable_discrepancy), unit="probability"),)
    return CheckOutcome(FALSIFIER_CHECK, "custom", lg.passed, lg.statistic, lg.threshold, rate,
                        lg.n_samples + inner.n_samples, detail, power, data)


_AT = ("checks", FALSIFIER_CHECK)
FALSIFIER_CLAIM = theorem(
    id="claim.gaussian_falsified",
    title="The Gaussian limit of a standard ReLU ResNet is rejected as d/n grows, where the log-Gaussian one holds",
    source="Li, Nica and Roy, NeurIPS 2021 (Fig. 1); the Gaussian search is claim.gaussian_limit_standard_resnet",
    records=("log_gaussian.resnet_standard", "log_gaussian.fc_relu"),
    parameters=[Parameter("width", Domain(FALSIFIER_WIDTH, FALSIFIER_WIDTH, integer=True), "n",
                          (FALSIFIER_WIDTH, FALSIFIER_WIDTH), "width of the searched ResNets (fixed)")],
    checks=[Custom(FALSIFIER_CHECK, run=_falsify, predict=lambda p: _limit_per_beta_standard(0.5))],
    bias=f"both laws at width {FALSIFIER_WIDTH} and the searched depth: one-sample and two-sample DKWM",
    max_examples=1,
    panels=(Cdf("ln |z_out|^2", grid=_AT + ("cdf_grid",), empirical=_AT + ("cdf_network",),
                theories=(("Gaussian limit (rejected)", _AT + ("cdf_gaussian",)),
                          ("log-Gaussian law", _AT + ("cdf_log_gaussian",)))),),
    formulas=("log_gaussian.resnet_standard:limit_mean", "log_gaussian.resnet_standard:limit_variance"),
)
