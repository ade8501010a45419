r"""Solvers of the reduced mean-field dynamics (record ``mean_field.reduced_flow``) and the finite-width matrix map.

Equation: $\dot p = -8p\,(3(p - 1) + (d - 1)q)$, $\dot q = -8q\,(2q + p - 1 + (d - 1)q)$ (generated
``p_rate``, ``q_rate``).  Schemes, each declaring its order in the step $h$ against the flow:

* ``"gd"``: the record's map $(p', q')$, the $n \to \infty$ limit of gradient descent with step $h$; a first-order
  (Euler on every neuron) scheme of the flow: ``ORDERS["gd"] = 1``;
* ``"rk4"``: classical Runge-Kutta on $(p, q)$: ``ORDERS["rk4"] = 4``.

Both are measured in tests (the error at $T$ against a step-$h/2$ solution).  Stability: the teacher
$(1, 0)$ is a stable fixed point of ``"gd"`` iff $h < 1/12$ (generated ``max_stable_step``); a step at or above it
is refused (``ValueError`` naming ``step``).  RK4's edge there is $2.785/24 > 1/12$, so the same bound is sufficient.

The finite-width network obeys the same gradient step on $M = \frac1n\sum_i w_iw_i^\top$ exactly
(:func:`matrix_step`): $M' = (I - 4hG)M(I - 4hG)$, $G = 2(M - M_*) + \mathrm{tr}(M - M_*)I$, $M_* = e_1e_1^\top$.
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_integer, check_scalar
from ..generated import mean_field_reduced_flow as flow
from ..generated import mean_field_risk_functional as functional

__all__ = ["ORDERS", "check_step", "matrix_risk", "matrix_step", "reduced_risk_curve", "solve_reduced"]

ORDERS = {"gd": 1, "rk4": 4}


def check_step(step: float) -> float:
    """``step`` in (0, max_stable_step) (``ValueError`` naming it otherwise)."""
    edge = float(flow.max_stable_step())
    step = check_scalar("step", step, low=0.0, closed=(False, True))
    if step >= edge:
        raise ValueError(f"step={step!r} makes gradient descent unstable at the teacher; allowed: (0, {edge:.6g}) "
                         f"(1/12, record mean_field.reduced_flow:max_stable_step)")
    return step


def _rates(y, d):
    return np.array([flow.p_rate(y[0], y[1], d), flow.q_rate(y[0], y[1], d)])


def solve_reduced(p0: float, q0: float, d: int, *, step: float, steps: int, scheme: str = "gd") -> np.ndarray:
    """``(steps + 1, 2)``: $(p, q)$ after each step of ``scheme`` from $(p_0, q_0)$ (time ``k * step``)."""
    p0 = check_scalar("p0", p0, low=0.0)
    q0 = check_scalar("q0", q0, low=0.0)
    d = check_integer("d", d, minimum=2)
    step, steps = check_step(step), check_integer("steps", steps, minimum=0)
    if scheme not in ORDERS:
        raise ValueError(f"scheme={scheme!r} must be one of {sorted(ORDERS)}")
    out = np.empty((steps + 1, 2))
    out[0] = p0, q0
    for k in range(steps):
        y = out[k]
        if scheme == "gd":
            out[k + 1] = flow.p_next(y[0], y[1], d, step), flow.q_next(y[0], y[1], d, step)
        else:
            k1 = _rates(y, d)
            k2 = _rates(y + step / 2 * k1, d)
            k3 = _rates(y + step / 2 * k2, d)
            k4 = _rates(y + step * k3, d)
            out[k + 1] = y + step / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if not np.all(np.isfinite(out[k + 1])) or out[k + 1].max() > 1e6:
            raise ValueError(f"step={step!r}: the solution left every bounded set at step {k + 1} from "
                             f"(p0, q0) = ({p0}, {q0}); use a smaller step or initial variance")
    return out


def reduced_risk_curve(v0: float, d: int, *, step: float, steps: int, scheme: str = "gd") -> np.ndarray:
    """The limit risk $R(p_k, q_k)$ after each step from the isotropic initialisation $p_0 = q_0 = v_0$."""
    v0 = check_scalar("v0", v0, low=0.0, closed=(False, True))
    path = solve_reduced(float(flow.initial_p(v0)), float(flow.initial_q(v0)), d, step=step, steps=steps,
                         scheme=scheme)
    return np.array([functional.risk(p, q, d) for p, q in path])


def matrix_step(m: np.ndarray, *, step: float) -> np.ndarray:
    """One gradient step of the width-n network on $M$ (batched over leading axes), exact at every width."""
    d = m.shape[-1]
    target = np.zeros((d, d))
    target[0, 0] = 1.0
    diff = m - target
    g = 2.0 * diff + np.trace(diff, axis1=-2, axis2=-1)[..., None, None] * np.eye(d)
    k = np.eye(d) - 4.0 * step * g
    return k @ m @ k


def matrix_risk(m: np.ndarray) -> np.ndarray:
    r"""$E(x^\top(M - M_*)x)^2 = 2\,\mathrm{tr}(M - M_*)^2 + (\mathrm{tr}(M - M_*))^2$ (Isserlis)."""
    diff = m.copy()
    diff[..., 0, 0] -= 1.0
    return 2.0 * np.einsum("...ij,...ji->...", diff, diff) + np.trace(diff, axis1=-2, axis2=-1) ** 2


