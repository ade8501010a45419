r"""NNGP and NTK recursions of fully connected and residual networks, as records.

Conventions are those of neural-tangents' ``stax.serial(Dense(n, W_std, b_std),
Act(), ..., Dense(1, W_std, b_std))`` in the NTK parameterisation:
$h^{1} = \frac{\sigma_w}{\sqrt d} W^{1} x + \sigma_b b^{1}$ and
$h^{l+1} = \frac{\sigma_w}{\sqrt{n}} W^{l+1}\varphi(h^{l}) + \sigma_b b^{l+1}$
with standard normal $W, b$.  As the widths grow, the pre-activations of
layer $l$ become a centred Gaussian process with kernel $K^l$, and the network's
neural tangent kernel converges to $\Theta^l$:

$$K^1 = \sigma_w^2 \frac{x\cdot x'}{d} + \sigma_b^2,\qquad
K^{l+1} = \sigma_w^2 V_\varphi(K^l) + \sigma_b^2,\qquad
\Theta^{l+1} = K^{l+1} + \sigma_w^2 \dot V_\varphi(K^l)\,\Theta^l,\quad \Theta^1 = K^1.$$

The residual block $h \mapsto h + \alpha[\frac{\sigma_w}{\sqrt n}W\varphi(h) + \sigma_b b]$
adds $\alpha^2(\sigma_w^2 V_\varphi + \sigma_b^2)$ to the kernel, the cross terms
vanishing because $W$ is centred and independent of $h$.
"""

from __future__ import annotations

import math


from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record

__all__ = ["fc_kernel_record", "residual_kernel_record", "W_STD", "B_STD"]

INF = math.inf
NONNEG = Domain(0, INF)

W_STD = Parameter("W_std", NONNEG, r"\sigma_w", (0.1, 3.0), "standard deviation of the weights (NTK parameterisation)")
B_STD = Parameter("b_std", NONNEG, r"\sigma_b", (0.0, 1.0), "standard deviation of the biases")
DOT = Parameter("dot", Domain(-INF, INF), r"x \cdot x'", (-10.0, 10.0), "inner product of the two inputs")
DIM = Parameter("d", Domain(1, INF, integer=True), "d", (1, 1000), "input dimension")
V = Parameter("V", Domain(-INF, INF), r"V_\varphi", (-10.0, 10.0), "dual activation at the previous layer's kernel")
VDOT = Parameter("Vdot", Domain(-INF, INF), r"\dot V_\varphi", (-10.0, 10.0), "derivative dual at the previous layer's kernel")
K_PREV = Parameter("K", Domain(-INF, INF), r"K^{l}", (-10.0, 10.0), "NNGP kernel of the previous layer")
THETA = Parameter("Theta", Domain(-INF, INF), r"\Theta^{l}", (-10.0, 10.0), "NTK of the previous layer")
K_NEXT = Parameter("K_next", Domain(-INF, INF), r"K^{l+1}", (-10.0, 10.0), "NNGP kernel of this layer")
ALPHA = Parameter("alpha", NONNEG, r"\alpha", (0.0, 1.0), "residual branch scale")

_SOURCE_FC = (
    "Neal (1996); Lee et al. (ICLR 2018), eq. 4; Jacot et al. (NeurIPS 2018), Thm 1; "
    "conventions of neural-tangents stax.Dense (NTK parameterisation, input kernel divided by d)"
)


def fc_kernel_record() -> Record:
    sw, sb, dot, d, v, vd, th, kn = (p.symbol for p in (W_STD, B_STD, DOT, DIM, V, VDOT, THETA, K_NEXT))
    return Record(
        id="kernel.fc",
        title="NNGP and NTK recursion of a fully connected network",
        source=_SOURCE_FC,
        assumptions=(
            "NTK parameterisation with standard normal weights and biases",
            "hidden widths tend to infinity (one after another or together)",
            "the activation is applied to Gaussian pre-activations (one nonlinearity per layer)",
        ),
        parameters=(DOT, DIM, V, VDOT, THETA, K_NEXT, W_STD, B_STD),
        expressions={
            "input_kernel": sw**2 * dot / d + sb**2,
            "nngp_step": sw**2 * v + sb**2,
            "ntk_step": kn + sw**2 * vd * th,
            "ntk_layer": sw**2 * v + sb**2 + sw**2 * vd * th,
        },
        arguments={
            "input_kernel": ("dot", "d", "W_std", "b_std"),
            "nngp_step": ("V", "W_std", "b_std"),
            "ntk_step": ("K_next", "Vdot", "Theta", "W_std"),
            "ntk_layer": ("V", "Vdot", "Theta", "W_std", "b_std"),
        },
        fused={"layer": ("nngp_step", "ntk_layer")},
        derivation=Derivation(
            Method.DERIVED,
            (
                r"Given layer $l$, $h^{l+1}_i = \frac{\sigma_w}{\sqrt n}\sum_j W_{ij}\varphi(h^l_j) + \sigma_b b_i$ "
                r"has covariance $\sigma_w^2 \frac1n\sum_j \varphi(h^l_j(x))\varphi(h^l_j(x')) + \sigma_b^2$, "
                r"which tends to $\sigma_w^2 V_\varphi(K^l) + \sigma_b^2$ by the law of large numbers.",
                r"$\partial h^{l+1}/\partial(W^{l+1}, b^{l+1})$ contributes $K^{l+1}$ to the tangent kernel; "
                r"the earlier parameters contribute $\frac{\sigma_w^2}{n}\sum_j \varphi'(h_j)\varphi'(h'_j)\Theta^l \to \sigma_w^2\dot V_\varphi\Theta^l$.",
            ),
            ("exact rational values of a depth-2 ReLU network (tests)",),
        ),
    )


def residual_kernel_record() -> Record:
    sw, sb, v, vd, k, th, al = (p.symbol for p in (W_STD, B_STD, V, VDOT, K_PREV, THETA, ALPHA))
    branch = sw**2 * v + sb**2
    return Record(
        id="kernel.residual",
        title="NNGP and NTK recursion of a residual block with branch scale alpha",
        source="Hayou et al. (AISTATS 2021); neural-tangents FanOut/FanInSum residual blocks (deeplimits reference wide_limits.md 6.2)",
        assumptions=(
            "block h -> h + alpha (W_std/sqrt(n) W phi(h) + b_std b) with standard normal W, b",
            "width tends to infinity",
        ),
        parameters=(K_PREV, THETA, V, VDOT, W_STD, B_STD, ALPHA),
        expressions={
            "nngp_step": k + al**2 * branch,
            "ntk_step": th + al**2 * (branch + sw**2 * vd * th),
        },
        arguments={
            "nngp_step": ("K", "V", "W_std", "b_std", "alpha"),
            "ntk_step": ("Theta", "V", "Vdot", "W_std", "b_std", "alpha"),
        },
        fused={"layer": ("nngp_step", "ntk_step")},
        derivation=Derivation(
            Method.DERIVED,
            (
                r"The branch output is centred and independent of $h$ given $h$, so "
                r"$K^{l+1} = K^l + \alpha^2(\sigma_w^2 V_\varphi(K^l) + \sigma_b^2)$.",
                r"The skip path carries $\Theta^l$; the branch adds its own parameters' kernel and "
                r"$\alpha^2\sigma_w^2\dot V_\varphi\Theta^l$ from the earlier ones.",
            ),
        ),
    )
