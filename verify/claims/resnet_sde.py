r"""Claims of Peluchetti and Favaro (JMLR 22(175) 2021): infinitely deep ResNets as diffusions.

The block is $x_{l+1} = x_l + \phi(A_l\psi(x_l) + a_l)$ with $\operatorname{Var}A_{ij} = \sigma_w^2\Delta t/D$,
$\operatorname{Var}a_i = \sigma_b^2\Delta t$, $\Delta t = T/L$ (Assumption 7; $T = 1$ throughout).  Each claim
pairs a finite network of :mod:`numerics.resnet_sde` with generated numerics of a ``resnet_sde.*`` record:

* ``claim.resnet_sde_weak``: moments and the law of $x_{T,1}$ against the SDE of Corollary 5, extrapolated in $1/L$;
* ``claim.resnet_norm_gbm``: $\log(|x_L|/|x_0|)$ has exact finite-depth moments whose $L \to \infty$ limit is the
  GBM of ``resnet_sde.norm_gbm``; $E q_L$ is exact;
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

from derivations.core.parameters import Domain, Parameter
from numerics.generated import resnet_sde_norm_gbm as norm_gbm
from numerics.generated import resnet_sde_norm_moments as norm_moments
from numerics.resnet_sde import (doubly_infinite_nngp, doubly_infinite_ntk, linear_jacobian_log_norm_cdf,
                                 linear_resnet_sq_norm, resnet_sde_terminal,
                                 resnet_terminal, richardson_mean, variance_summands, weak_moments)
from numerics.resnet_sde.doubly_infinite_control import controlled_nngp, controlled_ntk, wide_limit
from numerics.resnet_sde.doubly_infinite_limit import doubly_infinite_kernel_scales, doubly_infinite_kernels
from numerics.resnet_sde.linear_kernels import linear_kernels_finite_depth
from numerics.resnet_sde.norm_exact import linear_log_norm_exact_limit, linear_log_norm_exact_moments
from numerics.resnet_sde.jacobian_limit import jacobian_exact_statistics, linear_jacobian_exact_means
from numerics.resnet_sde.jacobian_smoothed import (jacobian_smoothed_limit_means, jacobian_smoothed_statistics,
                                                   linear_smoothed_limit_means)

from ..core import (Deterministic, Estimate, Exact, Extrapolated, Law, Simulation, TwoSampleLaw, choice, integer, real,
                    theorem)

__all__ = ["RESNET_SDE_CLAIMS", "SOURCE", "predict_doubly_infinite", "predict_weak"]

SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021"
Z1 = 1.0  # the first input, copied to every unit


# -- claim.resnet_sde_weak ---------------------------------------------------------------------
WEAK_DEPTHS = (8, 16, 32, 64)
#: 30,600 after the port (law 5.65%, E x^2 5.1% detectable); the SDE solve (2.1 CPU s) costs more than the networks
#: (1.6 s at 30,600), so networks are the cheap lever: x1.7 shrinks their DKWM envelope and the moments' SE by 1.30
WEAK_SAMPLES = 52_000
SDE_PATHS = 100_000   # not scaled by the profile
SDE_STEPS = 32
#: CDF points of the law check's first-order bias: these quantiles of the SDE's $x_{T,1}(z)$
LAW_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
WEAK_LABELS = ("E x_T1(z)", "E x_T1(z)^2", "E x_T1(z) x_T1(z')")


def weak_states(p, *, size, n, seed):
    """$x_L$ at the inputs $z = 1$, $z'$ of ``n`` networks of depth ``size``, flattened to shape ``(n, 2D)``."""
    args = (p["phi"], p["width"], p["sigma_w"], p["sigma_b"], (Z1, p["z2"]))
    return resnet_terminal(*args, depth=size, n_samples=n, seed=seed).reshape(n, -1)


def predict_weak(p, *, seed, drift=True):
    """SDE moments (Richardson over two step sizes on one Brownian path, an :class:`Estimate`) and draws of
    $x_{T,1}(z)$ (the finer solution); ``drift=False`` drops the drift (a planted wrong law)."""
    fine, coarse = resnet_sde_terminal(p["phi"], p["width"], p["sigma_w"], p["sigma_b"], (Z1, p["z2"]),
                                       n_paths=SDE_PATHS, n_steps=SDE_STEPS, seed=seed, drift=drift)
    return {"moments": Estimate(*richardson_mean(weak_moments(fine), weak_moments(coarse))), "law": fine[:, 0, 0]}


