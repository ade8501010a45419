r"""The reduced mean-field dynamics of the quadratic example: the neuron flow closes on two moments $(p, q)$.

Distributional dynamics (Mei, Montanari and Nguyen 2018, eq. (7) with $\xi \equiv 1$):
$\partial_t\rho_t = 2\nabla\cdot(\rho_t\nabla\Psi(w; \rho_t))$, i.e. every neuron moves by $\dot w = -2\nabla\Psi$.
Gradient descent on the parameters with the mean-field step $n\varepsilon$ ($w_i \leftarrow w_i -
n\varepsilon\nabla_{w_i}R_n$) is $w \leftarrow w - 2\varepsilon\nabla\Psi(w; \hat\rho)$, $\hat\rho$ the empirical law,
so its $n \to \infty$ limit at a fixed step $\varepsilon$ is the same map applied to $\rho$ (time $t = k\varepsilon$).

With $\Psi(u, s) = \alpha u^2 + \beta s$ (record ``mean_field.risk_functional``), a neuron $(u, z)$ moves by
$\dot u = -2\partial_u\Psi$, $\dot z = -4 z\,\partial_s\Psi$ ($s = |z|^2$), so
$\dot p = E[2u\dot u]$, $\dot q = E[\dot s]/(d - 1)$: a two-dimensional ODE (derived below, not typed); the step
$u \leftarrow u - 2\varepsilon\partial_u\Psi$, $z \leftarrow z(1 - 4\varepsilon\partial_s\Psi)$ gives the
discrete map.  Initialisation $w \sim N(0, v_0 I_d)$: $p_0 = q_0 = v_0$.
"""

from __future__ import annotations

import math

import sympy as sp

from ..core.parameters import Domain, Parameter
from ..core.record import Derivation, Method, Record
from .risk_functional import (
    DIM,
    PARTICLE_S,
    PARTICLE_U,
    SOURCE,
    P,
    Q,
    activation_dual,
    interaction_potential,
    moment_rules,
    potential,
    risk_in_moments,
)

__all__ = ["STEP", "reduced_flow_record", "reduced_rates", "reduced_step"]

STEP = Parameter("eps", Domain(0, math.inf, closed=(False, True)), r"\varepsilon", (0.001, 0.05),
                 "gradient-descent step (time per step; the parameters move by n eps times their gradient)")
INIT_VAR = Parameter("v0", Domain(0, math.inf, closed=(False, True)), "v_0", (0.05, 1.0),
                     "initial variance of each coordinate of w")


def _psi(*, interaction_scale=sp.S.One) -> sp.Expr:
    dual = activation_dual()
    return sp.expand(potential(dual) + interaction_scale * interaction_potential(dual))


def _average(expr: sp.Expr) -> sp.Expr:
    return moment_rules(expr, first=PARTICLE_U.symbol, sq_first=P.symbol, sq_rest=(DIM.symbol - 1) * Q.symbol)


def reduced_rates(*, interaction_scale=sp.S.One) -> tuple[sp.Expr, sp.Expr]:
    r"""$(\dot p, \dot q)$ of the distributional dynamics (``interaction_scale`` multiplies $U$: planted errors)."""
    u, s, d = PARTICLE_U.symbol, PARTICLE_S.symbol, DIM.symbol
    psi = _psi(interaction_scale=interaction_scale)
    du = -2 * sp.diff(psi, u)
    ds = -8 * s * sp.diff(psi, s)  # d|z|^2/dt = 2 z . dz/dt, dz/dt = -2 grad_z Psi = -4 z dPsi/ds
    return sp.factor(_average(2 * u * du)), sp.factor(_average(ds) / (d - 1))


def reduced_step(*, interaction_scale=sp.S.One) -> tuple[sp.Expr, sp.Expr]:
    r"""$(p', q')$ after one mean-field gradient step $\varepsilon$ (the $n \to \infty$ limit of GD)."""
    u, s, d, eps = PARTICLE_U.symbol, PARTICLE_S.symbol, DIM.symbol, STEP.symbol
    psi = _psi(interaction_scale=interaction_scale)
    gain = 1 - 4 * eps * sp.diff(psi, s)
    if u in gain.free_symbols or s in gain.free_symbols:
        raise AssertionError("the orthogonal gain depends on the neuron: the step does not close")
    u_next = u - 2 * eps * sp.diff(psi, u)
    return (sp.factor(_average(sp.expand(u_next ** 2))), sp.factor(_average(sp.expand(s * gain ** 2)) / (d - 1)))


