r"""Infinitely deep ResNets as diffusions: the general SDE limit, derived.

The block (Peluchetti and Favaro, JMLR 2021, eq. 8/11) is
$x_{t+\Delta t} = x_t + \phi(A_t\psi(x_t) + a_t)$ with
$A_t = \mu_W\Delta t + \sqrt{\Delta t}\,\varepsilon^W_t$,
$a_t = \mu_b\Delta t + \sqrt{\Delta t}\,\varepsilon^b_t$,
$\mathrm{vec}(\varepsilon^W) \sim N(0, \Sigma_W)$ ($D^2\times D^2$),
$\varepsilon^b \sim N(0, \Sigma_b)$, independent, i.i.d. across layers.

:func:`derive_increment_limits` performs the derivation of JMLR Theorem 2 in
SymPy at a small explicit width: with $s = \sqrt{\Delta t}$ and
$h = (\mu_W s + \varepsilon^W)\psi(x) + \mu_b s + \varepsilon^b$, the increment
is $\phi(s h) = \phi'(0)sh + \tfrac12\phi''(0)s^2h^2 + \tfrac16\phi'''(0)s^3h^3 + O(s^4)$
(generic $\phi$ with $\phi(0) = 0$, generic $\psi$); Gaussian moments
(Isserlis) give $E[\Delta x]$, $E[\Delta x\Delta x^\top]$ and
$E[\Delta x_i\Delta x_j\Delta x_k]$ as polynomials in $s$, and dividing by
$\Delta t = s^2$ and letting $s \to 0$ gives

$$\mu(x) = \phi'(0)(\mu_b + \mu_W\psi(x)) + \tfrac12\phi''(0)\,\mathrm{diag}\,V[\varepsilon^W\psi(x)+\varepsilon^b],\qquad
\sigma^2(x) = \phi'(0)^2\,V[\varepsilon^W\psi(x)+\varepsilon^b],$$

the third moments vanishing (so the generator is
$\mathcal Lf = \mu\cdot\nabla f + \tfrac12\mathrm{tr}(\sigma^2\nabla^2 f)$).
The records present the result per entry, so that the code emitter can write
elementwise functions: the numerics compute the per-sample quantities
($\|\psi(x)\|^2/D$, the entries of $V$) and call the generated coefficients.

References: Peluchetti and Favaro, "Infinitely deep neural networks as diffusion
processes", AISTATS 2020 (arXiv 1905.11065); "Doubly infinite residual neural
networks: a diffusion process approach", JMLR 22(175), 2021 (arXiv 2007.03253),
Theorem 2, Corollaries 3-5, Remarks 8-9.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache

import sympy as sp

from ..dual.activations import activation_spec
from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from ..core.symbols import x

__all__ = [
    "D2PHI0",
    "DPHI0",
    "SHIPPED",
    "SIGMA_B",
    "SIGMA_W",
    "TIME",
    "WIDTH",
    "IncrementLimits",
    "derive_increment_limits",
    "gaussian_expectation",
    "outer_derivatives_at_zero",
    "resnet_sde_general_record",
    "resnet_sde_record",
]

INF = math.inf
REAL = Domain(-INF, INF)
NONNEG = Domain(0, INF)
SOURCE = "Peluchetti and Favaro, JMLR 22(175) 2021 (arXiv 2007.03253); AISTATS 2020 (arXiv 1905.11065)"

# ---------------------------------------------------------------------------
# Parameters shared by the resnet_sde records.
DPHI0 = Parameter("dphi0", REAL, r"\phi'(0)", (0.1, 2.0), "first derivative of the outer activation at 0")
D2PHI0 = Parameter("d2phi0", REAL, r"\phi''(0)", (-1.0, 1.0), "second derivative of the outer activation at 0")
SIGMA_W = Parameter("sigma_w", NONNEG, r"\sigma_w", (0.1, 2.0), "weight scale: Var A_ij = sigma_w^2 dt / D")
SIGMA_B = Parameter("sigma_b", NONNEG, r"\sigma_b", (0.0, 1.0), "bias scale: Var a_i = sigma_b^2 dt")
TIME = Parameter("T", NONNEG, "T", (0.0, 2.0), "terminal time (depth L = T / dt)")
WIDTH = Parameter("D", Domain(1, INF, integer=True), "D", (1, 1000), "width (number of units)")
MEAN_PSI_SQ = Parameter("mean_psi_sq", NONNEG, r"\|\psi(x)\|^2/D", (0.0, 10.0),
                        "per-sample mean of psi(x)^2 over the D units")
MEAN_PSI_PROD = Parameter("mean_psi_prod", REAL, r"\langle\psi(x),\psi(y)\rangle/D", (-10.0, 10.0),
                          "per-pair mean of psi(x) psi(y) over the D units (two inputs)")
ONES_GRAD = Parameter("ones_dot_grad", REAL, r"\mathbf{1}\cdot\nabla f", (-10.0, 10.0), "sum of the first derivatives of f")
LAPLACIAN = Parameter("laplacian", REAL, r"\Delta f", (-10.0, 10.0), "Laplacian of f")
MEAN_RATE = Parameter("mean_rate", REAL, r"(\mu_b + \mu_W\psi(x))_d", (-5.0, 5.0), "entry d of mu_b + mu_W psi(x)")
NOISE_VAR = Parameter("noise_var", NONNEG, r"V[\varepsilon^W\psi(x)+\varepsilon^b]_{dd}", (0.0, 5.0),
                      "diagonal entry d of the covariance of eps_W psi(x) + eps_b")
NOISE_COV = Parameter("noise_cov", REAL, r"V[\varepsilon^W\psi(x)+\varepsilon^b]_{de}", (-5.0, 5.0),
                      "entry (d, e) of the covariance of eps_W psi(x) + eps_b")
SIGMA_B_DE = Parameter("Sigma_b", REAL, r"\Sigma_{b,de}", (-2.0, 2.0), "entry (d, e) of the bias covariance")
SIGMA_O_DE = Parameter("Sigma_O", REAL, r"\Sigma_{O,de}", (-2.0, 2.0), "entry (d, e) of the row (output) covariance")
PSI_GRAM = Parameter("psi_gram", REAL, r"\psi(x^{(i)})^\top\Sigma_I\psi(x^{(j)})", (-10.0, 10.0),
                     "psi(x_i)^T Sigma_I psi(x_j) (column covariance Sigma_I)")

# ---------------------------------------------------------------------------
# Gaussian polynomial expectations (Isserlis).


def _pairings_moment(idx: tuple[int, ...], cov: sp.Matrix) -> sp.Expr:
    r"""$E[\prod_k \varepsilon_{i_k}]$ for $\varepsilon \sim N(0, \Sigma)$: sum over perfect pairings."""
    if not idx:
        return sp.Integer(1)
    if len(idx) % 2:
        return sp.Integer(0)
    first, rest = idx[0], idx[1:]
    return sp.Add(*(cov[first, rest[k]] * _pairings_moment(rest[:k] + rest[k + 1:], cov) for k in range(len(rest))))


def gaussian_expectation(poly: sp.Expr, eps: list[sp.Symbol], cov: sp.Matrix) -> sp.Expr:
    r"""$E[p(\varepsilon)]$ for a polynomial $p$ in the centred Gaussian vector $\varepsilon\sim N(0,\Sigma)$.

    Each monomial $\prod_k\varepsilon_{i_k}$ is replaced by its Isserlis value,
    the sum over perfect pairings of the product of covariances.
    """
    p = sp.Poly(sp.expand(poly), *eps)
    cache: dict[tuple[int, ...], sp.Expr] = {}
    total = sp.Integer(0)
    for powers, coeff in p.terms():
        idx = tuple(i for i, n in enumerate(powers) for _ in range(n))
        if idx not in cache:
            cache[idx] = _pairings_moment(idx, cov)
        total += coeff * cache[idx]
    return total


# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IncrementLimits:
    r"""The limits of JMLR Theorem 2 at an explicit width $D$ (all SymPy).

    ``drift[d]`` $= \lim E[\Delta x_d]/\Delta t$; ``covariance[d, e]``
    $= \lim V[\Delta x]_{de}/\Delta t$; ``third_moments_vanish``: every
    $E[\Delta x_i\Delta x_j\Delta x_k]/\Delta t \to 0$; ``cross[d, e]``: the
    cross-variation rate between two inputs $x$, $y$ driven by the same
    parameters (Corollary 3); ``noise_covariance`` and ``noise_cross``:
    $V[\varepsilon^W\psi(x)+\varepsilon^b]$ and $C[\varepsilon^W\psi(x)+\varepsilon^b,
    \varepsilon^W\psi(y)+\varepsilon^b]$ computed directly as covariances of linear forms.
    """

    D: int
    state: tuple[sp.Symbol, ...]
    other: tuple[sp.Symbol, ...]
    mu_W: sp.Matrix
    mu_b: sp.Matrix
    Sigma_W: sp.Matrix
    Sigma_b: sp.Matrix
    dphi: tuple[sp.Expr, sp.Expr, sp.Expr]
    psi: sp.Function
    drift: sp.Matrix
    covariance: sp.Matrix
    cross: sp.Matrix
    third_moments_vanish: bool
    noise_covariance: sp.Matrix
    noise_cross: sp.Matrix

    def theorem2_drift(self) -> sp.Matrix:
        r"""$\phi'(0)(\mu_b + \mu_W\psi(x)) + \tfrac12\phi''(0)\mathrm{diag}\,V$ (the paper's form)."""
        p1, p2, _ = self.dphi
        psi_x = sp.Matrix([self.psi(s) for s in self.state])
        V = self.noise_covariance
        return p1 * (self.mu_b + self.mu_W * psi_x) + p2 / 2 * sp.Matrix([V[d, d] for d in range(self.D)])


def _truncated(expr: sp.Expr, s: sp.Symbol, order: int) -> dict[int, sp.Expr]:
    """Coefficients of ``expr`` (a polynomial in ``s``) up to ``s**order``."""
    return {k: c for (k,), c in sp.Poly(expr, s).terms() if k <= order}


def _mul(a: dict[int, sp.Expr], b: dict[int, sp.Expr], order: int) -> dict[int, sp.Expr]:
    """Product of two truncated series in ``s``, truncated after ``s**order``."""
    out: dict[int, sp.Expr] = {}
    for i, ca in a.items():
        for j, cb in b.items():
            if i + j <= order:
                out[i + j] = sp.expand(out.get(i + j, 0) + ca * cb)
    return out


def _sym_matrix(name: str, n: int) -> sp.Matrix:
    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"{name}_{min(i, j)}{max(i, j)}", real=True))


@cache
def derive_increment_limits(D: int = 2) -> IncrementLimits:
    r"""Derive the drift, the diffusion and the two-input cross-variation of JMLR Theorem 2 at width ``D``.

    Everything is generic: $\psi$ is an undefined SymPy function, $\phi$ enters
    through $\phi'(0), \phi''(0), \phi'''(0)$ (symbols), $\mu_W$ ($D\times D$),
    $\mu_b$, $\Sigma_b$ and the full $D^2\times D^2$ covariance $\Sigma_W$ of
    $\mathrm{vec}(\varepsilon^W)$ (column-major: entry $(o, i)$ of $\varepsilon^W$
    is component $o + Di$) are symbolic.  Keep ``D`` small (2 takes ~1 s).

    Returns
    -------
    IncrementLimits
    """
    if not isinstance(D, int) or D < 1:
        raise ValueError(f"D must be a positive integer, got D={D!r}")
    s = sp.Symbol("s", positive=True)  # sqrt(dt)
    p1, p2, p3 = sp.symbols("dphi0 d2phi0 d3phi0", real=True)
    psi = sp.Function("psi")
    xs = tuple(sp.Symbol(f"x_{d}", real=True) for d in range(D))
    ys = tuple(sp.Symbol(f"y_{d}", real=True) for d in range(D))
    mu_W = sp.Matrix(D, D, lambda o, i: sp.Symbol(f"muW_{o}{i}", real=True))
    mu_b = sp.Matrix(D, 1, lambda o, _: sp.Symbol(f"mub_{o}", real=True))
    Sigma_W, Sigma_b = _sym_matrix("SW", D * D), _sym_matrix("Sb", D)
    eW = [sp.Symbol(f"eW_{k}", real=True) for k in range(D * D)]
    eb = [sp.Symbol(f"eb_{k}", real=True) for k in range(D)]
    eps = eW + eb
    cov = sp.diag(Sigma_W, Sigma_b)  # W and b independent
    EW = sp.Matrix(D, D, lambda o, i: eW[o + D * i])

    def pre(state):  # h with A = s^2 mu_W + s eps_W, a = s^2 mu_b + s eps_b, divided by s
        psi_v = sp.Matrix([psi(v) for v in state])
        return (s * mu_W + EW) * psi_v + s * mu_b + sp.Matrix(eb)

    def phi_of(z):  # Taylor expansion of phi about 0, phi(0) = 0, through the cubic term
        return p1 * z + p2 * z**2 / 2 + p3 * z**3 / 6

    def increment(state):  # phi(s h) as {power of s: coefficient}, truncated after s^3
        h = pre(state)
        return [_truncated(sp.expand(phi_of(s * h[d])), s, 3) for d in range(D)]

    dx, dy = increment(xs), increment(ys)

    def rate(series_):  # E[.]/s^2 as s -> 0; the O(1) and O(s) terms must vanish
        e = {k: sp.expand(gaussian_expectation(c, eps, cov)) for k, c in series_.items() if k <= 2}
        if e.get(0, 0) != 0 or e.get(1, 0) != 0:
            raise AssertionError("increment moment is not O(dt)")
        return e.get(2, sp.Integer(0))

    drift = sp.Matrix([rate(dx[d]) for d in range(D)])
    second = sp.Matrix(D, D, lambda i, j: rate(_mul(dx[i], dx[j], 2)))
    cross = sp.Matrix(D, D, lambda i, j: rate(_mul(dx[i], dy[j], 2)))
    # E[dx] = O(s^2) (checked by rate), so E[dx] E[dx]^T = O(dt^2) does not change the covariance limit.
    # Third moments: the leading term is s^3 E[h0_i h0_j h0_k] (odd Gaussian moment), so E[.]/dt = O(s^2).
    third = [_mul(_mul(dx[i], dx[j], 3), dx[k], 3).get(3, 0)
             for i, j, k in itertools.combinations_with_replacement(range(D), 3)]
    third_zero = all(sp.expand(gaussian_expectation(c, eps, cov)) == 0 for c in third)

    # the paper's objects, computed directly: covariance of the linear forms eps_W psi + eps_b
    def lin(state):
        psi_v = sp.Matrix([psi(v) for v in state])
        return sp.Matrix.hstack(sp.kronecker_product(psi_v.T, sp.eye(D)), sp.eye(D))

    Lx, Ly = lin(xs), lin(ys)
    return IncrementLimits(
        D, xs, ys, mu_W, mu_b, Sigma_W, Sigma_b, (p1, p2, p3), psi,
        drift, second, cross, third_zero,
        sp.expand(Lx * cov * Lx.T), sp.expand(Lx * cov * Ly.T),
    )


def specialise(lim: IncrementLimits, Sigma_W: sp.Matrix, Sigma_b: sp.Matrix, mu_W: sp.Matrix | None = None,
               mu_b: sp.Matrix | None = None) -> dict[str, sp.Matrix]:
    """Substitute a covariance structure into the derived limits (drift, covariance, cross)."""
    sub = {}
    for gen, val in ((lim.Sigma_W, Sigma_W), (lim.Sigma_b, Sigma_b), (lim.mu_W, mu_W), (lim.mu_b, mu_b)):
        if val is None:
            continue
        for a, b in zip(gen, val):
            sub[a] = b
    return {k: sp.expand(getattr(lim, k).subs(sub)) for k in ("drift", "covariance", "cross")}


def check_theorem2(lim: IncrementLimits) -> tuple[str, ...]:
    """Symbolic checks that the derived limits have the paper's form (raises if not)."""
    p1 = lim.dphi[0]
    if sp.expand(lim.drift - lim.theorem2_drift()) != sp.zeros(lim.D, 1):
        raise AssertionError("derived drift differs from Theorem 2")
    if sp.expand(lim.covariance - p1**2 * lim.noise_covariance) != sp.zeros(lim.D, lim.D):
        raise AssertionError("derived covariance differs from Theorem 2")
    if sp.expand(lim.cross - p1**2 * lim.noise_cross) != sp.zeros(lim.D, lim.D):
        raise AssertionError("derived cross-variation differs from Corollary 3")
    if not lim.third_moments_vanish:
        raise AssertionError("third increment moments do not vanish")
    return (
        f"Theorem 2 drift and diffusion at D = {lim.D} with general Sigma_W ({lim.D**2}x{lim.D**2})",
        "Corollary 3 cross-variation of two inputs",
        "third increment moments / dt -> 0 (generator has no third-order term)",
    )