def _state_moments(x):
    return weak_moments(x.reshape(x.shape[0], 2, -1))


def _away_from_zero(z2):
    return z2 if abs(z2) >= 1e-3 else 1e-3


NETWORKS, SDE = Simulation("networks", weak_states), Simulation("SDE", predict_weak)
WEAK_CLAIM = theorem(
    id="claim.resnet_sde_weak",
    title="Deep ResNets (phi = tanh or swish, psi = tanh) converge weakly to the SDE of Corollary 5",
    source=f"{SOURCE}, Theorem 2 and Corollaries 3 and 5 (records resnet_sde.tanh_tanh, resnet_sde.swish_tanh)",
    records=("resnet_sde.tanh_tanh", "resnet_sde.swish_tanh"),
    parameters=[choice("phi", "tanh", "swish", latex=r"\phi", description="outer activation"),
                integer("width", 2, 4, latex="D"), real("sigma_w", 0.5, 1.2, latex=r"\sigma_w"),
                real("sigma_b", 0.0, 0.7, latex=r"\sigma_b"),
                real("z2", -1.5, 1.5, latex="z'", description="second input (the first is z = 1)")],
    # one set of networks per depth and one SDE run per example serve both checks
    checks=[Extrapolated("moments", simulate=NETWORKS.map(_state_moments), predict=SDE.part("moments"),
                         sizes=WEAK_DEPTHS, samples=WEAK_SAMPLES, order=2, variable="1/L", size_name="L",
                         labels=WEAK_LABELS, scale=lambda _p, m: [math.sqrt(m[1]), m[1], m[1]]),
            TwoSampleLaw("law", simulate=NETWORKS.columns(0), predict=SDE.part("law"), sizes=WEAK_DEPTHS,
                         samples=WEAK_SAMPLES, quantiles=LAW_QUANTILES,
                         labels=(f"law of x_T1(z) at L={WEAK_DEPTHS[-1]}",))],
    bias="moments extrapolated quadratically in 1/L against Richardson-extrapolated Euler-Maruyama; the law at "
         "L = 64 by two-sample DKWM with a model_tol read off the fitted 1/L slope of the CDF",
    examples=[{"phi": "swish", "width": 3, "sigma_w": 1.2, "sigma_b": 0.7, "z2": -0.5}],
    # z' = 0 with sigma_b = 0 makes x_T(z') = 0 exactly, a zero-variance statistic: |z'| < 1e-3 is drawn as 1e-3
    strategies={"z2": st.floats(-1.5, 1.5).map(_away_from_zero)},
    max_examples=2,
    formulas=("resnet_sde.tanh_tanh:diffusion", "resnet_sde.swish_tanh:drift", "resnet_sde.swish_tanh:diffusion"),
)


# -- claim.resnet_norm_gbm ---------------------------------------------------------------------
#: depth of the exact finite-depth log-norm check (any depth is exact; 32 keeps the log-norm's kurtosis near 3)
GBM_DEPTH = 32
#: networks for the log-norm at GBM_DEPTH: (z_a + z_b)^2 (kappa - 1)/0.05^2 ~ 10.25^2 x 2/0.0025 = 84,000 puts
#: the variance's relative detectable discrepancy at 5% (the mean's, relative to sqrt(Var), at 3.5%)
GBM_SAMPLES = 86_000
#: networks for E q_L: 20,400 x (0.0959/0.05)^2 = 75,000 puts the pinned (D, sigma_w, sigma_b, L) = (1, 1, 1, 1)
#: (coefficient of variation 4/3) at 5%; the relative power scales with the CV of q_L (docs/claims)
Q_SAMPLES = 76_000
#: allowed numerical error of the Richardson limit of the exact moments, relative to sqrt(Var): measured <= 3e-9
#: over D in {1, 2, 3, 8, 16}, sigma_w in {0.3, 0.6, 1} (numerics.resnet_sde.norm_exact)
GBM_LIMIT_TOL = 1e-7
GBM_LABELS = ("E log(|x_T|/|x_0|)", "Var log(|x_T|/|x_0|)")


