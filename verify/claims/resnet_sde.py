r"""Claims of Peluchetti and Favaro (JMLR 22(175) 2021): infinitely deep ResNets as diffusions.

The block is $x_{l+1} = x_l + \phi(A_l\psi(x_l) + a_l)$ with $\operatorname{Var}A_{ij} = \sigma_w^2\Delta t/D$,
$\operatorname{Var}a_i = \sigma_b^2\Delta t$, $\Delta t = T/L$ (Assumption 7; $T = 1$ throughout).  Each claim
pairs a finite network of :mod:`numerics.resnet_sde` with generated numerics of a ``resnet_sde.*`` record:

* ``claim.resnet_sde_weak``: moments and the law of $x_{T,1}$ against the SDE of Corollary 5, extrapolated in $1/L$;
* ``claim.resnet_norm_gbm``: $\log(|x_T|/|x_0|)$ has the GBM moments of ``resnet_sde.norm_gbm``; $E q_L$ is exact;
* ``claim.doubly_infinite_kernels``: NNGP and NTK parts at $L = D \to \infty$ against ``resnet_sde.ntk``;
* ``claim.jacobian_law``: $\log|g_T v|$, $\log|g_T^\top u|$ tend to the GBM law (``resnet_sde.backward``,
  ``resnet_sde.norm_gbm``); exact finite-depth law and $E[g_L^\top g_L]$ for $\phi = \mathrm{id}$.

How each handles finite-size bias, and how its stated tolerances were measured: ``docs/claims/<claim id>.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import strategies as st
from scipy.stats import norm as _norm

from derivations.core.parameters import Domain, Parameter
from numerics.generated import resnet_sde_backward as backward
from numerics.generated import resnet_sde_norm_gbm as norm_gbm
from numerics.generated import resnet_sde_norm_moments as norm_moments
from numerics.generated import resnet_sde_ntk as ntk_forms
from numerics.resnet_sde import (doubly_infinite_nngp, doubly_infinite_ntk, jacobian_gram_diagonal,
                                 jacobian_gram_off_diagonal, jacobian_log_norms, linear_jacobian_log_norm_cdf,
                                 linear_jacobian_log_norm_moments, linear_resnet_sq_norm, resnet_sde_terminal,
                                 resnet_terminal, richardson_mean, variance_summands, weak_moments)

from .. import plots
from ..core import Custom, Estimate, Exact, Extrapolated, Law, choice, integer, real, theorem
from ..core.evaluate import CheckOutcome, PowerRow
from ..core.extrapolation import extrapolate
from ..core.stats import assert_two_sample_dkwm
from ._joint import SharedDraws, joint

__all__ = ["RESNET_SDE_CLAIMS", "SOURCE", "jacobian_rates", "predict_doubly_infinite", "predict_jacobian",
           "predict_weak"]

SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021"
Z1 = 1.0  # the first input, copied to every unit
#: $(\phi'(0), \phi''(0))$
PHI_DERIVS = {"identity": (1.0, 0.0), "tanh": (1.0, 0.0), "swish": (0.5, 0.5)}


def _limit_panels(check, labels, size_name):
    return tuple(plots.Limit(label, estimate=("checks", check, sub, "error", j), theory=0.0,
                             stderr=("checks", check, sub, "stderr", j), sizes=("checks", check, sub, "sizes"),
                             size_name=size_name) for sub, j, label in labels)


# -- claim.resnet_sde_weak ---------------------------------------------------------------------
WEAK_DEPTHS = (8, 16, 32, 64)
#: 30,000 before the port, x ((z_{a/7} + z_b)/(z_{a/4} + z_b))^2 = 1.020: the goodness-of-fit tests share the budget
WEAK_SAMPLES = 30_600
SDE_PATHS = 100_000   # not scaled by the profile
SDE_STEPS = 32
#: CDF points of the law check: these quantiles of the SDE's $x_{T,1}(z)$
LAW_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _weak_args(p):
    return p["phi"], p["width"], p["sigma_w"], p["sigma_b"]


def weak_states(p, *, size, n, seed):
    """$x_L$ at the inputs $z = 1$, $z'$ of ``n`` networks of depth ``size``, flattened to shape ``(n, 2D)``."""
    return resnet_terminal(*_weak_args(p), (Z1, p["z2"]), depth=size, n_samples=n, seed=seed).reshape(n, -1)


