r"""ReLU propagation in closed form: fixed points, the critical point, and the critical approach of c to 1.

For $\varphi = \max(0, x)$: $V_\varphi(q) = q/2$, $E[\varphi'^2] = 1/2$ and the
correlation map is the arc-cosine kernel (Cho and Saul 2009)

$$c \mapsto \frac{\sigma_w^2}{2\pi}\bigl(\sqrt{1-c^2} + (\pi - \arccos c)c\bigr) + \frac{\sigma_b^2}{q^*}.$$

So $q^* = \sigma_b^2/(1 - \sigma_w^2/2)$ for $\sigma_w^2 < 2$, $\chi_1 = \chi_q = \sigma_w^2/2$, and
$\chi_1 = 1$ with a length fixed point forces $(\sigma_w^2, \sigma_b^2) = (2, 0)$: the only
critical point.  There $c^* = 1$ is approached polynomially, not exponentially:
with $\epsilon_l = 1 - c^l$,

$$\epsilon_l = \frac{9\pi^2}{2 l^2} - \frac{27\pi^2}{2}\frac{\ln l}{l^3} + O(l^{-3}),$$

the second term derived here from the map's expansion
$\epsilon \mapsto \epsilon - a\epsilon^{3/2} + 0\cdot\epsilon^2 - \frac{\sqrt2}{30\pi}\epsilon^{5/2}$,
$a = \frac{2\sqrt2}{3\pi}$: with $u = \epsilon^{-1/2}$, $u_{l+1} = u_l + \frac a2 + \frac{3a^2}{8u_l} + O(u_l^{-2})$,
so $u_l = \frac a2 l + \frac{3a}{4}\ln l + O(1)$ (the $O(1)$ constant, and hence the
$l^{-3}$ term, depends on the input correlation).
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .maps import Q, SIGMA_B2, SIGMA_W2

__all__ = ["relu_record", "critical_approach_coefficients"]

C = Parameter("c", Domain(-1, 1), "c", (-0.9, 0.99), "correlation of the two inputs' pre-activations")
DEPTH = Parameter("l", Domain(1, math.inf, closed=(True, False)), "l", (10.0, 1000.0), "depth (number of layers)")


def _arccos_map(c):
    return (sp.sqrt(1 - c**2) + (sp.pi - sp.acos(c)) * c) / sp.pi


def critical_approach_coefficients() -> tuple[sp.Expr, sp.Expr]:
    r"""Leading and $\ln l/l^3$ coefficients of $1 - c^l$ at $(\sigma_w^2,\sigma_b^2) = (2, 0)$, derived by series."""
    eps, t = sp.symbols("epsilon t", positive=True)
    step = sp.expand(1 - sp.series(_arccos_map(1 - eps), eps, 0, 4).removeO())  # epsilon_{l+1}(epsilon)
    # u = 1/t = eps^{-1/2}: u_{l+1} = u * (step(t^2)/t^2)^{-1/2} = u + k0 + k1 t + ...
    ratio = sp.expand(step.subs(eps, t**2) / t**2)
    if ratio.coeff(t, 0) != 1 or not ratio.coeff(t, 1) < 0:
        raise AssertionError(f"unexpected critical ReLU map expansion {step}")
    growth = sp.expand(sp.series(ratio ** sp.Rational(-1, 2), t, 0, 3).removeO())
    k0, k1 = growth.coeff(t, 1), growth.coeff(t, 2)  # u_{l+1} - u_l = k0 + k1/u + ...
    # u_l = k0 l + (k1/k0) ln l + O(1);  eps = u^-2 = 1/(k0 l)^2 - 2 (k1/k0^4) ln l / l^3 + ...
    leading = sp.nsimplify(sp.simplify(1 / k0**2))
    log_term = sp.simplify(-2 * k1 / k0**4)
    return leading, log_term


def relu_record() -> Record:
    sw, sb, q, c, l = (p.symbol for p in (SIGMA_W2, SIGMA_B2, Q, C, DEPTH))
    q_star = sb / (1 - sw / 2)
    chi_1 = sw / 2
    crit = sp.solve([sp.Eq(chi_1, 1), sp.Eq(sw * q / 2 + sb, q)], [sw, sb], dict=True)
    if crit != [{sw: 2, sb: 0}]:
        raise AssertionError(f"ReLU critical point is not (2, 0): {crit}")
    leading, log_term = critical_approach_coefficients()
    if sp.simplify(leading - 9 * sp.pi**2 / 2) != 0 or sp.simplify(log_term + 27 * sp.pi**2 / 2) != 0:
        raise AssertionError(f"critical approach coefficients changed: {leading}, {log_term}")
    return Record(
        id="propagation.relu",
        title="ReLU deep information propagation in closed form, its critical point (2, 0) and the critical approach of c to 1",
        source="Poole et al. (2016); Schoenholz et al. (ICLR 2017); Cho and Saul (NeurIPS 2009); "
               "Hayou et al. (ICML 2019) for the polynomial approach; the ln(l)/l^3 term derived here",
        assumptions=("ReLU activation; weights N(0, sigma_w2/n), biases N(0, sigma_b2); infinite width",
                     "q_star and xi_q need sigma_w2 < 2; the approach formula is at (sigma_w2, sigma_b2) = (2, 0), c^0 < 1"),
        parameters=(Q, C, DEPTH, SIGMA_W2, SIGMA_B2),
        expressions={
            "length_map": sw * q / 2 + sb,
            "correlation_map": sw * q * _arccos_map(c) / (2 * q) + sb / q,
            "q_star": q_star,
            "chi_1": chi_1,
            "chi_c": sw * (sp.pi - sp.acos(c)) / (2 * sp.pi),
            "xi_q": -1 / sp.log(chi_1),
            "critical_one_minus_c": leading / l**2 + log_term * sp.log(l) / l**3,
            "critical_leading": leading / l**2,
        },
        arguments={
            "length_map": ("q", "sigma_w2", "sigma_b2"),
            "correlation_map": ("q", "c", "sigma_w2", "sigma_b2"),
            "q_star": ("sigma_w2", "sigma_b2"),
            "chi_1": ("sigma_w2",),
            "chi_c": ("c", "sigma_w2"),
            "xi_q": ("sigma_w2",),
            "critical_one_minus_c": ("l",),
            "critical_leading": ("l",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (r"$E[\max(0,\sqrt q z)^2] = q/2$ and $E[1_{z>0}] = 1/2$ give the length map and $\chi_1 = \chi_q = \sigma_w^2/2$.",
             r"Solving $\chi_1 = 1$, $\sigma_w^2 q/2 + \sigma_b^2 = q$ gives the single point $(2, 0)$ (SymPy solve).",
             r"The arc-cosine map at $(2,0)$ expands as $\epsilon - \frac{2\sqrt2}{3\pi}\epsilon^{3/2} - \frac{\sqrt2}{30\pi}\epsilon^{5/2}$; "
             r"in $u = \epsilon^{-1/2}$ the step is $u + a/2 + 3a^2/(8u) + O(u^{-2})$, summed to "
             r"$u_l = \frac a2 l + \frac{3a}4\ln l + O(1)$, inverted to $\epsilon_l = \frac{9\pi^2}{2l^2} - \frac{27\pi^2}{2}\frac{\ln l}{l^3}$."),
            ("critical point solve == (2, 0)", "series coefficients 9 pi^2/2 and -27 pi^2/2"),
        ),
    )
