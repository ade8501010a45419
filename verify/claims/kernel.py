r"""Claims of the ``kernel`` family: NNGP and NTK of finite fully connected networks.

* ``claim.nngp_depth1``: for one hidden layer, $E[f(x)f(x')] = K^{2}(x, x')$
  *exactly at every width* (the hidden pre-activations are exactly Gaussian),
  so the z-test needs no bias term.
* ``claim.nngp_deep``: for deeper networks $E f(x)^2 = K + K_1/n + O(n^{-2})$ with $K_1$
  derived (record ``kernel.finite_width``): the derived term is removed and the
  $O(n^{-2})$ remainder fitted; the covariance $E f(x)f(x')$ is extrapolated in $1/n$.
* ``claim.ntk``: the empirical NTK's mean converges to the analytic NTK
  (extrapolated in $1/n$, error $O(1/n)$), and its fluctuation falls as $n^{-1/2}$
  (log-log slope).

The second moments are drawn Rao-Blackwellised: the readout's conditional kernel
$E[f(x)f(x') \mid h_L]$ (:mod:`numerics.kernel.conditional`), not $f(x)f(x')$.

How finite-size bias is handled and every stated tolerance: ``docs/claims/<claim id>.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from derivations import catalog
from numerics.kernel import empirical_ntk_cross, nngp_ntk, nngp_second_moments, two_inputs
from numerics.kernel.conditional import readout_kernel_draws
from numerics.kernel.finite_width import output_variance_expansion

from ..core import Exact, Extrapolated, Rate, Simulation, choice, integer, real, theorem

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


# -- NTK: mean error O(1/n), fluctuation O(n^-1/2) ---------------------------------------
# widths 32..256 with 1,562 networks each before (mean: 4.8-8.3% in the quick profile); the cost of a network is
# O(n^2) and the variance of its NTK O(1/n), so smaller widths with more networks buy power: 16..128 with 10,000
# each detect 1.5-4.7% in about twice the CPU time
NTK_WIDTHS = (16, 32, 64, 128)
NTK_SAMPLES = 10_000
FLUCTUATION_TOLERANCE = 0.15  # modelling tolerance on the slope (O(1/n) corrections to the sd), not a probability


def _ntk_draws(p, *, size, n, seed):
    r"""$\hat\Theta(x, x')$ of ``n`` networks of width ``size``.

    Both checks read the **same** networks, as before the port (simulating them twice would double the
    claim's time): drawn from the example's seed and the width alone (spawn key ``(size,)``, distinct from
    the harness's per-check keys), and memoised.
    """
    return _shared_ntk(tuple(p[k] for k in _KEYS), size, n, seed.entropy)


@functools.lru_cache(maxsize=8)
def _shared_ntk(key, size, n, entropy):
    p = dict(zip(_KEYS, key))
    draws = empirical_ntk_cross(_x(p), depth=p["depth"], width=size, n_samples=n, **_net(p),
                                seed=np.random.SeedSequence(entropy, spawn_key=(size,)))
    draws.setflags(write=False)
    return draws


def _ntk(p):
    return float(nngp_ntk(_x(p), depth=p["depth"], **_net(p))[1][0, 1])


def _ntk_scale(p, prediction):
    """sqrt(Theta(x,x) Theta(x',x')): Theta(x, x') may vanish (orthogonal inputs, odd phi, no bias)."""
    theta = nngp_ntk(_x(p), depth=p["depth"], **_net(p))[1]
    return math.sqrt(theta[0, 0] * theta[1, 1])


NTK_CLAIM = theorem(
    id="claim.ntk",
    title="The empirical NTK converges to the analytic NTK: mean error O(1/n), fluctuation O(n^-1/2)",
    source="Jacot et al. (NeurIPS 2018), Thm 1-2; Hanin and Nica (ICLR 2020) for the 1/n corrections",
    records=("kernel.fc",),
    parameters=[ACTIVATION, DEPTH, *NETWORK],
    checks=[Extrapolated("mean NTK", simulate=_ntk_draws, predict=_ntk, sizes=NTK_WIDTHS, samples=NTK_SAMPLES,
                         order=2, labels=("Θ(x, x')",), scale=_ntk_scale),
            Rate("NTK fluctuation", simulate=_ntk_draws, order=-0.5, sizes=NTK_WIDTHS, samples=NTK_SAMPLES,
                 statistic="std", tolerance=FLUCTUATION_TOLERANCE)],
    bias=f"extrapolation of the mean in 1/n over widths {NTK_WIDTHS}; log-log slope of the standard deviation",
    examples=({"activation": "relu", "depth": 2, "W_std": 1.5, "b_std": 0.05, "angle": 1.0, "r1": 1.0, "r2": 1.0},),
    formulas=("kernel.fc:ntk_layer",),
)


CLAIMS = (NNGP_DEPTH1_CLAIM, NNGP_DEEP_CLAIM, NTK_CLAIM)
