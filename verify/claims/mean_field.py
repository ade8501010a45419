r"""Claims of the ``mean_field`` family: trained two-layer networks against the reduced mean-field dynamics.

Example (records ``mean_field.risk_functional``, ``mean_field.reduced_flow``): $f(x) = \frac1n\sum_i(w_i\cdot x)^2$,
$x \sim N(0, I_3)$, teacher $y = x_1^2$, $w_i \sim N(0, v_0 I_3)$, full-batch gradient descent with the mean-field
step $n\varepsilon$ on the 27-point Gaussian cubature (exactly the population risk).

``claim.mean_field_risk_curve``: the mean risk after $k$ steps converges, as $n \to \infty$, to
$R(p_k, q_k)$ from the reduced map (the $n \to \infty$ limit of GD at step $\varepsilon$, no time-step bias);
the width bias is $O(1/n)$ (the initial law's Wishart fluctuations are $O(n^{-1/2})$ and centred), fitted in
$1/n$ to second order with two spare widths (chi-square test); and at every width the trained network's risk
equals the record's finite-width closure on $M = \frac1n\sum_i w_iw_i^\top$ (deterministic, same draws).
Details: ``docs/claims/claim.mean_field_risk_curve.md``.
"""

from __future__ import annotations

import numpy as np

from numerics.mean_field import (
    init_first_layer,
    matrix_risk,
    matrix_step,
    reduced_risk_curve,
    risk_curves,
)

from ..core import Deterministic, Extrapolated, Simulation, real, theorem

__all__ = ["CLAIMS", "RISK_CURVE_CLAIM", "risk_curve_prediction"]

DIM, STEP, STEPS = 3, 0.02, 50           # step < 1/12 (stability edge); time t = k * STEP up to 1
RECORD_STEPS = (10, 25, 50)              # t = 0.2 (fast descent), 0.5, 1.0 (orthogonal mass decaying)
WIDTHS = (8, 16, 32, 64, 128)


def _curves(p, *, size, n, seed):
    """Per network at width ``size``: the population risk after RECORD_STEPS gradient steps."""
    losses = risk_curves(seed, width=size, networks=n, d=DIM, v0=p["v0"], step=STEP, steps=STEPS)
    return losses[:, list(RECORD_STEPS)]


def risk_curve_prediction(p, *, curve=None):
    """The limit risk at RECORD_STEPS (``curve(v0)``: a planted alternative limit curve, tests)."""
    full = (curve or (lambda v0: reduced_risk_curve(v0, DIM, step=STEP, steps=STEPS)))(p["v0"])
    return np.asarray(full)[list(RECORD_STEPS)]


CLOSURE_WIDTHS = (8, 32)


def _network_curve(p):
    """One trained network per width of CLOSURE_WIDTHS (seed 0): its risk at RECORD_STEPS."""
    return np.concatenate([risk_curves(0, width=w, networks=1, d=DIM, v0=p["v0"], step=STEP, steps=STEPS)[
        0, list(RECORD_STEPS)] for w in CLOSURE_WIDTHS])


def _closure_curve(p):
    """The same networks' risk from the exact finite-width map on M (record mean_field.reduced_flow, notes)."""
    out = []
    for w in CLOSURE_WIDTHS:
        w0 = init_first_layer(0, width=w, networks=1, d=DIM, v0=p["v0"])[0]
        m, path = w0.T @ w0 / w, []
        for _ in range(STEPS + 1):
            path.append(float(matrix_risk(m)))
            m = matrix_step(m, step=STEP)
        out.extend(path[k] for k in RECORD_STEPS)
    return np.array(out)


CURVES = Simulation("risk curves", _curves)
RISK_CURVE_CLAIM = theorem(
    id="claim.mean_field_risk_curve",
    title="two-layer mean-field networks (sigma = z^2, teacher x_1^2): risk curves converge across widths to the "
          "reduced mean-field map, with O(1/n) bias; finite-width GD obeys the exact matrix closure",
    source="Mei, Montanari and Nguyen 2018 (PNAS), distributional dynamics; records mean_field.risk_functional, "
           "mean_field.reduced_flow (derived here)",
    records=("mean_field.risk_functional", "mean_field.reduced_flow"),
    parameters=[real("v0", 0.1, 0.4, latex="v_0", description="initial variance of each first-layer weight")],
    checks=[Extrapolated("risk curve", simulate=CURVES.columns(slice(None)), predict=risk_curve_prediction, sizes=WIDTHS, samples=4000,
                         order=2, labels=tuple(f"R at t = {k * STEP:g}" for k in RECORD_STEPS)),
            Deterministic("finite-width closure", compute=_network_curve, predict=_closure_curve, rtol=1e-10,
                          atol=1e-13, labels=tuple(f"n = {w}, t = {k * STEP:g}" for w in CLOSURE_WIDTHS
                                                   for k in RECORD_STEPS))],
    bias="the width bias is O(1/n) (centred O(n^-1/2) fluctuations of the initial law): fitted in 1/n to second "
         "order over widths 8..128 with two spare degrees (chi-square); no time-step bias (the prediction is the "
         "n -> infinity limit of GD at the same step)",
    examples=({"v0": 0.25},),
    formulas=("mean_field.risk_functional:risk", "mean_field.reduced_flow:p_next", "mean_field.reduced_flow:q_next"),
)

CLAIMS = (RISK_CURVE_CLAIM,)