def _stable_edge(p_next: sp.Expr, q_next: sp.Expr) -> sp.Expr:
    r"""The largest step for which the teacher $(p, q) = (1, 0)$ is a linearly stable fixed point of the map."""
    p, q, eps = P.symbol, Q.symbol, STEP.symbol
    at = {p: 1, q: 0}
    if sp.simplify(p_next.subs(at) - 1) != 0 or sp.simplify(q_next.subs(at)) != 0:
        raise AssertionError("the teacher is not a fixed point of the reduced map")
    jac = sp.Matrix([[sp.diff(f, v).subs(at) for v in (p, q)] for f in (p_next, q_next)])
    edges = [e for lam in jac.eigenvals() for e in sp.solve(sp.Eq(lam, -1), eps) if e.is_positive]
    if len(edges) != 1:
        raise AssertionError(f"expected one stability edge, got {edges} from {jac}")
    return edges[0]


def reduced_flow_record() -> Record:
    p_rate, q_rate = reduced_rates()
    p_next, q_next = reduced_step()
    p, q, v0 = P.symbol, Q.symbol, INIT_VAR.symbol
    risk = risk_in_moments(activation_dual())
    energy = sp.factor(sp.expand(sp.diff(risk, p) * p_rate + sp.diff(risk, q) * q_rate))
    return Record(
        id="mean_field.reduced_flow",
        title="quadratic mean-field example: the distributional dynamics closes on (p, q); its GD map, stability "
              "edge, initial state and energy decay",
        source=SOURCE + "; confidence: high (exact closure, derived)",
        assumptions=("record mean_field.risk_functional's model, teacher and symmetric law",
                     "noiseless dynamics, xi(t) = 1, no weight decay",
                     ("initialisation w ~ N(0, v0 I_d): p_0 = q_0 = v0 in the limit (finite n: Wishart fluctuations "
                     "of order n^-1/2, a bias of order 1/n)"),
                     ("gradient descent with the mean-field step n eps is a first-order (Euler) scheme of the "
                     "flow on every neuron; its large-width limit is the map (p_next, q_next) exactly")),
        parameters=(P, Q, DIM, STEP, INIT_VAR),
        expressions={"p_rate": p_rate, "q_rate": q_rate, "p_next": p_next, "q_next": q_next,
                     "max_stable_step": _stable_edge(p_next, q_next), "initial_p": v0, "initial_q": v0,
                     "energy_rate": energy},
        arguments={"p_rate": ("p", "q", "d"), "q_rate": ("p", "q", "d"), "p_next": ("p", "q", "d", "eps"),
                   "q_next": ("p", "q", "d", "eps"), "max_stable_step": (), "initial_p": ("v0",),
                   "initial_q": ("v0",), "energy_rate": ("p", "q", "d")},
        derivation=Derivation(
            Method.DERIVED,
            (r"Neuron flow $\dot u = -2\partial_u\Psi$, $\dot s = -8s\,\partial_s\Psi$ from $\Psi(u, s)$.",
             (r"$\dot p = \int 2u\dot u\,d\rho$, $\dot q = \int\dot s\,d\rho/(d - 1)$ by the moment rules "
             r"($u^2 \to p$, $s \to (d - 1)q$): closed because the drift is linear in the neuron."),
             r"GD step: $u' = u - 2\varepsilon\partial_u\Psi$, $s' = s(1 - 4\varepsilon\partial_s\Psi)^2$, averaged.",
             r"Stability: eigenvalues of the map's Jacobian at the teacher $(1, 0)$; the edge is where one is $-1$.",
             r"$dR/dt = \partial_pR\,\dot p + \partial_qR\,\dot q$."),
            ("the orthogonal gain is the same for every neuron", "one positive stability edge",
             "energy_rate <= 0 (tests: Wasserstein gradient flow)", ("the map is Euler on the neurons: "
             "(p_next - p)/eps -> p_rate (tests)")),
        ),
        notes="At the teacher the Jacobian has eigenvalues 1 - 24 eps and 1: q decays algebraically (about 1/t) near "
              "the teacher, and GD is unstable above max_stable_step for every d.  The finite-width network obeys "
              "the same map on the matrix M = (1/n) sum w_i w_i^T (numerics.mean_field.reduced_map.matrix_step).",
        architecture="f(x) = (1/n) sum_i (w_i . x)^2, w_i in R^d, x ~ N(0, I_d), y = (e_1 . x)^2",
    )
