r"""The $1/n$ correction of a deep fully connected network's output variance (the four-point vertex recursion).

Conventions of :mod:`derivations.kernel.recursions` ($C_W = \sigma_w^2$, $C_b = \sigma_b^2$, every hidden
layer of width $n$).  Given layer $l$, the pre-activations of layer $l+1$ are i.i.d. across units,
$N(0, \hat G^{l+1})$ with the random conditional variance (one input $x$)

$$\hat G^{l+1} = C_b + \frac{C_W}{n}\sum_{j=1}^{n} \varphi(h^l_j)^2,\qquad \hat G^1 = K^1 \text{ (deterministic)}.$$

Write $E\hat G^{l} = K^l + K_1^l/n + O(n^{-2})$ and $\operatorname{Var}\hat G^l = V^l/n + O(n^{-2})$, with
$M_2(K) = \langle\varphi^2\rangle_K$ and $M_4(K) = \langle\varphi^4\rangle_K$ the Gaussian moments at variance $K$.
Since a unit of layer $l$ is $N(0, \hat G^l)$ given the layers below, $E\varphi(h^l_j)^2 = E\,M_2(\hat G^l)$; a second-order
Taylor expansion of $M_2$ around $K^l$ gives

$$K_1^{l+1} = C_W\Big(M_2'(K^l)\,K_1^l + \tfrac12 M_2''(K^l)\,V^l\Big),$$

and the variance of an average of $n$ units (variance $M_4 - M_2^2$ each, covariance $M_2'^2 V^l/n$ between
two units through the shared $\hat G^l$) gives

$$V^{l+1} = C_W^2\Big(M_4(K^l) - M_2(K^l)^2\Big) + C_W^2 M_2'(K^l)^2\, V^l,$$

with $K_1^1 = V^1 = 0$.  The readout $f = h^{L+1}$ has $E f(x)^2 = E\hat G^{L+1} = K^{L+1} + K_1^{L+1}/n + O(n^{-2})$.
This is the single-input case of the recursions for $K^{\{1\}}$ and $V$ of Yaida (2020) and Roberts, Yaida and
Hanin (2022, ch. 4-5), whose $\chi_\parallel = C_W M_2'$ and
$\frac{C_W}{8}\langle\varphi\varphi(z^2-K)^2\ldots\rangle V/K^4$ are the two terms here (their $V$ is ours).
"""

from __future__ import annotations

import math

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .recursions import W_STD

__all__ = ["finite_width_record"]

INF = math.inf
REAL = Domain(-INF, INF)
NONNEG = Domain(0, INF)

M2 = Parameter("M2", NONNEG, r"M_2", (0.0, 10.0), "Gaussian moment <phi^2> at the previous layer's kernel")
DM2 = Parameter("dM2", REAL, r"M_2'", (-10.0, 10.0), "derivative of <phi^2>_K in K at the previous layer's kernel")
D2M2 = Parameter("d2M2", REAL, r"M_2''", (-10.0, 10.0), "second derivative of <phi^2>_K in K")
M4 = Parameter("M4", NONNEG, r"M_4", (0.0, 100.0), "Gaussian moment <phi^4> at the previous layer's kernel")
VERTEX = Parameter("V", NONNEG, r"V^{l}", (0.0, 100.0), "four-point vertex: width times the variance of the layer's conditional kernel")
K1 = Parameter("K1", REAL, r"K_1^{l}", (-10.0, 10.0), "coefficient of 1/n in the mean of the layer's conditional kernel")


def finite_width_record() -> Record:
    sw, m2, dm2, d2m2, m4, v, k1 = (p.symbol for p in (W_STD, M2, DM2, D2M2, M4, VERTEX, K1))
    return Record(
        id="kernel.finite_width",
        title="1/n correction of the output variance of a deep fully connected network (four-point vertex recursion)",
        source=("Yaida (MSML 2020), 'Non-Gaussian processes and neural networks at finite widths', sec. 3; "
                "Roberts, Yaida and Hanin (2022), The Principles of Deep Learning Theory, ch. 4-5 (single input)"),
        assumptions=(
            "the conventions of kernel.fc (standard normal weights and biases, W_std/sqrt(n) scaling)",
            "every hidden layer has width n; the expansion is in 1/n at fixed depth",
            "phi^2 and phi^4 have Gaussian moments twice differentiable in the variance",
        ),
        parameters=(M2, DM2, D2M2, M4, VERTEX, K1, W_STD),
        expressions={
            "vertex_step": sw**4 * (m4 - m2**2) + sw**4 * dm2**2 * v,
            "correction_step": sw**2 * (dm2 * k1 + d2m2 * v / 2),
        },
        arguments={
            "vertex_step": ("M4", "M2", "dM2", "V", "W_std"),
            "correction_step": ("dM2", "d2M2", "K1", "V", "W_std"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"Given layer $l$, the units of layer $l+1$ are i.i.d. $N(0, \hat G^{l+1})$ with "
                r"$\hat G^{l+1} = C_b + \frac{C_W}{n}\sum_j\varphi(h^l_j)^2$.",
                r"$E\varphi(h^l_j)^2 = E M_2(\hat G^l) = M_2(K^l) + M_2'(K^l)K_1^l/n + \frac12 M_2''(K^l)V^l/n + O(n^{-2})$.",
                r"$\operatorname{Var}\hat G^{l+1} = \frac{C_W^2}{n}\big(M_4 - M_2^2\big) + C_W^2\operatorname{Cov}(\varphi(h_1)^2, \varphi(h_2)^2)"
                r"(1 - \frac1n)$, and the covariance of two units is $M_2'^2 V^l/n + O(n^{-2})$.",
                r"$\hat G^1 = K^1$ is deterministic, so $K_1^1 = V^1 = 0$; $E f^2 = E\hat G^{L+1}$ exactly.",
            ),
            ("phi(z) = z^2 at depth 2: K_1 = 288 C_W^3 (K^1)^4, the exact finite-width value (tests)",
             "ReLU: M_2 = K/2 is linear, so K_1 = 0 at every depth (tests)"),
        ),
    )
