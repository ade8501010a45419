r"""Deep information propagation: the length and correlation maps and their depth scales.

Network (Poole et al. 2016, eq. 1; Schoenholz et al. ICLR 2017, section 2):
$h^{l+1}_i = \sum_j W_{ij}\varphi(h^l_j) + b_i$ with $W_{ij}\sim N(0,\sigma_w^2/n)$,
$b_i\sim N(0,\sigma_b^2)$.  In the infinite-width limit the length
$q^l = \frac1n\sum_i (h^l_i)^2$ and the correlation $c^l$ of two inputs obey

$$q^{l+1} = \sigma_w^2 V_\varphi(q^l) + \sigma_b^2,\qquad
c^{l+1} = \frac{\sigma_w^2 V_\varphi(q^*, q^*, c^l) + \sigma_b^2}{q^*},$$

with $V_\varphi(q) = E[\varphi(\sqrt q z)^2]$ and $V_\varphi(q, q, c)$ the dual activation.
Linearising at the fixed points gives the slopes

$$\chi_1 = \sigma_w^2 E[\varphi'(\sqrt{q^*}z)^2],\quad
\chi_c = \sigma_w^2 \dot V_\varphi(q^*, q^*, c^*),\quad
\chi_q = \chi_1 + \sigma_w^2 E[\varphi(\sqrt{q^*}z)\varphi''(\sqrt{q^*}z)]$$

($\chi_1$ is Price's theorem: the derivative dual at $c = 1$; $\chi_q$ is Stein's
lemma applied to $\frac{d}{dq}E[\varphi(\sqrt q z)^2]$), and the depth scales
$\xi = -1/\ln\chi$.  The order-to-chaos critical line is the set of
$(\sigma_w^2, \sigma_b^2)$ where $\chi_1 = 1$ at the length fixed point.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record

__all__ = ["maps_record", "critical_line_record", "SIGMA_W2", "SIGMA_B2"]

INF = math.inf
POS = Domain(0, INF, closed=(False, False))
NONNEG = Domain(0, INF)
REAL = Domain(-INF, INF)

SIGMA_W2 = Parameter("sigma_w2", POS, r"\sigma_w^2", (0.5, 4.0), "weight variance (times fan-in)")
SIGMA_B2 = Parameter("sigma_b2", NONNEG, r"\sigma_b^2", (0.0, 0.5), "bias variance")
Q = Parameter("q", POS, "q", (0.1, 5.0), "pre-activation length (its fixed point q* where stated)")
V = Parameter("V", NONNEG, r"V_\varphi(q)", (0.0, 5.0), r"E[\varphi(\sqrt q z)^2]")
V_PAIR = Parameter("V_c", REAL, r"V_\varphi(q,q,c)", (-5.0, 5.0), r"dual activation E[\varphi(u_1)\varphi(u_2)]")
VDOT_1 = Parameter("Vdot_1", NONNEG, r"\dot V_\varphi(q,q,1)", (0.0, 5.0), r"E[\varphi'(\sqrt q z)^2]")
VDOT_C = Parameter("Vdot_c", REAL, r"\dot V_\varphi(q,q,c)", (-5.0, 5.0), r"E[\varphi'(u_1)\varphi'(u_2)]")
M_2 = Parameter("M_2", REAL, r"E[\varphi\varphi'']", (-5.0, 5.0), r"E[\varphi(\sqrt q z)\varphi''(\sqrt q z)]")
CHI = Parameter("chi", POS, r"\chi", (0.1, 3.0), "a slope of a map at its fixed point")

_SOURCE = ("Poole et al. (NeurIPS 2016), eqs. 3-5; Schoenholz et al. (ICLR 2017), eqs. 3-8 "
           "(deeplimits reference wide_limits.md 2.2)")
_ASSUME = ("weights N(0, sigma_w2/n), biases N(0, sigma_b2), one activation per layer",
           "width tends to infinity; the maps hold layer by layer",
           "depth scales use the slope at a stable fixed point (0 < chi < 1)")


def maps_record() -> Record:
    sw, sb, q, v, vc, v1, vdc, m2, chi = (p.symbol for p in (SIGMA_W2, SIGMA_B2, Q, V, V_PAIR, VDOT_1, VDOT_C, M_2, CHI))
    length_map = sw * v + sb
    correlation_map = (sw * vc + sb) / q
    return Record(
        id="propagation.maps",
        title="Length and correlation maps, their slopes chi_1, chi_c, chi_q and depth scales",
        source=_SOURCE, assumptions=_ASSUME,
        parameters=(Q, V, V_PAIR, VDOT_1, VDOT_C, M_2, CHI, SIGMA_W2, SIGMA_B2),
        expressions={
            "length_map": length_map,
            "correlation_map": correlation_map,
            "chi_1": sw * v1,
            "chi_c": sw * vdc,
            "chi_q": sw * (v1 + m2),
            "depth_scale": -1 / sp.log(chi),
        },
        arguments={
            "length_map": ("V", "sigma_w2", "sigma_b2"),
            "correlation_map": ("q", "V_c", "sigma_w2", "sigma_b2"),
            "chi_1": ("Vdot_1", "sigma_w2"),
            "chi_c": ("Vdot_c", "sigma_w2"),
            "chi_q": ("Vdot_1", "M_2", "sigma_w2"),
            "depth_scale": ("chi",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"$q^{l+1}$ is $\sigma_w^2$ times the empirical mean of $\varphi(h_j)^2$ plus $\sigma_b^2$; by the law "
             r"of large numbers it tends to $\sigma_w^2 V_\varphi(q^l) + \sigma_b^2$, and likewise for the covariance.",
             r"$\partial_c V_\varphi(q,q,c) = q\dot V_\varphi(q,q,c)$ (Price), so the slope of the $c$-map is "
             r"$\sigma_w^2\dot V_\varphi$; at $c=1$ this is $\chi_1$.",
             r"$\frac{d}{dq}E[\varphi(\sqrt q z)^2] = q^{-1/2}E[z\varphi\varphi'] = E[\varphi'^2 + \varphi\varphi'']$ "
             r"(Stein), giving $\chi_q$.",
             r"Near a fixed point $|x^l - x^*| \propto \chi^l = e^{-l/\xi}$ with $\xi = -1/\ln\chi$; "
             r"$\xi_q, \xi_c, \xi_\nabla$ use $\chi_q, \chi_c, \chi_1$ (gradients scale by $\chi_1$ per layer)."),
            ("Price identity d/dc V = q Vdot", "Stein identity for chi_q (tests)"),
        ),
        validate=False,
    )


def critical_line_record() -> Record:
    sw, sb, q, v, v1 = (p.symbol for p in (SIGMA_W2, SIGMA_B2, Q, V, VDOT_1))
    on_line = {sw: 1 / v1, sb: q - v / v1}
    for residual in (sw * v + sb - q, sw * v1 - 1):
        if sp.simplify(residual.subs(on_line)) != 0:
            raise AssertionError("critical-line parametrisation does not solve its equations")
    return Record(
        id="propagation.critical_line",
        title="Order-to-chaos critical line: its defining equations",
        source=_SOURCE, assumptions=_ASSUME[:2],
        parameters=(Q, V, VDOT_1, SIGMA_W2, SIGMA_B2),
        expressions={
            "length_residual": sw * v + sb - q,
            "chi_1_residual": sw * v1 - 1,
            "sigma_w2_on_line": 1 / v1,
            "sigma_b2_on_line": q - v / v1,
        },
        arguments={
            "length_residual": ("q", "V", "sigma_w2", "sigma_b2"),
            "chi_1_residual": ("Vdot_1", "sigma_w2"),
            "sigma_w2_on_line": ("Vdot_1",),
            "sigma_b2_on_line": ("q", "V", "Vdot_1"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"The line is $\{q^* = \sigma_w^2 V_\varphi(q^*) + \sigma_b^2,\ \sigma_w^2\dot V_\varphi(q^*,q^*,1) = 1\}$.",
             r"Parametrised by $q^*$ it is explicit: $\sigma_w^2 = 1/E[\varphi'(\sqrt{q^*}z)^2]$, "
             r"$\sigma_b^2 = q^* - V_\varphi(q^*)/E[\varphi'(\sqrt{q^*}z)^2]$ (points with $\sigma_b^2<0$ are off the line)."),
            ("substituting the parametrisation zeroes both residuals",),
        ),
    )