def gbm_log_norm(p, *, n, seed):
    r"""$y = \log(|x_L|/|x_0|)$ ($\sigma_b = 0$, $L$ = ``GBM_DEPTH``) and its variance summands, shape ``(n, 2)``."""
    y = 0.5 * np.log(linear_resnet_sq_norm(p["width"], p["sigma_w"], 0.0, GBM_DEPTH, n_samples=n, seed=seed))
    return np.stack([y, variance_summands(y)], axis=1)


def gbm_q(p, *, n, seed):
    return linear_resnet_sq_norm(p["width"], p["sigma_w"], p["sigma_b"], p["depth"], n_samples=n, seed=seed)


def gbm_limit(p):
    """The GBM moments of record ``resnet_sde.norm_gbm`` (T = 1)."""
    return np.array([float(norm_gbm.log_norm_mean(1.0, p["sigma_w"], p["width"], 1.0)),
                     float(norm_gbm.log_norm_variance(1.0, p["sigma_w"], p["width"], 1.0))])


def _gbm_sd(p):
    return math.sqrt(float(norm_gbm.log_norm_variance(1.0, p["sigma_w"], p["width"], 1.0)))


GBM_CLAIM = theorem(
    id="claim.resnet_norm_gbm",
    title="Linear deep ResNets: the norm is a geometric Brownian motion and E q_L is exact at every width",
    source=f"{SOURCE}, Corollary 5 with psi = phi = id, sigma_b = 0 (norm of the linear SDE, derived in records "
           "resnet_sde.norm_gbm, resnet_sde.norm_moments; Lemma 21)",
    records=("resnet_sde.norm_gbm", "resnet_sde.norm_moments"),
    parameters=[integer("width", 1, 16, latex="D"), real("sigma_w", 0.3, 1.0, latex=r"\sigma_w"),
                real("sigma_b", 0.0, 1.0, latex=r"\sigma_b", description="bias scale (E q_L part only)"),
                integer("depth", 1, 64, latex="L", description="depth of the exact E q_L part")],
    checks=[Exact("log-norm at L = 32 (exact)", simulate=gbm_log_norm, samples=GBM_SAMPLES, labels=GBM_LABELS,
                  predict=lambda p: linear_log_norm_exact_moments(p["width"], p["sigma_w"], GBM_DEPTH),
                  scale=lambda p, m: [math.sqrt(m[1]), m[1]]),
            Deterministic("log-norm limit", compute=lambda p: linear_log_norm_exact_limit(p["width"], p["sigma_w"]),
                          predict=gbm_limit, labels=GBM_LABELS, rtol=0.0, atol=GBM_LIMIT_TOL,
                          settings=lambda p: {"atol": GBM_LIMIT_TOL * _gbm_sd(p)}),
            Exact("E q_L (exact)", simulate=gbm_q, samples=Q_SAMPLES,
                  predict=lambda p: float(norm_moments.mean_q_finite_depth(1.0, p["sigma_w"], p["sigma_b"], 1.0,
                                                                           p["depth"])))],
    bias="none: the log-norm's mean and variance are exact at L = 32 (Poisson mixture of chi-squares), their "
         "L -> infinity limit is taken on the exact moments (two Richardson steps at L = 1024, 2048, 4096) and "
         "compared with the record to 1e-7 of sqrt(Var) (numerical error measured <= 3e-9); E q_L exact at finite L",
    examples=[{"width": 1, "sigma_w": 1.0, "sigma_b": 1.0, "depth": 1},
              {"width": 16, "sigma_w": 1.0, "sigma_b": 0.0, "depth": 64}],
    max_examples=2,
    formulas=("resnet_sde.norm_gbm:log_norm_mean", "resnet_sde.norm_gbm:log_norm_variance",
              "resnet_sde.norm_moments:mean_q_finite_depth"),
)


# -- claim.doubly_infinite_kernels -----------------------------------------------------------
DI_SIZES = (8, 16, 32, 64)
DI_SAMPLES = 410        # network pairs per size for the NTK (explicit weights, O(L D^2) per network)
DI_NNGP_SAMPLES = 2000  # network pairs per size for the NNGP (jointly exact in law, two inputs)
DI_ORDER = 2  #: order of the polynomial in 1/D fitted along L = D (tanh; one spare degree for goodness of fit)
DI_EXACT_SIZE, DI_EXACT_SAMPLES = 8, (20_000, 10_000)  #: phi = id: L = D of the exact check; NNGP, NTK networks
#: relative numerical error allowed between the L -> infinity limit of the depth-L recursion (Richardson over
#: L = 512..2048) and the record: measured <= 8e-7 for tanh (corner 0.8, 0.8, 1), <= 1e-13 for the identity
DI_LIMIT_RTOL = {"tanh": 1e-5, "identity": 1e-9}
DI_LABELS = ("NNGP E x_T1(z) x_T1(z')", "NTK K_W(z, z')", "NTK K_b(z, z')")


