r"""The scaling regimes of Cohen, Cont, Rossier and Xu: finite ResNets against their depth limits.

``claim.scaling_regimes_diffusive``: $h_{k+1} = h_k + \sigma(A_k h_k + b_k)$, $A_k = \bar A/L + s_A\Delta B^A_k$,
$b_k = \bar b/L + s_b\Delta B^b_k$ ($d = 1$, $h_0 = x$) has $E h_L$ and $E h_L^2$ converging at weak order 1 in
$1/L$ to the moments of $dH = \sigma'(0)[(\bar A H + \bar b)dt + s_A H dB^A + s_b dB^b] +
\tfrac{\sigma''(0)}{2}(s_A^2H^2 + s_b^2)dt$ (record ``scaling_regimes.diffusive_sde``).  The network means at
$L = 8, 16, 32, 64$ are extrapolated quadratically in $1/L$ (one spare depth for the goodness-of-fit test) and
compared with: for tanh ($\sigma''(0) = 0$) the closed moment ODE (matrix exponential, no Monte Carlo error); for
the shifted softplus ($\sigma''(0) = 1/4$) Euler-Maruyama at 64 and 32 steps on one Brownian path, Richardson
per path (an :class:`~verify.core.Estimate`; bias $O(64^{-2})$).  Dropping the correction (``ito=False``) shifts
the softplus prediction by 8% and 17% (a planted error, tests).  Details: ``docs/claims/claim.scaling_regimes_diffusive.md``.

``claim.scaling_regimes_forward``: smooth weights $L^{-\beta}\bar A(k/L)$, $\delta = L^{\beta-1}$ (F1, F2): the
log-log slope of $E|h_L - H_1|$ over $L = 512..16384$ against the order of record ``scaling_regimes.smooth_weights``
(a ``Rate`` with the issue's tolerance 0.15).  ``claim.scaling_regimes_backward``: the exact adjoint $p_0$ of F6
networks against the backward SDE with its $\Gamma$ term (record ``scaling_regimes.backward``): $E p_0$ extrapolated
in $1/L$, and the strong order 1/2 on one path.  Details in ``docs/claims/``.
"""

from __future__ import annotations

import numpy as np

from numerics.generated import scaling_regimes_smooth_weights as smooth_record
from numerics.scaling_regimes import (
    backward_sde_euler,
    brownian_path,
    diffusive_adjoint,
    diffusive_resnet,
    diffusive_sde_euler,
    get_activation,
    linear_sde_moments,
    richardson_mean,
    smooth_limit,
    smooth_resnet,
)

from ..core import Estimate, Extrapolated, Rate, choice, real, theorem
from ._scaling_regimes_estimators import CLAIMS as ESTIMATOR_CLAIMS
from ._scaling_regimes_training import CLAIMS as TRAINING_CLAIMS

__all__ = ["BACKWARD_CLAIM", "CLAIMS", "DIFFUSIVE_CLAIM", "FORWARD_CLAIM", "backward_claim", "forward_claim",
           "network_moments", "predict_moments"]

DEPTHS = (8, 16, 32, 64)
NETWORKS = 120_000   # per depth (x the profile's scale): 20,000 detected 10.2% (tanh E h^2), 100,000 4.6%
SDE_PATHS, SDE_STEPS = 50_000, 64   # the softplus prediction (not scaled by the profile); 100k x 128 cost 2.6 s
KEYS = ("a_bar", "b_bar", "s_a", "s_b")


def network_moments(p, *, size, n, seed):
    """Draws of $(h_L, h_L^2)$ of ``n`` independent F6 networks of depth ``size``: shape ``(n, 2)``."""
    h = diffusive_resnet([p["x"]], brownian_path(seed, n_networks=n, n_steps=size), activation=p["activation"],
                         depth=size, **{k: p[k] for k in KEYS})[:, 0]
    return np.stack([h, h * h], axis=1)


