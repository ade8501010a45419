r"""Nonlinear convolutional deep ResNets against the diffusion of Corollary 13 (Peluchetti and Favaro, JMLR 2021).

``claim.conv_resnet_sde``: at $T = 1$, the mean $E\bar x_{T,p}$ (channel average) at an interior position (the
drift) and the channel-averaged covariance $\frac1D\sum_d\operatorname{Cov}(x_{T,p,d}, x_{T,p',d})$ for a
neighbouring and a distant position $p'$ (the cross-position covariation; the distant patches share no entry), of
finite networks (filter size 3) against the SDE of Corollary 13 (generated ``drift`` and ``cross_covariation`` of
``resnet_sde.conv``).  One draw is a family of networks of depths 8, 16, 32, 64 on common random numbers
(:func:`numerics.resnet_sde.conv_coupled.conv_coupled_outputs`); its statistics are Richardson-extrapolated in
$1/L$ through 16, 32, 64 (the draw's limit) and through 8, 16, 32 (their difference: a goodness-of-fit contrast of
mean 0), each controlled by the exactly solvable linear relative driven by the same draws (its exact mean from
the block's law, not from the record under test).  The SDE side is exact
where the SDE is linear ($\psi = \mathrm{id}$, $\phi''(0) = 0$) and otherwise Euler--Maruyama, Richardson over two
step sizes, with the same control; its Monte Carlo error enters the z-test.  Covariances, not raw second moments:
they drop the fluctuation $x_{0,p}\,(x_{T,q} - x_{0,q})$ that would otherwise swamp the $\sigma_w^2$ (patch) part of
the covariation when $\sigma_w$ is small.  Bias handling, power and measurements:
``docs/claims/claim.conv_resnet_sde.md``.
"""

from __future__ import annotations

from numerics.resnet_sde.conv_sde_design import (ACTIVATIONS, COUPLED_DEPTHS, conv_coupled_moments,
                                                 conv_limit_moments, conv_limit_scales)

from ..core import Estimate, Exact, choice, integer, real, theorem

__all__ = ["CONV_SDE_CLAIM", "CONV_SDE_CLAIMS", "MOMENTS", "predict_conv_sde"]

SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021"
SAMPLES = 10_000  # coupled families of networks (depths 8..64), times the profile's scale
SDE_PATHS = 8_000  # times the profile's scale: see docs/claims/claim.conv_resnet_sde.md
MOMENTS = ("E mean_c x_T(p)", "Cov(x_T(p), x_T(p+1))", "Cov(x_T(p), x_T(p_far))")
DESIGN = ("activations", "spatial_dims", "width", "padding", "sigma_w", "sigma_b")


def predict_conv_sde(p, *, seed, scale=1.0, drift=True, patch_scale=1.0) -> Estimate:
    r"""SDE moments at $T = 1$ (exact for a linear SDE, else ``SDE_PATHS`` times ``scale`` controlled paths), then 0
    for the goodness-of-fit contrasts.  Planted wrong laws: ``drift=False`` drops the $\tfrac12\phi''(0)$ drift;
    ``patch_scale`` multiplies the patch inner product of the covariation."""
    value, se = conv_limit_moments(*(p[k] for k in DESIGN), n_paths=max(2, round(SDE_PATHS * scale)), seed=seed,
                                   drift=drift, patch_scale=patch_scale)
    return Estimate([*value, 0.0, 0.0, 0.0], [*se, 0.0, 0.0, 0.0])


def _scales(p, _prediction):
    """The SDE's root mean squares, for each moment and again for its fit contrast: the power rows' "relative" is
    against these, not the predicted values (those figures: docs/claims/claim.conv_resnet_sde.md)."""
    scales = conv_limit_scales(*(p[k] for k in DESIGN))
    return [*scales, *scales]


def _networks(p, *, n, seed):
    return conv_coupled_moments(*(p[k] for k in DESIGN), n_samples=n, seed=seed)


CONV_SDE_CLAIM = theorem(
    id="claim.conv_resnet_sde",
    title="Nonlinear convolutional deep ResNets (phi = tanh or swish) converge to the SDE of Corollary 13: "
          "drift and cross-position covariation",
    source=f"{SOURCE}, Theorem 10 and Corollaries 11 and 13 (record resnet_sde.conv)",
    records=("resnet_sde.conv",),
    parameters=[choice("activations", *ACTIVATIONS, latex=r"\phi/\psi", description="outer/inner activation"),
                integer("spatial_dims", 1, 2, latex="s", description="spatial axes (images 6 or 6 x 3)"),
                integer("width", 1, 2, latex="D", description="channels"), choice("padding", "zero", "circular"),
                real("sigma_w", 0.2, 0.3, latex=r"\sigma_w", description="filter scale (see the claim's doc)"),
                real("sigma_b", 0.0, 0.5, latex=r"\sigma_b", description="bias scale (see the claim's doc)")],
    checks=[Exact("moments", simulate=_networks, predict=predict_conv_sde, samples=SAMPLES,
                  labels=MOMENTS + tuple(f"fit contrast of {m}" for m in MOMENTS),
                  scale=_scales)],
    bias=f"per draw, Richardson (quadratic in 1/L) over coupled depths {COUPLED_DEPTHS[1:]} with the linear relative "
         "as a control variate, and a goodness-of-fit contrast with the extrapolation through "
         f"{COUPLED_DEPTHS[:-1]} (docs/claims/claim.conv_resnet_sde.md)",
    examples=({"activations": "swish/tanh", "spatial_dims": 2, "width": 2, "padding": "circular", "sigma_w": 0.3,
               "sigma_b": 0.5},
              # sigma_b = 0: the covariances are the patch (sigma_w^2) term of Corollary 13 alone
              {"activations": "tanh/identity", "spatial_dims": 1, "width": 1, "padding": "zero", "sigma_w": 0.3,
               "sigma_b": 0.0}),
    max_examples=2,
    formulas=("resnet_sde.conv:drift", "resnet_sde.conv:cross_covariation"),
)

CONV_SDE_CLAIMS = (CONV_SDE_CLAIM,)
