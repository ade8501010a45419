r"""Claims of the ``catapult`` family: the uv model's three phases and its width scalings, on trained networks.

The uv model $f = v^\top u/\sqrt n$ (one training point $(1, 0)$, loss $f^2/2$) is trained by gradient descent at
$\eta = c_0/\lambda_0$ (the network's own NTK at initialisation), in Bartlett coordinates of $\mathrm{span}(u, v)$
(exact at every width; :mod:`numerics.catapult.uv_training`).  The record ``catapult.uv_phases`` predicts:

``claim.catapult_lazy`` ($c_0 < 2$): $f \to 0$ at the rate $|1 - c_0|$ per step; the NTK moves by
$\Delta\lambda/\lambda_0 = (c_0 - 4)\,w_0/(c_0^2(2 - c_0)) + O(w_0^2)$, $w_0 = \eta^2 f_0^2/n$, so by $O(1/n)$.
``claim.catapult_spike`` ($2 < c_0 < 4$): the loss peaks at $n\,\bar w_{\max}\lambda_0^2/(2c_0^2)$ (linear in $n$),
after $\ln n/(2\ln|1 - c_0|) + O(1)$ steps, and ends with $\eta\lambda_\infty < 2$ (the limit orbit's value).
``claim.catapult_divergent`` ($c_0 > 4$): the loss escapes after the same number of steps and diverges.
Details: ``docs/claims/claim.catapult_*.md``.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.catapult import (
    lazy_shift_mean,
    limit_orbit,
    periodic_widths,
    phase_of,
    phase_weights,
    two_layer_catapult,
    uv_init,
    uv_summary,
    uv_trajectories,
)
from numerics.generated import catapult_uv_phases as uv

from ..core import Exact, Extrapolated, Rate, Simulation, real, theorem

__all__ = ["CLAIMS", "DIVERGENT_CLAIM", "LAZY_CLAIM", "SPIKE_CLAIM", "TWO_LAYER_CLAIM", "divergent_prediction",
           "lazy_prediction", "spike_prediction", "two_layer_prediction"]

STEPS = 150          # lazy: |1 - c0|^300 < 1e-37; catapult: escape <= 45 steps at n = 2^24, c0 >= 2.25, then settles
CONTRACTION_STEPS = 8


def _summary(p, size, n, seed):
    u, v = uv_init(seed, widths=size, n_networks=n)
    s = uv_summary(u, v, widths=[size], steps=STEPS, rate_times_ntk=p["c0"])
    return u, v, s


# --- claim.catapult_lazy --------------------------------------------------------------------------------------
LAZY_SMALL, LAZY_LARGE = (64, 128, 256, 512, 1024), (4096, 16384, 65536, 262144)


def _lazy_draws(p, *, size, n, seed):
    """Per network: (lambda_inf - lambda_0)/(lambda_0 w_0) and (1/K) ln|f_K/f_0|."""
    u, v, s = _summary(p, size, n, seed)
    w0 = 2 * s.learning_rate ** 2 * s.initial_loss / size
    short = uv_trajectories(u, v, widths=[size], steps=CONTRACTION_STEPS, rate_times_ntk=p["c0"]).loss
    rate = np.log(short[..., -1] / short[..., 0]) / (2 * CONTRACTION_STEPS)
    return np.stack([(s.ntk_change / (s.initial_ntk * w0))[0], rate[0]], axis=1)


def _lazy_shift(p, *, size, n, seed):
    """Per network: (lambda_0 - lambda_inf)/lambda_0, the NTK's relative fall."""
    _, _, s = _summary(p, size, n, seed)
    return -(s.ntk_change / s.initial_ntk)[0]


def _shift_slope(c0):
    """Log-log slope of the exact finite-width mean shift over LAZY_LARGE: -1 + O(b/n), b from the exact law."""
    logs = np.log([lazy_shift_mean(c0, n, steps=STEPS) for n in LAZY_LARGE])
    return float(np.polyfit(np.log(LAZY_LARGE), logs, 1)[0])


def lazy_prediction(p, *, lazy_max=None):
    lazy = phase_of(p["c0"], lazy_max=lazy_max) == "lazy"
    return {"ntk shift per w0": float(uv.lazy_ntk_shift(1.0, p["c0"])) if lazy else 0.0,
            "contraction": math.log(abs(float(uv.f_multiplier(p["c0"])))),
            "ntk shift order": _shift_slope(p["c0"]) if lazy else 0.0}


