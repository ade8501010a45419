r"""The mean-field risk functional of a two-layer network with a quadratic activation and a quadratic teacher.

Model (Mei, Montanari and Nguyen 2018, PNAS 115(33), eqs. (1)-(4); deeplimits reference wide_limits.md section 5):
$\hat y(x) = \frac1n\sum_{i=1}^n \sigma(w_i\cdot x)$ with $\sigma(z) = z^2$, $x \sim N(0, I_d)$, second layer fixed
at $a_i = 1$, teacher $y = \sigma(e_1\cdot x)$.  The risk of the neurons' law $\rho$ is
$R(\rho) = E y^2 + 2\int V\,d\rho + \iint U\,d\rho\,d\rho$ with
$V(w) = -E[y\,\sigma(w\cdot x)]$ and $U(w, w') = E[\sigma(w\cdot x)\sigma(w'\cdot x)]$.

$U$ is the dual activation $D_\sigma(|w|^2, |w'|^2, w\cdot w')$ from the dual engine
(:func:`derivations.dual.duals.derive_dual`, nothing typed here), $V(w) = -D_\sigma(|w|^2, 1, w\cdot e_1)$.
The law is reduced by symmetry: $\rho$ invariant under the rotations of $e_1^\perp$ (and $u \mapsto -u$);
a neuron is $w = (u, z)$, $u = w\cdot e_1$, $s = |z|^2$; the law enters through $p = \int u^2\,d\rho$ and
$q = \int s\,d\rho/(d - 1)$ (:func:`moment_rules`).
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from ..dual.duals import derive_dual

__all__ = [
    "DIM",
    "PARTICLE_S",
    "PARTICLE_U",
    "P",
    "Q",
    "activation_dual",
    "interaction_potential",
    "moment_rules",
    "potential",
    "risk_functional_record",
    "risk_in_moments",
]

INF = math.inf
SOURCE = ("Mei, Montanari and Nguyen 2018, 'A mean field view of the landscape of two-layer neural networks', "
          "PNAS 115(33), eqs. (3)-(4) (risk functional) and (7)-(8) (distributional dynamics); wide_limits.md "
          "section 5; the quadratic example and its reduction are derived here")

DIM = Parameter("d", Domain(2, INF, integer=True), "d", (2, 8), "input dimension")
P = Parameter("p", Domain(0, INF), "p", (0.0, 1.5), "second moment of the teacher coordinate, int u^2 drho")
Q = Parameter("q", Domain(0, INF), "q", (0.0, 1.5), "second moment per orthogonal coordinate, int |z|^2 drho/(d-1)")
PARTICLE_U = Parameter("u", Domain(), "u", (-2.0, 2.0), "a neuron's teacher coordinate w . e_1")
PARTICLE_S = Parameter("s", Domain(0, INF), "s", (0.0, 3.0), "a neuron's squared orthogonal norm |w - u e_1|^2")
Q1 = Parameter("q1", Domain(0, INF), "q_1", (0.1, 2.0), "|w|^2 of the first neuron")
Q2 = Parameter("q2", Domain(0, INF), "q_2", (0.1, 2.0), "|w'|^2 of the second neuron")
C = Parameter("c", Domain(), "c", (-0.1, 0.1), "overlap w . w' (|c| <= sqrt(q1 q2))")


def activation_dual() -> sp.Expr:
    r"""$D_\sigma(q_1, q_2, c) = E[\sigma(a)\sigma(b)]$, $(a, b)$ centred Gaussian with variances $q_1, q_2$ and
    covariance $c$, for $\sigma(z) = z^2$, from the dual engine, in this record's symbols."""
    z = sp.Symbol("x", real=True)
    dual = derive_dual(z ** 2).dual
    if dual is None:
        raise AssertionError("the dual engine found no closed form for z^2")
    by_name = {s.name: s for s in dual.free_symbols}
    return sp.expand(dual.subs({by_name["q1"]: Q1.symbol, by_name["q2"]: Q2.symbol, by_name["c"]: C.symbol}))


def _neuron(dual: sp.Expr, other_sq: sp.Expr, overlap: sp.Expr) -> sp.Expr:
    u, s = PARTICLE_U.symbol, PARTICLE_S.symbol
    return sp.expand(dual.subs({Q1.symbol: u ** 2 + s, Q2.symbol: other_sq, C.symbol: overlap}, simultaneous=True))


def potential(dual: sp.Expr) -> sp.Expr:
    r"""$V(u, s) = -E[y\,\sigma(w\cdot x)] = -D_\sigma(u^2 + s, 1, u)$ (teacher $e_1$)."""
    return -_neuron(dual, sp.S.One, PARTICLE_U.symbol)


def moment_rules(expr: sp.Expr, *, first: sp.Symbol, sq_first: sp.Expr, sq_rest: sp.Expr) -> sp.Expr:
    r"""$\int expr\,d\rho$ for an ``expr`` that is a polynomial of degree $\le 1$ in ``first``$^2$ and in the
    squared rest, with odd powers of ``first`` averaging to 0 ($u \mapsto -u$ symmetry).  ``ValueError`` for any
    other monomial: the reduction does not close."""
    poly = sp.Poly(sp.expand(expr), first, PARTICLE_S.symbol)
    out = sp.S.Zero
    for (i, j), coeff in poly.terms():
        if i % 2:
            continue
        if (i, j) not in ((0, 0), (2, 0), (0, 1)):
            raise ValueError(f"moment_rules: the monomial {first}^{i} s^{j} does not close on (p, q)")
        out += coeff * {(0, 0): sp.S.One, (2, 0): sq_first, (0, 1): sq_rest}[(i, j)]
    return sp.expand(out)


