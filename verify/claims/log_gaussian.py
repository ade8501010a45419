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
  log-Gaussian claim passes at the smallest rejected $d/n$ (a :class:`~verify.core.Custom` check: a search).
* ``claim.hypoactivation``: $n(E\,\#\text{active}/n - \tfrac12)$ and $n(E r_\ell - \tfrac12)$, the
  lag-one correlation of $\delta_\ell$ and the overlap of consecutive activation patterns
  of the standard ResNet against the series of ``log_gaussian.hypoactivation``, and their
  absence in the balanced ResNet (extrapolated in $1/n$).

How each claim handles finite-size bias, and its history: ``docs/claims/<claim id>.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import stats as sstats

from derivations.core.parameters import Domain, Parameter
from numerics.generated import log_gaussian_fc_linear as fc_linear
from numerics.generated import log_gaussian_fc_relu as fc_relu
from numerics.generated import log_gaussian_resnet_balanced as resnet_balanced
from numerics.generated import log_gaussian_resnet_standard as resnet_standard
from numerics.log_gaussian import (
    fc_log_norm_ratio,
    hypoactivation_draws,
    relu_resnet,
    variance_draws,
)

from ..core import Exact, Extrapolated, choice, theorem
from ._log_gaussian_falsifier import FALSIFIER_CLAIM

__all__ = ["LOG_GAUSSIAN_CLAIMS"]

INF = math.inf
P_N = Parameter("width", Domain(1, INF, integer=True), "n", (8, 128), "hidden width")
P_D = Parameter("depth", Domain(1, INF, integer=True), "d", (1, 48), "hidden layers")
P_BETA = Parameter("beta", Domain(0, INF, closed=(False, True)), r"\beta", (0.25, 1.0), "depth-to-width ratio d/n")
P_LAM2 = Parameter("lambda2", Domain(0, 1), r"\lambda^2", (0.2, 0.8), "squared branch weight (alpha^2 = 1 - lambda^2)")


def _limit_per_beta(architecture: str, lam2: float) -> np.ndarray:
    """$(\\mu/\\beta, \\sigma^2/\\beta)$ of the log-Gaussian limit (records ``log_gaussian.*``)."""
    if architecture == "fc_relu":
        return np.array([fc_relu.limit_mean(1.0), fc_relu.limit_variance(1.0)], dtype=float)
    module = {"resnet_balanced": resnet_balanced, "resnet_standard": resnet_standard}[architecture]
    lam = math.sqrt(lam2)
    return np.array([module.limit_mean(lam, 1.0), module.limit_variance(lam, 1.0)], dtype=float)


# -- claim.hanin_nica_exact -----------------------------------------------------------------
def _hn_moments(p) -> np.ndarray:
    """$(d\\,m_1(n), d\\,v_1(n))$, exact per-layer log-moments (records ``log_gaussian.fc_relu`` / ``fc_linear``)."""
    module = fc_relu if p["activation"] == "relu" else fc_linear
    n = p["width"]
    return p["depth"] * np.array([module.log_ratio_mean(n), module.log_ratio_variance(n)], dtype=float)


def _hn_draws(p, *, n, seed):
    """$L_d$ and $(L_d - d\\,m_1(n))^2$ of living networks (the record's mean centres the square)."""
    x = fc_log_norm_ratio(p["activation"], width=p["width"], depth=p["depth"], n_samples=n, seed=seed)
    return np.column_stack([x, (x - _hn_moments(p)[0]) ** 2])


HN_EXACT_CLAIM = theorem(
    id="claim.hanin_nica_exact",
    title="Fully connected ReLU and linear nets: exact finite-width log-moments of the squared norm",
    source="Hanin and Nica, Comm. Math. Phys. 376 (2020); records log_gaussian.fc_relu, log_gaussian.fc_linear",
    records=("log_gaussian.fc_relu", "log_gaussian.fc_linear"),
    parameters=[choice("activation", "relu", "linear", latex=r"\varphi", description="activation"), P_N, P_D],
    checks=[Exact("log-norm moments", simulate=_hn_draws, predict=_hn_moments, samples=20_000,
                  labels=("mean d m_1(n)", "variance d v_1(n)"))],
    bias="exact at finite size (dead ReLU networks are redrawn: the exact law conditions on K >= 1)",
    examples=({"activation": "relu", "width": 8, "depth": 48}, {"activation": "linear", "width": 8, "depth": 48}),
    formulas=("log_gaussian.fc_relu:log_norm_mean", "log_gaussian.fc_relu:log_norm_variance",
              "log_gaussian.fc_linear:log_norm_mean", "log_gaussian.fc_linear:log_norm_variance"),
)


# -- claim.log_gaussian ----------------------------------------------------------------------
LG_WIDTHS = (32, 64, 128, 256)  # below 32 the standard ResNet is not yet in its O(1/n) regime
LG_POINTS = (-1.0, 0.0, 1.0)  # standardised CDF points
# 3000 networks per width before the port; x1.024 = ((z(a/10) + z_b)/(z(a/5) + z_b))^2 keeps the detectable
# discrepancy now that each fit's budget is shared with its goodness-of-fit test
LG_SAMPLES = 3075


def _log_norm_ratio(p, *, size, n, seed):
    """$(L_d, d/n)$ of ``n`` networks of width ``size`` at depth $d = \\max(1, \\mathrm{round}(\\beta n))$.

    Both checks of the claim read the **same** networks, as before the port (simulating them twice
    would double the claim's time): they are drawn from the example's seed and the width alone
    (spawn key ``(size,)``, distinct from the harness's per-check keys), and memoised.
    """
    return _shared_networks(p["architecture"], p["beta"], p["lambda2"], size, n, seed.entropy)


@functools.lru_cache(maxsize=8)
def _shared_networks(architecture, beta, lam2, size, n, entropy):
    seed, d = np.random.SeedSequence(entropy, spawn_key=(size,)), max(1, round(beta * size))
    if architecture == "fc_relu":
        return fc_log_norm_ratio("relu", width=size, depth=d, n_samples=n, seed=seed), d / size
    r = relu_resnet(np.ones(size), width=size, depth=d, branch_weight=math.sqrt(lam2),
                    block=architecture.removeprefix("resnet_"), n_out=0, n_samples=n, seed=seed)
    return r.log_norm_ratio[:, 0], d / size


def _lg_moment_draws(p, *, size, n, seed):
    x, beta_n = _log_norm_ratio(p, size=size, n=n, seed=seed)
    return np.column_stack([x, variance_draws(x)]) / beta_n


def _lg_cdf_draws(p, *, size, n, seed):
    """$1\\{Z \\le t\\}$, $Z = (L_d - \\mu\\beta_n)/\\sqrt{\\sigma^2\\beta_n}$ standardised by the record's limit."""
    x, beta_n = _log_norm_ratio(p, size=size, n=n, seed=seed)
    mu, s2 = _limit_per_beta(p["architecture"], p["lambda2"])
    z = (x - mu * beta_n) / math.sqrt(s2 * beta_n)
    return (z[:, None] <= np.array(LG_POINTS)[None, :]).astype(float)


LOG_GAUSSIAN_CLAIM = theorem(
    id="claim.log_gaussian",
    title="ln(|z_d|^2/|z_0|^2) is log-Gaussian N(mu beta, sigma^2 beta) as d/n -> beta (FC ReLU, balanced and standard ResNets)",
    source="Hanin and Nica (2020); Li, Nica and Roy, NeurIPS 2021, Thm 1 and Thm 4 (architecture of log_gaussian.*)",
    records=("log_gaussian.fc_relu", "log_gaussian.resnet_balanced", "log_gaussian.resnet_standard"),
    parameters=[choice("architecture", "fc_relu", "resnet_balanced", "resnet_standard", latex="A",
                       description="network architecture"), P_BETA, P_LAM2],
    checks=[Extrapolated("moments per beta", simulate=_lg_moment_draws,
                         predict=lambda p: _limit_per_beta(p["architecture"], p["lambda2"]), sizes=LG_WIDTHS,
                         samples=LG_SAMPLES, order=1, labels=("E L_d / beta", "Var L_d / beta")),
            Extrapolated("standardised CDF", simulate=_lg_cdf_draws, predict=lambda p: sstats.norm.cdf(LG_POINTS),
                         sizes=LG_WIDTHS, samples=LG_SAMPLES, order=2, power=0.5, variable="n^-1/2",
                         labels=tuple(f"P(Z <= {t:g})" for t in LG_POINTS),
                         scale=lambda p, pred: np.ones_like(pred))],  # a probability: relative to 1
    bias=f"extrapolation over widths {LG_WIDTHS}: moments per beta linear in 1/n, CDF points quadratic in n^-1/2",
    examples=({"architecture": "resnet_standard", "beta": 1.0, "lambda2": 0.5},),
    formulas=("log_gaussian.fc_relu:limit_mean", "log_gaussian.fc_relu:limit_variance",
              "log_gaussian.resnet_balanced:limit_mean", "log_gaussian.resnet_balanced:limit_variance",
              "log_gaussian.resnet_standard:limit_mean", "log_gaussian.resnet_standard:limit_variance"),
)


# -- claim.hypoactivation --------------------------------------------------------------------
HYPO_WIDTHS = (32, 64, 128, 256)  # at n = 16 the deficit still drifts after 300 layers
HYPO_BURN_IN = 60   # alpha^60 <= 0.894^60 < 1.2e-3: the transient of E delta_l is below the noise
HYPO_WINDOW = 120   # stationary layers averaged per network
HYPO_SAMPLES = 1025  # 1000 before the port, x1.024 for the goodness-of-fit test's share (as LG_SAMPLES)
HYPO_NAMES = ("n (E frac_on - 1/2)", "n (E r - 1/2)", "corr(delta_l, delta_l+1)", "P(active at l and l+1)")


def _standard_series(lam2: float) -> np.ndarray:
    """The four stationary quantities of the standard ResNet (record ``log_gaussian.resnet_standard``)."""
    lam = math.sqrt(lam2)
    return np.array([resnet_standard.activation_fraction(lam, 1) - 0.5, resnet_standard.mass_fraction(lam, 1) - 0.5,
                     resnet_standard.delta_correlation(lam, 1), resnet_standard.pattern_overlap(lam)], dtype=float)


def _predict_hypo(p) -> np.ndarray:
    # balanced: fresh signs make delta a martingale difference and consecutive patterns independent
    return np.array([0.0, 0.0, 0.0, 0.25]) if p["block"] == "balanced" else _standard_series(p["lambda2"])


HYPO_CLAIM = theorem(
    id="claim.hypoactivation",
    title="Standard ReLU ResNets are hypoactivated and their layers correlated; balanced ResNets are not",
    source="Li, Nica and Roy, NeurIPS 2021, Prop 2 and Thm 4 (series of record log_gaussian.hypoactivation)",
    records=("log_gaussian.resnet_standard",),
    parameters=[choice("block", "standard", "balanced", latex="B", description="residual block"), P_LAM2],
    checks=[Extrapolated("stationary activation statistics",
                         simulate=lambda p, *, size, n, seed: hypoactivation_draws(
                             p["block"], branch_weight=math.sqrt(p["lambda2"]), width=size, n_samples=n, seed=seed,
                             burn_in=HYPO_BURN_IN, window=HYPO_WINDOW),
                         predict=_predict_hypo, sizes=HYPO_WIDTHS, samples=HYPO_SAMPLES, order=1, labels=HYPO_NAMES,
                         # relative to the standard ResNet's effect, which the balanced one claims absent
                         scale=lambda p, pred: np.abs(_standard_series(p["lambda2"])))],
    bias=(f"extrapolation linear in 1/n over widths {HYPO_WIDTHS}; layers {HYPO_BURN_IN}..{HYPO_BURN_IN + HYPO_WINDOW} "
          "averaged per network"),
    examples=({"block": "standard", "lambda2": 0.5}, {"block": "balanced", "lambda2": 0.5}),
    formulas=("log_gaussian.resnet_standard:activation_fraction", "log_gaussian.resnet_standard:mass_fraction",
              "log_gaussian.resnet_standard:delta_correlation", "log_gaussian.resnet_standard:pattern_overlap"),
)

LOG_GAUSSIAN_CLAIMS = (HN_EXACT_CLAIM, LOG_GAUSSIAN_CLAIM, FALSIFIER_CLAIM, HYPO_CLAIM)
CLAIMS = LOG_GAUSSIAN_CLAIMS