LAZY = Simulation("lazy networks", _lazy_draws)
LAZY_CLAIM = theorem(
    id="claim.catapult_lazy",
    title="uv model, eta*lambda_0 < 2: f converges at rate |1 - eta*lambda_0| and the NTK moves by O(1/n)",
    source="Lewkowycz et al. 2020, section 2 (uv model); records catapult.uv_updates, catapult.uv_phases",
    records=("catapult.uv_phases",),
    parameters=[real("c0", 0.25, 1.75, latex=r"\eta\lambda_0", description="learning rate times initial NTK")],
    checks=[Extrapolated("ntk shift per w0", simulate=LAZY.columns(0), predict=lambda p: lazy_prediction(p)[
                "ntk shift per w0"], sizes=LAZY_SMALL, samples=4000, order=2, labels=("dlambda/(lambda_0 w_0)",)),
            Extrapolated("contraction", simulate=LAZY.columns(1), predict=lambda p: lazy_prediction(p)["contraction"],
                         sizes=LAZY_SMALL, samples=4000, order=2, labels=("(1/K) ln|f_K/f_0|",),
                         applies=lambda p: abs(1 - p["c0"]) >= 0.25),
            Rate("ntk shift order", simulate=_lazy_shift, predict=lambda p: lazy_prediction(p)["ntk shift order"],
                 order=-1.0, sizes=LAZY_LARGE, samples=20_000, statistic="mean", tolerance=0.0)],
    bias="the NTK shift and the contraction are fitted in 1/n to second order (2 spare widths, chi-square test); "
         "the rate's prediction is the slope of the exact finite-width mean (record map, exact law of w_0, docs)",
    examples=({"c0": 1.5},),
    formulas=("catapult.uv_phases:lazy_ntk_shift", "catapult.uv_phases:f_multiplier"),
)


# --- claim.catapult_spike and claim.catapult_divergent ----------------------------------------------------------
# The width enters only through the phase of ln w_0 modulo 2 ln|1 - c0|, whose law is log-periodic in n
# (numerics.catapult.limit_orbit): sweeps use widths in the ratio |1 - c0|^(2k), so that law is the same at every
# width of the sweep, and single-width predictions average the limit orbit over that width's phase law.
PEAK_WIDTH = 2 ** 22            # where eta*lambda_T < 2 is checked
EXTRAPOLATION_BASE, RATE_BASE, DURATION_BASE = 2 ** 10, 2 ** 18, 2 ** 16
# the peak loss's 1/n coefficient b (E max L / n ~ P (1 + b/n)) is at most 36 for c0 >= 2.25 (measured at widths
# 256..16384, docs): at widths >= 2^18 the slope's bias is below 36 / 2^18 < 1.4e-4, the stated tolerance
RATE_TOLERANCE = 1.4e-4


def _peak_and_final(p, *, n, seed, size=PEAK_WIDTH):
    """Per network: the peak loss / n and eta * lambda after STEPS steps, shape ``(n, 2)``."""
    s = _summary(p, size, n, seed)[2]
    return np.stack([s.peak_loss[0] / size, (s.learning_rate * s.final_ntk)[0]], axis=1)


def _duration(p, *, n, seed, escape=None):
    """Per pair of independent networks: the step of the peak (or of w >= escape) at n_2 minus at n_1."""
    steps = []
    for size, s in zip(periodic_widths(p["c0"], DURATION_BASE, 2, 200), seed.spawn(2)):
        out = _summary(p, size, n, s)[2]
        steps.append((out.peak_step if escape is None else out.escape_step)[0])
    return (steps[1] - steps[0]).astype(float)


def _duration_steps(p):
    n1, n2 = periodic_widths(p["c0"], DURATION_BASE, 2, 200)
    return math.log(n2 / n1) * float(uv.escape_steps_per_log_width(p["c0"]))