def interaction_potential(dual: sp.Expr) -> sp.Expr:
    r"""$\int U(w, w')\,d\rho(w')$ as a function of $(u, s)$ and $(p, q, d)$.

    $U$ is a polynomial in $c = w\cdot w' = u u' + z\cdot z'$ and $q_2 = u'^2 + |z'|^2$; under the symmetric law
    $E[u'] = E[z'] = 0$, $E[u'z'] = 0$, $E[c^2] = u^2 p + s q$ (isotropy of $z'$ in $e_1^\perp$) and
    $E[q_2] = p + (d - 1)q$.  ``ValueError`` where $U$ has a monomial outside $\{1, c, c^2, q_2\}$."""
    u, s, p, q, d = PARTICLE_U.symbol, PARTICLE_S.symbol, P.symbol, Q.symbol, DIM.symbol
    try:
        poly = sp.Poly(dual, C.symbol, Q2.symbol)
    except sp.PolynomialError as exc:
        raise ValueError(f"interaction_potential: U = {dual} is not a polynomial in (c, q2); the law does not "
                         f"close") from exc
    rules = {(0, 0): sp.S.One, (1, 0): sp.S.Zero, (2, 0): u ** 2 * p + s * q, (0, 1): p + (d - 1) * q}
    out = sp.S.Zero
    for monom, coeff in poly.terms():
        if monom not in rules:
            raise ValueError(f"interaction_potential: U has c^{monom[0]} q2^{monom[1]}; the law does not close")
        out += coeff.subs(Q1.symbol, u ** 2 + s) * rules[monom]
    return sp.expand(out)


def risk_in_moments(dual: sp.Expr) -> sp.Expr:
    r"""$R(p, q) = E y^2 + 2\int V\,d\rho + \iint U\,d\rho\,d\rho$, $E y^2 = D_\sigma(1, 1, 1)$."""
    p, q, d, u = P.symbol, Q.symbol, DIM.symbol, PARTICLE_U.symbol
    average = lambda e: moment_rules(e, first=u, sq_first=p, sq_rest=(d - 1) * q)
    target = dual.subs({Q1.symbol: 1, Q2.symbol: 1, C.symbol: 1})
    return sp.expand(target + 2 * average(potential(dual)) + average(interaction_potential(dual)))


def risk_functional_record() -> Record:
    dual = activation_dual()
    v, interaction = potential(dual), interaction_potential(dual)
    psi = sp.expand(v + interaction)
    risk = risk_in_moments(dual)
    return Record(
        id="mean_field.risk_functional",
        title="two-layer mean-field network, sigma(z) = z^2, Gaussian inputs, teacher sigma(e_1 . x): V, U, Psi and "
              "the risk R(p, q) of a symmetric neuron law",
        source=SOURCE + "; confidence: high (U from the dual engine, the reduction by exact moment rules)",
        assumptions=("x ~ N(0, I_d); f(x) = (1/n) sum_i sigma(w_i . x), sigma(z) = z^2, second layer fixed at 1",
                     "teacher y = sigma(e_1 . x) (unit norm; any unit teacher is e_1 after a rotation)",
                     ("the neuron law rho is invariant under rotations of e_1-perp and under u -> -u (true at an "
                     "isotropic Gaussian initialisation and kept by the flow, whose drift is equivariant)"),
                     ("the reduction closes because U is a polynomial of degree 2 in w . w' and of degree 1 in |w'|^2 "
                     "(checked: moment_rules raises otherwise); for ReLU or erf it does not close on (p, q)")),
        parameters=(Q1, Q2, C, PARTICLE_U, PARTICLE_S, P, Q, DIM),
        expressions={"interaction_kernel": dual, "potential": v, "interaction_potential": interaction,
                     "psi": psi, "risk": risk},
        arguments={"interaction_kernel": ("q1", "q2", "c"), "potential": ("u", "s"),
                   "interaction_potential": ("u", "s", "p", "q", "d"), "psi": ("u", "s", "p", "q", "d"),
                   "risk": ("p", "q", "d")},
        derivation=Derivation(
            Method.DERIVED,
            (r"$U(w, w') = D_\sigma(|w|^2, |w'|^2, w\cdot w')$ with $D_{z^2}$ from the dual engine (Gaussian MGF).",
             r"$V(w) = -D_\sigma(u^2 + s, 1, u)$: the teacher is a neuron $e_1$.",
             r"$\int U\,d\rho(w')$: $E c = 0$, $E c^2 = u^2p + sq$, $E|w'|^2 = p + (d-1)q$ under the symmetric law.",
             (r"$\Psi = V + \int U\,d\rho$; $R = D_\sigma(1,1,1) + 2\int V\,d\rho + \iint U\,d\rho\,d\rho$ with "
             r"$u^2 \to p$, $s \to (d-1)q$, odd powers of $u \to 0$.")),
            ("U has only the monomials 1, c^2, q1 q2 (closure)",
             "R equals the risk of a network with M = diag(p, q, ..., q) on an exact Gaussian cubature (tests)"),
        ),
        notes="Psi(u, s) = alpha u^2 + beta s with alpha = 3(p - 1) + (d - 1) q and beta = 2q + p - 1 + (d - 1) q: "
              "every neuron's drift is linear, which is why the mean-field flow closes on (p, q) (record "
              "mean_field.reduced_flow).",
        architecture="f(x) = (1/n) sum_i (w_i . x)^2, w_i in R^d, x ~ N(0, I_d), y = (e_1 . x)^2",
    )
