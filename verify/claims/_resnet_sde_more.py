r"""More claims of Peluchetti and Favaro (JMLR 22(175) 2021): affine functions, width-first ODE, conv ResNets.

Companion of :mod:`verify.claims.resnet_sde` (same block, $\Delta t = T/L$, $T = 1$); how each handles
finite-size bias, and every stated tolerance, is in ``docs/claims/<claim id>.md``:

* ``claim.affine_functions``: with $\psi = \mathrm{id}$, $\phi = \tanh$ the limit SDE
  $dx = \tfrac{\sigma_w}{\sqrt D}dW\,x + \sigma_b\,dB$ is linear, so $z \mapsto x_T(z)$ is affine
  (JMLR §4.1); the median nonlinearity residual of finite nets falls (theory: like $L^{-2}$; asserted: at
  least like $L^{-1}$, by distribution-free order-statistic bounds), while the correlation of two distant
  inputs keeps its (non-degenerate) limit, unlike an edge-of-chaos ReLU feedforward net of the same depth;
* ``claim.width_first_ode``: stable ResNets ($\phi = \mathrm{id}$, dense Gaussian input layer) at
  $L = D \to \infty$ have the kernel of the width-first ODE (JMLR §5.6 eq. 44): the limits commute;
* ``claim.conv_resnet``: Corollary 13's cross-position covariation (record ``resnet_sde.conv``)
  propagated layer by layer is exact at finite $L$ for $\phi = \psi = \mathrm{id}$.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.generated import resnet_sde_conv as conv_forms
from numerics.kernel.networks import fc_outputs
from numerics.resnet_sde import ResNet, resnet_outputs
from numerics.resnet_sde.affine import affine_resnet_outputs, affine_second_moments, nonlinearity_residual
from numerics.resnet_sde.conv_linear import conv_covariance_finite_depth
from numerics.resnet_sde.conv_linear_fast import last_layer_second_moments, linear_conv_states
from numerics.resnet_sde.coupled import coupled_final_states
from numerics.resnet_sde.linear_kernels import linear_kernels_limit
from numerics.resnet_sde.kernel_odes import solve_kernel_odes

from ..core import Exact, Extrapolated, Rate, choice, integer, real, theorem

__all__ = ["AFFINE_CLAIM", "CONV_CLAIM", "MORE_RESNET_SDE_CLAIMS", "WF_CLAIM", "affine_claim", "predict_conv"]

SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021"
CHUNK = 4096


# -- claim.affine_functions --------------------------------------------------------------------
AFF_DEPTHS, AFF_SAMPLES, AFF_GRID = (8, 16, 32, 64, 128), 20_000, np.linspace(-1.5, 1.5, 7)
#: the residual's median must fall at least like L^-AFF_EXPONENT between these depths (theory: L^-2; see the doc)
AFF_RATE_DEPTHS, AFF_EXPONENT = (16, 128), 1.0
FC_WIDTH, FC_DEPTH, FC_CORR_FLOOR = 64, 64, 0.75  #: edge-of-chaos ReLU contrast: width, depth, correlation floor
AFF_PINNED = {"width": 4, "sigma_w": 0.8, "sigma_b": 0.7}
AFF_LAMBDA0 = (1.0, 1.0, -1.0)  # z z' at (1, 1), (-1, -1), (1, -1)


def _eoc_correlation(p, *, n, seed):
    r"""$1 - (f(1) - f(-1))^2/4$ of the edge-of-chaos ReLU net ($\sigma_w^2 = 2$, $\sigma_b = 0$): $E f(\pm1)^2 = 2$
    exactly at any width (each ReLU layer keeps $E h^2$), so its mean is the correlation of $f(1)$, $f(-1)$."""
    f = fc_outputs(np.array([[1.0], [-1.0]]), activation="relu", depth=FC_DEPTH, width=FC_WIDTH,
                   W_std=math.sqrt(2.0), b_std=0.0, n_samples=n, seed=seed)
    return 1.0 - 0.25 * (f[:, 0] - f[:, 1]) ** 2


def _unit_moments(x):
    return np.stack([x[:, 0, 0] ** 2, x[:, 0, 1] ** 2, x[:, 0, 0] * x[:, 0, 1]], axis=1)


def affine_claim(phi: str = "tanh"):
    """``claim.affine_functions`` for the residual activation ``phi`` (shipped: ``"tanh"``; ``"silu"``, with
    $\\phi''(0) \\neq 0$, plants a false claim the run must reject)."""
    def residual(p, *, size, n, seed):
        y = affine_resnet_outputs(phi, p["width"], p["sigma_w"], p["sigma_b"], size, AFF_GRID, n_samples=n, seed=seed)
        return nonlinearity_residual(y, AFF_GRID)

    def moments(p, *, size, n, seed):  # phi net minus the linear net on the same weights + the linear net's limit
        x, y = coupled_final_states(phi, p["width"], p["sigma_w"], p["sigma_b"], size, np.array([1.0, -1.0]),
                                    n_samples=n, seed=seed)
        limit = [linear_kernels_limit(lam0, p["sigma_w"], p["sigma_b"])[0] for lam0 in AFF_LAMBDA0]
        return _unit_moments(x) - _unit_moments(y) + np.array(limit)

    return theorem(
        id="claim.affine_functions",
        title="Deep ResNets with psi = id, phi = tanh draw affine functions of the input; distant inputs stay "
              "decorrelated",
        source=f"{SOURCE}, Section 4.1 (Corollary 5 with psi = id: a linear SDE) and Section 5.3 (record resnet_sde.ntk)",
        records=("resnet_sde.ntk", "resnet_sde.linear"),
        parameters=[integer("width", 1, 4, latex="D"), real("sigma_w", 0.3, 0.8, latex=r"\sigma_w"),
                    real("sigma_b", 0.0, 0.7, latex=r"\sigma_b")],
        checks=[Rate("residual decay", order=-AFF_EXPONENT, statistic="median", alternative="at most",
                     sizes=AFF_RATE_DEPTHS, samples=AFF_SAMPLES, labels=("median residual log-log slope",),
                     simulate=residual),
                Extrapolated("second moments", simulate=moments, sizes=AFF_DEPTHS, samples=AFF_SAMPLES, order=3,
                             predict=lambda p: affine_second_moments(p["sigma_w"], p["sigma_b"]), variable="1/L",
                             size_name="L", labels=("E x_T1(1)^2", "E x_T1(-1)^2", "E x_T1(1) x_T1(-1)"),
                             scale=lambda p, m: [m[0], m[1], math.sqrt(m[0] * m[1])]),
                Exact("edge-of-chaos contrast", simulate=_eoc_correlation, predict=lambda p: FC_CORR_FLOOR,
                      samples=AFF_SAMPLES, alternative="at least", labels=("EOC ReLU corr floor",),
                      applies=lambda p: dict(p) == AFF_PINNED)],
        bias="median residual: a one-sided order-statistic decay test at L^-1 (theory L^-2); moments: tanh minus "
             "the linear net on the same weights plus the linear net's exact limit, cubic fit in 1/L with a "
             "goodness-of-fit test (docs/claims/claim.affine_functions.md)",
        examples=(AFF_PINNED,),
        max_examples=2,
        formulas=("resnet_sde.ntk:nngp_increment", "resnet_sde.linear:solution_d1"),
    )


AFFINE_CLAIM = affine_claim()


# -- claim.width_first_ode ---------------------------------------------------------------------
WF_SIZES = (8, 16, 32, 64)  # L = D
WF_SAMPLES = 20_000
WF_INPUTS = np.array([[1.0, 0.0], [0.6, 0.8]])


def _predict_wf(p):
    r"""$K_T$ (entries 00, 11, 01) of the width-first ODE from $K_0 = \sigma_Z^2 zz^\top$ (:func:`solve_kernel_odes`)."""
    K0 = p["sigma_z"] ** 2 * WF_INPUTS @ WF_INPUTS.T
    K = solve_kernel_odes(K0, T=1.0, sigma_w=p["sigma_w"], sigma_b=p["sigma_b"], psi=p["psi"]).K[-1]
    return np.array([K[0, 0], K[1, 1], K[0, 1]])


def _wf_gram(p, *, size, n, seed):
    net = ResNet(depth=size, width=size, sigma_w=p["sigma_w"], sigma_b=p["sigma_b"], phi="identity", psi=p["psi"],
                 input="dense", sigma_z=p["sigma_z"])
    g = resnet_outputs(net, WF_INPUTS, n_samples=n, seed=seed, gram=True, chunk_size=CHUNK).gram[:, 0]
    return np.stack([g[:, 0, 0], g[:, 1, 1], g[:, 0, 1]], axis=1)


WF_CLAIM = theorem(
    id="claim.width_first_ode",
    title="Stable ResNets (phi = id, dense Gaussian input): depth and width limits commute (width-first kernel ODE)",
    source=f"{SOURCE}, Section 5.6 eq. 44 (record resnet_sde.width_first; solved by numerics.resnet_sde.kernel_odes); "
           "Hayou and Yang (ICML 2023)",
    records=("resnet_sde.width_first",),
    parameters=[choice("psi", "identity", "tanh", "relu", latex=r"\psi", description="inner activation"),
                real("sigma_w", 0.5, 1.5, latex=r"\sigma_w"), real("sigma_b", 0.0, 0.5, latex=r"\sigma_b"),
                real("sigma_z", 0.5, 1.5, latex=r"\sigma_Z", description="input layer scale")],
    checks=[Extrapolated("kernel", simulate=_wf_gram, predict=_predict_wf, sizes=WF_SIZES, samples=WF_SAMPLES,
                         order=2, variable="1/D (L = D)", labels=("K_T(z, z)", "K_T(z', z')", "K_T(z, z')"),
                         scale=lambda p, K: [K[0], K[1], math.sqrt(K[0] * K[1])])],
    bias="extrapolated quadratically in 1/D along L = D, with a goodness-of-fit test "
         "(docs/claims/claim.width_first_ode.md)",
    examples=({"psi": "tanh", "sigma_w": 1.5, "sigma_b": 0.5, "sigma_z": 1.0},),
    max_examples=2,
    formulas=("resnet_sde.width_first:kernel_rate",),
)


# -- claim.conv_resnet -------------------------------------------------------------------------
CONV_SAMPLES = 20_000
#: networks per example: CONV_SAMPLES times round(exp(K^s sigma_w^2 / 2)) in [1, 16] (a budget rule for the heavy
#: tails of the product of layers, not a tolerance: each example's power is reported; pinned corner 16 x 20,000)
CONV_MAX_FACTOR = 16
CONV_SIDE = {1: 6, 2: 4}  # positions per spatial axis


def _conv_input(p) -> np.ndarray:
    shape = (1,) + (CONV_SIDE[p["spatial_dims"]],) * p["spatial_dims"] + (p["width"],)
    return np.random.default_rng(2021).standard_normal(shape)


def _conv_pairs(p):
    side, dims = CONV_SIDE[p["spatial_dims"]], p["spatial_dims"]
    centre = sum(2 * side**i for i in range(dims))  # position (2, ..., 2)
    return [(centre, centre), (centre, centre + 1), (0, 0), (0, 1)]


def _conv_covariance(p, patch_scale=1.0):
    return conv_covariance_finite_depth(_conv_input(p)[0], kernel_size=p["kernel_size"], padding=p["padding"],
                                        sigma_w=p["sigma_w"], sigma_b=p["sigma_b"], depth=p["depth"],
                                        patch_scale=patch_scale)


def predict_conv(p, *, patch_scale=1.0):
    r"""$E x_{L,0,1}$ ($= x_{0,0,1}$ + ``drift``, 0 as $\phi''(0) = 0$) and $E\langle x_p, x_{p'}\rangle/D$ at the pairs."""
    C = _conv_covariance(p, patch_scale)
    drift = conv_forms.drift(1.0, 0.0, p["sigma_w"], p["sigma_b"], p["width"])
    return np.array([_conv_input(p)[0].reshape(-1, p["width"])[0, 0] + drift] + [C[i, j] for i, j in _conv_pairs(p)])


def _conv_scale(p, pred):
    """The root mean squares: sqrt(C_00) for the mean, sqrt(C_ii C_jj) for each second moment."""
    C = _conv_covariance(p)
    return [math.sqrt(C[0, 0])] + [math.sqrt(C[i, i] * C[j, j]) for i, j in _conv_pairs(p)]


def _conv_factor(p) -> int:
    return min(CONV_MAX_FACTOR, max(1, round(math.exp(p["kernel_size"] ** p["spatial_dims"] * p["sigma_w"] ** 2 / 2))))


def _conv_draws(p, *, n, seed):
    """x_{L-1} simulated (batched, :mod:`numerics.resnet_sde.conv_linear_fast`), the last layer integrated out
    from the block's own Gaussian law (Rao-Blackwell: same means, less variance; not from the record).  At L = 1
    that would leave no layer simulated (two formulas compared), so the one layer is drawn."""
    kw = {k: p[k] for k in ("kernel_size", "padding", "sigma_w", "sigma_b", "depth")}
    x0, rb = _conv_input(p)[0], p["depth"] > 1
    X = linear_conv_states(x0, **kw, n_samples=n, seed=seed, layers=p["depth"] - rb)
    if rb:
        moments = last_layer_second_moments(X.reshape((n,) + x0.shape), _conv_pairs(p), **kw)
    else:
        moments = np.stack([np.sum(X[:, i] * X[:, j], axis=-1) / p["width"] for i, j in _conv_pairs(p)], axis=1)
    return np.concatenate([X[:, :1, 0], moments], axis=1)


CONV_CLAIM = theorem(
    id="claim.conv_resnet",
    title="Convolutional deep ResNets: Corollary 13's drift and cross-position covariation, exact at finite depth "
          "for phi = psi = id",
    source=f"{SOURCE}, Theorem 10 and Corollary 13 (record resnet_sde.conv)",
    records=("resnet_sde.conv",),
    parameters=[integer("width", 1, 4, latex="D", description="channels"),
                choice("kernel_size", 1, 3, latex="K", description="odd filter size"),
                integer("spatial_dims", 1, 2, latex="s", description="spatial axes"),
                choice("padding", "zero", "circular"),
                real("sigma_w", 0.3, 0.8, latex=r"\sigma_w"), real("sigma_b", 0.0, 1.0, latex=r"\sigma_b"),
                integer("depth", 1, 16, latex="L")],
    checks=[Exact("moments", simulate=_conv_draws, predict=predict_conv, samples=CONV_SAMPLES, scale=_conv_scale,
                  settings=lambda p: {"samples": CONV_SAMPLES * _conv_factor(p)},
                  labels=("E x_L,0,1", "<x_c, x_c>/D", "<x_c, x_c+1>/D", "<x_0, x_0>/D", "<x_0, x_1>/D"))],
    bias="none: exact at every depth for phi = psi = id; x_{L-1} simulated, the last layer integrated out from the "
         "block's Gaussian law (not the record); heavy tails at K^s sigma_w^2 = 5.8 (sd 2.4x the mean): 320,000 "
         "networks there, 4.5% detectable in quick (docs/claims/claim.conv_resnet.md)",
    examples=({"width": 2, "kernel_size": 3, "spatial_dims": 2, "padding": "zero", "sigma_w": 0.8, "sigma_b": 1.0,
               "depth": 16},),
    max_examples=2,
    formulas=("resnet_sde.conv:drift", "resnet_sde.conv:cross_covariation"),
)

MORE_RESNET_SDE_CLAIMS = (AFFINE_CLAIM, WF_CLAIM, CONV_CLAIM)
