r"""The exact finite-width law of the shaped-ReLU log-norm, as a record (its exact moments and their $1/n$ terms).

Given layer $\ell$, $\Phi^{aa}_{\ell+1}/\Phi^{aa}_\ell = R_\ell = \frac{\chi^2_n}{n}(1 + \delta Y_\ell)$, i.i.d. over layers, with
$\delta = (s_+^2 - s_-^2)/(s_+^2 + s_-^2)$ and the sign balance $Y = \sum_i g_i^2\operatorname{sign}g_i/\sum_i g_i^2$ independent
of $\chi^2_n$ (1-homogeneity of $\varphi_s$; the norm and the direction of a Gaussian vector are independent).  So
$L_d = \ln(\Phi^{aa}_d/\Phi^{aa}_0)$ has

$$E L_d = d\,[\psi(\tfrac n2) + \ln\tfrac2n + E\ln(1 + \delta Y)],\qquad
  \operatorname{Var} L_d = d\,[\psi'(\tfrac n2) + \operatorname{Var}\ln(1 + \delta Y)].$$

Derived here: the identity network's terms ($\delta = 0$: $E\ln(\chi^2_n/n)$ and its variance), the moments
$EY^2$, $EY^4$ from the moment generating function $m(t)^n$ of $S = \chi^2_nY$,
$m(t) = \tfrac12[(1-2t)^{-1/2} + (1+2t)^{-1/2}]$ (with $ES^{j} = E(\chi^2_n)^jEY^j$), and the $1/n$ terms of
$EL_d/T$ and $\operatorname{Var}L_d/T$ at $d = Tn$, whose limits must be the Itô limits $-1$ and $2$ of record
``covariance_sde.shaped_relu`` (checked).  The full series in $\delta$ is summed in
:func:`numerics.covariance_sde.log_norm_moments` (exact rationals $EY^{2k}$ for integer $n$).
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .shaped import C_MINUS, C_PLUS, SOURCE, wishart_covariance, f11

__all__ = ["finite_width_log_norm_record"]

INF = math.inf
WIDTH = Parameter("n", Domain(1, INF, integer=True), "n", (16.0, 256.0), "width")
DEPTH = Parameter("d", Domain(1, INF, integer=True), "d", (1.0, 400.0), "depth (number of layers)")


def _sign_balance_moments(n: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    t = sp.Symbol("t")
    m = (1 / sp.sqrt(1 - 2 * t) + 1 / sp.sqrt(1 + 2 * t)) / 2
    series = sp.series(sp.exp(n * sp.log(m)), t, 0, 5).removeO()
    es2, es4 = series.coeff(t, 2) * 2, series.coeff(t, 4) * 24
    return sp.factor(es2 / (n * (n + 2))), sp.factor(es4 / (n * (n + 2) * (n + 4) * (n + 6)))


def finite_width_log_norm_record() -> Record:
    cp, cm, n, d = C_PLUS.symbol, C_MINUS.symbol, WIDTH.symbol, DEPTH.symbol
    x, e = sp.Symbol("x", positive=True), sp.Symbol("e", positive=True)  # x = n/2; e = n^{-1/2}
    ident_mean = sp.digamma(n / 2) + sp.log(2 / n)
    ident_var = sp.polygamma(1, n / 2)
    mu2, mu4 = _sign_balance_moments(n)
    if sp.simplify(mu2 - 3 / (n + 2)) != 0:
        raise AssertionError(f"E Y^2 = {mu2}")
    # 1/n terms at d = n T: n [psi(n/2) + ln(2/n)] and n psi'(n/2) from the asymptotic series of psi, psi'
    asym_mean = sp.series(sp.digamma(x) + sp.log(1 / x), x, sp.oo, 3).removeO().subs(x, n / 2)
    asym_var = sp.series(sp.polygamma(1, x), x, sp.oo, 3).removeO().subs(x, n / 2)
    mean_lead, mean_first = sp.limit(n * asym_mean, n, sp.oo), sp.limit(n * (n * asym_mean + 1), n, sp.oo)
    var_lead, var_first = sp.limit(n * asym_var, n, sp.oo), sp.limit(n * (n * asym_var - 2), n, sp.oo)
    # the delta terms: E ln(1 + dY) = -d^2 mu2/2 - d^4 mu4/4 - ..., Var = d^2 mu2 + O(d^4 mu4), d ~ (c+ - c-) e
    s_p, s_m = 1 + cp * e, 1 + cm * e
    delta = (s_p**2 - s_m**2) / (s_p**2 + s_m**2)
    per_layer = {1: -(delta**2 * mu2 / 2 + delta**4 * mu4 / 4), 2: delta**2 * mu2}
    n2 = {k: sp.factor(sp.series((v * n**2).subs(n, 1 / e**2), e, 0, 1).removeO()) for k, v in per_layer.items()}
    # the Ito limits of record covariance_sde.shaped_relu: d ln Phi = -Sigma/(2 Phi^2) dt + sqrt(Sigma)/Phi dB
    sigma = wishart_covariance()[((1, 1), (1, 1))]
    ito_mean, ito_var = sp.simplify(-sigma / (2 * f11**2)), sp.simplify(sigma / f11**2)
    if (mean_lead, var_lead) != (ito_mean, ito_var):
        raise AssertionError(f"finite-width limits ({mean_lead}, {var_lead}) != Ito limits ({ito_mean}, {ito_var})")
    mean_per_t = mean_lead + (mean_first + n2[1]) / n
    var_per_t = var_lead + (var_first + n2[2]) / n
    return Record(
        id="covariance_sde.shaped_relu_finite_width",
        title="Exact finite-width law of the log-norm of a shaped ReLU network",
        source=SOURCE + "; exact finite-width law derived here (chi-square x sign-balance factorisation)",
        assumptions=(
            "phi_s(x) = s_+ max(x, 0) + s_- min(x, 0), s_pm = 1 + c_pm/sqrt(n); h_{l+1} = sqrt(c/n) W_l phi_s(h_l), "
            "c^{-1} = (s_+^2 + s_-^2)/2, W iid N(0, 1), any width n and depth d",
            "L_d = ln(Phi^aa_d / Phi^aa_0) = sum of d iid ln[(chi^2_n / n)(1 + delta Y)], Y independent of chi^2_n",
        ),
        parameters=(C_PLUS, C_MINUS, WIDTH, DEPTH),
        expressions={
            "identity_log_norm_mean": d * ident_mean,
            "identity_log_norm_variance": d * ident_var,
            "sign_balance_second_moment": mu2,
            "sign_balance_fourth_moment": mu4,
            "log_norm_mean_per_T_first_order": mean_per_t,
            "log_norm_variance_per_T_first_order": var_per_t,
        },
        arguments={
            "identity_log_norm_mean": ("n", "d"),
            "identity_log_norm_variance": ("n", "d"),
            "sign_balance_second_moment": ("n",),
            "sign_balance_fourth_moment": ("n",),
            "log_norm_mean_per_T_first_order": ("c_plus", "c_minus", "n"),
            "log_norm_variance_per_T_first_order": ("c_plus", "c_minus", "n"),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"1-homogeneity: $R = \frac cn\sum_i\varphi_s(g_i)^2 = \frac{\chi^2_n}{n}(1 + \delta Y)$, "
                r"$\delta = \frac{s_+^2 - s_-^2}{s_+^2 + s_-^2}$, $Y = \sum_i g_i^2\operatorname{sign}g_i/\chi^2_n$ independent of $\chi^2_n$.",
                r"$E\ln(\chi^2_n/n) = \psi(n/2) + \ln(2/n)$, $\operatorname{Var}\ln\chi^2_n = \psi'(n/2)$.",
                rf"$m(t)^n$, $m(t) = \tfrac12[(1-2t)^{{-1/2}} + (1+2t)^{{-1/2}}]$: $EY^2 = {sp.latex(mu2)}$, $EY^4 = {sp.latex(mu4)}$.",
                rf"At $d = Tn$: $EL_d/T = {sp.latex(mean_per_t)} + O(n^{{-2}})$, "
                rf"$\operatorname{{Var}}L_d/T = {sp.latex(var_per_t)} + O(n^{{-2}})$ "
                r"(asymptotic series of $\psi$, $\psi'$; $\delta^2 n \to (c_+ - c_-)^2$).",
                rf"The limits $({sp.latex(mean_lead)}, {sp.latex(var_lead)})$ equal Itô's $(-\Sigma/2\Phi^2, \Sigma/\Phi^2)$ "
                r"of record covariance_sde.shaped_relu.",
            ),
            ("E Y^2 = 3/(n + 2)", "finite-width limits equal the Ito limits (-1, 2)"),
        ),
        architecture="shaped ReLU MLP: h_{l+1} = sqrt(c/n) W_l phi_s(h_l), s_pm = 1 + c_pm/sqrt(n), no biases",
        validate=True,
    )