def predict_doubly_infinite(p):
    r"""$(E\lambda_T, K_W, K_b)$ at the inputs $z = 1$, $z'$ (record ``resnet_sde.ntk``, $\phi'(0) = 1$, $T = 1$)."""
    return doubly_infinite_kernels(p["sigma_w"], p["sigma_b"], Z1 * p["z2"])


def _di_args(p):
    return p["phi"], p["sigma_w"], p["sigma_b"], p["z2"]


def _tanh(p):
    return p["phi"] == "tanh"


def _linear_di(p):
    return p["phi"] == "identity"


def _di_exact(p):  # the linear network's exact means at L = D = DI_EXACT_SIZE (any width)
    return linear_kernels_finite_depth(p["z2"], p["sigma_w"], p["sigma_b"], DI_EXACT_SIZE)


def _di_fit(j, simulate, samples):
    return Extrapolated(DI_LABELS[j], simulate=simulate, predict=lambda p: float(predict_doubly_infinite(p)[j]),
                        sizes=DI_SIZES, samples=samples, order=DI_ORDER, variable="1/D (L = D)", size_name="D",
                        applies=_tanh, scale=lambda p, _m: doubly_infinite_kernel_scales(*_di_args(p)[1:])[j])


NTK_PAIRS = Simulation("NTK network pairs", lambda p, *, size, n, seed: controlled_ntk(
    p["phi"], size, *_di_args(p)[1:], n_samples=n, seed=seed))  # K_W and K_b of the same networks
DI_CLAIM = theorem(
    id="claim.doubly_infinite_kernels",
    title="Doubly infinite ResNets (L = D -> infinity, psi = id, phi''(0) = 0): NNGP and NTK parts have closed forms",
    source=f"{SOURCE}, Propositions 18-19 and Section 5.4 (heuristic in the paper; record resnet_sde.ntk)",
    records=("resnet_sde.ntk",),
    parameters=[choice("phi", "identity", "tanh", latex=r"\phi"),
                real("sigma_w", 0.5, 0.8, latex=r"\sigma_w", description="weight scale (not shipped above 0.8)"),
                real("sigma_b", 0.3, 0.8, latex=r"\sigma_b"),
                real("z2", -1.0, 1.0, latex="z'", description="second input (the first is z = 1)")],
    checks=[Deterministic("limit of the depth-L recursion", compute=lambda p: wide_limit(*_di_args(p)),
                          predict=predict_doubly_infinite, labels=DI_LABELS, rtol=1e-5,
                          settings=lambda p: {"rtol": DI_LIMIT_RTOL[p["phi"]]}),
            _di_fit(0, lambda p, *, size, n, seed: controlled_nngp(p["phi"], size, *_di_args(p)[1:], n_samples=n,
                                                                   seed=seed), DI_NNGP_SAMPLES),
            _di_fit(1, NTK_PAIRS.columns(0), DI_SAMPLES), _di_fit(2, NTK_PAIRS.columns(1), DI_SAMPLES),
            Exact(f"NNGP at L = D = {DI_EXACT_SIZE} (exact, phi = id)", samples=DI_EXACT_SAMPLES[0],
                  simulate=lambda p, *, n, seed: doubly_infinite_nngp("identity", DI_EXACT_SIZE, *_di_args(p)[1:],
                                                                      n_samples=n, seed=seed),
                  predict=lambda p: _di_exact(p)[0], applies=_linear_di, labels=DI_LABELS[:1],
                  scale=lambda p, _m: doubly_infinite_kernel_scales(*_di_args(p)[1:])[0]),
            Exact(f"NTK at L = D = {DI_EXACT_SIZE} (exact, phi = id)", samples=DI_EXACT_SAMPLES[1],
                  simulate=lambda p, *, n, seed: doubly_infinite_ntk("identity", DI_EXACT_SIZE, *_di_args(p)[1:],
                                                                     n_samples=n, seed=seed),
                  predict=lambda p: _di_exact(p)[1:], applies=_linear_di, labels=DI_LABELS[1:],
                  scale=lambda p, _m: doubly_infinite_kernel_scales(*_di_args(p)[1:])[1:])],
    bias="tanh: the finite network minus the linear one on the same weights, plus the linear network's exact "
         "depth-L mean, minus the infinite-width depth-L recursion, plus its limit; quadratic fit in 1/D with a "
         "goodness-of-fit test; identity: exact at L = D = 16 (docs/claims/claim.doubly_infinite_kernels.md)",
    examples=[{"phi": "tanh", "sigma_w": 0.8, "sigma_b": 0.8, "z2": 1.0}],
    max_examples=2,
    formulas=("resnet_sde.ntk:nngp_increment", "resnet_sde.ntk:ntk_weights", "resnet_sde.ntk:ntk_bias"),
)


