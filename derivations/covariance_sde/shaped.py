r"""The neural covariance SDE of shaped networks (Li, Nica and Roy, 2022), as records.

MLP $h_{\ell+1} = \sqrt{c/n}\,W_\ell\varphi_s(h_\ell)$, $c^{-1} = E\varphi_s(g)^2$, with the covariance
$\Phi_\ell^{ab} = \frac cn\langle\varphi_s(h^a_\ell), \varphi_s(h^b_\ell)\rangle$.  Given layer $\ell$, the rows of
$h_{\ell+1}$ are iid $N(0, \Phi_\ell)$, so $E[\Phi_{\ell+1}\mid\Phi_\ell] = cE[\varphi_s(X^a)\varphi_s(X^b)]$,
$X \sim N(0, \Phi_\ell)$, and $n\,\mathrm{Cov}$ of the increment is the Wishart covariance.  With the activation
shaped at the critical rate ($s_\pm = 1 + c_\pm/\sqrt n$ for ReLU; $\varphi_s(x) = s\varphi(x/s)$, $s = a\sqrt n$,
for smooth $\varphi$), the drift is $O(1/n)$ and, in $t = \ell/n$,

$$d\Phi_t = b(\Phi_t)\,dt + \Sigma(\Phi_t)^{1/2}dB_t,\qquad \Sigma^{ab,cd} = \Phi^{ac}\Phi^{bd} + \Phi^{ad}\Phi^{bc}.$$

The drifts, the correlation SDE (Ito's formula) and the law of the log-norm are derived here.

Reference: M. Li, M. Nica and D. M. Roy, "The neural covariance SDE: shaped infinite depth-and-width networks
at initialization", NeurIPS 35 (2022) 10795-10808, arXiv 2206.02768, Thm 3.2 (as "Theorem 1" in M. Li's
STAT 946 Lecture 17); deeplimits reference log_gaussian.md 4.
"""

from __future__ import annotations

import math

import sympy as sp

from ..dual.duals import derive_dual
from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from ..core.safe_parse import parse_activation
from ..core.series import gaussian_moment
from ..core.symbols import c as c_sym, q1, q2, x

__all__ = ["shaped_relu_sde_record", "covariance_sde_record", "ito_correlation", "wishart_covariance", "smooth_drift"]

INF = math.inf
SOURCE = ("Li, Nica and Roy, NeurIPS 35:10795-10808 (2022), arXiv 2206.02768, the covariance SDE theorem "
          "(M. Li, STAT 946 Lecture 17, Theorem 1); drifts and Ito terms derived here; deeplimits reference log_gaussian.md 4")

C_PLUS = Parameter("c_plus", Domain(-INF, INF), r"c_{+}", (-3.0, 3.0), "shaping of the positive slope, s_+ = 1 + c_+/sqrt(n)")
C_MINUS = Parameter("c_minus", Domain(-INF, INF), r"c_{-}", (-3.0, 3.0), "shaping of the negative slope, s_- = 1 + c_-/sqrt(n)")
RHO = Parameter("rho", Domain(-1, 1), r"\rho", (-1.0, 1.0), "correlation Phi^{ab}/sqrt(Phi^{aa} Phi^{bb})")
PHI_AA = Parameter("Phi_aa", Domain(0, INF, closed=(False, True)), r"\Phi^{aa}", (0.01, 10.0), "variance of input a")
PHI_BB = Parameter("Phi_bb", Domain(0, INF, closed=(False, True)), r"\Phi^{bb}", (0.01, 10.0), "variance of input b")
PHI_AB = Parameter("Phi_ab", Domain(-INF, INF), r"\Phi^{ab}", (-10.0, 10.0), "covariance of inputs a, b")
PHI_AC = Parameter("Phi_ac", Domain(-INF, INF), r"\Phi^{ac}", (-10.0, 10.0), "covariance entry (a, c)")
PHI_BD = Parameter("Phi_bd", Domain(-INF, INF), r"\Phi^{bd}", (-10.0, 10.0), "covariance entry (b, d)")
PHI_AD = Parameter("Phi_ad", Domain(-INF, INF), r"\Phi^{ad}", (-10.0, 10.0), "covariance entry (a, d)")
PHI_BC = Parameter("Phi_bc", Domain(-INF, INF), r"\Phi^{bc}", (-10.0, 10.0), "covariance entry (b, c)")
PHI0 = Parameter("Phi0", Domain(0, INF, closed=(False, True)), r"\Phi_0", (0.01, 10.0), "initial variance")
PHI = Parameter("Phi", Domain(0, INF), r"\Phi", (0.0, 10.0), "variance (one input)")
TIME = Parameter("T", Domain(0, INF), "T", (0.0, 5.0), "depth-to-width ratio d/n (SDE time)")
SCALE = Parameter("a", Domain(0, INF, closed=(False, True)), "a", (0.1, 10.0), "shaping scale, s = a sqrt(n)")