def predict_weak(p, *, seed, drift=True):
    """SDE moments (Richardson over two step sizes on one Brownian path, an :class:`Estimate`) and draws of
    $x_{T,1}(z)$ (the finer solution); ``drift=False`` drops the drift (a planted wrong law)."""
    fine, coarse = resnet_sde_terminal(*_weak_args(p), (Z1, p["z2"]), n_paths=SDE_PATHS, n_steps=SDE_STEPS,
                                       seed=seed, drift=drift)
    return {"moments": Estimate(*richardson_mean(weak_moments(fine), weak_moments(coarse))), "law": fine[:, 0, 0]}


def _weak_law(p, sde, states, *, seed, rate, scale):
    r"""Two-sample DKWM of $x_{L,1}(z)$ at the largest depth against the SDE draws, with model_tol
    $\max_j|b_{1,j}|/L_{max}$, $b_{1,j}$ the fitted $1/L$ coefficient of the network's CDF at the SDE's quantiles."""
    n = max(2, int(round(WEAK_SAMPLES * scale)))
    cuts = np.quantile(sde, LAW_QUANTILES)
    cdf = []
    for L, s in zip(WEAK_DEPTHS, seed.spawn(len(WEAK_DEPTHS))):  # the moments' networks (shared draws)
        last = states.draws(p, size=L, n=n, seed=s)[:, 0]
        cdf.append((last[:, None] <= cuts).mean(0))
    cdf = np.array(cdf)
    se = np.sqrt(np.maximum(cdf * (1 - cdf), 1.0 / n) / n)
    tol = max(abs(extrapolate(WEAK_DEPTHS, cdf[:, j], se[:, j], order=1).coefficients[0])
              for j in range(len(cuts))) / WEAK_DEPTHS[-1]
    res = assert_two_sample_dkwm(last, sde, false_fail_rate=rate, model_tol=tol, raise_on_failure=False)
    label = f"law of x_T1(z) at L={WEAK_DEPTHS[-1]}"
    power = (PowerRow("law", label, 1.0, 1.0 - res.statistic, res.detectable_discrepancy, unit="probability"),)
    return CheckOutcome("law", "custom", res.passed, res.statistic, res.threshold, rate, n * len(WEAK_DEPTHS),
                        f"law: {label} (model_tol {tol:.3g}): {res.detail}", power, {"model_tol": tol})


def _weak_checks(p, prediction):
    """The moments (fit in 1/L) and the law at L = 64, on the same networks."""
    states = SharedDraws(weak_states)

    def moments(p_, *, size, n, seed):
        return weak_moments(states.draws(p_, size=size, n=n, seed=seed).reshape(n, 2, -1))

    yield Extrapolated("moments", simulate=moments, predict=lambda _p: prediction["moments"], sizes=WEAK_DEPTHS,
                       samples=WEAK_SAMPLES, order=2, variable="1/L", labels=WEAK_LABELS,
                       scale=lambda _p, m: [math.sqrt(m[1]), m[1], m[1]]), prediction["moments"]
    yield Custom("law", run=functools.partial(_weak_law, states=states), predict=lambda _p: prediction["law"],
                 comparisons=1), prediction["law"]


def _away_from_zero(z2):
    return z2 if abs(z2) >= 1e-3 else 1e-3


