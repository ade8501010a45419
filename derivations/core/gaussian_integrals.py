r"""Closed-form integration of the covariance steps of a Price chain.

Price's theorem for $(u, v) \sim N\left(0, \begin{pmatrix} q_1 & c \\ c & q_2 \end{pmatrix}\right)$
says $\partial_c E[\phi(u)\phi(v)] = E[\phi'(u)\phi'(v)]$, so a dual activation is
recovered from the dual of the derivative by one integration in the covariance,

$$
V_\phi(q_1, q_2, c) = E[\phi(u)]\,E[\phi(v)] + \int_0^c V_{\phi'}(q_1, q_2, t)\,dt ,
$$

the boundary term being the $c = 0$ value, where $u$ and $v$ are independent.
For activations built from $x$, $\Phi(x)$ and $e^{-x^2/2}$ (GELU, erf, the
Gaussian bump, ...) the integrands met in such chains are finite sums of

* $p(t)\, R^{-k/2}$ with $R = A - t^2$, $k$ an odd integer of either sign,
* $p(t)\, \arcsin(t/\sqrt{A})$,
* polynomials $p(t)$,

where $p$ is a polynomial in $t$ whose coefficients may depend on other symbols
and $A > 0$ is free of $t$ (for the chains of this project $A = (1+q_1)(1+q_2)$,
and $R > 0$ on $|t| \le \sqrt{q_1 q_2}$).  General-purpose ``sympy.integrate``
is slow on these (minutes); :func:`integrate_price_step` integrates them exactly
in milliseconds to seconds with the two reductions below.

**Algebraic part.**  Collect every term $p_s(t) R^{s}$ (half-integer $s$) over
the lowest exponent $s_0 = \min(\{s\} \cup \{-\tfrac12\})$:
$\sum_s p_s R^{s} = P(t) R^{s_0}$ with the polynomial $P = \sum_s p_s R^{s - s_0}$.
Its antiderivative has the Ostrogradsky-type form

$$
\int P(t)\, R^{s_0}\, dt = Q(t)\, R^{s_0 + 1} + \lambda \arcsin\frac{t}{\sqrt{A}} ,
$$

with a polynomial $Q$ and a constant $\lambda$.  Differentiating and dividing by
$R^{s_0}$ (using $\tfrac{d}{dt}\arcsin(t/\sqrt A) = R^{-1/2}$) gives the linear system

$$
Q'(t)\, R - 2(s_0 + 1)\, t\, Q(t) + \lambda R^{m} = P(t), \qquad m = -\tfrac12 - s_0 \in \mathbb{Z}_{\ge 0},
$$

for the coefficients of $Q$ (degree $\le D = \max(\deg P, 2m) - 1$) and $\lambda$:
$D + 2$ equations in $D + 2$ unknowns.  The homogeneous system has only the
trivial solution, since it says $Q R^{s_0+1} + \lambda \arcsin(t/\sqrt A)$ is
constant, and $Q R^{s_0 + 1}$ with a half-integer exponent is a constant only for
$Q = 0$ (then $\lambda = 0$).  So the solution exists and is unique.  The matrix
depends only on $A$, $s_0$ and $D$; its inverse is computed once with a dummy
symbol for $A$ and cached.

**Arcsine part.**  By parts, with $p_1(t) = \int_0^t p$,

$$
\int p(t) \arcsin\frac{t}{\sqrt A}\, dt = p_1(t) \arcsin\frac{t}{\sqrt A} - \int p_1(t)\, R^{-1/2}\, dt ,
$$

and the last integral joins the algebraic part.

Integrands with several distinct $A$ are split into groups, each integrated on
its own.  Anything else (integer powers of $R$, $t$ in a denominator, products of
an arcsine with a power of $R$, ...) raises :class:`NotImplementedError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

__all__ = [
    "antiderivative",
    "integrate_price_step",
    "gelu_dual_second_derivative",
    "gelu_dual_chain",
]

#: Dummy symbol standing for $A$ while the reduction systems are solved.
_a = sp.Dummy("a", positive=True)


@dataclass
class _Group:
    """Terms sharing one $A$: algebraic parts by exponent, and the arcsine polynomial.

    Polynomials in $t$ are dicts ``{degree: coefficient}`` with $t$-free
    coefficients, kept unexpanded (``sympy.expand`` would multiply out the
    denominators of the coefficients).
    """

    A: sp.Expr
    alg: dict = field(default_factory=dict)  # half-integer s -> {n: coeff}
    asin_poly: dict = field(default_factory=dict)  # {n: coeff}


def _padd(p: dict, q: dict, scale: sp.Expr = sp.S.One) -> dict:
    """``p + scale*q`` for dict polynomials."""
    out = dict(p)
    for n, cq in q.items():
        out[n] = out.get(n, sp.S.Zero) + scale * cq
    return out


def _pmul(p: dict, q: dict) -> dict:
    out: dict = {}
    for n, cp in p.items():
        for m, cq in q.items():
            out[n + m] = out.get(n + m, sp.S.Zero) + cp * cq
    return out


def _r_power(A: sp.Expr, j: int) -> dict:
    r"""$(A - t^2)^j = \sum_i \binom{j}{i} A^{j-i} (-1)^i t^{2i}$ for an integer $j \ge 0$."""
    return {2 * i: sp.binomial(j, i) * (-1) ** i * A ** (j - i) for i in range(j + 1)}


def _find_group(groups: list[_Group], A: sp.Expr) -> _Group:
    for g in groups:
        if g.A == A or sp.cancel(sp.expand(A - g.A)) == 0:
            return g
    if A.is_positive is False or A.is_zero:
        raise NotImplementedError(f"A = {A} is not positive")
    g = _Group(sp.factor(A))  # e.g. (q1 + 1)*(q2 + 1) rather than q1*q2 + q1 + q2 + 1
    groups.append(g)
    return g


def _parse_radicand(base: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    r"""Write ``base`` as $\mu (A - t^2)$; return $(\mu, A)$ with $\mu > 0$."""
    try:
        poly = sp.Poly(base, t)
    except sp.PolynomialError as exc:
        raise NotImplementedError(f"base {base} is not a polynomial in {t}") from exc
    if poly.degree() != 2 or poly.coeff_monomial(t) != 0:
        raise NotImplementedError(f"base {base} is not of the form A - mu*t**2")
    mu = -poly.coeff_monomial(t**2)
    b0 = poly.coeff_monomial(1)
    if mu == 1:
        return sp.S.One, b0
    if mu.is_positive is not True:
        raise NotImplementedError(f"cannot tell the sign of the t**2 coefficient in {base}")
    return mu, sp.cancel(b0 / mu)


def _monomials(expr: sp.Expr, gens: tuple) -> dict:
    """Distribute ``expr`` into ``{exponent tuple over gens: coefficient}``.

    Coefficients are free of the generators and are never expanded.  Only sums,
    products and numeric powers of generators / positive integer powers of
    sums are allowed; anything else containing a generator is outside the class.
    """
    k = len(gens)
    if not expr.has(*gens):
        return {(0,) * k: expr}
    if expr in gens:
        key = [0] * k
        key[gens.index(expr)] = 1
        return {tuple(key): sp.S.One}
    if expr.is_Add:
        out: dict = {}
        for arg in expr.args:
            for key, cf in _monomials(arg, gens).items():
                out[key] = out.get(key, sp.S.Zero) + cf
        return out
    if expr.is_Mul:
        out = {(0,) * k: sp.S.One}
        for arg in expr.args:
            nxt: dict = {}
            for k1, c1 in out.items():
                for k2, c2 in _monomials(arg, gens).items():
                    key = tuple(a + b for a, b in zip(k1, k2))
                    nxt[key] = nxt.get(key, sp.S.Zero) + c1 * c2
            out = nxt
        return out
    if expr.is_Pow:
        b, e = expr.as_base_exp()
        if b in gens and e.is_Rational:
            key = [0] * k
            key[gens.index(b)] = e
            return {tuple(key): sp.S.One}
        if e.is_Integer and e > 0:
            return _monomials(sp.Mul(*([b] * int(e)), evaluate=False), gens)
    raise NotImplementedError(f"{expr} is outside the supported class")


def _collect(integrand: sp.Expr, t: sp.Symbol) -> tuple[dict, list[_Group]]:
    r"""Split the integrand into a polynomial part and groups by $A$.

    Every power $(\mu(A - t^2))^{s}$ with non-integer $s$ becomes
    $\mu^s \rho_A^{s}$ and every $\arcsin(g t)$ becomes $\alpha_A$ ($A = 1/g^2$),
    placeholders for $R = A - t^2$ and the arcsine; the rest is distributed into
    monomials in $t$, $\rho_A$, $\alpha_A$ by :func:`_monomials`.
    """
    groups: list[_Group] = []
    placeholders: dict = {}  # placeholder -> (group, kind)

    def placeholder(g: _Group, kind: str) -> sp.Dummy:
        for sym, val in placeholders.items():
            if val[0] is g and val[1] == kind:
                return sym
        sym = sp.Dummy("rho" if kind == "rho" else "alpha", positive=(kind == "rho"))
        placeholders[sym] = (g, kind)
        return sym

    repl: dict = {}
    for f in integrand.atoms(sp.Pow):
        b, e = f.as_base_exp()
        if b.has(t) and e.is_Rational and not e.is_Integer:
            if e.q != 2:
                raise NotImplementedError(f"power {f}: exponent is not a half-integer")
            mu, A = _parse_radicand(b, t)
            repl[f] = mu**e * placeholder(_find_group(groups, A), "rho") ** e
    for f in integrand.atoms(sp.asin):
        gt = sp.cancel(f.args[0] / t)
        if gt.has(t) or gt.is_positive is False:
            raise NotImplementedError(f"arcsine argument {f.args[0]} is not t/sqrt(A)")
        repl[f] = placeholder(_find_group(groups, sp.powsimp(1 / gt**2)), "asin")
    gens = (t, *placeholders)
    poly_part: dict = {}
    for key, cf in _monomials(integrand.xreplace(repl), gens).items():
        n, exps = key[0], key[1:]
        if not (sp.S(n).is_Integer and n >= 0):
            raise NotImplementedError(f"power t**{n} is outside the supported class")
        mono = {int(n): cf}
        power = None
        arcsine = None
        for sym, e in zip(placeholders, exps):
            if e == 0:
                continue
            g, kind = placeholders[sym]
            if kind == "asin":
                if e != 1 or arcsine is not None:
                    raise NotImplementedError("powers or products of arcsines are outside the class")
                arcsine = g
            elif sp.S(e).is_Integer:
                if e < 0:
                    raise NotImplementedError(f"integer power {e} of A - t**2 is outside the class")
                mono = _pmul(mono, _r_power(g.A, int(e)))
            elif power is None:
                power = (g, sp.S(e))
            else:
                raise NotImplementedError("products of different radicands are outside the class")
        if power is not None and arcsine is not None:
            raise NotImplementedError("arcsine times a power of A - t**2 is outside the class")
        if power is not None:
            g, s = power
            g.alg[s] = _padd(g.alg.get(s, {}), mono)
        elif arcsine is not None:
            arcsine.asin_poly = _padd(arcsine.asin_poly, mono)
        else:
            poly_part = _padd(poly_part, mono)
    return poly_part, groups


@lru_cache(maxsize=None)
def _reduction_inverse(s0: sp.Rational, D: int) -> sp.Matrix:
    r"""Inverse of the map $(Q, \lambda) \mapsto Q' R - 2(s_0+1) t Q + \lambda R^m$ in the monomial basis.

    Unknowns: $x_0 \dots x_D$ (coefficients of $Q$) and $\lambda$; rows: the
    coefficients of $t^0 \dots t^{D+1}$.  $R = a - t^2$ with a dummy $a$.
    """
    m = int(-sp.Rational(1, 2) - s0)
    size = D + 2
    M = sp.zeros(size, size)
    for j in range(D + 1):
        # t^j -> j a t^(j-1) - (j + 2 s0 + 2) t^(j+1)
        if j >= 1:
            M[j - 1, j] += j * _a
        M[j + 1, j] -= j + 2 * s0 + 2
    for deg, coef in _r_power(_a, m).items():
        M[deg, D + 1] += coef
    return M.inv(method="LU").applyfunc(sp.factor)


def _tidy(coef: sp.Expr) -> sp.Expr:
    """Cheap normal form of a $t$-free coefficient."""
    return sp.factor(sp.cancel(sp.together(coef)))


def _integrate_group(g: _Group, t: sp.Symbol) -> sp.Expr:
    """Antiderivative of one group (its arcsine part vanishes at $t = 0$)."""
    A = g.A
    arc = sp.asin(t / sp.sqrt(A))
    out = sp.S.Zero
    alg = dict(g.alg)
    half = sp.Rational(-1, 2)
    if g.asin_poly:
        p1 = {n + 1: cf / (n + 1) for n, cf in g.asin_poly.items()}  # p1(0) = 0
        out += sum((_tidy(cf) * t**n for n, cf in p1.items()), sp.S.Zero) * arc
        alg[half] = _padd(alg.get(half, {}), p1, -1)
    if not alg:
        return out
    s0 = min(min(alg), half)
    m = int(half - s0)
    P: dict = {}
    for s, p in alg.items():
        P = _padd(P, _pmul(p, _r_power(_a, int(s - s0))))
    degP = max((n for n, cf in P.items() if cf != 0), default=0)
    D = max(degP, 2 * m, 1) - 1
    b = sp.Matrix([P.get(k, sp.S.Zero) for k in range(D + 2)])
    x = _reduction_inverse(s0, D) * b
    coeffs = [_tidy(xi.subs(_a, A)) for xi in x]
    Q = sum((coeffs[j] * t**j for j in range(D + 1)), sp.S.Zero)
    out += Q * (A - t**2) ** (s0 + 1) + coeffs[D + 1] * arc
    return out


def antiderivative(integrand: sp.Expr, t: sp.Symbol) -> sp.Expr:
    r"""An antiderivative $F$ of ``integrand`` in ``t`` for the Price-chain class.

    The class (module docstring): sums of $p(t) (A - t^2)^{s}$ with half-integer
    $s$, $p(t) \arcsin(t/\sqrt A)$ and polynomials $p(t)$.  Radicands
    $\mu (A - t^2)$ with a provably positive $\mu$ are accepted.  The returned
    $F$ is $Q(t) R^{s_0 + 1} + \lambda \arcsin(t/\sqrt A) + p_1(t)\arcsin(t/\sqrt A)$
    per group plus a polynomial; it is valid for $|t| < \sqrt A$, with $A > 0$
    and $\sqrt A$ the positive root.

    Raises :class:`NotImplementedError` outside the class.
    """
    integrand = sp.sympify(integrand)
    if not integrand.has(t):
        return integrand * t
    poly_part, groups = _collect(integrand, t)
    out = sum((_tidy(cf) * t ** (n + 1) / (n + 1) for n, cf in poly_part.items()), sp.S.Zero)
    for g in groups:
        out += _integrate_group(g, t)
    return out


def integrate_price_step(integrand: sp.Expr, t: sp.Symbol, upper: sp.Expr) -> sp.Expr:
    r"""Exact $\int_0^{\mathrm{upper}} f(t)\, dt$ for a Price-chain integrand $f$.

    $f$ is a finite sum of $p(t) R^{-k/2}$ ($R = A - t^2$, $k$ odd of either sign),
    $p(t) \arcsin(t/\sqrt A)$ and polynomials, with $A > 0$ free of $t$ and read off
    the integrand (the radicand of the powers whose base contains $-t^2$, or
    $1/g^2$ for $\arcsin(g t)$).  The value is $F(\mathrm{upper}) - F(0)$ with
    $F$ from :func:`antiderivative`; valid for $|\mathrm{upper}| < \sqrt A$
    (and at $|\mathrm{upper}| = \sqrt A$ where $F$ is finite).

    Raises :class:`NotImplementedError` when $f$ is outside the class.
    """
    F = antiderivative(integrand, t)
    return F.subs(t, upper) - F.subs(t, 0)


def gelu_dual_second_derivative(q1: sp.Expr, q2: sp.Expr, t: sp.Expr) -> sp.Expr:
    r"""$V_{\phi''}(q_1, q_2, t) = E[\phi''(u)\phi''(v)]$ for GELU, $\phi(x) = x\Phi(x)$.

    Here $\phi''(x) = (2 - x^2)\, e^{-x^2/2}/\sqrt{2\pi}$ and $\mathrm{Cov}(u, v) = t$.
    With $P = (1+q_1)(1+q_2)$ and $D = P - t^2$ the expression below equals

    $$
    V_{\phi''} = \frac{D^2 + (q_1 + q_2) D + 3P}{2\pi D^{5/2}} .
    $$

    The form is the one produced by the exponential-polynomial Gaussian
    expectation (``gaussian_mgf``); the tests check it against 1-D quadrature.
    """
    D = -(t**2) + q1 * q2 + q1 + q2 + 1
    num = (
        t**2
        + (-(t**2) + q1 * q2 + q1) * (-(t**2) + q1 * q2 + q2) / 2
        + (2 * t**2 - 2 * q1 * q2 - q1 - q2) * D
        + 2 * D**2
    )
    return num / (sp.pi * D ** sp.Rational(5, 2))


def gelu_dual_chain(q1: sp.Expr, q2: sp.Expr, c: sp.Expr, t: sp.Symbol | None = None) -> tuple[sp.Expr, sp.Expr]:
    r"""GELU duals $(V_\phi, V_{\phi'})$ by two Price steps from $V_{\phi''}$.

    Boundary values at $c = 0$ (independence):

    * $E[\phi'(u)] = E[\Phi(u)] + E[u\,\varphi(u)] = \tfrac12 + 0$ (symmetry, oddness);
    * $E[\phi(u)] = E[u \Phi(u)] = q\, E[\varphi(u)] = q/\sqrt{2\pi(1+q)}$ by Stein's
      lemma $E[u g(u)] = q E[g'(u)]$ and $E[\varphi(u)] = 1/\sqrt{2\pi(1+q)}$ for $u \sim N(0, q)$.

    Then $V_{\phi'}(c) = \tfrac14 + \int_0^c V_{\phi''}\,dt$ and
    $V_\phi(c) = \frac{q_1 q_2}{2\pi\sqrt{(1+q_1)(1+q_2)}} + \int_0^c V_{\phi'}\,dt$.
    With $P = (1+q_1)(1+q_2)$ the results simplify to

    $$
    V_{\phi'} = \frac14 + \frac{1}{2\pi}\left[\arcsin\frac{c}{\sqrt P}
      + \frac{c\,\big((q_1 + q_2 + 3) P - (q_1 + q_2 + 2) c^2\big)}{P\,(P - c^2)^{3/2}}\right],
    $$

    $$
    V_\phi = \frac c4 + \frac{1}{2\pi}\left[c \arcsin\frac{c}{\sqrt P}
      + \frac{q_1 q_2 P + (1 - q_1 q_2)\, c^2}{P \sqrt{P - c^2}}\right],
    $$

    the second being the GELU kernel of Tsuchida, Pearce, van der Heide,
    Roosta and Gallagher (AAAI 2021, "Avoiding kernel fixed points: computing
    with ELU and GELU infinite networks"), whose $\arctan(c/\sqrt{P - c^2})$
    is $\arcsin(c/\sqrt P)$.  Returns the expressions as the integration leaves them.
    """
    if t is None:
        t = sp.Dummy("t", real=True)
    e_dphi = sp.Rational(1, 2)
    e_phi1 = q1 / sp.sqrt(2 * sp.pi * (1 + q1))
    e_phi2 = q2 / sp.sqrt(2 * sp.pi * (1 + q2))
    v_dphi = e_dphi**2 + integrate_price_step(gelu_dual_second_derivative(q1, q2, t), t, c)
    v_phi = e_phi1 * e_phi2 + integrate_price_step(v_dphi.subs(c, t), t, c)
    return v_phi, v_dphi