e = sp.Symbol("e", positive=True)  # n^{-1/2}
f11, f12, f22 = sp.symbols("Phi11 Phi12 Phi22", real=True)


def wishart_covariance() -> dict[tuple, sp.Expr]:
    r"""$n\mathrm{Cov}(\Phi^{ab}_{\ell+1}, \Phi^{cd}_{\ell+1}\mid\Phi_\ell)$ at leading order, by Isserlis.

    $\Phi^{ab}_{\ell+1} \approx \frac1n\sum_i X_i^aX_i^b$ with iid rows $X_i \sim N(0, \Phi)$; the covariance of
    $X^aX^b$ and $X^cX^d$ is $E[X^aX^bX^cX^d] - \Phi^{ab}\Phi^{cd}$, with the four-point function from the
    Gaussian moment generating function.  Keys are pairs of index pairs over two inputs ``1, 2``.
    """
    t1, t2 = sp.symbols("t1 t2")
    mgf = sp.exp((f11 * t1**2 + 2 * f12 * t1 * t2 + f22 * t2**2) / 2)
    tv = {1: t1, 2: t2}
    phi = {(1, 1): f11, (1, 2): f12, (2, 1): f12, (2, 2): f22}
    out = {}
    pairs = [(1, 1), (1, 2), (2, 2)]
    for p in pairs:
        for r in pairs:
            fourth = sp.diff(mgf, tv[p[0]], tv[p[1]], tv[r[0]], tv[r[1]]).subs({t1: 0, t2: 0})
            out[(p, r)] = sp.expand(fourth - phi[p] * phi[r])
    return out


