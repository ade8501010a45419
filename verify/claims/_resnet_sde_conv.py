r"""Nonlinear convolutional deep ResNets against the diffusion of Corollary 13 (Peluchetti and Favaro, JMLR 2021).

``claim.conv_resnet_sde``: at $T = 1$, the mean $E\bar x_{T,p}$ (channel average) at an interior position (the
drift) and the channel-averaged covariance $\frac1D\sum_d\operatorname{Cov}(x_{T,p,d}, x_{T,p',d})$ for a
neighbouring and a distant position $p'$ (the cross-position covariation; the distant patches share no entry), of
finite networks (:func:`numerics.resnet_sde.conv_resnet_outputs`, filter size 3) at $L = 8, 16, 32, 64$,
extrapolated in $1/L$ against the SDE of Corollary 13 (:mod:`numerics.resnet_sde.conv_sde`: Euler--Maruyama with
the generated ``drift`` and ``cross_covariation`` of ``resnet_sde.conv``, Richardson-extrapolated over two step
sizes on one Brownian path; its Monte Carlo error enters the z-test).  Covariances, not raw second moments: they
drop the fluctuation $x_{0,p}\,(x_{T,q} - x_{0,q})$ that would otherwise swamp the $\sigma_w^2$ (patch) part of the
covariation when $\sigma_w$ is small.  Bias handling and measurements: ``docs/claims/claim.conv_resnet_sde.md``.
"""

from __future__ import annotations

from numerics.resnet_sde.conv_sde_design import (ACTIVATIONS, conv_limit_moments, conv_limit_scales,
                                                 conv_network_moments)

from ..core import Estimate, Extrapolated, choice, integer, real, theorem

__all__ = ["CONV_SDE_CLAIM", "CONV_SDE_CLAIMS", "MOMENTS", "predict_conv_sde"]

SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021"
DEPTHS = (8, 16, 32, 64)
SAMPLES = 10_000
SDE_PATHS = 20_000  # times the profile's sample scale: see docs/claims/claim.conv_resnet_sde.md
SDE_STEPS = 32
MOMENTS = ("E mean_c x_T(p)", "Cov(x_T(p), x_T(p+1))", "Cov(x_T(p), x_T(p_far))")
DESIGN = ("activations", "spatial_dims", "width", "padding", "sigma_w", "sigma_b")


def predict_conv_sde(p, *, seed, scale=1.0, drift=True, patch_scale=1.0) -> Estimate:
    r"""SDE moments at $T = 1$ with standard errors, from ``SDE_PATHS`` times the profile's ``scale`` paths.  Planted
    wrong laws: ``drift=False`` drops the $\tfrac12\phi''(0)$ drift; ``patch_scale`` multiplies the patch inner
    product of the covariation."""
    return Estimate(*conv_limit_moments(*(p[k] for k in DESIGN), n_paths=max(2, round(SDE_PATHS * scale)),
                                        n_steps=SDE_STEPS, seed=seed, drift=drift, patch_scale=patch_scale))


def _networks(p, *, size, n, seed):
    return conv_network_moments(*(p[k] for k in DESIGN), size, n_samples=n, seed=seed)


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
    checks=[Extrapolated("moments", simulate=_networks, predict=predict_conv_sde, sizes=DEPTHS, samples=SAMPLES,
                         order=2, variable="1/L", size_name="L", labels=MOMENTS,
                         scale=lambda p, _m: conv_limit_scales(*(p[k] for k in DESIGN)))],
    bias="quadratic fit in 1/L with a goodness-of-fit test against the Richardson-extrapolated SDE, whose standard "
         "error enters the test (docs/claims/claim.conv_resnet_sde.md)",
    examples=({"activations": "swish/tanh", "spatial_dims": 2, "width": 2, "padding": "circular", "sigma_w": 0.3,
               "sigma_b": 0.5},
              # sigma_b = 0: the covariances are the patch (sigma_w^2) term of Corollary 13 alone
              {"activations": "tanh/identity", "spatial_dims": 1, "width": 1, "padding": "zero", "sigma_w": 0.3,
               "sigma_b": 0.0}),
    max_examples=2,
    formulas=("resnet_sde.conv:drift", "resnet_sde.conv:cross_covariation"),
)

CONV_SDE_CLAIMS = (CONV_SDE_CLAIM,)