def check_corollaries(lim: IncrementLimits) -> tuple[str, ...]:
    """Corollary 4 (matrix-Gaussian) and Corollary 5 (fully i.i.d.) as specialisations of the derived limits."""
    D, (p1, p2, _) = lim.D, lim.dphi
    psi_x = sp.Matrix([lim.psi(v) for v in lim.state])
    psi_y = sp.Matrix([lim.psi(v) for v in lim.other])
    SO, SI, Sb = _sym_matrix("SO", D), _sym_matrix("SI", D), _sym_matrix("Sb", D)
    mg = specialise(lim, sp.kronecker_product(SI, SO), Sb)  # cov(eps_oi, eps_o'i') = SO_oo' SI_ii'
    want = Sb + SO * (psi_x.T * SI * psi_x)[0, 0]
    want_xy = Sb + SO * (psi_x.T * SI * psi_y)[0, 0]
    if sp.expand(mg["covariance"] - p1**2 * want) != sp.zeros(D, D) or sp.expand(mg["cross"] - p1**2 * want_xy) != sp.zeros(D, D):
        raise AssertionError("Corollary 4 fails")
    sw, sb = SIGMA_W.symbol, SIGMA_B.symbol
    iid = specialise(lim, sw**2 / D * sp.eye(D * D), sb**2 * sp.eye(D), sp.zeros(D, D), sp.zeros(D, 1))
    s2 = sb**2 + sw**2 * (psi_x.T * psi_x)[0, 0] / D
    k2 = sb**2 + sw**2 * (psi_x.T * psi_y)[0, 0] / D
    ones = sp.ones(D, 1)
    if (sp.expand(iid["drift"] - p2 / 2 * s2 * ones) != sp.zeros(D, 1)
            or sp.expand(iid["covariance"] - p1**2 * s2 * sp.eye(D)) != sp.zeros(D, D)
            or sp.expand(iid["cross"] - p1**2 * k2 * sp.eye(D)) != sp.zeros(D, D)):
        raise AssertionError("Corollary 5 fails")
    return ("Corollary 4 (matrix-Gaussian Sigma_W = Sigma_I kron Sigma_O)",
            "Corollary 5 (fully i.i.d.): drift (1/2) phi''(0) s^2 1_D, diffusion phi'(0)^2 s^2 I_D")