WEAK_LABELS = ("E x_T1(z)", "E x_T1(z)^2", "E x_T1(z) x_T1(z')")
WEAK_CLAIM = theorem(
    id="claim.resnet_sde_weak",
    title="Deep ResNets (phi = tanh or swish, psi = tanh) converge weakly to the SDE of Corollary 5",
    source=f"{SOURCE}, Theorem 2 and Corollaries 3 and 5 (records resnet_sde.tanh_tanh, resnet_sde.swish_tanh)",
    records=("resnet_sde.tanh_tanh", "resnet_sde.swish_tanh"),
    parameters=[choice("phi", "tanh", "swish", latex=r"\phi", description="outer activation"),
                integer("width", 2, 4, latex="D"), real("sigma_w", 0.5, 1.2, latex=r"\sigma_w"),
                real("sigma_b", 0.0, 0.7, latex=r"\sigma_b"),
                real("z2", -1.5, 1.5, latex="z'", description="second input (the first is z = 1)")],
    # moments: 3 intercepts + 3 goodness-of-fit tests; law: 1
    checks=[joint("weak convergence", _weak_checks, predict=predict_weak, comparisons=7)],
    bias="moments extrapolated quadratically in 1/L against Richardson-extrapolated Euler-Maruyama; the law at "
         "L = 64 by two-sample DKWM with a model_tol read off the fitted 1/L slope of the CDF",
    examples=[{"phi": "swish", "width": 3, "sigma_w": 1.2, "sigma_b": 0.7, "z2": -0.5}],
    # z' = 0 with sigma_b = 0 makes x_T(z') = 0 exactly, a zero-variance statistic: |z'| < 1e-3 is drawn as 1e-3
    strategies={"z2": st.floats(-1.5, 1.5).map(_away_from_zero)},
    max_examples=2,
    panels=_limit_panels("weak convergence", [("moments", j, label) for j, label in enumerate(WEAK_LABELS)], "L"),
    formulas=("resnet_sde.tanh_tanh:diffusion", "resnet_sde.swish_tanh:drift", "resnet_sde.swish_tanh:diffusion"),
)


# -- claim.resnet_norm_gbm ---------------------------------------------------------------------
GBM_DEPTHS = (8, 16, 32, 64)
#: 20,000 before the port, x ((z_{a/5} + z_b)/(z_{a/3} + z_b))^2 = 1.018: the goodness-of-fit tests share the budget
GBM_SAMPLES = 20_400
Q_SAMPLES = 20_400


def gbm_log_norm(p, *, size, n, seed):
    r"""$y = \log(|x_L|/|x_0|)$ ($\sigma_b = 0$) and its variance summands, shape ``(n, 2)``."""
    y = 0.5 * np.log(linear_resnet_sq_norm(p["width"], p["sigma_w"], 0.0, size, n_samples=n, seed=seed))
    return np.stack([y, variance_summands(y)], axis=1)


def gbm_q(p, *, n, seed):
    return linear_resnet_sq_norm(p["width"], p["sigma_w"], p["sigma_b"], p["depth"], n_samples=n, seed=seed)


GBM_CLAIM = theorem(
    id="claim.resnet_norm_gbm",
    title="Linear deep ResNets: the norm is a geometric Brownian motion and E q_L is exact at every width",
    source=f"{SOURCE}, Corollary 5 with psi = phi = id, sigma_b = 0 (norm of the linear SDE, derived in records "
           "resnet_sde.norm_gbm, resnet_sde.norm_moments; Lemma 21)",
    records=("resnet_sde.norm_gbm", "resnet_sde.norm_moments"),
    parameters=[integer("width", 1, 16, latex="D"), real("sigma_w", 0.3, 1.0, latex=r"\sigma_w"),
                real("sigma_b", 0.0, 1.0, latex=r"\sigma_b", description="bias scale (E q_L part only)"),
                integer("depth", 1, 64, latex="L", description="depth of the exact E q_L part")],
    checks=[Extrapolated("log-norm", simulate=gbm_log_norm, sizes=GBM_DEPTHS, samples=GBM_SAMPLES, order=2,
                         predict=lambda p: [float(norm_gbm.log_norm_mean(1.0, p["sigma_w"], p["width"], 1.0)),
                                            float(norm_gbm.log_norm_variance(1.0, p["sigma_w"], p["width"], 1.0))],
                         variable="1/L", labels=("E log(|x_T|/|x_0|)", "Var log(|x_T|/|x_0|)"),
                         scale=lambda p, m: [math.sqrt(m[1]), m[1]]),
            Exact("E q_L (exact)", simulate=gbm_q, samples=Q_SAMPLES,
                  predict=lambda p: float(norm_moments.mean_q_finite_depth(1.0, p["sigma_w"], p["sigma_b"], 1.0,
                                                                           p["depth"])))],
    bias="log-norm mean and variance extrapolated quadratically in 1/L (i.i.d. per-layer log ratios: bias "
         "c_1/L + c_2/L^2 + O(L^-3)); E q_L exact at finite L",
    examples=[{"width": 1, "sigma_w": 1.0, "sigma_b": 1.0, "depth": 1},
              {"width": 16, "sigma_w": 1.0, "sigma_b": 0.0, "depth": 64}],
    max_examples=2,
    formulas=("resnet_sde.norm_gbm:log_norm_mean", "resnet_sde.norm_gbm:log_norm_variance",
              "resnet_sde.norm_moments:mean_q_finite_depth"),
)