def predict_moments(p, *, seed, ito: bool = True):
    """$(E H_1, E H_1^2)$: closed moment ODE for tanh; Richardson-extrapolated Euler-Maruyama otherwise."""
    act, kw = get_activation(p["activation"]), {k: p[k] for k in KEYS}
    if act.sigma2 == 0.0:
        return linear_sde_moments(p["x"], 1.0, sigma1=act.sigma1, **kw)
    dw = brownian_path(seed, n_networks=SDE_PATHS, n_steps=SDE_STEPS)
    fine, coarse = (diffusive_sde_euler([p["x"]], dw, sigma1=act.sigma1, sigma2=act.sigma2, n_steps=m, ito=ito,
                                        **kw)[:, 0] for m in (SDE_STEPS, SDE_STEPS // 2))
    return Estimate(*richardson_mean(np.stack([fine, fine ** 2], 1), np.stack([coarse, coarse ** 2], 1)))


DIFFUSIVE_CLAIM = theorem(
    id="claim.scaling_regimes_diffusive",
    title="ResNets with Brownian-increment weights (regime F6): moments converge at weak order 1 to the Ito SDE",
    source="Cohen, Cont, Rossier and Xu, ICML 2021 (regime F6; record scaling_regimes.diffusive_sde, derived here)",
    records=("scaling_regimes.diffusive_sde",),
    parameters=[choice("activation", "tanh", "softplus", latex=r"\sigma",
                       description="tanh or the shifted softplus log(1+e^x) - log 2"),
                real("x", 0.5, 1.0, description="input h_0"), real("a_bar", -0.5, 0.5, latex=r"\bar A"),
                real("b_bar", 0.0, 0.3, latex=r"\bar b"), real("s_a", 0.1, 0.4, latex="s_A"),
                real("s_b", 0.0, 0.3, latex="s_b")],
    checks=[Extrapolated("moments", simulate=network_moments, predict=predict_moments, sizes=DEPTHS,
                         samples=NETWORKS, order=2, power=1.0, variable="1/L", size_name="L",
                         labels=("E h_L", "E h_L^2"))],
    bias=f"network means at L = {DEPTHS} fitted by a + b/L + c/L^2 with a goodness-of-fit test on the spare depth; "
         f"softplus SDE by Richardson over {SDE_STEPS} and {SDE_STEPS // 2} Euler steps on one path",
    # the correction's example (sigma''(0) != 0); tanh is drawn (and pinned in the claim's tests)
    examples=({"activation": "softplus", "x": 1.0, "a_bar": 0.5, "b_bar": 0.2, "s_a": 0.4, "s_b": 0.3},),
    max_examples=2,
    formulas=("scaling_regimes.diffusive_sde:drift", "scaling_regimes.diffusive_sde:ito_correction",
              "scaling_regimes.diffusive_sde:mean_rate_tanh", "scaling_regimes.diffusive_sde:second_moment_rate_tanh"),
)

RATE_TOLERANCE = 0.15   # the stated bound on |slope - order| (pre-asymptotic curvature), not tuned


def forward_errors(p, *, size, n, seed):
    """$|h_L - H_1|$ for ``n`` inputs of norm ``radius`` in uniformly drawn directions ($d = 3$, F1/F2 weights)."""
    x = np.random.default_rng(seed).standard_normal((n, 3))
    x *= p["radius"] / np.linalg.norm(x, axis=1, keepdims=True)
    h = smooth_resnet(x, activation=p["activation"], alpha=1.0 - p["beta"], beta=p["beta"], depth=size)
    return np.linalg.norm(h - smooth_limit(x, activation=p["activation"], beta=p["beta"]), axis=1)


def forward_order(p):
    """The record's error order, negated (a log-log slope): 1 for the neural ODE, else min(1, beta) or min(1, 2 beta)."""
    if p["beta"] == 0.0:
        return -1.0
    curved = get_activation(p["activation"]).sigma2 != 0.0
    return -float((smooth_record.order_curved if curved else smooth_record.order_odd)(p["beta"]))


def forward_claim(order=forward_order):
    """``claim.scaling_regimes_forward``; ``order`` replaces the predicted slope (a planted error, tests)."""
    return theorem(
        id="claim.scaling_regimes_forward",
        title="Smooth weights L^-beta A_bar(k/L), delta = L^(beta-1) (F1, F2): h_L converges to the limit ODE at the "
              "record's order",
        source="Cohen, Cont, Rossier and Xu, ICML 2021 (record scaling_regimes.smooth_weights, derived here)",
        records=("scaling_regimes.smooth_weights",),
        parameters=[choice("activation", "tanh", "softplus", latex=r"\sigma"),
                    choice("beta", 0.0, 0.2, 0.5, latex=r"\beta", description="0: neural ODE (F1); > 0: linear ODE (F2)"),
                    real("radius", 0.5, 1.5, latex="|x|", description="norm of the inputs")],
        checks=[Rate("|h_L - H_1|", simulate=forward_errors, predict=order, order=-1.0, statistic="mean",
                     sizes=(512, 1024, 2048, 4096, 8192, 16384), samples=1000, tolerance=RATE_TOLERANCE,
                     labels=("log-log slope of E|h_L - H_1|",))],
        bias=f"log-log slope over L = 512..16384 with the issue's stated tolerance {RATE_TOLERANCE} (pre-asymptotic "
             "curvature); the reference ODE by DOP853 at rtol 1e-12",
        examples=({"activation": "tanh", "beta": 0.2, "radius": 1.0},),
        max_examples=None,   # cheap (about 1 s per example): quick draws 3, thorough 25
        formulas=("scaling_regimes.smooth_weights:order_curved", "scaling_regimes.smooth_weights:order_odd"),
    )


FORWARD_CLAIM = forward_claim()
FINE_STEPS = 2048   # the backward SDE's reference grid for the strong order (networks at L <= 256 read it)
BACKWARD_KEYS = ("a_bar", "b_bar", "s_a", "s_b")


def _adjoint(p, dw, depth):
    return diffusive_adjoint([p["x"]], dw, activation="softplus", depth=depth, cotangent=[1.0],
                             **{k: p[k] for k in BACKWARD_KEYS})[1][:, 0]


def _limit_adjoint(p, dw, n_steps, gamma):
    return backward_sde_euler([p["x"]], dw, sigma1=0.5, sigma2=0.25, n_steps=n_steps, cotangent=[1.0], gamma=gamma,
                              **{k: p[k] for k in BACKWARD_KEYS})[1][:, 0]


def backward_claim(*, gamma: bool = True):
    """``claim.scaling_regimes_backward``; ``gamma=False`` drops the Gamma term from the limit (a planted error)."""
    def strong_errors(p, *, size, n, seed):   # p_0 of depth `size` minus P_0 on the fine grid, one path each
        dw = brownian_path(seed, n_networks=n, n_steps=FINE_STEPS)
        return _adjoint(p, dw, size) - _limit_adjoint(p, dw, FINE_STEPS, gamma)

    def mean_prediction(p, *, seed):   # E P_0: Richardson over 64 and 32 Euler steps, 50,000 paths
        dw = brownian_path(seed, n_networks=50_000, n_steps=64)
        fine, coarse = (_limit_adjoint(p, dw, m, gamma) for m in (64, 32))
        return Estimate(*richardson_mean(fine, coarse))

    return theorem(
        id="claim.scaling_regimes_backward",
        title="Backpropagation through F6 ResNets (softplus): p_0 converges to the backward SDE with its Gamma term, "
              "in mean at order 1 and pathwise at order 1/2",
        source="Cont, Rossier and Xu (forward-backward SDEs); record scaling_regimes.backward, derived here",
        records=("scaling_regimes.backward",),
        parameters=[real("x", 0.5, 1.0), real("a_bar", 0.0, 0.5, latex=r"\bar A"), real("b_bar", 0.1, 0.3, latex=r"\bar b"),
                    real("s_a", 0.4, 0.8, latex="s_A"), real("s_b", 0.1, 0.3, latex="s_b")],
        checks=[Extrapolated("adjoint mean", simulate=lambda p, *, size, n, seed: _adjoint(
                    p, brownian_path(seed, n_networks=n, n_steps=size), size), predict=mean_prediction,
                    sizes=(8, 16, 32, 64), samples=100_000, order=2, variable="1/L", size_name="L", labels=("E p_0",)),
                Rate("p_0 - P_0 on one path", simulate=strong_errors, order=-0.5, statistic="std", sizes=(16, 32, 64, 128, 256),
                     samples=2000, tolerance=RATE_TOLERANCE, labels=("log-log slope of sd(p_0 - P_0)",))],
        bias="E p_0 at L = 8..64 fitted by a + b/L + c/L^2 (goodness of fit on the spare depth); strong: log-log slope "
             f"with the issue's tolerance {RATE_TOLERANCE}, reference P_0 on {FINE_STEPS} steps of the same path",
        examples=({"x": 1.0, "a_bar": 0.5, "b_bar": 0.2, "s_a": 0.8, "s_b": 0.3},),
        max_examples=2,
        formulas=("scaling_regimes.backward:gamma_isotropic", "scaling_regimes.backward:gamma"),
    )


BACKWARD_CLAIM = backward_claim()

CLAIMS = (DIFFUSIVE_CLAIM, FORWARD_CLAIM, BACKWARD_CLAIM, *ESTIMATOR_CLAIMS, *TRAINING_CLAIMS)
