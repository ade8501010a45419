r"""Regime F6 of Cohen, Cont, Rossier and Xu: ResNets with Brownian-increment weights against the Itô SDE.

``claim.scaling_regimes_diffusive``: $h_{k+1} = h_k + \sigma(A_k h_k + b_k)$, $A_k = \bar A/L + s_A\Delta B^A_k$,
$b_k = \bar b/L + s_b\Delta B^b_k$ ($d = 1$, $h_0 = x$) has $E h_L$ and $E h_L^2$ converging at weak order 1 in
$1/L$ to the moments of $dH = \sigma'(0)[(\bar A H + \bar b)dt + s_A H dB^A + s_b dB^b] +
\tfrac{\sigma''(0)}{2}(s_A^2H^2 + s_b^2)dt$ (record ``scaling_regimes.diffusive_sde``).  The network means at
$L = 8, 16, 32, 64$ are extrapolated quadratically in $1/L$ (one spare depth for the goodness-of-fit test) and
compared with: for tanh ($\sigma''(0) = 0$) the closed moment ODE (matrix exponential, no Monte Carlo error); for
the shifted softplus ($\sigma''(0) = 1/4$) Euler-Maruyama at 64 and 32 steps on one Brownian path, Richardson
per path (an :class:`~verify.core.Estimate`; bias $O(64^{-2})$).  Dropping the correction (``ito=False``) shifts
the softplus prediction by 8% and 17% (a planted error, tests).  Details: ``docs/claims/claim.scaling_regimes_diffusive.md``.
"""

from __future__ import annotations

import numpy as np

from numerics.scaling_regimes import (
    brownian_path,
    diffusive_resnet,
    diffusive_sde_euler,
    get_activation,
    linear_sde_moments,
    richardson_mean,
)

from ..core import Estimate, Extrapolated, choice, real, theorem

__all__ = ["CLAIMS", "DIFFUSIVE_CLAIM", "network_moments", "predict_moments"]

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

CLAIMS = (DIFFUSIVE_CLAIM,)
