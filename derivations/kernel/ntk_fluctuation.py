r"""The $1/n$ variance of a deep fully connected network's empirical NTK at two inputs.

Conventions of :mod:`derivations.kernel.recursions` ($L$ hidden layers of width $n$, NTK parameterisation).
Write $\hat\Theta = \hat\Theta(x_a, x_b)$, $\Theta^l$ the limiting NTK of layer $l$ at $(x_a, x_b)$
($\Theta^1 = K^1_{ab}$), and, at each layer's kernel $K^l$, the Gaussian moments of
$(u_a, u_b) \sim N(0, K^l)$:

$$S_2 = E[\varphi'(u_a)^2\varphi'(u_b)^2],\quad M_a = E\varphi'(u_a)^2,\quad M_b = E\varphi'(u_b)^2,
  \quad \dot V = E[\varphi'(u_a)\varphi'(u_b)].$$

**Claim.** $n\operatorname{Var}\hat\Theta = \mathcal A + O(1/n)$ with
$\mathcal A = \sum_{l=1}^{L}\mathcal H^l + \mathcal R$: one term per layer of weights, since the increments
$E[\hat\Theta\mid\mathcal F_l] - E[\hat\Theta\mid\mathcal F_{l-1}]$ of the filtration of the layers are
orthogonal.

* **Readout** ($W_{L+1} = w$): given the hidden layers, $\hat\Theta = \hat G^{L+1}_{ab} + \frac{\sigma_w^2}{n} w^\top D w$
  with $D_{kk'} = \varphi'(h_k(x_a))\varphi'(h_{k'}(x_b))\hat\Theta^L_{kk'}$, so
  $\operatorname{Var}(\hat\Theta\mid\mathcal F_L) = \frac{\sigma_w^4}{n^2}(\lVert D\rVert_F^2 + \operatorname{tr}D^2)$.
  The diagonal of $\hat\Theta^L$ tends to $\Theta^L$; its off-diagonal entries are $O(n^{-1/2})$ with
  $nE[\hat\Theta^{l}_{kk'}(x_a, x_b)^2] \to P^l$ and $nE[\hat\Theta^l_{kk'}\hat\Theta^l_{k'k}] \to Q^l$, asymptotically independent
  of the units' $\varphi'$.  Hence $\mathcal R = \sigma_w^4(2S_2(\Theta^L)^2 + M_aM_bP^L + \dot V^2Q^L)$ at $K^L$.
* **Off-diagonal NTK**: $\hat\Theta^{l+1}_{kk'} = \frac{\sigma_w^2}{n}w_k^\top D^l w_{k'}$ ($k \ne k'$, independent
  rows), $E(w_k^\top D w_{k'})^2 = \lVert D\rVert_F^2$ and $E(w_k^\top Dw_{k'})(w_{k'}^\top Dw_k) = \operatorname{tr}D^2$, so
  $P^{l+1} = \sigma_w^4(S_2(\Theta^l)^2 + M_aM_bP^l)$, $Q^{l+1} = \sigma_w^4(S_2(\Theta^l)^2 + \dot V^2Q^l)$, $P^1 = Q^1 = 0$
  (a unit of layer 1 has its own parameters only).
* **Hidden layer** $l$: $E[\hat\Theta\mid\mathcal F_l] = \Phi_l(\hat G^{l+1}, \hat\theta^{l+1}) + O_p(1/n)$, where $\Phi_l$
  runs the infinite-width recursion (record ``kernel.fc``) from layer $l+1$ with kernel $\hat G^{l+1}$ and NTK
  $\hat\theta^{l+1} = \hat G^{l+1}_{ab} + \frac{\sigma_w^2}{n}\sum_k\varphi'(h_k(x_a))\varphi'(h_k(x_b))\hat\Theta^l_{kk}$
  (the expectation over $W_{l+1}$ keeps the trace of $D$ only; the rest is $O_p(1/n)$).  Given the layers
  below, the units of layer $l$ are i.i.d., so by the delta method
  $\mathcal H^l = \operatorname{Var}_{u\sim N(0, K^l)}\big(\nabla\Phi_l\cdot s(u)\big)$ with the unit's statistics
  $s = \sigma_w^2(\varphi_a^2, \varphi_b^2, \varphi_a\varphi_b, \varphi_a\varphi_b + \Theta^l\varphi'_a\varphi'_b)$
  (``hidden_increment`` takes this variance as an input: it is computed by quadrature).

For one hidden layer ($L = 1$) the formula is exact at every width: $\hat\Theta = \sigma_b^2 + \frac1n\sum_k Y_k$
with i.i.d. $Y_k = \sigma_w^2(\varphi_a\varphi_b + K^1_{ab}w_k^2\varphi'_a\varphi'_b)$, whose variance is
$\mathcal H^1 + \mathcal R$ with $P = Q = 0$.  The same structure is the single-output case of the NTK
variance tensors of Roberts, Yaida and Hanin (2022, ch. 8) and of Hanin and Nica (2020), not transcribed here.
"""