# -- claim.doubly_infinite_kernels -----------------------------------------------------------
DI_SIZES = (8, 16, 32, 64)
#: 400 and 4000 before the port, x ((z_{a/6} + z_b)/(z_{a/3} + z_b))^2 = 1.025: the goodness-of-fit tests share the budget
DI_SAMPLES = 410        # networks per size for the NTK (explicit weights, O(L D^2) per network)
DI_NNGP_SAMPLES = 4100  # networks per size for the NNGP (exact in law, two inputs)
#: order of the polynomial in 1/D fitted along L = D (docs/claims/claim.doubly_infinite_kernels.md)
DI_ORDER = {"identity": 2, "tanh": 3}
#: tanh: measured bounds on the cubic fit's truncation relative to the prediction (NNGP, K_W, K_b)
DI_TANH_TRUNCATION = (0.009, 0.033, 0.023)
DI_LABELS = ("NNGP E x_T1(z) x_T1(z')", "NTK K_W(z, z')", "NTK K_b(z, z')")


def _di_kernels(sw, sb, lam0):
    return np.array([lam0 + float(ntk_forms.nngp_increment(lam0, 1.0, sw, sb, 1.0)),
                     float(ntk_forms.ntk_weights(lam0, 1.0, sw, sb, 1.0)), float(ntk_forms.ntk_bias(1.0, sw, sb, 1.0))])


def predict_doubly_infinite(p, *, drop_weight_bias_term=False):
    r"""$(E\lambda_T, K_W, K_b)$ at inputs $z = 1$, $z'$ of record ``resnet_sde.ntk`` ($\phi'(0) = 1$, $T = 1$).

    $E\lambda_T = \lambda_0 + (\lambda_0 + \beta)(E - 1)$ (``nngp_increment``; $\lambda_0 = zz'$), $K_W$ =
    ``ntk_weights``, $K_b$ = ``ntk_bias``.  ``drop_weight_bias_term`` plants the error of dropping
    $\beta(CE - (E - 1))$ from $K_W$ (``ntk_weights`` at $\lambda_0 = 0$), leaving $\lambda_0 CE$.
    """
    k = _di_kernels(p["sigma_w"], p["sigma_b"], Z1 * p["z2"])
    if drop_weight_bias_term:
        k[1] -= float(ntk_forms.ntk_weights(0.0, 1.0, p["sigma_w"], p["sigma_b"], 1.0))
    return k


def _di_scales(p):
    r"""$\sqrt{K(z, z)K(z', z')}$ per part (the NNGP and $K_W$ vanish at some $z'$)."""
    return np.sqrt(np.abs(_di_kernels(p["sigma_w"], p["sigma_b"], Z1 * Z1)
                          * _di_kernels(p["sigma_w"], p["sigma_b"], p["z2"] ** 2)))


def di_nngp(p, *, size, n, seed):
    return doubly_infinite_nngp(p["phi"], size, p["sigma_w"], p["sigma_b"], p["z2"], n_samples=n, seed=seed)[:, None]


def di_ntk(p, *, size, n, seed):
    return doubly_infinite_ntk(p["phi"], size, p["sigma_w"], p["sigma_b"], p["z2"], n_samples=n, seed=seed)


def _di_fits(p, prediction):
    """One fit per part (NNGP; K_W and K_b on one NTK simulation), order and tolerance by phi."""
    pred, scales = np.asarray(prediction, dtype=float), _di_scales(p)
    rel = DI_TANH_TRUNCATION if p["phi"] == "tanh" else (0.0, 0.0, 0.0)
    ntk = SharedDraws(di_ntk)
    for j, (simulate, samples) in enumerate(((di_nngp, DI_NNGP_SAMPLES), (ntk.columns([0]), DI_SAMPLES),
                                             (ntk.columns([1]), DI_SAMPLES))):
        yield Extrapolated(DI_LABELS[j], simulate=simulate, predict=lambda _p, v=pred[j]: v, sizes=DI_SIZES,
                           samples=samples, order=DI_ORDER[p["phi"]], bias_tol=rel[j] * abs(pred[j]),
                           variable="1/D (L = D)", scale=lambda _p, _m, s=scales[j]: s), pred[j]