# ---------------------------------------------------------------------------
ASSUMPTIONS = (
    "A_t = mu_W dt + sqrt(dt) eps_W, a_t = mu_b dt + sqrt(dt) eps_b; vec(eps_W) ~ N(0, Sigma_W), eps_b ~ N(0, Sigma_b), "
    "independent, i.i.d. across layers (JMLR Assumption 4)",
    "phi(0) = 0, phi in C^3 with phi'' and phi''' of at most exponential growth (Assumption 5): the Taylor remainder "
    "O(dt^{3/2}) is then controlled (JMLR Lemma 20)",
    "psi in C^2 (Assumption 5; used for Assumption 2 and the backward SDE); a Lipschitz psi such as relu keeps "
    "mu, sigma Lipschitz, so the limit SDE is still well posed and Theorem 1 applies",
    "relu is not allowed as phi: positive homogeneity gives E[phi(sqrt(dt) h)]/dt = E[phi(h)]/sqrt(dt), which "
    "diverges unless E[phi(h)] = 0 (JMLR Remark 9)",
    "the limit may explode when psi grows linearly and phi''(0) != 0 (Remark 8); convergence is then up to explosion",
)

_STEPS = (
    r"Write $A = \mu_W s^2 + s\varepsilon^W$, $a = \mu_b s^2 + s\varepsilon^b$ with $s = \sqrt{\Delta t}$, so "
    r"$A\psi(x) + a = s h$, $h = (\mu_W s + \varepsilon^W)\psi(x) + \mu_b s + \varepsilon^b$.",
    r"Expand $\phi(sh) = \phi'(0)sh + \tfrac12\phi''(0)s^2h^2 + \tfrac16\phi'''(0)s^3h^3 + O(s^4)$ ($\phi(0)=0$).",
    r"Take Gaussian expectations monomial by monomial (Isserlis) with a general $D^2\times D^2$ $\Sigma_W$ "
    r"(done at $D = 2$): the $O(s)$ terms vanish, $E[\Delta x]/\Delta t \to \phi'(0)(\mu_b + \mu_W\psi(x)) + "
    r"\tfrac12\phi''(0)\,\mathrm{diag}\,V[\varepsilon^W\psi(x)+\varepsilon^b]$.",
    r"$E[\Delta x\Delta x^\top]/\Delta t \to \phi'(0)^2 V[\varepsilon^W\psi(x)+\varepsilon^b]$, "
    r"$E[\Delta x]E[\Delta x]^\top = O(\Delta t^2)$, and third moments are $o(\Delta t)$: the generator is "
    r"$\mathcal Lf = \mu\cdot\nabla f + \tfrac12\mathrm{tr}(\sigma^2\nabla^2 f)$.",
    r"Two inputs driven by the same parameters: $E[\Delta x\,\Delta y^\top]/\Delta t \to \phi'(0)^2 "
    r"C[\varepsilon^W\psi(x)+\varepsilon^b, \varepsilon^W\psi(y)+\varepsilon^b]$ (Corollary 3).",
    r"$\Sigma_W = \Sigma_I\otimes\Sigma_O$ gives $V = \Sigma_b + \Sigma_O\,\psi^\top\Sigma_I\psi$ (Corollary 4); "
    r"$\Sigma_W = \tfrac{\sigma_w^2}{D}I$, $\Sigma_b = \sigma_b^2 I$, $\mu = 0$ gives drift "
    r"$\tfrac12\phi''(0)s^2(x)\mathbf 1_D$ and diffusion $\phi'(0)^2 s^2(x) I_D$, "
    r"$s^2 = \sigma_b^2 + \sigma_w^2\|\psi(x)\|^2/D$ (Corollary 5).",
)