from __future__ import annotations

import math

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .recursions import THETA, W_STD

__all__ = ["ntk_fluctuation_record"]

INF = math.inf
NONNEG = Domain(0, INF)
REAL = Domain(-INF, INF)

S2 = Parameter("S2", NONNEG, r"S_2", (0.0, 10.0), "E[phi'(u_a)^2 phi'(u_b)^2] at the layer's kernel")
MA = Parameter("Ma", NONNEG, r"M_a", (0.0, 10.0), "E[phi'(u_a)^2] at the layer's kernel")
MB = Parameter("Mb", NONNEG, r"M_b", (0.0, 10.0), "E[phi'(u_b)^2] at the layer's kernel")
VDOT = Parameter("Vdot", REAL, r"\dot V", (-10.0, 10.0), "E[phi'(u_a) phi'(u_b)] at the layer's kernel")
P_OFF = Parameter("P", NONNEG, r"P^{l}", (0.0, 100.0), "n E[Theta_kk'(a,b)^2] of two distinct units of the layer")
Q_OFF = Parameter("Q", REAL, r"Q^{l}", (-100.0, 100.0), "n E[Theta_kk'(a,b) Theta_k'k(a,b)] of two distinct units")
VAR_PSI = Parameter("var_psi", NONNEG, r"\operatorname{Var}(\nabla\Phi_l\cdot s)", (0.0, 100.0),
                    "variance of the unit's influence on the output NTK (quadrature)")


def ntk_fluctuation_record() -> Record:
    sw, s2, ma, mb, vd, th, p, q, vpsi = (x.symbol for x in (W_STD, S2, MA, MB, VDOT, THETA, P_OFF, Q_OFF, VAR_PSI))
    return Record(
        id="kernel.ntk_fluctuation",
        title="Leading variance of the empirical NTK of a deep fully connected network: n Var = A + O(1/n)",
        source=("derived here (martingale decomposition over layers, delta method); structure of the NTK variance of "
                "Hanin and Nica (ICLR 2020) and Roberts, Yaida and Hanin (2022), ch. 8"),
        assumptions=(
            "the conventions of kernel.fc (standard normal weights and biases, W_std/sqrt(n) scaling)",
            "every hidden layer has width n; the expansion is in 1/n at fixed depth",
            "phi and phi' with Gaussian moments smooth in the kernel (the delta method at each layer)",
        ),
        parameters=(S2, MA, MB, VDOT, THETA, P_OFF, Q_OFF, VAR_PSI, W_STD),
        expressions={
            "offdiag_step": sw**4 * (s2 * th**2 + ma * mb * p),
            "offdiag_swap_step": sw**4 * (s2 * th**2 + vd**2 * q),
            "readout_increment": sw**4 * (2 * s2 * th**2 + ma * mb * p + vd**2 * q),
            "hidden_increment": sw**4 * vpsi,
        },
        arguments={
            "offdiag_step": ("S2", "Ma", "Mb", "Theta", "P", "W_std"),
            "offdiag_swap_step": ("S2", "Vdot", "Theta", "Q", "W_std"),
            "readout_increment": ("S2", "Ma", "Mb", "Vdot", "Theta", "P", "Q", "W_std"),
            "hidden_increment": ("var_psi", "W_std"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"$\operatorname{Var}\hat\Theta = \sum_{l=1}^{L+1} E\operatorname{Var}(E[\hat\Theta\mid\mathcal F_l]\mid\mathcal F_{l-1})$ "
                r"(orthogonal martingale increments over the layers of weights).",
                r"Readout: $w \sim N(0, I)$ gives $\operatorname{Var}(w^\top Dw) = \lVert D\rVert_F^2 + \operatorname{tr}D^2$; "
                r"the $n$ diagonal and $n^2$ off-diagonal entries of $D$ both contribute at order $n$.",
                r"Off-diagonal NTK of layer $l+1$: the same two traces for independent rows $w_k, w_{k'}$.",
                r"Hidden layer $l$: $E[\hat\Theta\mid\mathcal F_l]$ is the infinite-width recursion from the empirical "
                r"kernel and NTK of layer $l+1$, averages of i.i.d. unit statistics given $\mathcal F_{l-1}$ (delta method).",
            ),
            ("one hidden layer: exact at every width (tests compare with the explicit network at widths 1..4)",
             "depths 2 and 3: n Var of the simulated NTK over widths 16..256 tends to A (tests, claim.ntk)"),
        ),
    )
