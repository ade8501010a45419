r"""Linearised training of wide networks on MSE, per eigenmode of the train kernel.

Lee et al. (NeurIPS 2019), "Wide neural networks of any depth evolve as linear
models", eqs. 9-16 (deeplimits reference wide_limits.md sections 3 and 6).  With
the loss $\frac{1}{2N}\lVert f(X) - Y\rVert^2$ ($N$ = number of training targets,
neural-tangents' normalisation), gradient flow at learning rate $\eta$ on the
linearised network gives, for a train kernel $\Theta = V\,\mathrm{diag}(\lambda)V^\top$,

$$\mu_t(x) = \Theta_{xX}\,\Theta^{-1}\bigl(I - e^{-\eta\Theta t/N}\bigr)Y,$$
$$\Sigma_t(x,x') = K_{xx'} + \Theta_{xX}A_t K_{XX} A_t\Theta_{Xx'}
 - \bigl(\Theta_{xX}A_t K_{Xx'} + \text{h.c.}\bigr),\qquad
 A_t = \Theta^{-1}\bigl(I - e^{-\eta\Theta t/N}\bigr).$$

Every matrix function is $V\,\mathrm{diag}(g(\lambda))V^\top$ with the scalar
$g$ recorded here.  Readout-only training (NNGP) is the same with $\Theta \to K$,
where the covariance simplifies to $K_{xx'} - K_{xX}K^{-1}(I - e^{-2\eta K t/N})K_{Xx'}$.
A ridge $\rho$ replaces $\lambda$ by $\lambda + \rho$ in $g$ (neural-tangents'
``diag_reg``).  Discrete gradient descent for $k$ steps replaces $e^{-\eta\lambda t/N}$
by $(1 - \eta\lambda/N)^k$, which stays bounded for all $k$ iff $\eta < 2N/\lambda_{\max}$.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.numeric_functions import Expm1
from ..core.record import Derivation, Method, NumericalForm, Record

__all__ = ["linearised_record", "posterior_record"]

INF = math.inf
POS = Domain(0, INF, closed=(False, False))
NONNEG = Domain(0, INF)

LAM = Parameter("lam", POS, r"\lambda", (1e-3, 10.0), "eigenvalue of the (ridge-shifted) train kernel")
LAM_MAX = Parameter("lam_max", POS, r"\lambda_{\max}", (1e-3, 10.0), "largest eigenvalue of the train NTK")
ETA = Parameter("eta", NONNEG, r"\eta", (0.0, 2.0), "learning rate")
TIME = Parameter("t", NONNEG, "t", (0.0, 100.0), "training time (gradient flow), in units of steps")
STEPS = Parameter("k", Domain(0, INF, integer=True), "k", (0, 1000), "number of gradient-descent steps")
NORM = Parameter("N", Domain(1, INF, integer=True), "N", (1, 1000), "number of training targets (loss normalisation)")

_SOURCE = ("Lee et al. (NeurIPS 2019), eqs. 9-16 and section 2.4; Jacot et al. (NeurIPS 2018); "
           "neural-tangents predict.gradient_descent_mse_ensemble conventions")
_ASSUME = ("MSE loss (1/(2N))||f(X)-Y||^2, full batch",
           "the network is replaced by its linearisation at initialisation (infinite width)",
           "the train kernel is symmetric positive semidefinite; lam is one of its eigenvalues")


def linearised_record() -> Record:
    lam, eta, t, k, n = (p.symbol for p in (LAM, ETA, TIME, STEPS, NORM))
    decay = sp.exp(-eta * lam * t / n)
    u = sp.Symbol("u")
    flow_inverse = (1 - decay) / lam
    gd_inverse = (1 - (1 - eta * lam / n) ** k) / lam
    return Record(
        id="inference.linearised",
        title="Linearised gradient-flow and gradient-descent MSE dynamics per kernel eigenmode",
        source=_SOURCE, assumptions=_ASSUME,
        parameters=(LAM, LAM_MAX, ETA, TIME, STEPS, NORM),
        expressions={
            "flow_residual": decay,
            "flow_inverse": flow_inverse,
            "gd_residual": (1 - eta * lam / n) ** k,
            "gd_inverse": gd_inverse,
            "stability_threshold": 2 * n / LAM_MAX.symbol,
        },
        arguments={
            "flow_residual": ("lam", "eta", "t", "N"),
            "flow_inverse": ("lam", "eta", "t", "N"),
            "gd_residual": ("lam", "eta", "k", "N"),
            "gd_inverse": ("lam", "eta", "k", "N"),
            "stability_threshold": ("lam_max", "N"),
        },
        numerical_forms={
            # -expm1(-u)/lam keeps full relative accuracy when eta*lam*t/N << 1.
            "flow_inverse": NumericalForm(((u, eta * lam * t / n),), -Expm1(-u) / lam),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"The linearised network $f_t = f_0 + J_0(\theta_t - \theta_0)$ under $\dot\theta = -\eta\nabla L$ obeys "
             r"$\dot f_t(X) = -\frac{\eta}{N}\Theta (f_t(X) - Y)$, so $f_t(X) - Y = e^{-\eta\Theta t/N}(f_0(X) - Y)$.",
             r"Off the training set $\dot f_t(x) = -\frac{\eta}{N}\Theta_{xX}(f_t(X) - Y)$; integrating gives "
             r"$f_t(x) = f_0(x) + \Theta_{xX}\Theta^{-1}(I - e^{-\eta\Theta t/N})(Y - f_0(X))$.",
             r"With $f_0$ a centred GP with kernel $K$, the mean and covariance of $f_t(x)$ follow (Lee et al. eq. 16).",
             r"Gradient descent: $f_{k+1}(X) - Y = (I - \frac{\eta}{N}\Theta)(f_k(X) - Y)$; summing the geometric "
             r"series gives $\Theta^{-1}(I - (I - \frac{\eta}{N}\Theta)^k)$, bounded iff $|1 - \eta\lambda/N| \le 1$ "
             r"for all $\lambda$, i.e. $\eta \le 2N/\lambda_{\max}$."),
            ("flow limit of gd as eta -> eta/m, k -> m t (tests)", "t -> inf gives 1/lam (tests)"),
        ),
    )


def posterior_record() -> Record:
    lam = LAM.symbol
    return Record(
        id="inference.posterior",
        title="Bayesian NNGP posterior (exact GP regression) per kernel eigenmode",
        source="Lee et al. (ICLR 2018), eq. 9; Rasmussen & Williams (2006), eqs. 2.23-2.24",
        assumptions=("Gaussian prior f ~ GP(0, K); observations Y = f(X) + noise of variance rho "
                     "(rho = 0: noiseless); lam is an eigenvalue of K + rho I",),
        parameters=(LAM,),
        expressions={"posterior_inverse": 1 / lam},
        arguments={"posterior_inverse": ("lam",)},
        derivation=Derivation(
            Method.DERIVED,
            (r"Conditioning the joint Gaussian of $(f(x), Y)$: mean $K_{xX}(K + \rho I)^{-1}Y$, covariance "
             r"$K_{xx'} - K_{xX}(K + \rho I)^{-1}K_{Xx'}$; $(K+\rho I)^{-1} = V\,\mathrm{diag}(1/\lambda)V^\top$.",
             r"It is the $t\to\infty$ limit of readout-only (NNGP) gradient flow, since "
             r"$(1 - e^{-\eta\lambda t/N})/\lambda \to 1/\lambda$ and $e^{-2\eta\lambda t/N} \to 0$."),
            ("equals the t -> inf limit of the NNGP ensemble (tests)",),
        ),
    )