DI_CLAIM = theorem(
    id="claim.doubly_infinite_kernels",
    title="Doubly infinite ResNets (L = D -> infinity, psi = id, phi''(0) = 0): NNGP and NTK parts have closed forms",
    source=f"{SOURCE}, Propositions 18-19 and Section 5.4 (heuristic in the paper; record resnet_sde.ntk)",
    records=("resnet_sde.ntk",),
    parameters=[choice("phi", "identity", "tanh", latex=r"\phi"),
                real("sigma_w", 0.5, 0.8, latex=r"\sigma_w", description="weight scale (not shipped above 0.8)"),
                real("sigma_b", 0.3, 0.8, latex=r"\sigma_b"),
                real("z2", -1.0, 1.0, latex="z'", description="second input (the first is z = 1)")],
    checks=[joint("kernels", _di_fits, predict=predict_doubly_infinite, comparisons=6, labels=DI_LABELS)],
    bias="extrapolated in 1/D along L = D, quadratically for phi = id, cubically for tanh with a measured "
         "truncation bound (0.9%, 3.3%, 2.3% of the prediction) as bias_tol",
    examples=[{"phi": "tanh", "sigma_w": 0.8, "sigma_b": 0.8, "z2": 1.0}],
    max_examples=2,
    panels=_limit_panels("kernels", [(label, 0, label) for label in DI_LABELS], "D"),
    formulas=("resnet_sde.ntk:nngp_increment", "resnet_sde.ntk:ntk_weights", "resnet_sde.ntk:ntk_bias"),
)


# -- claim.jacobian_law ------------------------------------------------------------------------
JAC_DEPTHS = (8, 16, 32, 64)
JAC_SAMPLES = 20_000
#: CDF points of the limit law: these quantiles of the limiting normal law of $\log|g_T v|$
JAC_LAW_QUANTILES = (0.25, 0.5, 0.75)
#: sup-distance allowed for the numerical error of :func:`linear_jacobian_log_norm_cdf` (measured <= 1e-9)
JAC_CDF_NUMERICAL_TOL = 1e-7
#: order of the polynomial in 1/L fitted over JAC_DEPTHS, both phi (docs/claims/claim.jacobian_law.md)
JAC_ORDER = 3
#: tanh: measured bound on the cubic fit's truncation, in units of its standard error at JAC_SAMPLES per depth
JAC_TANH_TRUNCATION = 0.28
JAC_LIMIT_LABELS = ("E log|g v|", "Var log|g v|", "E log|g^T u|", "Var log|g^T u|") + tuple(
    f"P(log|g v| <= q{int(100 * q)})" for q in JAC_LAW_QUANTILES)


def jacobian_rates(phi, width, sigma_w):
    r"""$(c^2, \text{drift})$ of the backward SDE $dg = c\,dB\,g + \text{drift}\,\mathbf 1(\psi\psi')^\top g\,dt$ for
    $\psi = \mathrm{id}$ (record ``resnet_sde.backward``); with drift 0, $y = gv$ solves the linear SDE of
    ``resnet_sde.norm_gbm``, whose ``norm_variance_rate`` equals $c^2$ (tested)."""
    d1, d2 = PHI_DERIVS[phi]
    c = float(backward.noise_coefficient(1.0, d1, sigma_w, width))
    return c * c, float(backward.drift_coefficient(1.0, d2, sigma_w, width))


def _jac_limit(p):
    d1 = PHI_DERIVS[p["phi"]][0]
    return (float(norm_gbm.log_norm_mean(d1, p["sigma_w"], p["width"], 1.0)),
            float(norm_gbm.log_norm_variance(d1, p["sigma_w"], p["width"], 1.0)))


def _jac_cuts(p):
    """The record's limit quartiles of $\\log|g_T v|$: the fixed points where the CDFs are compared."""
    mean, var = _jac_limit(p)
    return mean + math.sqrt(var) * _norm.ppf(JAC_LAW_QUANTILES)