def spike_prediction(p, *, lazy_max=None, peak_exponent=None):
    """The catapult's predictions (``lazy_max``, ``peak_exponent``: planted errors in tests)."""
    c0 = p["c0"]
    catapult = phase_of(c0, lazy_max=lazy_max) == "catapult"
    orbit, weights = limit_orbit(c0), phase_weights(c0, EXTRAPOLATION_BASE, limit=True)
    exponent = float(uv.peak_loss_width_exponent(1.0)) if peak_exponent is None else peak_exponent
    peak = float(uv.peak_loss(1.0, weights @ orbit.peak_w, c0, 2.0))  # lambda_0 -> 2
    return {"peak loss order": exponent if catapult else 0.0,
            "peak loss per width": peak if catapult else 0.0,
            "final curvature": float(weights @ orbit.final_c) if catapult else c0,
            "final curvature is lazy": float(uv.lazy_max_rate(1.0)),
            "catapult duration": _duration_steps(p) if catapult else 0.0}


SWEEP = Simulation("catapult networks", lambda p, *, size, n, seed: _peak_and_final(p, n=n, seed=seed, size=size))


def _sweep(p):
    return {"sizes": periodic_widths(p["c0"], EXTRAPOLATION_BASE, 5, 2)}


SPIKE_CLAIM = theorem(
    id="claim.catapult_spike",
    title="uv model, 2 < eta*lambda_0 < 4: the loss peaks at O(n) after O(ln n) steps, then eta*lambda ends below 2",
    source="Lewkowycz et al. 2020, sections 2-3; record catapult.uv_phases (map derived, limit orbit numerical)",
    records=("catapult.uv_phases",),
    parameters=[real("c0", 2.25, 3.75, latex=r"\eta\lambda_0", description="learning rate times initial NTK")],
    checks=[Rate("peak loss order", simulate=lambda p, *, size, n, seed: _peak_and_final(p, n=n, seed=seed,
                 size=size)[:, 0] * size, predict=lambda p: spike_prediction(p)["peak loss order"], order=1.0,
                 sizes=(RATE_BASE, 4 * RATE_BASE), samples=4000, statistic="mean", tolerance=RATE_TOLERANCE,
                 labels=("peak loss",), settings=lambda p: {"sizes": periodic_widths(p["c0"], RATE_BASE, 4, 4)}),
            Extrapolated("peak loss per width", simulate=SWEEP.columns(0), predict=lambda p: spike_prediction(p)[
                "peak loss per width"], sizes=(1, 2, 3, 4, 5), samples=4000, order=2, labels=("max_t L_t / n",),
                settings=_sweep),
            Extrapolated("final curvature", simulate=SWEEP.columns(1), predict=lambda p: spike_prediction(p)[
                "final curvature"], sizes=(1, 2, 3, 4, 5), samples=4000, order=2, labels=("eta lambda_T",),
                settings=_sweep, applies=lambda p: p["c0"] <= 3.0),
            Exact("final curvature is lazy", simulate=lambda p, *, n, seed: _peak_and_final(p, n=n, seed=seed)[:, 1],
                  predict=lambda p: spike_prediction(p)["final curvature is lazy"], samples=10_000,
                  alternative="at most", labels=("eta lambda_T",)),
            Exact("catapult duration", simulate=_duration, predict=lambda p: spike_prediction(p)["catapult duration"],
                  samples=40_000, labels=("peak step at n_2 - at n_1",))],
    bias="sweeps in width ratios |1 - c0|^(2k) (the same phase law at every width): peak / n and eta*lambda_T "
         "fitted in 1/n (2 spare widths); the slope's O(1/n) bias within the stated tolerance; duration O(2^-16)",
    examples=({"c0": 2.5},),
    formulas=("catapult.uv_phases:scaled_loss_next", "catapult.uv_phases:scaled_ntk_next",
              "catapult.uv_phases:peak_loss", "catapult.uv_phases:escape_steps_per_log_width"),
)


def _diverged(p, *, n, seed):
    """Per network at width 2^16: 1 if the loss passed 1e100 within STEPS steps, else 0."""
    return _summary(p, DURATION_BASE, n, seed)[2].diverged[0].astype(float)


def divergent_prediction(p, *, divergent_min=None):
    """Above the divergent edge every network diverges, after ln(n) / (2 ln|1 - c0|) + O(1) steps."""
    divergent = phase_of(p["c0"], divergent_min=divergent_min) == "divergent"
    return {"diverged": 1.0 if divergent else 0.0,
            "escape duration": _duration_steps(p)}