CORRECTION_NOTE = (
    "Corollary 5 as printed in JMLR writes the drift as (1/2) phi''(0) s^2(x) I_D; it is the vector "
    "(1/2) phi''(0) s^2(x) 1_D (as in the paper's eq. 33): every unit gets the same drift. The records give "
    "one entry: iid_drift / drift is the common value of all D entries."
)


def resnet_sde_general_record() -> Record:
    """Record ``resnet_sde.general``: Theorem 2, Corollaries 3-5 and the generator, per entry."""
    lim = derive_increment_limits(2)
    checks = check_theorem2(lim) + check_corollaries(lim)
    p1, p2 = DPHI0.symbol, D2PHI0.symbol
    m, v, cde = MEAN_RATE.symbol, NOISE_VAR.symbol, NOISE_COV.symbol
    sb_, so_, g = SIGMA_B_DE.symbol, SIGMA_O_DE.symbol, PSI_GRAM.symbol
    sw, sb, mq, mp = SIGMA_W.symbol, SIGMA_B.symbol, MEAN_PSI_SQ.symbol, MEAN_PSI_PROD.symbol
    s2 = sb**2 + sw**2 * mq
    return Record(
        id="resnet_sde.general",
        title="Infinitely deep ResNet x <- x + phi(A psi(x) + a): drift and diffusion of the limit SDE",
        source=SOURCE + ": Theorem 2, Corollaries 3, 4, 5",
        assumptions=ASSUMPTIONS,
        parameters=(MEAN_RATE, NOISE_VAR, NOISE_COV, SIGMA_B_DE, SIGMA_O_DE, PSI_GRAM, MEAN_PSI_SQ, MEAN_PSI_PROD,
                    ONES_GRAD, LAPLACIAN, SIGMA_W, SIGMA_B, DPHI0, D2PHI0),
        expressions={
            "drift": p1 * m + p2 * v / 2,
            "diffusion": p1**2 * cde,
            "matrix_gaussian_noise_cov": sb_ + so_ * g,
            "matrix_gaussian_cross_variation": p1**2 * (sb_ + so_ * g),
            "iid_scale_squared": s2,
            "iid_drift": p2 * s2 / 2,
            "iid_diffusion": p1 * sp.sqrt(s2),
            "iid_cross_variation": p1**2 * (sb**2 + sw**2 * mp),
            "iid_generator": s2 * (p2 * ONES_GRAD.symbol / 2 + p1**2 * LAPLACIAN.symbol / 2),
        },
        arguments={
            "drift": ("mean_rate", "noise_var", "dphi0", "d2phi0"),
            "diffusion": ("noise_cov", "dphi0"),
            "matrix_gaussian_noise_cov": ("Sigma_b", "Sigma_O", "psi_gram"),
            "matrix_gaussian_cross_variation": ("Sigma_b", "Sigma_O", "psi_gram", "dphi0"),
            "iid_scale_squared": ("mean_psi_sq", "sigma_w", "sigma_b"),
            "iid_drift": ("mean_psi_sq", "sigma_w", "sigma_b", "d2phi0"),
            "iid_diffusion": ("mean_psi_sq", "sigma_w", "sigma_b", "dphi0"),
            "iid_cross_variation": ("mean_psi_prod", "sigma_w", "sigma_b", "dphi0"),
            "iid_generator": ("mean_psi_sq", "ones_dot_grad", "laplacian", "sigma_w", "sigma_b", "dphi0", "d2phi0"),
        },
        derivation=Derivation(Method.DERIVED, _STEPS, checks),
        notes=(
            "drift: entry d of the drift vector; diffusion: entry (d, e) of sigma^2(x). " + CORRECTION_NOTE
            + " The diffusion matrix of the fully i.i.d. case is iid_diffusion^2 I_D (sigma(x) = iid_diffusion I_D)."
        ),
    )