# -- claim.jacobian_law ------------------------------------------------------------------------
#: depths of the limit-law sweep (tanh; from L = 8: a smaller truncation, docs); pairs per depth; exact-check networks
JAC_DEPTHS, JAC_SAMPLES, JAC_EXACT_SAMPLES = (8, 16, 32, 64, 128), 20_000, 130_000
#: phi = id: the (unbiased, order-0) limit-law sweep: three cheap depths, networks per depth
JAC_LINEAR_SWEEP = {"sizes": (4, 8, 16), "samples": 50_000}
#: CDF points of the limit law: these quantiles of the limiting normal law of $\log|g_T v|$, smoothed by $N(0, h^2)$,
#: $h$ = JAC_KAPPA limit standard deviations (declared from the statistic's variance alone: docs/claims)
JAC_LAW_QUANTILES, JAC_KAPPA = (0.25, 0.5, 0.75), 0.2
#: sup-distance allowed for the numerical error of :func:`linear_jacobian_log_norm_cdf` (measured <= 1e-9)
JAC_CDF_NUMERICAL_TOL = 1e-7
#: fit order in 1/L: tanh (the difference from the linear network on the same draws), identity (exactly unbiased)
JAC_ORDER = {"tanh": 3, "identity": 0}
#: tanh: bound on the cubic fit's truncation over L = 8..128, in its standard errors at JAC_SAMPLES pairs per depth
#: (any profile), measured against deep networks (L = 1024, 2048), not the record: the largest |d| + 2 SE(d) of two
#: pooled seeds, 1.86 + 2 x 0.23 (P75 at D = 1; benchmarks/measure_jacobian_truncation.py, seeds 1212-1213; docs)
JAC_TANH_TRUNCATION = 2.4
JAC_LIMIT_LABELS = ("E log|g v|", "Var log|g v|", "E log|g^T u|", "Var log|g^T u|") + tuple(
    f"P(log|g v| + hZ <= q{int(100 * q)})" for q in JAC_LAW_QUANTILES)
JAC_EXACT_LABELS = ("tr E[g^T g]/D", "E log|g v|", "off-diagonal mean of g^T g")  # the last for D > 1


def _linear(p):  # the exact finite-depth law is that of the linear network
    return p["phi"] == "identity"


_linear_limit = functools.lru_cache(maxsize=64)(lambda width, sigma_w: linear_smoothed_limit_means(
    width, sigma_w, JAC_LAW_QUANTILES, JAC_KAPPA))  # the linear network's L = infinity means, from its exact law


def _exact_law(p):
    return functools.partial(linear_jacobian_log_norm_cdf, width=p["width"], sigma_w=p["sigma_w"], depth=p["depth"])


LINEAR = Simulation("linear networks", lambda p, *, n, seed: jacobian_exact_statistics(
    p["width"], p["sigma_w"], p["sigma_b"], p["depth"], n_samples=n, seed=seed))
