r"""From a depth sweep of trained networks to the exponents and a reading of the regime (``deeplimits regime``).

Input: one network per depth (:class:`.weights_file.Network`).  The effective weights are $W_k = |\delta_k|A_k$
(the code's measure for per-layer $\delta$; $W = A$ without $\delta$).  Estimates, each a least-squares log-log
slope with its HC3 $t$ interval (:mod:`.estimators`):

* $\hat\beta$ (max norm of $A$), $\hat\alpha$ (max $|\delta_k|$, if $\delta$ is given), $\hat\beta_{\rm eff}$
  (max norm of $W$; $\approx\alpha+\beta$);
* the root-SSQ slope of $W$ ($\tfrac12 - \beta_{\rm eff}$; $0$ is the diffusive signature), the QV slope of $W$
  and the Hoelder exponent $\hat\gamma$ of $W$ ($(1 - s_{QV} - 2\hat\beta_{\rm eff})/2$), the increment slope
  $+\hat\beta_{\rm eff}$ (negative under H1).

The verdict reads these intervals against the regime table (reference ``scaling_regimes.md`` section 4):

1. *smooth* if $\hat\gamma$'s interval lies above $\tfrac12$ (rougher than Hoelder-1/2 is excluded): then
   $\alpha + \beta = 1$ (interval of $\hat\beta_{\rm eff}$ holds 1) is an ODE limit (the neural ODE if
   $\hat\beta$'s interval holds 0, else the alternative linear ODE, or the neural ODE for ReLU: F1-F3);
   above 1 the identity (F4); below 1 *neither* (F5);
2. *rough* if $\hat\gamma$'s interval lies below $\tfrac12$ or holds it: a root-SSQ slope interval holding 0
   is the *diffusive* regime (H2: an SDE limit, F6/F7, or neither for $\sigma''(0) \ne 0$ with $\alpha > 0$, F8);
   a slope above 0 is *neither* (the noise grows: F9, F13); below 0 the noise vanishes;
3. otherwise *inconclusive*, with the reasons.

This is a reading, not a test: each interval has its stated level, the verdict none jointly.  The intervals
are the HC3 ones (:func:`.estimators.regression_slope`): they assume independent networks per depth but not
that the residual variance is the same at every depth (it falls like $1/L$ for rough weights, where the
Student-$t$ interval covered only 0.938-0.941); :data:`COVERAGE_NOTE` states their measured coverage and goes
into the report.  All statistics are computed on the weights over their largest entry and shifted back in
$\log$, so huge finite weights (entries $\sim 10^{200}$) give exact slopes, not overflow.
"""

from __future__ import annotations

import numpy as np

from .estimators import (
    EstimatorResult,
    alpha_hat,
    depth_slope,
    holder_exponent,
    log_statistic,
    unit_scaled,
)

__all__ = ["COVERAGE_NOTE", "regime_report"]

COVERAGE_NOTE = ("HC3 (heteroscedasticity-consistent) t intervals over depths, calibrated at level 0.95 only: on "
                 "synthetic smooth, Brownian-path and i.i.d. weights (16 entries, depths 8..128) they covered "
                 "0.963-0.969 (conservative; 20,000 studies each, "
                 "tests/unit/scaling_regimes/test_scaling_regimes_estimators_coverage.py); the max-norm beta is "
                 "biased low for rough weights (about -0.03 for i.i.d.); other levels and depth grids are uncalibrated")


def _fmt(r: EstimatorResult) -> str:
    return f"{r.value:.3f} [{r.lower:.3f}, {r.upper:.3f}]"


