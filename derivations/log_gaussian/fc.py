r"""Log-Gaussian norms of deep and wide fully connected networks (Hanin and Nica), as records.

He-initialised ReLU network of widths $n_\ell$: $h_{\ell+1} = \sqrt{2/n_\ell}\,W_\ell a_\ell$,
$a_\ell = \mathrm{ReLU}(h_\ell)$, $W_\ell$ iid $N(0, 1)$.  Because $W v$ has the law
of $\|v\| g$ with $g \sim N(0, I)$, the squared-norm ratios are independent across
layers and exactly

$$R_\ell = \frac{\|a_{\ell+1}\|^2}{\|a_\ell\|^2} \sim \frac{2}{n_\ell}\chi^2_{K_\ell},\qquad
K_\ell \sim \mathrm{Bin}(n_\ell, \tfrac12)\ \text{conditioned on}\ K_\ell \ge 1,$$

so $\ln(\|a_d\|^2/\|a_0\|^2) = \sum_\ell \ln R_\ell$ has exact mean and variance
$\sum_\ell E\ln R_\ell$ and $\sum_\ell \mathrm{Var}\ln R_\ell$, and tends to
$N(-\tfrac52\beta, 5\beta)$ with $\beta = \sum_\ell 1/n_\ell$.  The linear network
($h_{\ell+1} = n^{-1/2} W_\ell h_\ell$, $R_\ell \sim \chi^2_n/n$) tends to $N(-\beta, 2\beta)$.

The limits are derived here from the exact moments by expanding in $1/n$
(Taylor expansion in the binomial fluctuation, exact binomial central moments,
the asymptotic series of the digamma function).

References: B. Hanin and M. Nica, "Products of many large random matrices and
gradients in deep neural networks", Comm. Math. Phys. 376 (2020) 287-322
(arXiv 1812.05994), Thm 1 (linear) and its ReLU application; deeplimits
reference log_gaussian.md 2.1-2.3.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.numeric_functions import Branch
from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, NumericalForm, Record
from ..core.series import LogGamma, binomial_central_moments

__all__ = ["fc_relu_record", "fc_linear_record", "digamma_minus_log", "WIDTH", "DEPTH", "BETA"]

INF = math.inf
SOURCE = ("Hanin and Nica, Comm. Math. Phys. 376:287-322 (2020), arXiv 1812.05994, Thm 1 and the ReLU application "
          "(per-layer chi^2 representation; limits derived here); deeplimits reference log_gaussian.md 2.1-2.3")

WIDTH = Parameter("n", Domain(1, INF, integer=True), "n", (1, 10000), "hidden width (every layer, or one layer's width)")
DEPTH = Parameter("d", Domain(0, INF, integer=True), "d", (0, 10000), "number of layers")
BETA = Parameter("beta", Domain(0, INF), r"\beta", (0.0, 5.0), "sum over layers of 1/n_l (d/n for equal widths)")
SIGMA2 = Parameter("sigma2", Domain(0, INF), r"\sigma^{2}", (0.0, 10.0), "variance of the log squared norm")
N_OUT = Parameter("n_out", Domain(1, INF, integer=True), r"n_{\mathrm{out}}", (1, 1000), "number of outputs")

k = sp.Symbol("k", integer=True, positive=True)
h = sp.Symbol("h", positive=True)  # 1/n in the expansions


def digamma_minus_log(z: sp.Expr, *, switch: int = 10, terms: int = 9) -> sp.Expr:
    r"""$\psi(z) - \ln z$ for floating point: the asymptotic series $-\frac1{2z} - \sum_m \frac{B_{2m}}{2m z^{2m}}$ for $z > 10$.

    With 9 terms the series' error at $z = 10$ is below $B_{20}/(20 z^{20}) < 3\cdot 10^{-20}$,
    relative $< 10^{-18}$; the direct difference would lose $\ln z/(1/2z)$ in relative accuracy.
    """
    series = -1 / (2 * z) - sum(sp.bernoulli(2 * m) / (2 * m * z ** (2 * m)) for m in range(1, terms))
    return Branch(z > switch, series, sp.polygamma(0, z) - sp.log(z))


def _binomial_weight(n: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """$P(K = k \\mid K \\ge 1)$, canonical and log-gamma (floating point) forms."""
    exact = sp.binomial(n, k) / (2**n - 1)
    log_w = LogGamma(n + 1) - LogGamma(k + 1) - LogGamma(n - k + 1) - n * sp.log(2) - sp.log(1 - 2 ** (-n))
    return exact, sp.exp(log_w)


def _expand_relu_moments(order: int = 3) -> tuple[sp.Expr, sp.Expr]:
    r"""$E\ln R$ and $\mathrm{Var}\ln R$ as polynomials in $h = 1/n$, exact up to $O(h^{\mathrm{order}})$.

    $K = \frac n2(1 + \varepsilon)$ with $E\varepsilon^m = (2/n)^m E(K - n/2)^m$ (exact binomial central
    moments, a polynomial in $h$ of lowest degree $\lceil m/2\rceil$); $\psi(K/2) + \ln(4/n) =
    \ln(1+\varepsilon) + [\psi - \ln](\tfrac{1+\varepsilon}{4h})$ and $\psi'(K/2)$ are written with the
    digamma asymptotic series and Taylor-expanded in $\varepsilon$.  The event $K = 0$ and the region where
    the expansions fail have probability $O(e^{-cn})$.
    """
    eps = sp.Symbol("epsilon")
    top = 2 * order + 1  # E eps^m = O(h^{ceil(m/2)}): higher powers do not reach O(h^order)
    big_n = sp.Symbol("N", positive=True)
    mu = binomial_central_moments(big_n, sp.Rational(1, 2), top)
    moment = [sp.expand((2 * h) ** m * mu[m].subs(big_n, 1 / h)) for m in range(top + 1)]

    def inv_pow(p: int) -> sp.Expr:  # (1 + eps)^{-p}, truncated
        return sum(sp.binomial(-p, m) * eps**m for m in range(top + 1))

    def trunc(expr: sp.Expr) -> sp.Expr:
        poly = sp.Poly(sp.expand(expr), eps, h)
        return sum(c * eps**i * h**j for (i, j), c in poly.terms() if i <= top and j <= order)

    def expect(expr: sp.Expr) -> sp.Expr:
        poly = sp.Poly(trunc(expr), eps)
        total = sp.expand(sum(c * moment[i] for (i,), c in poly.terms()))
        return sum(total.coeff(h, j) * h**j for j in range(order))

    # psi(x) - ln x = -1/(2x) - sum_m B_{2m}/(2m x^{2m}),  x = (1 + eps)/(4h)
    log1p = sum(sp.Integer(-1) ** (m + 1) * eps**m / m for m in range(1, top + 1))
    psi_shift = trunc(log1p - 2 * h * inv_pow(1) - sum(
        sp.bernoulli(2 * m) / (2 * m) * (4 * h) ** (2 * m) * inv_pow(2 * m) for m in range(1, order)))
    # psi'(x) = 1/x + 1/(2x^2) + sum_m B_{2m}/x^{2m+1}
    trigamma = trunc(4 * h * inv_pow(1) + 8 * h**2 * inv_pow(2) + sum(
        sp.bernoulli(2 * m) * (4 * h) ** (2 * m + 1) * inv_pow(2 * m + 1) for m in range(1, order)))
    mean = expect(psi_shift)
    var = sp.expand(expect(trigamma) + expect(psi_shift**2) - mean**2)
    return mean, sum(var.coeff(h, j) * h**j for j in range(order))


def fc_relu_record() -> Record:
    n, d, beta, s2, n_out = (p.symbol for p in (WIDTH, DEPTH, BETA, SIGMA2, N_OUT))
    w, w_num = _binomial_weight(n)
    mean = sp.Sum(w * sp.polygamma(0, k / 2), (k, 1, n)) + sp.log(4 / n)
    var = sp.Sum(w * sp.polygamma(1, k / 2), (k, 1, n)) + sp.Sum(
        w * (sp.polygamma(0, k / 2) - sp.Sum(w * sp.polygamma(0, k / 2), (k, 1, n))) ** 2, (k, 1, n))

    # Limits derived from the exact moments.
    mean_series, var_series = _expand_relu_moments()
    lim_mean = sp.limit(beta / h * mean_series, h, 0)
    lim_var = sp.limit(beta / h * var_series, h, 0)
    if (lim_mean, lim_var) != (-sp.Rational(5, 2) * beta, 5 * beta):
        raise AssertionError(f"ReLU log-moment expansion gave {lim_mean}, {lim_var}")

    # Output neuron: z = e^{L/2} g with L ~ N(mu, sigma^2) independent of g ~ N(0, 1).
    tt = sp.Symbol("t", positive=True)
    mgf = sp.exp(tt**2 * s2 / 2)  # E e^{tL}, L ~ N(0, sigma^2) (the mean cancels in the ratio)
    kurt = sp.simplify(3 * mgf.subs(tt, 2) / mgf.subs(tt, 1) ** 2)

    # Floating point: sum_k w_k [psi(k/2) - ln(k/2) + ln(2k/n)], each bracket O(1/n).
    centred = digamma_minus_log(k / 2) + sp.log(1 + (2 * k - n) / n)
    m_sym = sp.Symbol("log_ratio_mean_value", real=True)
    mean_form = NumericalForm((), sp.Sum(w_num * centred, (k, 1, n)))
    var_form = NumericalForm(
        ((m_sym, sp.Sum(w_num * centred, (k, 1, n))),),
        sp.Sum(w_num * (sp.polygamma(1, k / 2) + (centred - m_sym) ** 2), (k, 1, n)),
    )
    tot = lambda f: NumericalForm(f.prologue, d * f.expr)  # noqa: E731
    c1m, c2m = (sp.nsimplify(mean_series.coeff(h, i)) for i in (1, 2))
    c1v, c2v = (sp.nsimplify(var_series.coeff(h, i)) for i in (1, 2))
    return Record(
        id="log_gaussian.fc_relu",
        title="Log-normal squared norm of a deep and wide He-ReLU network",
        source=SOURCE,
        assumptions=(
            "He initialisation h_{l+1} = sqrt(2/n_l) W_l relu(h_l), W_l iid N(0, 1), fresh weights per layer, no biases",
            "exact for every width: R_l = |a_{l+1}|^2/|a_l|^2 ~ (2/n_l) chi^2_{K_l}, K_l ~ Bin(n_l, 1/2) given K_l >= 1 "
            "(K_l = 0, probability 2^{-n_l}, is a dead network), independent across layers",
            "totals are for equal widths; for widths n_l add the per-layer values",
            "limits: depth d and widths n_l tend to infinity with beta = sum_l 1/n_l fixed",
            "the same law holds for Jacobian-vector products J u = W_d D_{d-1} ... D_1 W_1 u (activation patterns "
            "D_l are iid Bernoulli(1/2) and independent of the magnitudes) [Hanin-Nica, stated, not derived here]",
            "output neuron z = n^{-1/2} W_out a_d: ln|z|^2 = ln(|a_d|^2/n) + ln chi^2_{n_out}, independent terms; "
            "kurtosis of one output -> 3 exp(sigma^2), sigma^2 = Var ln|a_d|^2",
        ),
        parameters=(WIDTH, DEPTH, BETA, SIGMA2, N_OUT),
        expressions={
            "log_ratio_mean": mean,
            "log_ratio_variance": var,
            "log_norm_mean": d * mean,
            "log_norm_variance": d * var,
            "limit_mean": lim_mean,
            "limit_variance": lim_var,
            "log_chi2_mean": sp.polygamma(0, n_out / 2) + sp.log(2),
            "log_chi2_variance": sp.polygamma(1, n_out / 2),
            "output_kurtosis": kurt,
        },
        numerical_forms={
            "log_ratio_mean": mean_form,
            "log_ratio_variance": var_form,
            "log_norm_mean": tot(mean_form),
            "log_norm_variance": tot(var_form),
        },
        arguments={
            "log_ratio_mean": ("n",), "log_ratio_variance": ("n",),
            "log_norm_mean": ("n", "d"), "log_norm_variance": ("n", "d"),
            "limit_mean": ("beta",), "limit_variance": ("beta",),
            "log_chi2_mean": ("n_out",), "log_chi2_variance": ("n_out",),
            "output_kurtosis": ("sigma2",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"$Wv \overset{d}{=} \|v\| g$: given $a_\ell$, $h_{\ell+1} = \|a_\ell\|\sqrt{2/n}\,g$; its signs are fair coins "
                r"independent of $|g_i|$, so $R_\ell = \frac2n\chi^2_{K}$ with $K \sim \mathrm{Bin}(n, \frac12)$.",
                r"$E\ln\chi^2_K = \psi(K/2) + \ln 2$ and $\mathrm{Var}\ln\chi^2_K = \psi'(K/2)$; average over $K \ge 1$ "
                r"(law of total variance for the variance).",
                r"Expansion: $K = \frac n2(1+\varepsilon)$, exact binomial central moments, digamma asymptotic series: "
                rf"$E\ln R = {sp.latex(c1m)}/n + ({sp.latex(c2m)})/n^2 + O(n^{{-3}})$, "
                rf"$\mathrm{{Var}}\ln R = {sp.latex(c1v)}/n + ({sp.latex(c2v)})/n^2 + O(n^{{-3}})$.",
                r"The $5$: $1/n$ from the binomial count of active units plus $4/n = 2/(n/2)$ from $\chi^2$ on about $n/2$ degrees of freedom.",
                r"Summing $d = \beta n$ iid layers: mean $\to -\frac52\beta$, variance $\to 5\beta$; Lindeberg's CLT gives the normal limit.",
                r"Kurtosis of $e^{L/2}g$: $3E e^{2L}/(Ee^{L})^2 = 3e^{\sigma^2}$ (log-normal moments).",
                r"Floating point: $\psi(k/2) + \ln(4/n) = [\psi(k/2) - \ln(k/2)] + \ln(2k/n)$, both $O(1/n)$ near $k = n/2$; "
                r"weights from log-gamma (relative error about $10^{-16} n\ln n$).",
            ),
            ("limits of the 1/n expansion are -5 beta/2 and 5 beta", "log-normal kurtosis"),
        ),
        architecture="fully connected He-ReLU: h_{l+1} = sqrt(2/n_l) W_l relu(h_l), W iid N(0, 1), no biases",
        validate=True,
    )


def fc_linear_record() -> Record:
    n, d, beta = (p.symbol for p in (WIDTH, DEPTH, BETA))
    mean = sp.polygamma(0, n / 2) + sp.log(2 / n)
    var = sp.polygamma(1, n / 2)
    mean_series = sp.series(mean.subs(n, 1 / h), h, 0, 3).removeO()
    var_series = sp.series(var.subs(n, 1 / h), h, 0, 3).removeO()
    lim_mean = sp.limit(beta / h * mean_series, h, 0)
    lim_var = sp.limit(beta / h * var_series, h, 0)
    if (lim_mean, lim_var) != (-beta, 2 * beta):
        raise AssertionError(f"linear log-moment expansion gave {lim_mean}, {lim_var}")
    mean_form = NumericalForm((), digamma_minus_log(n / 2))
    return Record(
        id="log_gaussian.fc_linear",
        title="Log-normal squared norm of a deep and wide linear network",
        source=SOURCE + "; M. Li, STAT 946 Lecture 14",
        assumptions=(
            "h_{l+1} = n^{-1/2} W_l h_l, W_l iid N(0, 1), fresh weights per layer",
            "exact for every width: |h_{l+1}|^2/|h_l|^2 ~ chi^2_n/n, independent across layers",
            "totals are for equal widths; for widths n_l add the per-layer values",
            "limits: d, n -> infinity with beta = sum_l 1/n_l fixed",
        ),
        parameters=(WIDTH, DEPTH, BETA),
        expressions={
            "log_ratio_mean": mean,
            "log_ratio_variance": var,
            "log_norm_mean": d * mean,
            "log_norm_variance": d * var,
            "limit_mean": lim_mean,
            "limit_variance": lim_var,
        },
        numerical_forms={"log_ratio_mean": mean_form, "log_norm_mean": NumericalForm((), d * mean_form.expr)},
        arguments={
            "log_ratio_mean": ("n",), "log_ratio_variance": ("n",),
            "log_norm_mean": ("n", "d"), "log_norm_variance": ("n", "d"),
            "limit_mean": ("beta",), "limit_variance": ("beta",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"$Wv \overset{d}{=} \|v\|g$ gives $\|h_{\ell+1}\|^2/\|h_\ell\|^2 \sim \chi^2_n/n$; "
                r"$E\ln(\chi^2_n/n) = \psi(n/2) + \ln(2/n)$, $\mathrm{Var} = \psi'(n/2)$.",
                rf"As $n \to \infty$: mean $= {sp.latex(sp.expand(mean_series.subs(h, 1 / n)))} + O(n^{{-3}})$, "
                rf"variance $= {sp.latex(sp.expand(var_series.subs(h, 1 / n)))} + O(n^{{-3}})$ (SymPy series of $\psi$, $\psi'$).",
                r"Summing $d = \beta n$ iid layers: $N(-\beta, 2\beta)$.",
            ),
            ("limits of the 1/n expansion are -beta and 2 beta",),
        ),
        architecture="fully connected linear: h_{l+1} = n^{-1/2} W_l h_l, W iid N(0, 1)",
        validate=True,
    )