DIVERGENT_CLAIM = theorem(
    id="claim.catapult_divergent",
    title="uv model, eta*lambda_0 > 4: the loss escapes after ln n / (2 ln|1 - eta*lambda_0|) + O(1) steps, "
          "then diverges",
    source="Lewkowycz et al. 2020, section 2; record catapult.uv_phases",
    records=("catapult.uv_phases",),
    parameters=[real("c0", 4.25, 6.0, latex=r"\eta\lambda_0", description="learning rate times initial NTK")],
    checks=[Exact("escape duration", simulate=lambda p, *, n, seed: _duration(p, n=n, seed=seed, escape=1.0),
                  predict=lambda p: divergent_prediction(p)["escape duration"], samples=40_000,
                  labels=("first step with w >= 1 at n_2 - at n_1",)),
            Exact("diverged", simulate=_diverged, predict=lambda p: divergent_prediction(p)["diverged"],
                  samples=10_000, labels=("fraction diverged",))],
    bias="the escape-step difference has an O(2^-16) bias (docs); divergence is checked on every network",
    examples=({"c0": 4.5},),
    formulas=("catapult.uv_phases:escape_steps_per_log_width", "catapult.uv_phases:divergent_rate"),
)


# --- claim.catapult_two_layer ------------------------------------------------------------------------------------
GROWTH_WIDTHS, FINAL_WIDTH, TWO_LAYER_STEPS = (64, 128, 256, 512), 64, 60  # the spike is over by step 40


def _early_growth(p, *, size, n, seed):
    """Per network: (1/4) ln(L_2/L_0), the loss's growth rate per step over the first two steps."""
    run = two_layer_catapult(rate_times_ntk=p["c0"], width=size, n_networks=n, steps=2, seed=_int_seed(seed))
    return np.log(run.loss[:, 2] / run.loss[:, 0]) / 4


def _final_curvature_two_layer(p, *, n, seed):
    """Per network: eta * lambda after TWO_LAYER_STEPS steps at width FINAL_WIDTH."""
    run = two_layer_catapult(rate_times_ntk=p["c0"], width=FINAL_WIDTH, n_networks=n, steps=TWO_LAYER_STEPS,
                             seed=_int_seed(seed))
    return run.learning_rate * run.ntk[:, -1]


def _int_seed(seed):
    return int(np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key).generate_state(1)[0])


def two_layer_prediction(p):
    return {"early growth": math.log(abs(float(uv.f_multiplier(p["c0"])))),
            "final curvature is lazy": float(uv.lazy_max_rate(1.0))}


TWO_LAYER_CLAIM = theorem(
    id="claim.catapult_two_layer",
    title="Two-layer tanh networks, one training point, 2 < eta*lambda_0 <= 3: the loss first grows like "
          "|1 - eta*lambda_0|^(2t), then the NTK falls until eta*lambda < 2",
    source="Lewkowycz et al. 2020, section 3 (wide networks); lazy edge derived (linearised step), the maximum "
           "rate (about 4 for tanh here) measured, not derived",
    records=("catapult.uv_phases",),
    parameters=[real("c0", 2.25, 3.0, latex=r"\eta\lambda_0", description="learning rate times initial NTK")],
    checks=[Extrapolated("early growth", simulate=_early_growth, predict=lambda p: two_layer_prediction(p)[
                "early growth"], sizes=GROWTH_WIDTHS, samples=2000, order=2, labels=("(1/4) ln(L_2/L_0)",)),
            Exact("final curvature is lazy", simulate=_final_curvature_two_layer,
                  predict=lambda p: two_layer_prediction(p)["final curvature is lazy"], samples=10_000,
                  alternative="at most", labels=("eta lambda_T",))],
    bias="the growth rate is fitted to second order in 1/n (1 spare width; its error fell 4x per 4x width at "
         "n >= 256); eta*lambda_T < 2 is a bound at every width",
    examples=({"c0": 2.75},),
    max_examples=2,
    formulas=("catapult.uv_phases:f_multiplier", "catapult.uv_phases:lazy_max_rate"),
)

CLAIMS = (LAZY_CLAIM, SPIKE_CLAIM, DIVERGENT_CLAIM, TWO_LAYER_CLAIM)