def ito_correlation(drift: dict[tuple, sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
    r"""Drift and squared diffusion of $\rho = \Phi^{12}/\sqrt{\Phi^{11}\Phi^{22}}$ by Ito's formula.

    ``drift`` maps ``(1, 1), (1, 2), (2, 2)`` to $b^{ab}$ in terms of ``Phi11, Phi12, Phi22``.
    """
    cov = wishart_covariance()
    r = f12 / sp.sqrt(f11 * f22)
    coords = {(1, 1): f11, (1, 2): f12, (2, 2): f22}
    grad = {p: sp.diff(r, v) for p, v in coords.items()}
    mu = sum(grad[p] * drift[p] for p in coords)
    mu += sum(sp.diff(r, coords[p], coords[q]) * cov[(p, q)] for p in coords for q in coords) / 2
    var = sum(grad[p] * grad[q] * cov[(p, q)] for p in coords for q in coords)
    return sp.simplify(mu), sp.simplify(var)


def _relu_nu() -> tuple[sp.Expr, sp.Expr]:
    """nu(rho) from c E[phi_s(X) phi_s(Y)] = rho + nu/n + O(n^{-3/2}), and the order-e coefficient (0)."""
    cp, cm, rho = C_PLUS.symbol, C_MINUS.symbol, RHO.symbol
    sp_, sm_ = sp.symbols("s_p s_m", positive=True)
    res = derive_dual(sp.Piecewise((sm_ * x, x < 0), (sp_ * x, True)))
    v = res.dual.subs({q1: 1, q2: 1}).subs(c_sym, rho)
    var = sp.simplify(res.dual.subs({q1: 1, q2: 1}).subs(c_sym, 1))
    ratio = (v / var).subs({sp_: 1 + cp * e, sm_: 1 + cm * e})
    ser = sp.series(ratio, e, 0, 3).removeO()
    return sp.simplify(ser.coeff(e, 2)), sp.simplify(ser.coeff(e, 1))


def shaped_relu_sde_record() -> Record:
    cp, cm, rho = C_PLUS.symbol, C_MINUS.symbol, RHO.symbol
    paa, pbb, pab, pac, pbd, pad, pbc, p0, tt = (p.symbol for p in (PHI_AA, PHI_BB, PHI_AB, PHI_AC, PHI_BD, PHI_AD, PHI_BC, PHI0, TIME))
    nu, first = _relu_nu()
    nu_ref = (cp - cm) ** 2 / (2 * sp.pi) * (sp.sqrt(1 - rho**2) - rho * sp.acos(rho))
    if first != 0 or sp.simplify(sp.expand(nu - nu_ref)) != 0:
        raise AssertionError(f"shaped ReLU drift: order-1/sqrt(n) term {first}, nu = {nu}")
    # drift by 1-homogeneity: b^{ab} = nu(rho) sqrt(Phi^aa Phi^bb); diagonal nu(1) = 0.
    drift = {(1, 1): 0, (2, 2): 0, (1, 2): nu.subs(rho, f12 / sp.sqrt(f11 * f22)) * sp.sqrt(f11 * f22)}
    mu_rho, var_rho = ito_correlation(drift)
    mu_rho = sp.simplify(mu_rho.subs(f12, rho * sp.sqrt(f11 * f22)))
    var_rho = sp.simplify(var_rho.subs(f12, rho * sp.sqrt(f11 * f22)))
    ito_term = sp.simplify(mu_rho - nu)
    if sp.simplify(ito_term + rho * (1 - rho**2) / 2) != 0 or sp.simplify(var_rho - (1 - rho**2) ** 2) != 0:
        raise AssertionError(f"Ito: drift {mu_rho}, variance {var_rho}")
    # log of the diagonal: d ln Phi = (b/Phi - Sigma/(2 Phi^2)) dt + ..., b = 0, Sigma^{11,11} = 2 Phi^2.
    cov = wishart_covariance()
    ln_drift = sp.simplify(0 / f11 - cov[((1, 1), (1, 1))] / (2 * f11**2))
    ln_var = sp.simplify(cov[((1, 1), (1, 1))] / f11**2)
    return Record(
        id="covariance_sde.shaped_relu",
        title="Neural covariance SDE of a shaped ReLU network",
        source=SOURCE,
        assumptions=(
            "phi_s(x) = s_+ max(x, 0) + s_- min(x, 0), s_pm = 1 + c_pm/sqrt(n) (critical exponent p = 1/2)",
            "h_{l+1} = sqrt(c/n) W_l phi_s(h_l), c^{-1} = E phi_s(g)^2, W iid N(0, 1); n, d -> infinity, d/n -> T",
            "Phi_{floor(tn)} => Phi_t solving dPhi = b dt + Sigma^{1/2} dB (the theorem; its proof is not re-derived)",
        ),
        parameters=(C_PLUS, C_MINUS, RHO, PHI_AA, PHI_BB, PHI_AC, PHI_BD, PHI_AD, PHI_BC, PHI0, TIME),
        expressions={
            "nu": nu_ref,
            "drift": nu_ref * sp.sqrt(paa * pbb),
            "diffusion_covariance": pac * pbd + pad * pbc,
            "correlation_drift": nu_ref + ito_term,
            "correlation_diffusion": 1 - rho**2,
            "log_norm_mean": sp.log(p0) + ln_drift * tt,
            "log_norm_variance": ln_var * tt,
        },
        arguments={
            "nu": ("c_plus", "c_minus", "rho"),
            "drift": ("c_plus", "c_minus", "rho", "Phi_aa", "Phi_bb"),
            "diffusion_covariance": ("Phi_ac", "Phi_bd", "Phi_ad", "Phi_bc"),
            "correlation_drift": ("c_plus", "c_minus", "rho"),
            "correlation_diffusion": ("rho",),
            "log_norm_mean": ("Phi0", "T"),
            "log_norm_variance": ("T",),
        },
        derivation=Derivation(
            Method.DERIVED,
            (
                r"$cE[\varphi_s(X)\varphi_s(Y)]$ at unit variances from the dual engine (kinked route), expanded in $n^{-1/2}$: "
                r"$\rho + 0\cdot n^{-1/2} + \nu(\rho)/n + O(n^{-3/2})$ with "
                rf"$\nu = {sp.latex(nu)}$ (the minus sign in front of $\rho\arccos\rho$).",
                r"ReLU is 1-homogeneous, so $b^{ab} = \nu(\rho^{ab})\sqrt{\Phi^{aa}\Phi^{bb}}$; $\nu(1) = 0$: the diagonal has no drift.",
                r"Wishart noise: $n\mathrm{Cov}(\Phi^{ab}_{\ell+1}, \Phi^{cd}_{\ell+1}) = E[X^aX^bX^cX^d] - \Phi^{ab}\Phi^{cd} = "
                r"\Phi^{ac}\Phi^{bd} + \Phi^{ad}\Phi^{bc}$ (Isserlis, from the Gaussian MGF).",
                rf"Ito's formula on $\rho = \Phi^{{12}}/\sqrt{{\Phi^{{11}}\Phi^{{22}}}}$: drift $\nu(\rho) + {sp.latex(ito_term)}$, "
                rf"squared diffusion ${sp.latex(sp.factor(var_rho))}$.",
                rf"$d\ln\Phi^{{aa}} = ({sp.latex(ln_drift)})dt + \sqrt{{{sp.latex(ln_var)}}}dB$: "
                r"$\ln\Phi_T \sim N(\ln\Phi_0 - T, 2T)$.",
            ),
            ("order-1/sqrt(n) term vanishes", "nu equals (c_+ - c_-)^2/(2 pi) (sqrt(1 - rho^2) - rho arccos rho)",
             "Ito drift term -rho(1 - rho^2)/2", "diffusion (1 - rho^2)^2", "log-norm N(ln Phi0 - T, 2T)"),
        ),
        architecture="shaped ReLU MLP: h_{l+1} = sqrt(c/n) W_l phi_s(h_l), s_pm = 1 + c_pm/sqrt(n), no biases",
        validate=True,
    )


def smooth_drift(phi: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r"""$b^{ab}$ of the smooth shaped activation and $\kappa = \frac34\varphi''(0)^2 + \varphi'''(0)$.

    Taylor: $\varphi_s(x) = x + \frac{\varphi''(0)}{2a}e\,x^2 + \frac{\varphi'''(0)}{6a^2}e^2x^3 + O(e^3)$, $e = n^{-1/2}$;
    the Gaussian moments of $(X^a, X^b) \sim N(0, \Phi)$ by Isserlis (MGF derivatives).
    """
    a = SCALE.symbol
    paa, pbb, pab = (p.symbol for p in (PHI_AA, PHI_BB, PHI_AB))
    if sp.simplify(phi.subs(x, 0)) != 0 or sp.simplify(sp.diff(phi, x).subs(x, 0)) != 1:
        raise ValueError(f"shaped activation needs phi(0) = 0 and phi'(0) = 1, got phi = {phi}")
    d2, d3 = (sp.simplify(sp.diff(phi, x, m).subs(x, 0)) for m in (2, 3))
    u, v, t1, t2 = sp.symbols("u v t1 t2")
    shaped = lambda z: z + d2 / (2 * a) * e * z**2 + d3 / (6 * a**2) * e**2 * z**3  # noqa: E731
    mgf = sp.exp((paa * t1**2 + 2 * pab * t1 * t2 + pbb * t2**2) / 2)
    prod = sp.Poly(sp.expand(shaped(u) * shaped(v)), u, v)
    expect = sum(coef * sp.diff(mgf, t1, i, t2, k).subs({t1: 0, t2: 0}) if (i or k) else coef
                 for (i, k), coef in prod.terms())
    inv_c = sum(coef * gaussian_moment(i) for (i,), coef in sp.Poly(sp.expand(shaped(u) ** 2), u).terms())
    step = sp.series(expect / inv_c, e, 0, 3).removeO()
    if sp.simplify(step.coeff(e, 0) - pab) != 0 or sp.simplify(step.coeff(e, 1)) != 0:
        raise AssertionError("shaped smooth activation: wrong leading terms")
    return sp.factor(sp.expand(step.coeff(e, 2))), sp.Rational(3, 4) * d2**2 + d3


def covariance_sde_record(phi: sp.Expr | str, *, name: str = "custom", title: str | None = None) -> Record:
    """The covariance SDE record of a smooth shaped activation $\\varphi_s(x) = s\\varphi(x/s)$, $s = a\\sqrt n$.

    ``phi`` is a SymPy expression of ``x`` with $\\varphi(0) = 0$, $\\varphi'(0) = 1$ (C^4, polynomially bounded
    fourth derivative).
    """
    if isinstance(phi, str):
        phi = parse_activation(phi, what="activation")
    if not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got name={name!r}")
    free = {s.name for s in phi.free_symbols} - {"x"}
    if free:
        raise ValueError(f"activation expression has symbols {sorted(free)}; use x only")
    a = SCALE.symbol
    paa, pbb, pab, ph = (p.symbol for p in (PHI_AA, PHI_BB, PHI_AB, PHI))
    b, kappa = smooth_drift(phi)
    d2, d3 = (sp.simplify(sp.diff(phi, x, m).subs(x, 0)) for m in (2, 3))
    ref = d2**2 / (4 * a**2) * (paa * pbb + pab * (2 * pab - 3)) + d3 / (2 * a**2) * pab * (paa + pbb - 2)
    if sp.simplify(b - ref) != 0:
        raise AssertionError(f"smooth drift {b} disagrees with the reference form")
    scalar = sp.factor(b.subs({paa: ph, pbb: ph, pab: ph}))
    if sp.simplify(scalar - kappa / a**2 * ph * (ph - 1)) != 0:
        raise AssertionError(f"scalar drift {scalar}")
    return Record(
        id=f"covariance_sde.{name}",
        title=title or f"Neural covariance SDE of the shaped activation {sp.sstr(phi)}",
        source=SOURCE,
        assumptions=(
            f"phi(x) = {sp.sstr(phi)}, phi(0) = 0, phi'(0) = 1, C^4 with polynomially bounded 4th derivative",
            "phi_s(x) = s phi(x/s), s = a sqrt(n); h_{l+1} = sqrt(c/n) W_l phi_s(h_l), c^{-1} = E phi_s(g)^2",
            "n, d -> infinity, d/n -> T; diffusion Sigma^{ab,cd} = Phi^ac Phi^bd + Phi^ad Phi^bc",
            "one input: the norm does not blow up in finite time a.s. iff kappa < 0 (stated by the source, not derived here)",
        ),
        parameters=(PHI_AA, PHI_BB, PHI_AB, PHI, SCALE),
        expressions={"drift": ref, "scalar_drift": kappa / a**2 * ph * (ph - 1), "scalar_diffusion": sp.sqrt(2) * ph,
                     "kappa": kappa},
        arguments={"drift": ("Phi_aa", "Phi_bb", "Phi_ab", "a"), "scalar_drift": ("Phi", "a"),
                   "scalar_diffusion": ("Phi",), "kappa": ()},
        derivation=Derivation(
            Method.DERIVED,
            (
                rf"$\varphi''(0) = {sp.latex(d2)}$, $\varphi'''(0) = {sp.latex(d3)}$; $\varphi_s(x) = x + \frac{{\varphi''(0)}}{{2a\sqrt n}}x^2 + \frac{{\varphi'''(0)}}{{6a^2n}}x^3 + O(n^{{-3/2}})$.",
                r"$cE[\varphi_s(X^a)\varphi_s(X^b)]$ with Isserlis moments of $N(0, \Phi)$ and $c^{-1} = E\varphi_s(g)^2$, expanded in $n^{-1/2}$: "
                rf"$\Phi^{{ab}} + b^{{ab}}/n$, $b^{{ab}} = {sp.latex(b)}$.",
                rf"One input: $b = {sp.latex(scalar)}$, so $d\Phi = \frac{{\kappa}}{{a^2}}\Phi(\Phi - 1)dt + \sqrt2\Phi\,dB$ with $\kappa = {sp.latex(kappa)}$.",
            ),
            ("drift equals the reference form", "scalar drift kappa Phi (Phi - 1)/a^2"),
        ),
        architecture="shaped smooth MLP: h_{l+1} = sqrt(c/n) W_l s phi(h_l/s), s = a sqrt(n), no biases",
        validate=True,
    )


#: Shipped smooth activations: name -> (phi, title).
SMOOTH_ACTIVATIONS = {
    "tanh": ("tanh(x)", "Neural covariance SDE of a shaped tanh network (kappa = -2: stable)"),
    "swish": ("2*x/(1 + exp(-x))", "Neural covariance SDE of a shaped swish network, phi = 2x sigmoid(x) (kappa = 3/4: norm blows up)"),
}
