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

import math

import numpy as np

from numerics.resnet_sde import ResNet, conv_resnet_outputs
from numerics.resnet_sde.conv_sde import (
    PHI,
    conv_moments,
    conv_sde_moments,
    conv_sde_terminal,
)

from ..core import Estimate, Extrapolated, choice, integer, real, theorem

__all__ = ["ACTIVATIONS", "CONV_SDE_CLAIM", "CONV_SDE_CLAIMS", "MOMENTS", "conv_input", "positions",
           "predict_conv_sde"]

SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021"
#: the $(\phi, \psi)$ pairs of the claim.  Not swish/identity: with $\phi''(0) \ne 0$ and unbounded $\psi$ the drift
#: is quadratic and the SDE explodes with positive probability (JMLR Remark 8; Feller's test)
ACTIVATIONS = ("tanh/identity", "tanh/tanh", "swish/tanh")
#: image shape per number of spatial axes, and the positions (interior p, neighbour, distant) compared
SHAPE = {1: (6,), 2: (6, 3)}
POSITIONS = {1: ((2,), (3,), (5,)), 2: ((2, 1), (3, 1), (5, 1))}
INPUT_SCALE = 0.5
DEPTHS = (8, 16, 32, 64)
SAMPLES = 10_000
SDE_PATHS = 20_000  # twice the 10,000 before the port: see docs/claims/claim.conv_resnet_sde.md
SDE_STEPS = 32
SCALE_PATHS, SCALE_STEPS = 1_000, 16  # the (fixed-seed) SDE run that sets the scale of the relative power
MOMENTS = ("E mean_c x_T(p)", "Cov(x_T(p), x_T(p+1))", "Cov(x_T(p), x_T(p_far))")


def conv_input(spatial_dims: int, width: int) -> np.ndarray:
    r"""The fixed input $x_0$, shape ``(1, *SHAPE[spatial_dims], width)``: :data:`INPUT_SCALE` times standard normal
    entries from seed 2021 (a fixed design, as in ``claim.conv_resnet``)."""
    return INPUT_SCALE * np.random.default_rng(2021).standard_normal((1,) + SHAPE[spatial_dims] + (width,))


def positions(spatial_dims: int) -> tuple[int, ...]:
    """Flat indices (C order) of the interior position p, its neighbour and the distant position."""
    return tuple(int(np.ravel_multi_index(q, SHAPE[spatial_dims])) for q in POSITIONS[spatial_dims])


def _split(activations: str) -> tuple[str, str]:
    if activations not in ACTIVATIONS:
        raise ValueError(f"activations={activations!r} is not allowed; allowed values: "
                         f"{', '.join(map(repr, ACTIVATIONS))}")
    phi, psi = activations.split("/")
    return phi, psi


def _sde(p, *, n_paths, n_steps, seed, **plant):
    return conv_sde_moments(*_split(p["activations"]), conv_input(p["spatial_dims"], p["width"]),
                            positions(p["spatial_dims"]), sigma_w=p["sigma_w"], sigma_b=p["sigma_b"],
                            padding=p["padding"], n_paths=n_paths, n_steps=n_steps, seed=seed, **plant)


def predict_conv_sde(p, *, seed, drift=True, patch_scale=1.0) -> Estimate:
    r"""SDE moments at $T = 1$ with standard errors.  Planted wrong laws: ``drift=False`` drops the
    $\tfrac12\phi''(0)$ drift; ``patch_scale`` multiplies the patch inner product of the covariation."""
    mean, se = _sde(p, n_paths=SDE_PATHS, n_steps=SDE_STEPS, seed=seed, drift=drift, patch_scale=patch_scale)
    return Estimate(mean, se)


def _scale(p, pred):
    """sqrt(v_p) for the mean, sqrt(v_p v_q) for Cov(x_p, x_q): v the SDE's channel-averaged variances (fixed seed)."""
    pos = positions(p["spatial_dims"])
    phi, psi = _split(p["activations"])
    x, _ = conv_sde_terminal(phi, psi, conv_input(p["spatial_dims"], p["width"]), sigma_w=p["sigma_w"],
                             sigma_b=p["sigma_b"], padding=p["padding"], n_paths=SCALE_PATHS, n_steps=SCALE_STEPS,
                             seed=2021)
    v = [float(conv_moments(x, (j, j))[:, 1].mean()) for j in pos]
    return [math.sqrt(v[0]), math.sqrt(v[0] * v[1]), math.sqrt(v[0] * v[2])]


def _networks(p, *, size, n, seed):
    phi, psi = _split(p["activations"])
    x0 = conv_input(p["spatial_dims"], p["width"])
    net = ResNet(depth=size, width=p["width"], sigma_w=p["sigma_w"], sigma_b=p["sigma_b"], phi=PHI[phi][0], psi=psi)
    x = conv_resnet_outputs(net, x0, kernel_size=3, n_samples=n, seed=seed, padding=p["padding"], chunk_size=4096)
    return conv_moments(x[:, 0].reshape(n, -1, p["width"]), positions(p["spatial_dims"]))


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
                         order=2, variable="1/L", labels=MOMENTS, scale=_scale)],
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
