r"""Log-Gaussian norms of deep and wide ReLU ResNets (Li, Nica and Roy, 2021), as records.

Architecture (inferred, see the reference note 3.1; the paper's full text was not available):
$z_0 = W_{\mathrm{in}}x/\sqrt{n_{\mathrm{in}}}$, $z_{\ell+1} = \alpha z_\ell + \lambda\sqrt{2/n}\,W_\ell\,\mathrm{ReLU}(z_\ell)$,
$\alpha = \sqrt{1-\lambda^2}$, weights iid $N(0, 1)$.  With $\delta_\ell = \frac12\sum_i z_i|z_i|/\|z\|^2$
(the excess positive mass) the per-layer ratio is

$$R_\ell - 1 = 2\lambda^2\delta_\ell + \lambda^2(U-1) + 2\alpha\lambda\sqrt{1 + 2\delta_\ell}\,\xi/\sqrt n + 2\lambda^2\delta_\ell(U - 1),$$

with $U = \|g\|^2/n$ and $\xi = \langle\hat z, g\rangle$ fresh.  The balanced ResNet (fresh random signs
before the ReLU) has $E[\delta_\ell\mid\mathrm{past}] = 0$; the standard one has a negative $O(1/n)$ mean
(hypoactivation) and interlayer correlations $n\,\mathrm{Cov}(\delta_0, \delta_j) = H(\alpha^j)/4$,
$H(\rho) = E[X|X|\,Y|Y|]$, which is the dual of $x|x|$ derived by :mod:`derivations.dual.duals`.

Reference: M. Li, M. Nica and D. M. Roy, "The future is log-Gaussian: ResNets and their
infinite-depth-and-width limit at initialization", NeurIPS 34 (2021) 7852-7864, arXiv 2106.04013
(Thm 1, Prop 2, Thm 4 by a third-party reading); deeplimits reference log_gaussian.md 3.
"""

from __future__ import annotations

import math

import sympy as sp

from ..dual.duals import derive_dual
from .fc import BETA, DEPTH, WIDTH
from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, NumericalForm, Record
from ..core.series import BoundedSeries, expect_polynomial, gaussian_moment
from ..core.symbols import c, q1, q2, x

__all__ = ["balanced_resnet_record", "standard_resnet_record", "relu_square_dual", "hermite_check"]

INF = math.inf
SOURCE = ("Li, Nica and Roy, NeurIPS 34:7852-7864 (2021), arXiv 2106.04013 (Thm 1 log-Gaussian ResNet, Prop 2 "
          "hypoactivation, Thm 4 balanced ResNet: theorem numbers second-hand); constants derived here; "
          "deeplimits reference log_gaussian.md 3.1-3.6")
ARCHITECTURE = ("inferred: z_{l+1} = alpha z_l + lambda sqrt(2/n) W_l relu(z_l), alpha = sqrt(1 - lambda^2), W iid N(0, 1), "
                "ReLU on the residual stream (one matrix per block)")

LAM = Parameter("lmbda", Domain(0, 1, closed=(False, True)), r"\lambda", (0.1, 1.0),
                "residual branch scale lambda (skip scale alpha = sqrt(1 - lambda^2)); the series need ~31/(1-alpha) terms")
LAG = Parameter("lag", Domain(0, INF, integer=True), "j", (0, 50), "lag between layers")

rho = sp.Symbol("rho", real=True)
j = sp.Symbol("j", integer=True, positive=True)
al = sp.Symbol("alpha", nonnegative=True)  # the numerical forms' prologue symbol


def relu_square_dual() -> sp.Expr:
    r"""$H(\rho) = E[X|X|\,Y|Y|]$ at unit variances, derived by the dual engine (kinked route)."""
    res = derive_dual(x * sp.Abs(x))
    h = sp.simplify(res.dual.subs({q1: 1, q2: 1}).subs(c, rho))
    return sp.simplify(h.replace(sp.acos, lambda a: sp.pi / 2 - sp.asin(a)))


