r"""The master expansion of one residual increment to second order (Cohen, Cont, Rossier and Xu).

For $h_{k+1} = h_k + \delta_k\,\sigma(z_k)$, $z_k = A_k h_k + b_k$, with $\sigma \in C^3$ near 0 and
$\sigma(0) = 0$, Taylor's theorem with the Lagrange remainder gives

$$h_{k+1} - h_k = \sigma'(0)\,\delta_k z_k + \tfrac{\sigma''(0)}{2}\,\delta_k z_k^2 + R_k,\qquad
|R_k| \le \tfrac{\sup|\sigma'''|}{6}\,\delta_k |z_k|^3,$$

componentwise; $\delta_k z_k = \Delta M_k h_k + \Delta m_k$ with $\Delta M_k = \delta_k A_k$, $\Delta m_k = \delta_k b_k$
(deeplimits reference scaling_regimes.md section 4, "Master expansion", tagged [DER] there).  The
coefficients are taken from the Taylor series of an undefined $\sigma$ by SymPy, not typed in.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record

__all__ = ["SIGMA1", "SIGMA2", "master_expansion_record", "taylor_coefficients"]

INF = math.inf
REAL = Domain()
NONNEG = Domain(0, INF)

SIGMA1 = Parameter("sigma1", REAL, r"\sigma'(0)", (0.25, 1.0), "slope of the activation at 0")
SIGMA2 = Parameter("sigma2", REAL, r"\sigma''(0)", (-0.5, 0.5), "curvature of the activation at 0")
SIGMA3 = Parameter("sigma3_sup", NONNEG, r"\lVert\sigma'''\rVert_\infty", (0.0, 2.0),
                   "bound on the third derivative of the activation near 0")
DELTA = Parameter("delta", NONNEG, r"\delta", (0.0, 1.0), "residual scale of the layer")
A = Parameter("A", REAL, "A", (-1.0, 1.0), "layer weight (scalar, d = 1)")
B = Parameter("b", REAL, "b", (-1.0, 1.0), "layer bias")
H = Parameter("h", REAL, "h", (-2.0, 2.0), "hidden state entering the layer")


def taylor_coefficients(order: int = 2) -> tuple[sp.Expr, ...]:
    r"""The Taylor coefficients $\sigma^{(n)}(0)/n!$, $n \le$ ``order``, of an undefined $\sigma$ with
    $\sigma(0) = 0$, in the symbols $\sigma'(0)$, $\sigma''(0)$ (higher derivatives stay as ``Subs``)."""
    z = sp.Symbol("z")
    sigma = sp.Function("sigma")
    series = sp.series(sigma(z), z, 0, order + 1).removeO()
    series = series.subs(sigma(0), 0).doit()
    names = {1: SIGMA1.symbol, 2: SIGMA2.symbol}

    def name(at: sp.Subs) -> sp.Expr:
        return names.get(at.expr.derivative_count, at) if isinstance(at.expr, sp.Derivative) else at

    series = series.replace(lambda e: isinstance(e, sp.Subs), name)
    poly = sp.Poly(sp.expand(series), z)
    return tuple(sp.sympify(poly.coeff_monomial(z ** n)) for n in range(order + 1))


def master_expansion_record() -> Record:
    c0, c1, c2 = taylor_coefficients(2)
    delta, a, b, h, s3 = DELTA.symbol, A.symbol, B.symbol, H.symbol, SIGMA3.symbol
    z = a * h + b
    first = delta * c1 * z
    second = delta * c2 * z ** 2
    return Record(
        id="scaling_regimes.master_expansion",
        title="Master expansion of a residual increment delta*sigma(A h + b) to second order in z",
        source=("Cohen, Cont, Rossier and Xu, ICML 2021, eq. (1) (the update rule); the expansion is derived here "
                "(scaling_regimes.md section 4, [DER]); confidence: high (Taylor's theorem)"),
        assumptions=("sigma is C^3 near 0 with sigma(0) = 0 (otherwise a term sigma(0) * sum delta_k is added)",
                     "the bound on the remainder holds while A h + b stays in the region where |sigma'''| <= "
                     "sigma3_sup",
                     "applied componentwise in dimension d (z_i = sum_j A_ij h_j + b_i)"),
        parameters=(H, A, B, DELTA, SIGMA1, SIGMA2, SIGMA3),
        expressions={"increment": c0 * delta + first + second,
                     "first_order": first,
                     "second_order": second,
                     "remainder_bound": s3 / 6 * delta * sp.Abs(z) ** 3},
        arguments={"increment": ("h", "A", "b", "delta", "sigma1", "sigma2"),
                   "first_order": ("h", "A", "b", "delta", "sigma1"),
                   "second_order": ("h", "A", "b", "delta", "sigma2"),
                   "remainder_bound": ("h", "A", "b", "delta", "sigma3_sup")},
        derivation=Derivation(
            Method.DERIVED,
            (r"Taylor series of $\sigma$ at 0 to order 2 with $\sigma(0) = 0$: "
             r"$\sigma(z) = \sigma'(0) z + \tfrac12\sigma''(0) z^2 + R(z)$ (SymPy ``series``).",
             r"Lagrange remainder: $|R(z)| \le \sup|\sigma'''|\,|z|^3/6$.",
             r"Multiply by $\delta$ and put $z = A h + b$: $\delta\sigma'(0) z = \sigma'(0)(\Delta M h + \Delta m)$."),
            ("the constant term vanishes (sigma(0) = 0)", "equals the Taylor polynomial of log(1+e^z)-log 2 and tanh "
             "(tests)"),
        ),
        notes="sigma1 = sigma'(0), sigma2 = sigma''(0): shifted softplus log(1+e^z) - log 2 has 1/2 and 1/4, "
              "tanh has 1 and 0.",
        architecture="h_{k+1} = h_k + delta_k sigma(A_k h_k + b_k), k = 0..L-1, h_0 = x",
    )
