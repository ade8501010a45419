r"""Claims of the ``propagation`` family: the slopes that set the depth scales, on finite networks.

``claim.propagation_slopes``: one layer of a finite random network (width $n$) fed the infinite-width
law of its inputs (i.i.d. $N(0, q^*)$ pre-activations, correlation $c^*$) multiplies Jacobian and
gradient norms by $\chi_1$ in mean, and its length and correlation maps have slopes $\chi_q$,
$\chi_c$ at the fixed points (common-random-number central differences), so deviations from
$q^*$, $c^*$ decay like $e^{-l/\xi_q}$, $e^{-l/\xi_c}$ and gradients scale like $e^{-l/\xi_\nabla}$.
Every mean is exact at every width (:mod:`numerics.propagation.networks`); the only bias is the
central difference's $\delta^2$ term, evaluated from the maps (``docs/claims/claim.propagation_slopes.md``).
"""

from __future__ import annotations

import functools

import numpy as np

from numerics.propagation import propagation
from numerics.propagation.deep import depth_slopes
from numerics.propagation.networks import one_layer_draws

from ..core import Exact, Extrapolated, Simulation, choice, integer, real, theorem

__all__ = ["CLAIMS", "DEPTH_CLAIM", "SLOPES_CLAIM", "slopes"]

_REL_DELTA = 1e-3  # central-difference step relative to q* and to 1 - c*


@functools.lru_cache(maxsize=64)
def _fixed(activation: str, sigma_w2: float, sigma_b2: float):
    return propagation(activation, sigma_w2=sigma_w2, sigma_b2=sigma_b2)


def _point(p):
    return _fixed(p["activation"], p["sigma_w2"], p["sigma_b2"])


def _draws(p, *, n, seed):
    f = _point(p)
    c = f.c_star if f.c_star < 1.0 else 0.0  # ordered side: the c column is not compared
    return one_layer_draws(p["activation"], sigma_w2=p["sigma_w2"], sigma_b2=p["sigma_b2"], q=f.q_star, c=c,
                           width=p["width"], n=n, seed=seed, delta_q=_REL_DELTA * f.q_star,
                           delta_c=_REL_DELTA * (1.0 - c))


def slopes(p) -> dict[str, np.ndarray]:
    """The predictions: chi_1 (Jacobian, gradient), chi_q, chi_c at the fixed points."""
    f = _point(p)
    return {"chi_1": np.array([f.chi_1, f.chi_1]), "chi_q": np.array([f.chi_q]), "chi_c": np.array([f.chi_c])}


LAYER = Simulation("layer", _draws)
# 10,000 gave a weakest relative detectable of 6.8% (width 8, chi_q; quick profile); the SE falls as samples^-1/2
SAMPLES = 24_000

SLOPES_CLAIM = theorem(
    id="claim.propagation_slopes",
    title="Finite layers fed the infinite-width law scale gradients by chi_1 and contract q, c by chi_q, chi_c",
    source="Poole et al. (NeurIPS 2016); Schoenholz et al. (ICLR 2017), eqs. 4-11",
    records=("propagation.maps",),
    parameters=[choice("activation", "tanh", "erf", latex=r"\varphi", description="activation"),
                real("sigma_w2", 1.0, 3.0, latex=r"\sigma_w^2", description="weight variance"),
                real("sigma_b2", 0.02, 0.3, latex=r"\sigma_b^2", description="bias variance"),
                integer("width", 8, 48, latex="n", description="layer width")],
    checks=[Exact("chi_1", simulate=LAYER.columns([0, 1]), predict=lambda p: slopes(p)["chi_1"], samples=SAMPLES,
                  labels=("Jacobian norm ratio", "gradient norm ratio")),
            Exact("chi_q", simulate=LAYER.columns([2]), predict=lambda p: slopes(p)["chi_q"], samples=SAMPLES,
                  labels=("length-map slope",)),
            Exact("chi_c", simulate=LAYER.columns([3]), predict=lambda p: slopes(p)["chi_c"], samples=SAMPLES,
                  labels=("correlation-map slope at c*",), applies=lambda p: bool(_point(p).c_star < 1.0))],
    bias="exact at every width (inputs drawn from the infinite-width law); central differences carry a "
         "delta^2 term below 1e-5 relative (evaluated from the maps)",
    examples=({"activation": "tanh", "sigma_w2": 1.5, "sigma_b2": 0.05, "width": 32},
              {"activation": "erf", "sigma_w2": 2.5, "sigma_b2": 0.05, "width": 16}),
    formulas=("propagation.maps:chi_1", "propagation.maps:chi_q", "propagation.maps:chi_c",
              "propagation.maps:depth_scale"),
)


# -- deep finite networks: the depth-L approach rates, extrapolated in 1/n ------------------------------
DEPTH_WIDTHS = (32, 64, 128, 256)
DEPTH_SAMPLES = 8_000
ACTIVATION = choice("activation", "tanh", "erf", latex=r"\varphi", description="activation")


def _deep(p, *, size, n, seed):
    f = _point(p)
    c = f.c_star if f.c_star < 1.0 else 0.0  # ordered side: the c column is not compared
    return depth_slopes(p["activation"], sigma_w2=p["sigma_w2"], sigma_b2=p["sigma_b2"], q=f.q_star, c=c,
                        depth=p["depth"], width=size, n=n, seed=seed, delta_q=_REL_DELTA * f.q_star,
                        delta_c=_REL_DELTA * (1.0 - c))


def rates(p) -> dict[str, np.ndarray]:
    """exp(-L/xi_q) and exp(-L/xi_c): the slopes of the depth-L maps at the fixed points."""
    f = _point(p)
    return {"approach of q": np.array([np.exp(-p["depth"] / f.xi_q)]),
            "approach of c": np.array([np.exp(-p["depth"] / f.xi_c)])}


DEEP = Simulation("deep", _deep)

DEPTH_CLAIM = theorem(
    id="claim.propagation_depth_scales",
    title="Deep finite networks approach q* and c* at the rates exp(-L/xi_q), exp(-L/xi_c) as the width grows",
    source="Schoenholz et al. (ICLR 2017), eqs. 5-9",
    records=("propagation.maps",),
    parameters=[ACTIVATION, real("sigma_w2", 1.2, 3.0, latex=r"\sigma_w^2", description="weight variance"),
                real("sigma_b2", 0.02, 0.3, latex=r"\sigma_b^2", description="bias variance"),
                integer("depth", 2, 4, latex="L", description="layers")],
    checks=[Extrapolated("approach of q", simulate=DEEP.columns([0]), predict=lambda p: rates(p)["approach of q"],
                         sizes=DEPTH_WIDTHS, samples=DEPTH_SAMPLES, order=2, labels=("dq^L/dq^0",)),
            Extrapolated("approach of c", simulate=DEEP.columns([1]), predict=lambda p: rates(p)["approach of c"],
                         sizes=DEPTH_WIDTHS, samples=DEPTH_SAMPLES, order=2, labels=("dc^L/dc^0",),
                         applies=lambda p: bool(_point(p).c_star < 1.0))],
    bias="O(1/n) from the finite width, fitted (quadratic in 1/n, goodness of fit on the spare size); "
         "central differences carry a delta^2 term below 1e-5 relative",
    examples=({"activation": "tanh", "sigma_w2": 2.5, "sigma_b2": 0.05, "depth": 3},),
    formulas=("propagation.maps:chi_q", "propagation.maps:chi_c", "propagation.maps:depth_scale"),
)

CLAIMS = (SLOPES_CLAIM, DEPTH_CLAIM)