def hermite_check(h: sp.Expr, order: int = 9) -> bool:
    r"""Mehler: $H(\rho) = \sum_k c_k^2 k!\,\rho^k$ with $c_k = E[g|g|\,\mathrm{He}_k(g)]/k!$ (Taylor coefficients up to ``order``)."""
    g = sp.Symbol("g", real=True)
    pdf = sp.exp(-g**2 / 2) / sp.sqrt(2 * sp.pi)
    taylor = sp.series(h, rho, 0, order + 1).removeO()
    for kk in range(order + 1):
        he = sp.hermite_prob(kk, g)
        ck = 2 * sp.integrate(g**2 * he * pdf, (g, 0, sp.oo)) / sp.factorial(kk) if kk % 2 else 0
        if sp.simplify(taylor.coeff(rho, kk) - ck**2 * sp.factorial(kk)) != 0:
            return False
    return True


def _per_layer_log_moments(var_delta: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r"""$n E\ln R$ and $n\mathrm{Var}\ln R$ to $O(n^{-1/2})$ when $E\delta = 0$ and $n\mathrm{Var}\delta = $ ``var_delta``."""
    lam, e = LAM.symbol, sp.Symbol("e", positive=True)  # e = n^{-1/2}
    a = sp.sqrt(1 - lam**2)
    D, Z, X = sp.symbols("D Z X", real=True)  # delta = e D, U - 1 = e sqrt2 Z, xi = X
    sqrt_1_2eD = 1 + e * D - e**2 * D**2 / 2  # sqrt(1 + 2 e D) to O(e^3)
    u = sp.expand(2 * lam**2 * e * D + lam**2 * e * sp.sqrt(2) * Z + 2 * a * lam * sqrt_1_2eD * X * e
                  + 2 * lam**2 * e * D * e * sp.sqrt(2) * Z)
    log_r = sp.expand(u - u**2 / 2 + u**3 / 3)  # ln(1 + u), u = O(e)
    log_r = sum(log_r.coeff(e, m) * e**m for m in range(3))
    moments = {D: lambda m: [1, 0, var_delta][m] if m < 3 else sp.Symbol(f"mD{m}"),
               Z: gaussian_moment, X: gaussian_moment}
    mean = expect_polynomial(log_r, moments)
    second = expect_polynomial(sp.expand(log_r**2), moments)
    mean2 = sp.expand(mean.coeff(e, 2))
    var2 = sp.expand(second.coeff(e, 2) - mean.coeff(e, 1) ** 2)
    return sp.factor(mean2), sp.factor(var2)


def _abs_moment(f: sp.Expr) -> sp.Expr:
    g = sp.Symbol("g", real=True)
    return sp.integrate(f.subs(x, g) * sp.exp(-g**2 / 2) / sp.sqrt(2 * sp.pi), (g, -sp.oo, sp.oo))


def balanced_resnet_record() -> Record:
    lam, beta = LAM.symbol, BETA.symbol
    # n Var(delta): balanced (fresh signs) E[(g|g|/2)^2] = E g^4/4; two-matrix block Var(relu(g)^2), with
    # E relu(g)^m = E g^m / 2 for even m (symmetry).
    v_bal = gaussian_moment(4) / 4
    v_two = gaussian_moment(4) / 2 - (gaussian_moment(2) / 2) ** 2
    m_bal, s_bal = _per_layer_log_moments(v_bal)
    m_two, s_two = _per_layer_log_moments(v_two)
    checks = []
    if sp.simplify(s_bal - lam**2 * (4 + lam**2)) != 0 or sp.simplify(m_bal + s_bal / 2) != 0:
        raise AssertionError(f"balanced ResNet moments: {m_bal}, {s_bal}")
    checks.append("per-layer variance lambda^2 (4 + lambda^2)/n and mean -variance/2")
    if sp.simplify(s_two - lam**2 * (4 + 3 * lam**2)) != 0:
        raise AssertionError(f"two-matrix block: {s_two}")
    checks.append("two-matrix block (4 alpha^2 lambda^2 + 7 lambda^4)/n")
    if s_bal.subs(lam, 1) != 5:
        raise AssertionError("lambda = 1 must give the fully connected 5")
    checks.append("lambda = 1 gives the fully connected N(-5 beta/2, 5 beta)")
    return Record(
        id="log_gaussian.resnet_balanced",
        title="Log-Gaussian squared norm of a balanced ReLU ResNet",
        source=SOURCE,
        assumptions=(
            "balanced block: relu(D_l z_l) with D_l = diag of iid uniform signs, fresh for every layer",
            "two-matrix variant: z + lambda sqrt(2/n) W_2 relu(W_1 z/sqrt(n)), alpha z on the skip",
            "d, n -> infinity with beta = d/n fixed; L_d = ln(|z_d|^2/|z_0|^2) => N(mean, variance)",
        ),
        parameters=(LAM, BETA),
        expressions={
            "limit_variance": sp.expand(s_bal) * beta,
            "limit_mean": sp.expand(m_bal) * beta,
            "two_matrix_variance": sp.expand(s_two) * beta,
            "two_matrix_mean": sp.expand(m_two) * beta,
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"$Wv \overset{d}{=}\|v\|g$: $z_{\ell+1} = \alpha z_\ell + \lambda\sqrt{2r_\ell}\,\frac{\|z_\ell\|}{\sqrt n}g_\ell$, "
                r"$r_\ell = \|\varphi(z_\ell)\|^2/\|z_\ell\|^2 = \frac12 + \delta_\ell$.",
                rf"Fresh signs: $E[\delta\mid z] = 0$ and $n\mathrm{{Var}}\,\delta \to E[(g|g|/2)^2] = {sp.latex(v_bal)}$; "
                rf"two matrices: $n\mathrm{{Var}}\,\delta = \mathrm{{Var}}\,\varphi(g)^2 = {sp.latex(v_two)}$.",
                r"Expand $\ln R_\ell$ to second order in $n^{-1/2}$ with $\delta, U - 1, \xi$ independent and centred: "
                rf"$nE\ln R = {sp.latex(m_bal)}$, $n\mathrm{{Var}}\ln R = {sp.latex(s_bal)}$ (balanced).",
                r"Martingale increments: the sum over $d = \beta n$ layers is $N(\beta nE\ln R, \beta n\mathrm{Var}\ln R)$ in the limit.",
            ),
            tuple(checks),
        ),
        architecture=ARCHITECTURE + "; balanced: relu(D_l z_l) with fresh random signs D_l",
        validate=True,
    )