JACOBIAN_CLAIM = theorem(
    id="claim.jacobian_law",
    title=("Input Jacobian of deep ResNets (psi = id, phi''(0) = 0): log|g_T v| and log|g_T^T u| tend to the GBM "
           "log-normal law at any width (mean, variance, smoothed quartile CDF values; exact finite-depth law for "
           "phi = id)"),
    source=(f"{SOURCE}, Theorem 14, Corollary 15, Section 5.4 (records resnet_sde.backward: noise and drift "
            "coefficients; resnet_sde.norm_gbm: the law of dy = c dB y; resnet_sde.norm_moments: E[g_L^T g_L])"),
    records=("resnet_sde.backward", "resnet_sde.norm_gbm", "resnet_sde.norm_moments"),
    parameters=[choice("phi", "identity", "tanh", latex=r"\phi"), integer("width", 1, 6, latex="D"),
                Parameter("sigma_w", Domain(0.0, 1.5, closed=(False, True)), r"\sigma_w", (0.3, 0.8),
                          "weight scale (drawn up to 0.8, where tanh is shipped; the pinned phi = id has 1.5)"),
                real("sigma_b", 0.0, 0.5, latex=r"\sigma_b", description="bias scale (enters phi = tanh only)"),
                integer("depth", 1, 64, latex="L", description="depth of the exact part (phi = identity)")],
    checks=[Extrapolated("limit law", simulate=lambda p, *, size, n, seed: jacobian_smoothed_statistics(
                p["phi"], p["width"], p["sigma_w"], p["sigma_b"], size, JAC_LAW_QUANTILES, JAC_KAPPA, n_samples=n,
                seed=seed, limit=_linear_limit(p["width"], p["sigma_w"])),
                         predict=lambda p: jacobian_smoothed_limit_means(p["phi"], p["width"], p["sigma_w"],
                                                                         JAC_LAW_QUANTILES, JAC_KAPPA),
                         sizes=JAC_DEPTHS, samples=JAC_SAMPLES, order=3, variable="1/L", size_name="L",
                         labels=JAC_LIMIT_LABELS,
                         scale=lambda _p, m: [math.sqrt(m[1]), m[1], math.sqrt(m[3]), m[3], *m[4:]],
                         settings=lambda p: ({"tolerance_se": JAC_TANH_TRUNCATION, "sample_scale": 1.0}
                                             if p["phi"] == "tanh" else JAC_LINEAR_SWEEP)
                         | {"order": JAC_ORDER[p["phi"]]}),
            Exact("exact moments", simulate=LINEAR.columns(slice(1, None)), samples=JAC_EXACT_SAMPLES, applies=_linear,
                  predict=lambda p: linear_jacobian_exact_means(p["width"], p["sigma_w"], p["depth"])[0],
                  scale=lambda p, _m: linear_jacobian_exact_means(p["width"], p["sigma_w"], p["depth"])[1],
                  settings=lambda p: {"labels": JAC_EXACT_LABELS[:3 if p["width"] > 1 else 2]}),
            Law("law of log|g v| (exact)", simulate=LINEAR.columns(2), samples=JAC_EXACT_SAMPLES, applies=_linear,
                predict=_exact_law, bias_tol=JAC_CDF_NUMERICAL_TOL),
            Law("law of log|g^T u| (exact)", simulate=LINEAR.columns(0), samples=JAC_EXACT_SAMPLES, applies=_linear,
                predict=_exact_law, bias_tol=JAC_CDF_NUMERICAL_TOL)],
    bias="phi = id: exact at the drawn (D, L), and at every depth of the sweep (draws minus the exact depth-L means "
         "plus their exact limit); tanh: minus the linear network on the same draws, plus its exact limit, cubic in "
         "1/L over L = 8..128 with goodness of fit and a measured truncation bound of 3.0 standard errors",
    examples=[{"phi": "tanh", "width": 6, "sigma_w": 0.8, "sigma_b": 0.5, "depth": 1},
              {"phi": "identity", "width": 4, "sigma_w": 1.5, "sigma_b": 0.5, "depth": 32}],
    max_examples=2,
    formulas=("resnet_sde.backward:noise_coefficient", "resnet_sde.norm_gbm:log_norm_mean",
              "resnet_sde.norm_gbm:log_norm_variance", "resnet_sde.norm_moments:mean_q_finite_depth"),
)


RESNET_SDE_CLAIMS = (WEAK_CLAIM, GBM_CLAIM, DI_CLAIM, JACOBIAN_CLAIM)

# The affine-draw, width-first and convolutional claims live beside this module (imported last: they use its helpers).
from ._resnet_sde_conv import CONV_SDE_CLAIMS  # noqa: E402
from ._resnet_sde_more import MORE_RESNET_SDE_CLAIMS  # noqa: E402

CLAIMS = RESNET_SDE_CLAIMS + MORE_RESNET_SDE_CLAIMS + CONV_SDE_CLAIMS
