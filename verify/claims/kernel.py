r"""Claims of the ``kernel`` family: NNGP and NTK of finite fully connected networks.

* ``claim.nngp_depth1``: for one hidden layer, $E[f(x)f(x')] = K^{2}(x, x')$
  *exactly at every width* (the hidden pre-activations are exactly Gaussian),
  so the z-test needs no bias term.
* ``claim.nngp_deep``: for deeper networks $E f(x)^2 = K + K_1/n + O(n^{-2})$ with $K_1$
  derived (record ``kernel.finite_width``): the derived term is removed and the
  $O(n^{-2})$ remainder fitted; the covariance $E f(x)f(x')$ is extrapolated in $1/n$.
* ``claim.ntk``: the empirical NTK's mean converges to the analytic NTK
  (extrapolated in $1/n$, error $O(1/n)$), and $n\operatorname{Var}\hat\Theta \to \mathcal A$ with $\mathcal A$
  derived (record ``kernel.ntk_fluctuation``; extrapolated in $1/n$).

The second moments are drawn Rao-Blackwellised: the readout's conditional kernel
$E[f(x)f(x') \mid h_L]$ (:mod:`numerics.kernel.conditional`), not $f(x)f(x')$.

How finite-size bias is handled and every stated tolerance: ``docs/claims/<claim id>.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from derivations import catalog
from numerics.dual.activations import activation
from numerics.kernel import nngp_ntk, nngp_second_moments, two_inputs
from numerics.kernel.conditional import readout_kernel_draws
from numerics.kernel.finite_width import output_variance_expansion
from numerics.kernel.ntk_fluctuation import expansion, fluctuation_draws

from ..core import Exact, Extrapolated, Simulation, choice, integer, real, theorem

__all__ = ["CLAIMS", "DEEP_WIDTHS", "NETWORK_ACTIVATIONS", "NNGP_DEEP_CLAIM", "NNGP_DEPTH1_CLAIM", "NTK_CLAIM",
           "NTK_WIDTHS"]

NETWORK_ACTIVATIONS = ("relu", "erf", "gelu", "tanh", "abs")
_FC = catalog.get("kernel.fc")
ACTIVATION = choice("activation", *NETWORK_ACTIVATIONS, latex=r"\varphi", description="activation")
NETWORK = [_FC.parameter("W_std").narrow(0.8, 1.6), _FC.parameter("b_std").narrow(0.0, 0.3),
           real("angle", 0.0, math.pi, latex=r"\gamma", description="angle between the two inputs"),
           real("r1", 0.5, 2.0, latex="r_1", description="norm of the first input"),
           real("r2", 0.5, 2.0, latex="r_2", description="norm of the second input")]
DEPTH = integer("depth", 2, 3, latex="L", description="hidden layers")
MOMENTS = ("E f(x)^2", "E f(x')^2", "E f(x) f(x')")


#: The parameters that identify an example's networks (memo keys).
_KEYS = ("activation", "depth", "W_std", "b_std", "angle", "r1", "r2")


def _net(p) -> dict:
    return {"activation": p["activation"], "W_std": p["W_std"], "b_std": p["b_std"]}


def _x(p) -> np.ndarray:
    return two_inputs(r1=p["r1"], r2=p["r2"], angle=p["angle"])


def _correlation_scale(p, prediction):
    """K(x,x), K(x',x') and sqrt(K(x,x) K(x',x')): E f(x) f(x') may vanish (orthogonal inputs, odd phi)."""
    k11, k22 = prediction[0], prediction[1]
    return np.array([k11, k22, math.sqrt(k11 * k22)])


# -- NNGP at depth 1: exact at every width ---------------------------------------------
#: Activations whose antithetic twin (first layer negated) changes phi(h) phi(h'): neither odd nor even
#: (for odd or even phi the twin repeats the draw and would only double the cost).
ANTITHETIC = ("relu", "gelu")


def _conditional_moments(p, depth, width, n, seed):
    """Rao-Blackwellised draws of the three second moments (the readout's conditional kernel)."""
    return readout_kernel_draws(_x(p), depth=depth, width=width, n_samples=n, seed=seed,
                                antithetic=p["activation"] in ANTITHETIC, **_net(p))


def _moments_depth1(p, *, n, seed):
    return _conditional_moments(p, 1, p["width"], n, seed)


def _nngp_depth1(p):
    return nngp_second_moments(_x(p), depth=1, **_net(p))


NNGP_DEPTH1_CLAIM = theorem(
    id="claim.nngp_depth1",
    title="One hidden layer: the output covariance equals the NNGP at every width",
    source="Neal (1996); Lee et al. (ICLR 2018): the pre-activations of layer 1 are exactly Gaussian",
    records=("kernel.fc", "dual.relu"),
    parameters=[ACTIVATION, integer("width", 1, 64, latex="n", description="hidden width"), *NETWORK],
    checks=[Exact("second moments", simulate=_moments_depth1, predict=_nngp_depth1, samples=100_000,
                  labels=MOMENTS, scale=_correlation_scale)],
    bias="exact at finite size: E[f(x) f(x')] = K^2(x, x') for any width",
    examples=({"activation": "relu", "width": 1, "W_std": 1.5, "b_std": 0.05, "angle": math.pi, "r1": 1.0, "r2": 1.0},),
    formulas=("kernel.fc:nngp_step", "dual.relu:dual"),
)


# -- NNGP of deeper networks: the derived 1/n term, the rest extrapolated --------------------
DEEP_WIDTHS = (16, 32, 64, 128)
# 61,500 networks per width before the Rao-Blackwellised draws and the derived 1/n term (weakest relative
# detectable 10.6% in the quick profile); 24,000 now give about 3.2% (the covariance's quadratic fit is the weakest)
DEEP_SAMPLES = 24_000


@functools.lru_cache(maxsize=64)
def _width_correction(key):
    """K_1 of the two variances (record kernel.finite_width): E f(x)^2 = K + K_1/n + O(n^-2)."""
    p = dict(zip(_KEYS, key))
    return output_variance_expansion(_x(p), depth=p["depth"], **_net(p))[1]


def _moments_deep(p, *, size, n, seed):
    """Columns: the readout's conditional kernel (G11, G22, G12), then G11 - K1_11/n and G22 - K1_22/n."""
    g = _conditional_moments(p, p["depth"], size, n, seed)
    k1 = _width_correction(tuple(p[k] for k in _KEYS))
    return np.column_stack([g, g[:, :2] - k1 / size])


def _nngp_deep(p):
    return nngp_second_moments(_x(p), depth=p["depth"], **_net(p))


DEEP_NETWORKS = Simulation("networks", _moments_deep)
VARIANCES = ("E f(x)^2 - K1/n", "E f(x')^2 - K1'/n")
NNGP_DEEP_CLAIM = theorem(
    id="claim.nngp_deep",
    title="Deep networks: the output covariance converges to the NNGP as width grows, with the derived 1/n term",
    source=("Lee et al. (ICLR 2018); Matthews et al. (ICLR 2018); 1/n term of the variances: Yaida (2020), "
            "Roberts, Yaida and Hanin (2022), record kernel.finite_width"),
    records=("kernel.fc", "kernel.finite_width"),
    parameters=[ACTIVATION, DEPTH, *NETWORK],
    checks=[Extrapolated("variances", simulate=DEEP_NETWORKS.columns([3, 4]), predict=lambda p: _nngp_deep(p)[:2],
                         sizes=DEEP_WIDTHS, samples=DEEP_SAMPLES, order=1, power=2.0, variable="1/n^2",
                         labels=VARIANCES, scale=lambda p, pred: np.abs(pred)),
            Extrapolated("covariance", simulate=DEEP_NETWORKS.columns(2), predict=lambda p: float(_nngp_deep(p)[2]),
                         sizes=DEEP_WIDTHS, samples=DEEP_SAMPLES, order=2, labels=(MOMENTS[2],),
                         scale=lambda p, pred: math.sqrt(_nngp_deep(p)[0] * _nngp_deep(p)[1]))],
    bias=(f"variances: the derived 1/n term subtracted, the O(1/n^2) remainder fitted (a + b/n^2, two spare widths "
          f"for the chi-square check); covariance: quadratic fit in 1/n over widths {DEEP_WIDTHS}, chi-square check "
          f"on the spare width"),
    examples=({"activation": "relu", "depth": 2, "W_std": 1.5, "b_std": 0.05, "angle": 2.0, "r1": 1.0, "r2": 1.5},),
    formulas=("kernel.fc:nngp_step", "kernel.finite_width:correction_step", "kernel.finite_width:vertex_step"),
)


# -- NTK: mean error O(1/n), the derived variance n Var = A + O(1/n) ------------------------------
# before: explicit networks at widths 16..128 (O(n^2) each), the fluctuation as a log-log slope with a 0.15 modelling
# tolerance (44.6% of the exponent detectable); now the networks are drawn exactly in law in O(n) each
# (numerics.kernel.ntk_in_law) and n (Theta_hat - Theta)^2, less an exact zero-mean control, is extrapolated to the
# derived A (record kernel.ntk_fluctuation)
NTK_WIDTHS = (32, 64, 128, 256)
NTK_SAMPLES = 40_000
#: activations without closed-form duals have no control for hidden layers >= 2 (numerics.kernel.ntk_fluctuation);
#: 1.5 times the networks: the quick tanh example measured 5.4% at 40,000, and power scales like 1/sqrt(samples)
NTK_SAMPLES_NO_CLOSED_FORM = 60_000


def _ntk_samples(p):
    return {} if activation(p["activation"]).closed_form else {"samples": NTK_SAMPLES_NO_CLOSED_FORM}


def _ntk_draws(p, *, size, n, seed):
    r"""Columns: $\hat\Theta(x, x')$ of ``n`` networks of width ``size`` and the variance-reduced draw of
    ``size`` $E(\hat\Theta - \Theta)^2$ (:func:`numerics.kernel.ntk_fluctuation.fluctuation_draws`)."""
    return fluctuation_draws(_x(p), depth=p["depth"], width=size, n_samples=n, seed=seed,
                             terms=_ntk_terms(tuple(p[k] for k in _KEYS)), **_net(p))


@functools.lru_cache(maxsize=64)
def _ntk_terms(key):
    """Theta(x, x'), A and its parts (record kernel.ntk_fluctuation): the simulation's centring and controls."""
    p = dict(zip(_KEYS, key))
    return expansion(_x(p), depth=p["depth"], **_net(p))


def _ntk(p):
    return float(nngp_ntk(_x(p), depth=p["depth"], **_net(p))[1][0, 1])


def _ntk_variance(p):
    """A, computed afresh (not from the simulation's memo), so that a planted record reaches the prediction."""
    return expansion(_x(p), depth=p["depth"], **_net(p))["A"]


def _ntk_scale(p, prediction):
    """sqrt(Theta(x,x) Theta(x',x')): Theta(x, x') may vanish (orthogonal inputs, odd phi, no bias)."""
    theta = nngp_ntk(_x(p), depth=p["depth"], **_net(p))[1]
    return math.sqrt(theta[0, 0] * theta[1, 1])


NTK_NETWORKS = Simulation("networks", _ntk_draws)
NTK_CLAIM = theorem(
    id="claim.ntk",
    title="The empirical NTK converges to the analytic NTK: mean error O(1/n), n Var = A + O(1/n) with A derived",
    source=("Jacot et al. (NeurIPS 2018), Thm 1-2; Hanin and Nica (ICLR 2020) for the 1/n corrections; "
            "the variance: record kernel.ntk_fluctuation"),
    records=("kernel.fc", "kernel.ntk_fluctuation"),
    parameters=[ACTIVATION, DEPTH, *NETWORK],
    checks=[Extrapolated("mean NTK", simulate=NTK_NETWORKS.columns(0), predict=_ntk, sizes=NTK_WIDTHS,
                         samples=NTK_SAMPLES, order=2, labels=("Θ(x, x')",), scale=_ntk_scale, settings=_ntk_samples),
            Extrapolated("NTK fluctuation", simulate=NTK_NETWORKS.columns(1),
                         predict=_ntk_variance, sizes=NTK_WIDTHS,
                         samples=NTK_SAMPLES, order=1, labels=("n Var Θ(x, x')",), settings=_ntk_samples)],
    bias=(f"mean: quadratic fit in 1/n over widths {NTK_WIDTHS}; variance: n (Theta_hat - Theta)^2 = A + O(1/n) "
          f"(the squared O(1/n) bias of the mean included), linear fit in 1/n, chi-square check on two spare widths"),
    examples=({"activation": "relu", "depth": 2, "W_std": 1.5, "b_std": 0.05, "angle": 1.0, "r1": 1.0, "r2": 1.0},),
    formulas=("kernel.fc:ntk_layer", "kernel.ntk_fluctuation:readout_increment"),
)


CLAIMS = (NNGP_DEPTH1_CLAIM, NNGP_DEEP_CLAIM, NTK_CLAIM)