def standard_resnet_record() -> Record:
    lam, beta, n, d, lag = LAM.symbol, BETA.symbol, WIDTH.symbol, DEPTH.symbol, LAG.symbol
    alpha = sp.sqrt(1 - lam**2)
    h = relu_square_dual()
    h_note = 2 / sp.pi * ((1 + 2 * rho**2) * sp.asin(rho) + 3 * rho * sp.sqrt(1 - rho**2))
    if sp.simplify(h - h_note) != 0:
        raise AssertionError(f"H(rho) = {h} disagrees with the reference closed form")
    hp = 8 / sp.pi * (sp.sqrt(1 - rho**2) + rho * sp.asin(rho))  # H', checked against the derivative
    if sp.simplify(sp.diff(h, rho) - hp) != 0:
        raise AssertionError("H' is not the derivative of H")
    if not hermite_check(h):
        raise AssertionError("Mehler expansion of H fails")
    if any(sp.simplify(a - b) != 0 for a, b in ((h.subs(rho, 1), 3), (hp.subs(rho, 0), 8 / sp.pi), (hp.subs(rho, 1), 4))):
        raise AssertionError("H(1) = 3, H'(0) = 8/pi, H'(1) = 4 fail")
    # G(rho) = E[sgn X Y|Y|]: Price, G' = 4 E[delta(X)|Y|] = 4 phi(0) E|sqrt(1-rho^2) g|.
    g_prime = sp.simplify(4 / sp.sqrt(2 * sp.pi) * _abs_moment(sp.sqrt(1 - rho**2) * sp.Abs(x)))
    sub = lambda e, v: e.subs(rho, v)  # noqa: E731
    s1 = sp.Sum(sub(h, alpha**j), (j, 1, sp.oo))
    s2 = sp.Sum(alpha**j * sub(hp, alpha**j), (j, 1, sp.oo))
    s3 = sp.Sum(alpha**j * sp.sqrt(1 - alpha ** (2 * j)), (j, 1, sp.oo))
    if sp.simplify(g_prime - 4 / sp.pi * sp.sqrt(1 - rho**2)) != 0:
        raise AssertionError(f"G'(rho) = {g_prime}")
    base = lam**2 * (4 + lam**2)
    variance = (base + 2 * lam**4 * s1) * beta
    mean = (-base / 2 - lam**4 / 2 * s2) * beta
    boundary = sp.Sum((d - j) * alpha**j * sub(hp, alpha**j), (j, 1, d - 1))
    finite_mean = -base / 2 * d / n - lam**4 / (2 * n) * boundary
    # Var L_d = sum_l Var ln R_l + 2 sum_{l<m} Cov: 4 lambda^4 n Cov(delta_l, delta_m) = lambda^4 H(alpha^{m-l}) from layer 0
    # (z_0 is exactly Gaussian, so the fluctuation field starts stationary); d - j pairs at lag j.
    finite_variance = base * d / n + 2 * lam**4 / n * sp.Sum((d - j) * sub(h, alpha**j), (j, 1, d - 1))
    cf = sp.Function("c")
    for d_val in (1, 2, 5):  # sum_{l<m<d} c(m - l) = sum_{j=1}^{d-1} (d - j) c(j), counted pair by pair
        pairs = sum((cf(m_ - l_) for l_ in range(d_val) for m_ in range(l_ + 1, d_val)), sp.Integer(0))
        if sp.expand(pairs - sum(((d_val - k) * cf(k) for k in range(1, d_val)), sp.Integer(0))) != 0:
            raise AssertionError(f"pair count at d = {d_val}")
    # Small-lambda limit: lambda^2 S(alpha) -> 2 int_0^1 f(rho)/rho drho (Riemann sum in ln rho, step ln(1/alpha) ~ lambda^2/2).
    r = sp.Symbol("r", positive=True)
    int_h = sp.Rational(1, 2) * sp.log(2) * 2 + sp.integrate(sp.expand((h / rho - 2 / sp.pi * sp.asin(rho) / rho)).subs(rho, r), (r, 0, 1))
    ratio_small = sp.nsimplify(sp.simplify(1 + int_h))
    lam_s = sp.Symbol("lam_s", positive=True)
    ratio_check = sp.limit((base + 2 * lam**4 * 2 / lam**2 * int_h) / base, lam, 0)

    # floating point: series with proven bounds.  H, H' have nonnegative Taylor coefficients (Mehler), so on
    # [0, 1]: H(rho) <= 3 rho, rho H'(rho) <= 4 rho, rho sqrt(1 - rho^2) <= rho.
    pro = ((al, sp.sqrt((1 - lam) * (1 + lam))),)
    f1 = BoundedSeries(sub(h, al**j), j, 1, al, 3)
    f2 = BoundedSeries(al**j * sub(hp, al**j), j, 1, al, 4)
    f3 = BoundedSeries(al**j * sp.sqrt(1 - al ** (2 * j)), j, 1, al, 1)
    forms = {
        "limit_variance": NumericalForm(pro, (base + 2 * lam**4 * f1) * beta),
        "limit_mean": NumericalForm(pro, (-base / 2 - lam**4 / 2 * f2) * beta),
        "series_s1": NumericalForm(pro, f1),
        "series_s2": NumericalForm(pro, f2),
        "series_s3": NumericalForm(pro, f3),
        "activation_fraction": NumericalForm(pro, sp.Rational(1, 2) - lam**2 / (sp.pi * n) * f3),
        "mass_fraction": NumericalForm(pro, sp.Rational(1, 2) - lam**2 / (4 * n) * f2),
        "delta_correlation": NumericalForm(pro, sub(h, al**lag) / 3),
        "pattern_overlap": NumericalForm(pro, sp.Rational(1, 4) + sp.asin(al) / (2 * sp.pi)),
        "finite_depth_mean": NumericalForm(pro, -base / 2 * d / n - lam**4 / (2 * n) * sp.Sum(
            (d - j) * al**j * sub(hp, al**j), (j, 1, d - 1))),
        "finite_depth_variance": NumericalForm(pro, base * d / n + 2 * lam**4 / n * sp.Sum(
            (d - j) * sub(h, al**j), (j, 1, d - 1))),
    }
    expressions = {
        "limit_variance": variance,
        "limit_mean": mean,
        "series_s1": s1,
        "series_s2": s2,
        "series_s3": s3,
        "activation_fraction": sp.Rational(1, 2) - lam**2 / (sp.pi * n) * s3,
        "mass_fraction": sp.Rational(1, 2) - lam**2 / (4 * n) * s2,
        "delta_correlation": sub(h, alpha**lag) / 3,
        "pattern_overlap": sp.Rational(1, 4) + sp.asin(alpha) / (2 * sp.pi),
        "finite_depth_mean": finite_mean,
        "finite_depth_variance": finite_variance,
        "small_lambda_variance_ratio": ratio_small,
        "relu_square_dual": h,
    }
    arguments = {
        "limit_variance": ("lmbda", "beta"), "limit_mean": ("lmbda", "beta"),
        "series_s1": ("lmbda",), "series_s2": ("lmbda",), "series_s3": ("lmbda",),
        "activation_fraction": ("lmbda", "n"), "mass_fraction": ("lmbda", "n"),
        "delta_correlation": ("lmbda", "lag"), "pattern_overlap": ("lmbda",),
        "finite_depth_mean": ("lmbda", "n", "d"), "finite_depth_variance": ("lmbda", "n", "d"), "small_lambda_variance_ratio": (), "relu_square_dual": ("rho",),
    }
    rho_p = Parameter("rho", Domain(-1, 1), r"\rho", (-1.0, 1.0), "correlation of the Gaussian pair")
    _ = lam_s
    return Record(
        id="log_gaussian.resnet_standard",
        title="Log-Gaussian squared norm, hypoactivation and interlayer correlations of a ReLU ResNet",
        source=SOURCE,
        assumptions=(
            "d, n -> infinity with beta = d/n fixed; L_d = ln(|z_d|^2/|z_0|^2) => N(limit_mean, limit_variance)",
            "hypoactivation and correlations: stationary values after O(1) layers, to leading order in 1/n",
            "the O(1/n) mean recursion M'(f) = M(P_alpha f) + (lambda^2/2) E[P_alpha h . L f] of the reference note 3.6 "
            "(its derivation sketch, not re-derived here); Gaussian fluctuation fields with Cov = E[f P_alpha^j g]",
            "finite_depth_mean and finite_depth_variance start from a Gaussian input layer (E delta_0 = 0, the fluctuation "
            "field stationary from layer 0) and keep the O(d/n) and O(1/n) terms; the neglected terms are O(d/n^2) (a bulk "
            "correction per layer, beta/n at fixed beta) and O(1/n^2)",
        ),
        parameters=(LAM, BETA, WIDTH, DEPTH, LAG, rho_p),
        expressions=expressions,
        numerical_forms=forms,
        arguments=arguments,
        derivation=Derivation(
            Method.DERIVED,
            (
                rf"$H(\rho) = E[X|X|Y|Y|] = {sp.latex(h)}$: the dual of $x|x|$ (kinked route of the dual engine).",
                r"Mehler: $x|x| = \sum_{k\,\mathrm{odd}} c_k\mathrm{He}_k$, $P_\alpha\mathrm{He}_k = \alpha^k\mathrm{He}_k$, so "
                r"$n\mathrm{Cov}(\delta_\ell, \delta_{\ell+j}) = \frac14\sum_k c_k^2k!\,\alpha^{jk} = H(\alpha^j)/4$ and "
                r"$\mathrm{Corr} = H(\alpha^j)/H(1) = H(\alpha^j)/3$.",
                r"Variance: $4\lambda^4 n[\mathrm{Var}\,\delta + 2\sum_{j\ge1}\mathrm{Cov}(\delta_0,\delta_j)]$ adds $2\lambda^4 S_1$ to the balanced $\lambda^2(4+\lambda^2)$.",
                r"Means: the stationary solution $m_k = -\frac{\lambda^2}{2}\frac{k c_k\alpha^k k!}{1-\alpha^k}$ gives "
                r"$nE\delta = \frac12\sum_k c_km_k = -\frac{\lambda^2}4\sum_k\frac{k c_k^2k!\alpha^k}{1-\alpha^k} = -\frac{\lambda^2}{4}\sum_{j\ge1}\alpha^jH'(\alpha^j)$ "
                r"(expand $\frac{\alpha^k}{1-\alpha^k} = \sum_j\alpha^{jk}$); the log-mean gains $2\lambda^2 nE\delta\,\beta$.",
                rf"Active count: $G(\rho) = E[\mathrm{{sgn}}X\,Y|Y|]$, $G' = 4E[\delta(X)|Y|] = {sp.latex(g_prime)}$ (Price), "
                r"so $n(E\,\mathrm{frac} - \frac12) = -\frac{\lambda^2}{4}\sum_j\alpha^jG'(\alpha^j) = -\frac{\lambda^2}{\pi}S_3$.",
                r"Pattern overlap $P(X>0, Y>0) = \frac14 + \frac{\arcsin\alpha}{2\pi}$ at correlation $\alpha$; balanced: $\frac14$.",
                r"Finite depth from $E\delta_0 = 0$: $m_k(\ell) = m_k^\infty(1-\alpha^{k\ell})$, so "
                r"$\sum_{\ell<d}nE\delta_\ell = -\frac{\lambda^2}4\sum_k k c_k^2k!\sum_{j\ge1}(d-\min(j,d))\alpha^{jk} = "
                r"-\frac{\lambda^2}{4}\sum_{j=1}^{d-1}(d-j)\alpha^jH'(\alpha^j)$, i.e. $d\,nE\delta_\infty$ plus the boundary term "
                r"$\frac{\lambda^2}{4}\sum_{j\ge1}\min(j,d)\alpha^jH'(\alpha^j) \to \frac{\lambda^2}4\sum_j j\alpha^jH'(\alpha^j)$.",
                r"Finite-depth variance: $\mathrm{Var}\,L_d = \sum_{\ell<d}\mathrm{Var}\ln R_\ell + 2\sum_{\ell<m<d}4\lambda^4\mathrm{Cov}(\delta_\ell,\delta_m)$ "
                r"($\eta$ is uncorrelated with every $\delta$ by parity), and the $d - j$ pairs at lag $j$ give "
                r"$\frac dn\lambda^2(4+\lambda^2) + \frac{2\lambda^4}{n}\sum_{j=1}^{d-1}(d-j)H(\alpha^j)$: the limit "
                r"$\frac dn(\lambda^2(4+\lambda^2) + 2\lambda^4S_1)$ minus the boundary term $\frac{2\lambda^4}{n}\sum_{j\ge1}\min(j,d)H(\alpha^j)$.",
                r"Small $\lambda$: $\ln(1/\alpha) \sim \lambda^2/2$ and $\sum_j f(\alpha^j) \sim \frac{2}{\lambda^2}\int_0^1 f(\rho)\frac{d\rho}{\rho}$; "
                rf"$\int_0^1 H(\rho)\,d\rho/\rho = {sp.latex(sp.simplify(int_h))}$ (with $\int_0^1\arcsin\rho\,d\rho/\rho = \frac\pi2\ln2$), "
                rf"so $\sigma_S^2/\sigma_B^2 \to {sp.latex(ratio_small)}$.",
                r"Numerics: $H$, $H'$ have nonnegative Taylor coefficients, so $H(\rho) \le 3\rho$, $\rho H'(\rho) \le 4\rho$ on $[0,1]$; "
                r"the series stop when the geometric tail bound is below $2^{-45}$ of the partial sum.",
            ),
            ("H equals the reference closed form (symbolic)", "Mehler coefficients of x|x| match H's Taylor series to order 9",
             "H(1) = 3, H'(0) = 8/pi, H'(1) = 4", "G'(rho) = (4/pi) sqrt(1 - rho^2)",
             "pair count of the finite-depth variance: sum_{l<m<d} c(m - l) = sum_j (d - j) c(j) at d = 1, 2, 5",
             f"small-lambda ratio by limit: {ratio_check}"),
        ),
        notes="The reference's student code uses a hypoactivation constant -0.876 at lambda^2 = 1/2; "
              "the series here give n E[r - 1/2] = -0.859 (see tests); unresolved.",
        architecture=ARCHITECTURE,
        validate=True,
    )
