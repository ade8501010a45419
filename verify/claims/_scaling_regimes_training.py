r"""Gradient descent on deep ResNets converges linearly, at a rate with a positive depth limit (Cont, Rossier and
Xu, "Convergence and implicit regularization properties of gradient descent for deep residual networks").

``claim.scaling_regimes_gd_linear``: full-batch gradient descent (learning rate $\eta L$) on the tanh ResNet
$h_{k+1} = h_k + \tfrac1L\tanh(A_kh_k + b_k)$ with smooth initial weights $A_k = \bar A(k/L)$, $b_k = 0$, on a
regression problem of 3 orthonormal inputs in $\mathbb R^3$, has the linear rate
$r_L = (\log\ell_{20} - \log\ell_{60})/40$ per step, and $r_L \to r_\infty$, the rate of gradient descent on the
neural ODE in function space (:mod:`numerics.scaling_regimes.training_gd`, solved by Runge-Kutta 4 on a grid of
16, an independent scheme).  Each problem's ratio $r_L/r_\infty$ is drawn at $L = 8, 16, 32, 64$; the means are
extrapolated quadratically in $1/L$ (one spare depth for the goodness-of-fit test) and the intercept is z-tested
against 1.  With $r_\infty > 0$ (every problem of the box, tests), $r_L \ge r_\infty/2$ for all large $L$: the
log-loss slope is bounded away from 0 uniformly in depth.  Details: ``docs/claims/claim.scaling_regimes_gd_linear.md``.
"""

from __future__ import annotations

from numerics.scaling_regimes.training_gd import (
    continuum_gd_losses,
    linear_rate,
    regression_problems,
    resnet_gd_losses,
)

from ..core import Extrapolated, real, theorem

__all__ = ["CLAIMS", "GD_CHECK", "GD_LINEAR_CLAIM", "gd_linear_claim", "rate_ratio"]

DEPTHS = (8, 16, 32, 64)
PROBLEMS = 100             # per depth (x the profile's scale)
STEPS, WINDOW_START = 60, 20
REFERENCE_GRID = 16        # RK4 steps: its rates differ from grid 32's by < 1e-4 relative over the box (tests)


def _kw(p):
    return {"a0": p["a0"], "a1": p["a1"], "eta": p["eta"], "steps": STEPS}


def rate_ratio(p, *, size, n, seed, reference_eta_factor: float = 1.0):
    r"""Draws of $r_L/r_\infty$ for ``n`` independent problems at depth ``size`` (``reference_eta_factor``
    plants a wrong learning rate in the limit, for the tests)."""
    x, y = regression_problems(seed, n_problems=n, noise=p["noise"])
    ref_kw = _kw(p) | {"eta": p["eta"] * reference_eta_factor}
    limit = linear_rate(continuum_gd_losses(x, y, grid=REFERENCE_GRID, **ref_kw), WINDOW_START, STEPS)
    return linear_rate(resnet_gd_losses(x, y, depth=size, **_kw(p)), WINDOW_START, STEPS) / limit


GD_CHECK = Extrapolated("rate_ratio", simulate=rate_ratio, predict=lambda p: 1.0, sizes=DEPTHS, samples=PROBLEMS,
                        order=2, power=1.0, variable="1/L", size_name="L", labels=("r_L / r_inf",))


def gd_linear_claim(check=GD_CHECK):
    """The claim with ``check`` (the tests plant errors in its simulation)."""
    return theorem(
        id="claim.scaling_regimes_gd_linear",
        title="Gradient descent on a deep tanh ResNet converges linearly at a rate whose depth limit is the "
              "neural ODE's",
        source="Cont, Rossier and Xu, arXiv 2204.07261 (linear convergence of GD for deep ResNets, smooth activation)",
        records=(),
        parameters=[real("a0", -0.3, 0.3, latex="a_0", description="initial weights a0 I + a1 cos(pi t) J"),
                    real("a1", 0.0, 1.0, latex="a_1"),
                    real("eta", 0.25, 0.75, latex=r"\eta", description="learning rate eta L on each layer"),
                    real("noise", 0.1, 0.4, description="targets y = x + noise xi / sqrt(d)")],
        checks=[check],
        bias=f"ratios at L = {DEPTHS} fitted by a + b/L + c/L^2 with a goodness-of-fit test on the spare depth; "
             f"the limit's rate by RK4 on {REFERENCE_GRID} steps (O(M^-4), below 1e-4 relative)",
        examples=({"a0": 0.3, "a1": 1.0, "eta": 0.75, "noise": 0.4},),
        max_examples=2,
    )


GD_LINEAR_CLAIM = gd_linear_claim()
CLAIMS = (GD_LINEAR_CLAIM,)