def predict_jacobian(p, *, planted=None):
    r"""Predictions of both checks: the $L = \infty$ law (``"limit law"``) and the exact finite-depth law of
    $\phi = \mathrm{id}$ (``"exact finite depth"``).

    ``planted``: ``"rate_not_over_D"`` (variance $\phi'(0)^2\sigma_w^2T$, the $1/D$ dropped) or ``"ito_dropped"``
    (mean $\tfrac{D-1}{2D}\phi'(0)^2\sigma_w^2T$, the drift of $|y|$); the finite-depth law moves with the limit.
    """
    D, sw, L = p["width"], p["sigma_w"], p["depth"]
    if jacobian_rates(p["phi"], D, sw)[1] != 0.0:
        raise ValueError(f"phi={p['phi']!r} has phi''(0) != 0: the backward SDE has a drift; not covered")
    mean, var = _jac_limit(p)
    shift, factor = 0.0, 1.0
    if planted == "rate_not_over_D":
        factor = D
    elif planted == "ito_dropped":
        shift = float(norm_gbm.norm_drift_rate(PHI_DERIVS[p["phi"]][0], sw, D)) - mean
    elif planted is not None:
        raise ValueError(f"planted={planted!r}; allowed: None, 'rate_not_over_D', 'ito_dropped'")
    m, v = mean + shift, var * factor
    cdf_at_cuts = _norm.cdf((_jac_cuts(p) - m) / math.sqrt(v))
    fin_m, fin_v = linear_jacobian_log_norm_moments(D, sw, L)

    def finite_cdf(y):
        y = np.asarray(y, dtype=float)
        return linear_jacobian_log_norm_cdf(fin_m + (y - shift - fin_m) / math.sqrt(factor), D, sw, L)

    gram = float(norm_moments.mean_q_finite_depth(1.0, sw, 0.0, 1.0, L))  # (1 + sigma_w^2/L)^L
    return {"limit law": np.array([m, v, m, v, *cdf_at_cuts]),
            "exact finite depth": {"moments": np.array([gram, fin_m + shift, 0.0][:3 if D > 1 else 2]),
                                   "scale": np.array([gram, math.sqrt(fin_v * factor), gram]), "cdf": finite_cdf}}


def jacobian_limit_statistics(p, *, size, n, seed):
    r"""Per network at depth ``size``: $\log|gv|$, its variance summands, the same for $\log|g^\top u|$, and
    $\mathbf 1\{\log|gv| \le c_j\}$ at the limit quartiles, shape ``(n, 7)``."""
    _, yv, yu = jacobian_log_norms(p["phi"], p["width"], p["sigma_w"], p["sigma_b"], size, n_samples=n, seed=seed)
    return np.column_stack([yv, variance_summands(yv), yu, variance_summands(yu), yv[:, None] <= _jac_cuts(p)])


def _jac_checks(p, prediction):
    """The L = infinity law (both phi) and, for phi = id, the exact law at the drawn depth."""
    limit = prediction["limit law"]
    yield Extrapolated("limit law", simulate=jacobian_limit_statistics, predict=lambda _p: limit,
                       sizes=JAC_DEPTHS, samples=JAC_SAMPLES, order=JAC_ORDER, variable="1/L",
                       labels=JAC_LIMIT_LABELS, scale=lambda _p, m: [math.sqrt(m[1]), m[1], math.sqrt(m[3]), m[3],
                                                                     *m[4:]]), limit
    if p["phi"] == "identity":  # the exact finite-depth law is that of the linear network
        yield from _jac_exact_checks(p, prediction["exact finite depth"])


def jacobian_exact_statistics(p, *, n, seed):
    r"""$\phi = \mathrm{id}$ at the drawn depth: $\operatorname{tr}(g^\top g)/D$, $\log|gv|$, $\log|g^\top u|$ and
    (for $D > 1$) the off-diagonal mean of $g^\top g$, shape ``(n, 3 or 4)``."""
    g, yv, yu = jacobian_log_norms("identity", p["width"], p["sigma_w"], p["sigma_b"], p["depth"], n_samples=n,
                                   seed=seed)
    cols = [jacobian_gram_diagonal(g), yv, yu] + ([jacobian_gram_off_diagonal(g)] if p["width"] > 1 else [])
    return np.column_stack(cols)