def _verdict(est: dict[str, EstimatorResult]) -> tuple[str, list[str]]:
    gamma, beff, rss, beta = est["holder"], est["beta_eff"], est["root_ssq_slope"], est["beta"]
    reasons = [f"Hoelder exponent {_fmt(gamma)}", f"beta_eff = alpha + beta {_fmt(beff)}",
               f"root-SSQ slope of |delta| A {_fmt(rss)}"]
    if gamma.lower > 0.5:
        reasons.insert(0, "smooth: the Hoelder interval lies above 1/2 (H1)")
        if beff.covers(1.0):
            if beta.covers(0.0):
                return "smooth, alpha + beta = 1: neural ODE limit (F1)", reasons
            return ("smooth, alpha + beta = 1, beta > 0: the alternative linear ODE (F2; the neural ODE for "
                    "ReLU, F3)"), reasons
        if beff.lower > 1.0:
            return "smooth, alpha + beta > 1: the identity (F4; the network does nothing as L grows)", reasons
        return "smooth, alpha + beta < 1: neither (F5; the hidden state grows like L^(1-alpha-beta))", reasons
    reasons.insert(0, "rough: the Hoelder interval reaches 1/2 or below")
    if rss.covers(0.0):
        return ("diffusive (H2): an SDE limit (F6, F7; neither if sigma''(0) != 0 and alpha > 0, F8)",
                reasons)
    if rss.lower > 0.0:
        return "neither: the noise of the effective weights grows with depth (F9, F13)", reasons
    return "rough but vanishing: the effective weights' noise shrinks (towards the identity)", reasons


def _logs(nets, log_scales, statistic: str, networks) -> list[float]:
    r"""$\log$ ``statistic`` of each network, shifted back by its scale; a non-finite one names file and depth."""
    degree = 2.0 if statistic == "quadratic_variation" else 1.0
    out = [log_statistic(w, statistic) + degree * c for w, c in zip(nets, log_scales)]
    for v, n in zip(out, networks):
        if v == -np.inf:
            raise ValueError(f"{n.source}: statistic {statistic!r} vanishes at depth {n.depth} (zero or constant "
                             "weights over the layers); its log-log slope is undefined")
        if not np.isfinite(v):
            raise ValueError(f"{n.source}: statistic {statistic!r} is not finite at depth {n.depth} (the weights "
                             "overflow float64)")
    return out


def regime_report(networks, *, level: float = 0.95) -> dict:
    """Per-depth statistics, the estimates with intervals, the verdict and its reasons (a JSON-able dict)."""
    depths = [n.depth for n in networks]
    if len(depths) < 3:
        raise ValueError(f"the depth regression needs networks of at least 3 distinct depths, got depths {depths}")
    A, logs_a = zip(*(unit_scaled(n.A.reshape(n.depth, -1)) for n in networks))
    # W = |delta| A over one global constant per network: slopes see log-constants only through the shift below
    W = [a if n.delta is None else np.abs(n.delta)[:, None] / np.abs(n.delta).max() * a for a, n in zip(A, networks)]
    logs_w = [c + (0.0 if n.delta is None else float(np.log(np.abs(n.delta).max()))) for c, n in zip(logs_a, networks)]
    stats = {"max_norm_A": _logs(A, logs_a, "max_norm", networks), "max_norm_W": _logs(W, logs_w, "max_norm", networks),
             "root_ssq_W": _logs(W, logs_w, "root_ssq", networks),
             "qv_W": _logs(W, logs_w, "quadratic_variation", networks)}
    A = [a * np.exp(c - max(logs_a)) for a, c in zip(A, logs_a)]   # one global constant: exact slopes, no overflow
    W = [w * np.exp(c - max(logs_w)) for w, c in zip(W, logs_w)]
    est = {"beta": depth_slope(A, "max_norm", level=level, method="hc3")._negated(),
           "beta_eff": depth_slope(W, "max_norm", level=level, method="hc3")._negated(),
           "root_ssq_slope": depth_slope(W, "root_ssq", level=level, method="hc3"),
           "qv_slope": depth_slope(W, "quadratic_variation", level=level, method="hc3"),
           "holder": holder_exponent(W, level=level, variance="hc3")}
    beta_eff = est["beta_eff"].value
    est["increment_slope_plus_beta"] = depth_slope(W, "increment", level=level, factor=beta_eff, method="hc3")
    if networks[0].delta is not None:
        est["alpha"] = alpha_hat([n.delta for n in networks], depths=depths, level=level, variance="hc3")
        stats["max_abs_delta"] = [float(np.log(np.abs(n.delta).max())) for n in networks]
    verdict, reasons = _verdict(est)
    return {"depths": depths, "level": level, "coverage_note": COVERAGE_NOTE,
            "estimates": {k: v.as_dict() for k, v in est.items()},
            "log_statistics": stats, "verdict": verdict, "reasons": reasons}
