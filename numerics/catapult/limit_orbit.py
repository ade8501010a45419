r"""The width-free limit orbit of the uv model's scaled map, averaged over the phase of its start.

Record ``catapult.uv_phases``: with $w = \eta^2 f^2/n$ and $c = \eta\lambda$ ($x = 1$, $y = 0$) gradient descent
is the map $w' = w(1 - c + w)^2$, $c' = c + w(c - 4)$, whatever the width; the width enters only through
$w_0 = c_0^2 f_0^2/(\lambda_0^2 n) = O(1/n)$.  While $w$ is small, $w_t = w_0\mu^{2t}$ with $\mu = |1 - c_0|$, so
as $n \to \infty$ the orbit approaches the unstable manifold of $(0, c_0)$, entered at the *phase*
$\varphi = \mathrm{frac}(\ln w_0/(2\ln\mu))$.  The phase of a random network is close to uniform (the Fourier
coefficients of $\ln f_0^2$ at the frequency $\pi/\ln\mu$ are $1/\sqrt{\cosh(\pi^2/\ln\mu)}$: $10^{-3}$ at
$c_0 = 3$, $10^{-10}$ at $c_0 = 2.25$), so width-$n$ means of the peak $w_{\max}$ and of the final $c_\infty$
tend to their averages over a uniform phase, computed here by the midpoint rule on ``n_phases`` phases from
$w_0 = $ ``w_start`` $\mu^{2\varphi}$ (the bias of a finite start is $O(w_\text{start})$).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.validation import check_integer, check_scalar
from ..generated import catapult_uv_phases as uv

__all__ = ["LimitOrbit", "limit_orbit", "periodic_widths", "phase_of", "phase_weights"]


def phase_of(rate_times_ntk: float, *, lazy_max: float | None = None, divergent_min: float | None = None) -> str:
    r"""``"lazy"``, ``"catapult"`` or ``"divergent"`` for $c_0 = \eta\lambda_0$, by the record's edges
    ($\eta\lambda_0 = 2$ and $4$: ``lazy_max_rate`` and ``divergent_rate`` at $\lambda_0 = 1$) unless given."""
    c = check_scalar("rate_times_ntk", rate_times_ntk, low=0, closed=(False, False))
    lo = float(uv.lazy_max_rate(1.0)) if lazy_max is None else lazy_max
    hi = float(uv.divergent_rate(1.0)) if divergent_min is None else divergent_min
    return "lazy" if c < lo else ("catapult" if c < hi else "divergent")


@dataclass(frozen=True)
class LimitOrbit:
    """Peak $w_{\\max}$ and final $c$ of the limit orbit at each phase, and their phase averages."""

    phases: np.ndarray
    peak_w: np.ndarray
    final_c: np.ndarray
    converged: np.ndarray  # w below 1e-30 * w_start at the end

    @property
    def mean_peak_w(self) -> float:
        return float(self.peak_w.mean())

    @property
    def mean_final_c(self) -> float:
        return float(self.final_c.mean())


def limit_orbit(rate_times_ntk: float, *, n_phases: int = 1024, w_start: float = 1e-14,
                settle: int = 600) -> LimitOrbit:
    r"""Iterate the record's scaled map from $w_0 = w_\text{start}\,\mu^{2\varphi}$, $\varphi = (k + 1/2)/K$,
    until $w$ has grown to $O(1)$ and ``settle`` steps more.  Only for $c_0 \ne 1, 2$ (``ValueError``)."""
    c0 = check_scalar("rate_times_ntk", rate_times_ntk, low=0, closed=(False, False))
    mu = abs(1.0 - c0)
    if mu == 0.0 or mu == 1.0:
        raise ValueError(f"rate_times_ntk={c0!r} is not allowed: |1 - c0| must differ from 0 and 1")
    n_phases = check_integer("n_phases", n_phases, minimum=1)
    w_start = check_scalar("w_start", w_start, low=0, high=1e-3, closed=(False, True))
    settle = check_integer("settle", settle, minimum=0)
    phases = (np.arange(n_phases) + 0.5) / n_phases
    w = w_start * mu ** (2 * phases)
    c = np.full_like(w, c0)
    peak = w.copy()
    grow = max(0, math.ceil(math.log(w_start) / (-2 * math.log(mu)))) if mu > 1 else 0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(grow + settle):
            w, c = uv.scaled_loss_next(w, c), uv.scaled_ntk_next(w, c)
            peak = np.fmax(peak, w)
    return LimitOrbit(phases, peak, c, np.isfinite(w) & (w < 1e-30 * w_start + 1e-300))


def phase_weights(rate_times_ntk: float, width: int, *, n_phases: int = 1024, w_start: float = 1e-14,
                  limit: bool = False) -> np.ndarray:
    r"""Weights of the midpoint phases $\varphi_j$ under the law of the phase of a width-``width`` network.

    $w_0 = c_0^2 f_0^2/(\lambda_0^2 n) = c_0^2 T/4$ with $T = (2B - 1)^2 \sim \mathrm{Beta}(1/2, n/2)$ exactly
    ($B \sim \mathrm{Beta}(n/2, n/2)$, record ``catapult.uv_phases``: $2B - 1$ has density $\propto (1 - x^2)^{n/2 - 1}$,
    so $T$ has density $\propto t^{-1/2}(1 - t)^{n/2 - 1}$; $E\,T = 1/(n + 1)$ is ``init_ratio_moment``), and $\varphi = \mathrm{frac}((\ln w_0 -
    \ln w_\text{start})/(2\ln\mu))$; the density of $\varphi$ is $\sum_k 2\ln\mu\; g(2\ln\mu(\varphi + k) + s)$,
    $g$ the density of $\ln T$ (cut at $\ln T > -120$: mass $< e^{-60}$ lost), $s = \ln w_\text{start} -
    \ln(c_0^2/4)$.  ``limit=True``: $T = \chi^2_1/n$, the
    large-width law, which is the same at all widths in the ratio $\mu^{2k}$.  Returns weights summing to 1.
    """
    from scipy import stats

    c0 = check_scalar("rate_times_ntk", rate_times_ntk, low=0, closed=(False, False))
    n = check_integer("width", width, minimum=2)
    period = 2 * math.log(abs(1.0 - c0))
    if not period > 0:
        raise ValueError(f"rate_times_ntk={c0!r} is not allowed: the phase needs |1 - c0| > 1")
    phases = (np.arange(check_integer("n_phases", n_phases, minimum=1)) + 0.5) / n_phases
    shift = math.log(w_start) - math.log(c0 * c0 / 4)
    law = stats.gamma(0.5, scale=2.0 / n) if limit else stats.beta(0.5, n / 2)
    lo, hi = math.floor((-120 - shift) / period) - 1, math.ceil((0.0 - shift) / period) + 1
    y = period * (phases[None, :] + np.arange(lo, hi + 1)[:, None]) + shift  # ln T
    with np.errstate(under="ignore"):
        dens = np.where(y < 0, law.pdf(np.exp(np.minimum(y, 0.0))) * np.exp(y), 0.0).sum(axis=0)
    return dens / dens.sum()


def periodic_widths(c0, base, count, min_ratio):
    r"""``count`` widths from ``base`` in the ratio $\mu^{2k}$, $\mu = |1 - c_0|$, $k \ge 1$ the smallest with
    $\mu^{2k} \ge$ ``min_ratio``: the phase law (``phase_weights(limit=True)``) is the same at all of them."""
    period = 2 * math.log(abs(1 - check_scalar("c0", c0, low=0, closed=(False, True))))
    if not period > 0:
        raise ValueError(f"c0={c0!r} is not allowed: periodic widths need |1 - c0| > 1")
    k = max(1, math.ceil(math.log(min_ratio) / period - 1e-9))
    return tuple(round(base * math.exp(j * k * period)) for j in range(count))