def _jac_exact_checks(p, prediction):
    draws = SharedDraws(jacobian_exact_statistics)
    L, k = p["depth"], prediction["moments"].size
    scale = prediction["scale"][:k]
    yield Exact(f"exact moments (L={L})", simulate=draws.columns([0, 1, 3][:k]), samples=JAC_SAMPLES,
                predict=lambda _p: prediction["moments"], scale=lambda _p, _m: scale,
                labels=("tr E[g^T g]/D", "E log|g v|", "off-diagonal mean of g^T g")[:k]), prediction["moments"]
    for col, what in ((1, "log|g v|"), (2, "log|g^T u|")):
        yield Law(f"law of {what} (L={L})", simulate=draws.columns(col), samples=JAC_SAMPLES,
                  predict=lambda _p: prediction["cdf"], bias_tol=JAC_CDF_NUMERICAL_TOL), prediction["cdf"]


JACOBIAN_CLAIM = theorem(
    id="claim.jacobian_law",
    title=("Input Jacobian of deep ResNets (psi = id, phi''(0) = 0): log|g_T v| and log|g_T^T u| tend to the GBM "
           "log-normal law at any width (mean, variance, quartile CDF values; exact finite-depth law for phi = id)"),
    source=(f"{SOURCE}, Theorem 14, Corollary 15 and Section 5.4 (records resnet_sde.backward: noise_coefficient, "
            "drift_coefficient; resnet_sde.norm_gbm: the law of the linear SDE dy = c dB y; "
            "resnet_sde.norm_moments: E[g_L^T g_L] at finite L)"),
    records=("resnet_sde.backward", "resnet_sde.norm_gbm", "resnet_sde.norm_moments"),
    parameters=[choice("phi", "identity", "tanh", latex=r"\phi"), integer("width", 1, 6, latex="D"),
                # drawn from [0.3, 0.8] (tanh not shipped above 0.8); the domain holds the pinned sigma_w = 1.5 (phi = id)
                Parameter("sigma_w", Domain(0.0, 1.5, closed=(False, True)), r"\sigma_w", (0.3, 0.8), "weight scale"),
                real("sigma_b", 0.0, 0.5, latex=r"\sigma_b", description="bias scale (enters phi = tanh only)"),
                integer("depth", 1, 64, latex="L", description="depth of the exact part (phi = identity)")],
    checks=[joint("Jacobian law", _jac_checks, predict=predict_jacobian, comparisons=len(JAC_LIMIT_LABELS) + 5,
                  # tanh: the truncation bound holds at JAC_SAMPLES networks per depth, in every profile
                  scale_samples=lambda p, scale: 1.0 if p["phi"] == "tanh" else scale,
                  tolerance_se=lambda p: JAC_TANH_TRUNCATION if p["phi"] == "tanh" else 0.0)],
    bias="phi = id: exact at the drawn (D, L); the L = infinity law extrapolated cubically in 1/L, with a measured "
         "truncation bound of 0.28 standard errors for tanh",
    examples=[{"phi": "tanh", "width": 6, "sigma_w": 0.8, "sigma_b": 0.5, "depth": 1},
              {"phi": "identity", "width": 4, "sigma_w": 1.5, "sigma_b": 0.5, "depth": 32}],
    max_examples=2,
    panels=_limit_panels("Jacobian law", [("limit law", j, JAC_LIMIT_LABELS[j]) for j in range(4)], "L"),
    formulas=("resnet_sde.backward:noise_coefficient", "resnet_sde.norm_gbm:log_norm_mean",
              "resnet_sde.norm_gbm:log_norm_variance", "resnet_sde.norm_moments:mean_q_finite_depth"),
)


RESNET_SDE_CLAIMS = (WEAK_CLAIM, GBM_CLAIM, DI_CLAIM, JACOBIAN_CLAIM)

# The affine-draw, width-first and convolutional claims live beside this module (imported last: they use its helpers).
from ._resnet_sde_conv import CONV_SDE_CLAIMS  # noqa: E402
from ._resnet_sde_more import MORE_RESNET_SDE_CLAIMS  # noqa: E402

CLAIMS = RESNET_SDE_CLAIMS + MORE_RESNET_SDE_CLAIMS + CONV_SDE_CLAIMS