# ---------------------------------------------------------------------------
# Specific (phi, psi): Corollary 5 with phi'(0), phi''(0) derived from phi.

_NONSMOOTH = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.Max, sp.Min, sp.sign, sp.DiracDelta)


def outer_derivatives_at_zero(phi: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r"""$(\phi'(0), \phi''(0))$ of the outer activation, after checking Assumption 5 (raises ``ValueError``)."""
    if phi.has(*_NONSMOOTH):
        raise ValueError(
            f"phi={phi} is not C^3 at 0 (Assumption 5); a positively homogeneous phi such as relu makes the drift "
            "E[phi(sqrt(dt) h)]/dt = E[phi(h)]/sqrt(dt) diverge unless E[phi(h)] = 0 (JMLR Remark 9); "
            "use a smooth phi (tanh, swish, ...)"
        )
    at0 = sp.simplify(phi.subs(x, 0))
    if at0 != 0:
        raise ValueError(f"phi must satisfy phi(0) = 0 (Assumption 5), got phi(0)={at0} for phi={phi}")
    derivs = [sp.simplify(sp.diff(phi, x, k).subs(x, 0)) for k in (1, 2, 3)]
    if any(not d.is_finite for d in derivs):
        raise ValueError(f"phi={phi} needs finite phi'(0), phi''(0), phi'''(0) (Assumption 5), got {derivs}")
    return derivs[0], derivs[1]


def relu_outer_drift_rate() -> sp.Expr:
    r"""$E[\mathrm{relu}(\sqrt{\Delta t}h)]/\Delta t$ for $h\sim N(0, v)$: $\sqrt{v/(2\pi\Delta t)}$ (Remark 9)."""
    h, dt, v = sp.Symbol("h", real=True), sp.Symbol("dt", positive=True), sp.Symbol("v", positive=True)
    dens = sp.exp(-h**2 / (2 * v)) / sp.sqrt(2 * sp.pi * v)
    return sp.simplify(sp.integrate(sp.sqrt(dt) * h * dens, (h, 0, sp.oo)) / dt)


def _phi_catalog() -> dict[str, sp.Expr]:
    return {"tanh": sp.tanh(x), "swish": x / (1 + sp.exp(-x)), "identity": x}


def _psi_catalog() -> dict[str, sp.Expr]:
    return {"identity": x, "tanh": sp.tanh(x), "relu": activation_spec("relu").expr}


#: (phi, psi) pairs shipped as records.
SHIPPED = tuple(itertools.product(("tanh", "swish"), ("identity", "tanh", "relu")))


def resnet_sde_record(phi: sp.Expr | str, psi: sp.Expr | str, *, phi_name: str | None = None,
                      psi_name: str | None = None, omit_second_order_drift: bool = False) -> Record:
    r"""Record of the fully i.i.d. limit (Corollary 5) for a given outer $\phi$ and inner $\psi$.

    ``phi`` and ``psi`` are SymPy expressions of ``x`` (or names in
    ``{"tanh", "swish", "identity"}`` / ``{"identity", "tanh", "relu"}``).
    Generated functions (elementwise): ``psi(x)``, ``psi_prime(x)``,
    ``scale_squared``, ``drift``, ``diffusion`` (of the per-sample
    ``mean_psi_sq`` $=\|\psi(x)\|^2/D$), ``cross_covariation`` (of
    ``mean_psi_prod``) and ``generator``.

    ``omit_second_order_drift=True`` builds a deliberately wrong variant, with
    the $\tfrac12\phi''(0)s^2$ drift dropped (id suffix ``.planted_no_drift``),
    for checking that the verification detects it.
    """
    names_phi, names_psi = _phi_catalog(), _psi_catalog()
    if isinstance(phi, str):
        if phi not in names_phi:
            raise ValueError(f"phi={phi!r} is not a known outer activation; known: {sorted(names_phi)}, or pass a SymPy expression of x")
        phi_name, phi = phi_name or phi, names_phi[phi]
    if isinstance(psi, str):
        if psi not in names_psi:
            raise ValueError(f"psi={psi!r} is not a known inner activation; known: {sorted(names_psi)}, or pass a SymPy expression of x")
        psi_name, psi = psi_name or psi, names_psi[psi]
    for label, e in (("phi", phi), ("psi", psi)):
        if e.free_symbols - {x}:
            raise ValueError(f"{label}={e} must be an expression of x only, got symbols {sorted(map(str, e.free_symbols - {x}))}")
    phi_name = phi_name or "custom"
    psi_name = psi_name or "custom"
    for label, nm in (("phi_name", phi_name), ("psi_name", psi_name)):
        if not nm.isidentifier():
            raise ValueError(f"{label} must be a Python identifier, got {label}={nm!r}")
    p1, p2 = outer_derivatives_at_zero(phi)
    sw, sb, mq, mp = SIGMA_W.symbol, SIGMA_B.symbol, MEAN_PSI_SQ.symbol, MEAN_PSI_PROD.symbol
    s2 = sb**2 + sw**2 * mq
    drift = sp.Integer(0) * s2 if omit_second_order_drift else p2 * s2 / 2
    psi_prime = sp.diff(psi, x)
    if psi.has(sp.Piecewise):
        psi_prime = sp.piecewise_fold(psi_prime)
    x_param = Parameter("x", REAL, "x", (-5.0, 5.0), "state entry (pre-activation of psi)")
    rid = f"resnet_sde.{phi_name}_{psi_name}" + (".planted_no_drift" if omit_second_order_drift else "")
    lim_drift = f"(1/2) phi''(0) s^2 = {sp.sstr(p2 / 2)} s^2"
    steps = (
        rf"$\phi = {sp.latex(phi)}$: $\phi(0) = 0$, $\phi'(0) = {sp.latex(p1)}$, $\phi''(0) = {sp.latex(p2)}$; "
        r"only these survive the limit (JMLR Theorem 2, derived in record resnet_sde.general).",
        rf"$\psi = {sp.latex(psi)}$ enters through $s^2(x) = \sigma_b^2 + \sigma_w^2\|\psi(x)\|^2/D$ (Corollary 5).",
        "Drift entry " + lim_drift + " (the same for every unit: a vector times 1_D); diffusion phi'(0) s(x) I_D.",
    )
    notes = CORRECTION_NOTE
    if omit_second_order_drift:
        notes = "DELIBERATELY WRONG (planted error): the (1/2) phi''(0) s^2 drift term is dropped. " + notes
    return Record(
        id=rid,
        title=f"Infinitely deep ResNet, phi = {phi_name}, psi = {psi_name}: fully i.i.d. limit SDE",
        source=SOURCE + ": Corollary 5 (drift vector 1_D, not I_D)",
        assumptions=ASSUMPTIONS[:1] + (
            "fully i.i.d. centred parameters: Var A_ij = sigma_w^2 dt / D, Var a_i = sigma_b^2 dt (Assumption 7)",
        ) + ASSUMPTIONS[1:],
        parameters=(x_param, MEAN_PSI_SQ, MEAN_PSI_PROD, ONES_GRAD, LAPLACIAN, SIGMA_W, SIGMA_B),
        expressions={
            "psi": psi,
            "psi_prime": psi_prime,
            "scale_squared": s2,
            "drift": drift,
            "diffusion": p1 * sp.sqrt(s2),
            "cross_covariation": p1**2 * (sb**2 + sw**2 * mp),
            "generator": s2 * (p2 * ONES_GRAD.symbol + p1**2 * LAPLACIAN.symbol) / 2,
        },
        arguments={
            "psi": ("x",), "psi_prime": ("x",),
            "scale_squared": ("mean_psi_sq", "sigma_w", "sigma_b"),
            "drift": ("mean_psi_sq", "sigma_w", "sigma_b"),
            "diffusion": ("mean_psi_sq", "sigma_w", "sigma_b"),
            "cross_covariation": ("mean_psi_prod", "sigma_w", "sigma_b"),
            "generator": ("mean_psi_sq", "ones_dot_grad", "laplacian", "sigma_w", "sigma_b"),
        },
        derivation=Derivation(Method.DERIVED, steps, ("phi(0) = 0", "phi in C^3 at 0")),
        notes=notes,
    )
