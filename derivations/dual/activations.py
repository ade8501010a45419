r"""The activation catalog: each activation is a SymPy expression of $x$ with typed parameters.

General families come first; special cases are one-liners
(``relu = abrelu(a=0, b=1)`` in spirit: separate declarations keep each name's
parameters explicit).  A declaration says nothing about how its dual is
obtained: :mod:`derivations.dual.duals` derives it.  Where the derived closed form
loses accuracy in floating point, a declaration may add a *numerical form*
(a rewrite that is checked against the derived form in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import sympy as sp

from ..core.numeric_functions import Branch, Correlation, Expm1, RootProduct
from ..core.parameters import Domain, Parameter
from ..core.record import NumericalForm
from ..core.symbols import c, q1, q2, x

__all__ = ["ActivationSpec", "ACTIVATIONS", "activation_spec"]

INF = math.inf
REAL = Domain(-INF, INF)
POSITIVE = Domain(0, INF, closed=(False, False))


def _p(name: str, latex: str, domain: Domain = REAL, typical=(-2.0, 2.0), default=None, doc="") -> Parameter:
    return Parameter(name, domain, latex, typical, doc, default)


@dataclass(frozen=True)
class ActivationSpec:
    """An activation $\\varphi(x)$ with parameters and where its dual comes from."""

    name: str
    title: str
    expr: sp.Expr
    parameters: tuple[Parameter, ...] = ()
    source: str = ""
    numerical: Callable[[], Mapping[str, NumericalForm]] | None = field(default=None, compare=False)
    notes: str = ""

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        return {p.name: p.symbol for p in self.parameters}


# ---------------------------------------------------------------------------
# Numerical forms shared by the smooth families.
SQ1, SQ2, S = sp.symbols("sqrt_q1 sqrt_q2 s", nonnegative=True)
RHO = sp.Symbol("rho", real=True)
GAP, DELTA2 = sp.symbols("gap delta2", nonnegative=True)


def _smooth_prologue() -> tuple[tuple[sp.Symbol, sp.Expr], ...]:
    r"""$\sqrt{q_i}$, $s = \sqrt{q_1 q_2}$, clipped $\rho$, $(\sqrt{q_1}-\sqrt{q_2})^2$, $\Delta^2 = q_1q_2 - c^2 \ge 0$."""
    return (
        (SQ1, sp.sqrt(q1)),
        (SQ2, sp.sqrt(q2)),
        (S, RootProduct(q1, q2)),  # sqrt(q*q) == q exactly, so rho = 1 exactly on the diagonal
        (RHO, Correlation(c, S)),
        (GAP, (SQ1 - SQ2) ** 2),
        (DELTA2, S**2 * (1 - RHO) * (1 + RHO)),
    )


def _form(expr: sp.Expr) -> NumericalForm:
    return NumericalForm(_smooth_prologue(), expr)


# ---------------------------------------------------------------------------
a_, b_ = _p("a", "a", default=1.0, doc="output scale"), _p("b", "b", POSITIVE, (0.1, 3.0), 1.0, "input scale")


def _erf_forms(a, b, shift):
    # arcsin(2b^2 c / sqrt(P)) = atan2(2b^2 c, sqrt(P - 4 b^4 c^2)),  P - 4b^4c^2 = 1 + 2b^2(q1+q2) + 4b^4 Delta^2
    root = sp.sqrt(1 + 2 * b**2 * (q1 + q2) + 4 * b**4 * DELTA2)
    return {
        "dual": _form(2 * a**2 / sp.pi * sp.atan2(2 * b**2 * S * RHO, root) + shift**2),
        "dual_derivative": _form(4 * a**2 * b**2 / (sp.pi * root)),
    }


def _sin_forms(a, b, phase, cos_shift=False):
    # V = a^2 [D/2 + sin^2(phase) e^{-B2}],  V' = a^2 b^2 [D/2 + cos^2(phase) e^{-B2}],
    # D = e^{-B1} - e^{-B2} = sign(rho) e^{-min(B1,B2)} (-expm1(-2 b^2 s |rho|)),
    # B1,2 = b^2 (gap + 2 s (1 -+ rho)) / 2  (no cancellation).
    ph = phase + sp.pi / 2 if cos_shift else phase
    b2 = b**2 * (GAP + 2 * S * (1 + RHO)) / 2
    bmin = b**2 * (GAP + 2 * S * (1 - sp.Abs(RHO))) / 2
    d = -sp.sign(RHO) * sp.exp(-bmin) * Expm1(-2 * b**2 * S * sp.Abs(RHO))
    return {
        "dual": _form(a**2 * (d / 2 + sp.sin(ph) ** 2 * sp.exp(-b2))),
        "dual_derivative": _form(a**2 * b**2 * (d / 2 + sp.cos(ph) ** 2 * sp.exp(-b2))),
    }


def _exp_forms(a, b):
    v = a**2 * sp.exp(b**2 * (GAP + 2 * S * (1 + RHO)) / 2)  # (q1+q2)/2 + c without cancellation
    return {"dual": _form(v), "dual_derivative": _form(b**2 * v)}


def _gaussian_forms(a, b):
    det = 1 - 2 * b * (q1 + q2) + 4 * b**2 * DELTA2
    return {
        "dual": _form(a**2 / sp.sqrt(det)),
        "dual_derivative": _form(4 * a**2 * b**2 * S * RHO / det ** sp.Rational(3, 2)),
    }


def _rbf_forms(gamma):
    v = sp.exp(-gamma * (GAP + 2 * S * (1 - RHO)))
    return {"dual": _form(v), "dual_derivative": _form(2 * gamma * v)}


def _one_minus_atan_ratio(x: sp.Expr) -> sp.Expr:
    r"""$g(x) = 1 - \arctan(x)/x$: its Taylor series below $x = 1/2$, where the difference cancels."""
    y = sp.Dummy("y")
    series = sum((-1) ** (k + 1) * y ** (2 * k) / (2 * k + 1) for k in range(1, 29))  # next term < 3e-18 relative
    return Branch(sp.StrictLessThan(x, sp.Rational(1, 2)), sp.horner(series).subs(y, x), 1 - sp.atan(x) / x)


def _gelu_forms():
    r"""GELU dual without cancellation (derived by hand from the Price-chain result; checked in the tests).

    With $P = (1+q_1)(1+q_2)$, $D^2 = P - c^2 = 1 + q_1 + q_2 + \Delta^2$ and
    $\tfrac14 + \tfrac{1}{2\pi}\arcsin(c/\sqrt P) = \operatorname{atan2}(D, -c)/(2\pi)$:

    $$2\pi V = c\,\operatorname{atan2}(D, -c) + \frac{q_1 q_2 D^2 + c^2}{P D},\qquad
      2\pi \dot V = \operatorname{atan2}(D, -c) + c\,\frac{(q_1+q_2+2)D^2 + P}{P D^3}.$$

    For $c < -D$ the two terms cancel (by a factor of order $q$ at $\rho = -1$).
    There, with $a = -c$, $x = D/a$ and $g(x) = 1 - \arctan(x)/x$,

    $$2\pi V = -\frac{n_V}{P D} + D\,g(x),\qquad
      2\pi \dot V = \frac{n_{\dot V}}{a P D} - x\,g(x) - \frac{a}{D^3},$$

    $n_V = 1 + 2(q_1+q_2) + q_1^2 + q_1q_2 + q_2^2 + \Delta^2(2 + q_1 + q_2)$ and
    $n_{\dot V} = 1 + 2(q_1+q_2) + q_1^2 + q_1q_2 + q_2^2 + \Delta^2(P + q_1 + q_2 + 2)$:
    sums of positive terms.
    """
    P = (1 + q1) * (1 + q2)
    D = sp.sqrt(1 + q1 + q2 + DELTA2)
    a = -c
    x = D / a
    g = _one_minus_atan_ratio(x)
    base = 1 + 2 * (q1 + q2) + q1**2 + q1 * q2 + q2**2
    v_neg = (-(base + DELTA2 * (2 + q1 + q2)) / (P * D) + D * g) / (2 * sp.pi)
    v_gen = (c * sp.atan2(D, -c) + (q1 * q2 * D**2 + c**2) / (P * D)) / (2 * sp.pi)
    vd_neg = ((base + DELTA2 * (P + q1 + q2 + 2)) / (a * P * D) - x * g - a / D**3) / (2 * sp.pi)
    vd_gen = (sp.atan2(D, -c) + c * ((q1 + q2 + 2) * D**2 + P) / (P * D**3)) / (2 * sp.pi)
    cond = sp.StrictLessThan(D + c, 0)
    return {"dual": _form(Branch(cond, v_neg, v_gen)), "dual_derivative": _form(Branch(cond, vd_neg, vd_gen))}


def _kinked(neg: sp.Expr, pos: sp.Expr) -> sp.Expr:
    return sp.Piecewise((neg, x < 0), (pos, True))


def _catalog() -> dict[str, ActivationSpec]:
    specs: list[ActivationSpec] = []
    add = specs.append
    nt = "neural-tangents stax layer of the same name (Novak et al., ICLR 2020)"

    # -- piecewise polynomial (Price's theorem from the delta boundary) -----
    alpha = _p("alpha", r"\alpha", typical=(0.0, 0.5), default=0.01, doc="slope for x < 0")
    a_neg = _p("a", "a", typical=(-2.0, 2.0), default=0.0, doc="slope for x < 0")
    b_pos = _p("b", "b", typical=(-2.0, 2.0), default=1.0, doc="slope for x > 0")
    add(ActivationSpec("relu", "ReLU", _kinked(0, x), source="Cho and Saul (NeurIPS 2009), arc-cosine kernel of degree 1"))
    add(ActivationSpec("leaky_relu", "Leaky ReLU", _kinked(alpha.symbol * x, x), (alpha,), source=nt + "; ABReLU(alpha, 1)"))
    add(ActivationSpec("abrelu", "ABReLU", _kinked(a_neg.symbol * x, b_pos.symbol * x), (a_neg, b_pos),
                       source=nt + ": a min(x, 0) + b max(x, 0)"))
    add(ActivationSpec("abs", "Absolute value", _kinked(-x, x), source=nt + "; ABReLU(-1, 1)"))
    add(ActivationSpec("step", "Heaviside step", _kinked(0, 1), source="Cho and Saul (NeurIPS 2009), arc-cosine kernel of degree 0",
                       notes="phi' = 0 away from 0; the NTK factor is the a.e. derivative dual, 0 (Price's identity fails: phi jumps)."))
    add(ActivationSpec("sign", "Sign", _kinked(-1, 1), source=nt,
                       notes="phi' = 0 away from 0; the NTK factor is the a.e. derivative dual, 0 (Price's identity fails: phi jumps)."))
    for n in (2, 3):
        add(ActivationSpec(f"rectified_monomial_{n}", f"Rectified monomial of degree {n}", _kinked(0, x**n),
                           source=f"Cho and Saul (NeurIPS 2009), arc-cosine kernel of degree {n}"))

    # -- polynomials (Isserlis / MGF) ----------------------------------------
    add(ActivationSpec("identity", "Identity", x, source="linear network"))
    for n in (2, 3, 4, 5):
        add(ActivationSpec(f"monomial_{n}", f"Monomial x^{n}", x**n, source="Isserlis' theorem; " + nt + " (Monomial)"))

    # -- exponential-polynomial family (MGF of a Gaussian quadratic form) ----
    a, b = a_.symbol, b_.symbol
    phase = _p("phase", r"\varphi_0", typical=(-3.0, 3.0), default=0.0, doc="phase")
    add(ActivationSpec("sin", "Sine", a * sp.sin(b * x + phase.symbol), (a_, b_, phase), source=nt + " (Sin)",
                       numerical=lambda: _sin_forms(a, b, phase.symbol)))
    add(ActivationSpec("cos", "Cosine", a * sp.cos(b * x + phase.symbol), (a_, b_, phase), source=nt + " (Cos)",
                       numerical=lambda: _sin_forms(a, b, phase.symbol, cos_shift=True)))
    add(ActivationSpec("exp", "Exponential", a * sp.exp(b * x), (a_, b_), source=nt + " (Exp)",
                       numerical=lambda: _exp_forms(a, b)))
    bg = _p("b", "b", typical=(-2.0, 0.1), default=-1.0, doc="curvature; needs 2 b (q1 + q2) < 1")
    add(ActivationSpec("gaussian", "Gaussian", a * sp.exp(bg.symbol * x**2), (a_, bg), source=nt + " (Gaussian)",
                       numerical=lambda: _gaussian_forms(a, bg.symbol),
                       notes="finite only while 2 b (q1 + q2) < 1"))
    gamma = _p("gamma", r"\gamma", POSITIVE, (0.05, 3.0), 1.0, "inverse length scale")
    add(ActivationSpec("rbf", "RBF features", sp.sqrt(2) * sp.sin(sp.sqrt(2 * gamma.symbol) * x + sp.pi / 4), (gamma,),
                       source=nt + " (Rbf)", numerical=lambda: _rbf_forms(gamma.symbol)))

    # -- Price chains over the exponential-polynomial family -----------------
    shift = _p("shift", "s", typical=(-1.0, 1.0), default=0.0, doc="output shift")
    add(ActivationSpec("erf", "Scaled error function", a * sp.erf(b * x) + shift.symbol, (a_, b_, shift),
                       source="Williams (NeurIPS 1997); " + nt + " (Erf)",
                       numerical=lambda: _erf_forms(a, b, shift.symbol)))
    add(ActivationSpec("gelu", "GELU", x * (1 + sp.erf(x / sp.sqrt(2))) / 2,
                       source="Hendrycks and Gimpel (2016); dual: Tsuchida, Pearce et al. (2021)",
                       numerical=_gelu_forms))

    # -- no known closed form: numerical fallback ------------------------------
    add(ActivationSpec("tanh", "Hyperbolic tangent", sp.tanh(x), source="no closed form known (neural-tangents issue #15)"))
    add(ActivationSpec("softplus", "Softplus", sp.log(1 + sp.exp(x)), source="no closed form known"))
    add(ActivationSpec("silu", "SiLU / swish", x / (1 + sp.exp(-x)), source="Ramachandran et al. (2017); no closed form known"))
    elu_a = _p("alpha", r"\alpha", POSITIVE, (0.1, 2.0), 1.0, "scale of the negative part")
    add(ActivationSpec("elu", "ELU", _kinked(elu_a.symbol * (sp.exp(x) - 1), x), (elu_a,), source="Clevert et al. (2016); no closed form known"))
    return {s.name: s for s in specs}


ACTIVATIONS: dict[str, ActivationSpec] = _catalog()


def activation_spec(name: str) -> ActivationSpec:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; known activations: {', '.join(sorted(ACTIVATIONS))}"
        ) from None
