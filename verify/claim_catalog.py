r"""The claims shipped with deeplimits.

Each claim cites its source and says how finite-size bias is handled.

* ``claim.dual_closed_forms``: generated closed-form duals equal split
  Gauss--Legendre quadrature and an 80-digit mpmath evaluation of the derived
  expression, across the domain, edges included (deterministic).
* ``claim.nngp_depth1``: for one hidden layer, $E[f(x)f(x')] = K^{2}(x, x')$
  *exactly at every width* (the hidden pre-activations are exactly Gaussian),
  so the z-test needs no bias term.
* ``claim.nngp_deep``: for deeper networks $E[f(x)f(x')] = K + b_1/n + b_2/n^2 + \dots$;
  the limit is extrapolated in $1/n$ and compared with the NNGP.
* ``claim.ntk``: the empirical NTK's mean converges to the analytic NTK
  (extrapolated in $1/n$, error $O(1/n)$), and its fluctuation falls as $n^{-1/2}$
  (log-log slope).
* ``claim.price_identity``: $\partial_c E[\varphi(u)\varphi(v)] = E[\varphi'(u)\varphi'(v)]$
  numerically for user-defined activations (quadrature and central differences).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import custom_activation
from derivations.parameters import Domain, Parameter
from derivations.printer import KernelPrinter, stable_rewrite
from numerics.kernel import recursions as kernels
from numerics.core import quadrature
from numerics.dual.activations import activation
from numerics.kernel.networks import fc_empirical_ntk, fc_outputs

from .accuracy import backward_error
from .claims import Claim, Profile
from .claims_conv_sde import CONV_SDE_CLAIMS
from .claims_covariance_sde import COVARIANCE_SDE_CLAIM
from .claims_log_gaussian import LOG_GAUSSIAN_CLAIMS
from .claims_resnet_sde import RESNET_SDE_CLAIMS
from .claims_resnet_sde_more import MORE_RESNET_SDE_CLAIMS
from .extrapolation import assert_limit
from .plots import ClaimPlot, Exact, Limit, Parity, Rate
from .stats import TestResult, assert_mean, assert_rate, z_threshold

__all__ = ["CLAIMS", "get_claim", "two_inputs"]

INF = math.inf
CLOSED_FORMS = ("relu", "leaky_relu", "abrelu", "abs", "step", "sign", "rectified_monomial_2", "rectified_monomial_3",
                "identity", "monomial_2", "monomial_3", "erf", "gelu", "sin", "cos", "exp", "gaussian", "rbf")
NETWORK_ACTIVATIONS = ("relu", "erf", "gelu", "tanh", "abs")

P_Q1 = Parameter("q1", Domain(0, INF), "q_1", (5e-2, 5.0), "variance of u")
P_Q2 = Parameter("q2", Domain(0, INF), "q_2", (5e-2, 5.0), "variance of v")
P_Q1_WIDE = Parameter("q1", Domain(0, INF), "q_1", (1e-6, 1e6), "variance of u")
P_Q2_WIDE = Parameter("q2", Domain(0, INF), "q_2", (1e-6, 1e6), "variance of v")
P_RHO = Parameter("rho", Domain(-1, 1), r"\rho", (-1.0, 1.0), "correlation of (u, v)")
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


# -- closed-form duals against quadrature and mpmath -------------------------------------
def _predict_dual(p):
    act = activation(p["activation"])
    s = math.sqrt(p["q1"] * p["q2"])
    return act.dual_and_derivative(p["q1"], p["q2"], p["rho"] * s)


QUADRATURE_REL = 1e-8  # accuracy of the graded Gauss-Legendre rule for q in [0.05, 5] (tests/test_derivations.py)
QUADRATURE_Q = (0.05, 5.0)  # where the quadrature reference is used; mpmath covers the whole domain


def _run_dual(claim, p, seed, rate, prof) -> TestResult:
    name = p["activation"]
    act = activation(name)
    q1, q2 = p["q1"], p["q2"]
    c = p["rho"] * math.sqrt(q1 * q2)
    predicted = claim.predict(p)
    worst, detail = 0.0, ""
    references = []  # plot data
    for k, which in enumerate(("dual", "dual_derivative")):
        value = float(predicted[k])
        ref = backward_error(f"dual.{name}", which, act.params, value, q1, q2, c)
        references.append(float(ref.exact))
        ratio = ref.ratio
        f = act.phi if which == "dual" else act.phi_prime
        in_range = QUADRATURE_Q[0] <= min(q1, q2) and max(q1, q2) <= QUADRATURE_Q[1]
        quad = float(quadrature.gaussian_pair_expectation(f, f, q1, q2, c)) if in_range else float("nan")
        diag = (act.variance if which == "dual" else act.derivative_variance)
        scale = max(abs(ref.exact), float(np.sqrt(abs(diag(q1) * diag(q2)))), 1e-300)  # Cauchy-Schwarz scale
        qratio = abs(value - quad) / (QUADRATURE_REL * scale) if in_range else 0.0
        if name in ("step", "sign") and which == "dual_derivative":
            qratio = 0.0  # phi' = 0 away from the jump: both sides are 0
        if max(ratio, qratio) > worst:
            worst = max(ratio, qratio)
            detail = (f"{which}({q1:.6g}, {q2:.6g}, {c:.6g}) = {value!r}; mpmath {ref.exact!r} "
                      f"(backward-error ratio {ratio:.3g}); quadrature {quad!r} (ratio {qratio:.3g})")
    return TestResult(passed=worst <= 1.0, statistic=worst, threshold=1.0, false_fail_rate=0.0,
                      detectable_discrepancy=1e-12, n_samples=0, observed=float(predicted[0]),
                      predicted=float(predicted[0]), detail=detail or "exact agreement",
                      data={"computed": np.asarray(predicted[:2], dtype=float), "reference": np.array(references)})


DUAL_CLAIM = Claim(
    id="claim.dual_closed_forms",
    title="Closed-form duals equal quadrature and 80-digit mpmath across the domain",
    source="records dual.* (Price's theorem / MGF derivations); reference values: canonical expressions in mpmath",
    records=("dual.relu", "dual.erf", "dual.gelu"),
    parameters=(P_ACT, P_Q1_WIDE, P_Q2_WIDE, P_RHO),
    predict=_predict_dual,
    run=_run_dual,
    bias="none: deterministic comparison (backward error <= 1e-12 relative over an 8-ulp box; q in [1e-6, 1e6]; quadrature to 1e-8 where q in [0.05, 5])",
    false_fail_rate=0.0,
    examples=({"activation": "relu", "q1": 0.7, "q2": 1.3, "rho": -1.0},
              {"activation": "erf", "q1": 5.0, "q2": 5.0, "rho": 1.0},
              {"activation": "gelu", "q1": 4.0, "q2": 5.0, "rho": -1.0},
              {"activation": "gelu", "q1": 1e6, "q2": 1e6, "rho": -1.0},
              {"activation": "relu", "q1": 1e-6, "q2": 1e6, "rho": -1.0 + 1e-12}),
    strategies={"activation": st.sampled_from(CLOSED_FORMS),
                "rho": st.one_of(st.floats(-1, 1), st.sampled_from([-1.0, 0.0, 1.0]))},
    plot=ClaimPlot("Closed-form duals V(q1, q2, c) and dV/dc against 80-digit mpmath",
                   (Parity("V and dV/dc", computed="computed", reference="reference", reference_name="mpmath",
                           computed_name="closed form", symlog=True),)),
    formulas=("dual.relu:dual", "dual.erf:dual", "dual.gelu:dual"),
)


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


# -- Price's identity for user-defined activations ---------------------------------------
USER_ACTIVATIONS = ("tanh(x)**2", "x*tanh(x)", "sin(x)*exp(-x**2/4)", "log(1 + exp(x))", "x/(1 + x**2)", "atan(x)")
PRICE_REL = 1e-6  # central differences with h = 1e-3 s: truncation ~ h^2 V'''/6, quadrature error / h ~ 1e-10
P_USER = Parameter("expr", Domain(0, INF, integer=True), r"\varphi", (0, 0), "user activation (categorical)")
_USER_CACHE: dict = {}


def _user_functions(expr: str):
    if expr not in _USER_CACHE:
        rec = custom_activation(expr, name="user")
        xs = rec.parameter("x").symbol
        stable = [sp.lambdify(xs, stable_rewrite(rec.expressions[k]), modules="scipy", printer=KernelPrinter())
                  for k in ("phi", "phi_prime")]  # the emitter's overflow-free forms (no NaN at |x| ~ 800)
        _USER_CACHE[expr] = (*stable, rec.derivation.method.value)
    return _USER_CACHE[expr]


def _predict_price(p):
    _, dphi, _ = _user_functions(p["expr"])
    s = math.sqrt(p["q1"] * p["q2"])
    return float(quadrature.gaussian_pair_expectation(dphi, dphi, p["q1"], p["q2"], p["rho"] * s))


def _run_price(claim, p, seed, rate, prof) -> TestResult:
    phi, _, method = _user_functions(p["expr"])
    q1, q2 = p["q1"], p["q2"]
    s = math.sqrt(q1 * q2)
    c, h = p["rho"] * s, 1e-3 * s
    v = [float(quadrature.gaussian_pair_expectation(phi, phi, q1, q2, c + k * h)) for k in (-1, 1)]
    derivative = (v[1] - v[0]) / (2 * h)
    predicted = claim.predict(p)
    scale = max(abs(predicted), abs(derivative), 1e-12)
    stat = abs(derivative - predicted) / (PRICE_REL * scale)
    return TestResult(passed=stat <= 1.0, statistic=stat, threshold=1.0, false_fail_rate=0.0,
                      detectable_discrepancy=PRICE_REL, n_samples=0, observed=derivative, predicted=predicted,
                      detail=f"{p['expr']} ({method}): dV/dc = {derivative!r} by central differences, E[phi'phi'] = {predicted!r}",
                      data={"derivative": derivative, "expectation": predicted})


PRICE_CLAIM = Claim(
    id="claim.price_identity",
    title="Price's identity dV/dc = E[phi'(u) phi'(v)] holds numerically for user-defined activations",
    source="Price (1958), IRE Trans. Inf. Theory 4(2); derivations.custom_activation",
    records=(),
    parameters=(P_USER, P_Q1, P_Q2, P_RHO),
    predict=_predict_price,
    run=_run_price,
    bias="none: deterministic (central differences, relative tolerance 1e-6)",
    false_fail_rate=0.0,
    examples=({"expr": "tanh(x)**2", "q1": 1.0, "q2": 2.0, "rho": 0.3},),
    strategies={"expr": st.sampled_from(USER_ACTIVATIONS), "rho": st.floats(-0.98, 0.98),
                "q1": st.floats(0.05, 5.0), "q2": st.floats(0.05, 5.0)},
    plot=ClaimPlot("Price's identity: dV/dc by central differences against E[phi'(u) phi'(v)] by quadrature",
                   (Parity("dV/dc", computed="derivative", reference="expectation",
                           reference_name="E[φ'(u)φ'(v)]", computed_name="central difference"),)),
)

CLAIMS: dict[str, Claim] = {c.id: c for c in (DUAL_CLAIM, NNGP_DEPTH1_CLAIM, NNGP_DEEP_CLAIM, NTK_CLAIM, PRICE_CLAIM,
                                               *LOG_GAUSSIAN_CLAIMS, COVARIANCE_SDE_CLAIM, *RESNET_SDE_CLAIMS,
                                               *MORE_RESNET_SDE_CLAIMS, *CONV_SDE_CLAIMS)}


def get_claim(claim_id: str) -> Claim:
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise ValueError(f"unknown claim {claim_id!r}; known claims: {', '.join(CLAIMS)}") from None


_ = z_threshold
