r"""Computing the checks of :mod:`verify.core.checks`: draws, estimates, standard errors, tests, power.

Each ``evaluate_*`` function takes one declared check, the example's parameters,
its prediction (already computed, so that a planted prediction is what gets
tested), a :class:`numpy.random.SeedSequence`, the false-failure rate granted to
the check and the profile's sample scale (a check's own ``sample_scale`` replaces it), and the
example's :class:`~verify.core.simulation.SharedRuns` (the shared simulations); it returns a :class:`CheckOutcome`:
the verdict, the statistic against its threshold, and one **power row** per
compared component: the predicted value, the smallest discrepancy the test
detects with false-pass rate $\beta$ (``verify.core.stats.DEFAULT_RATE``), and their
ratio, the *relative detectable discrepancy*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy import stats as _st

from .extrapolation import extrapolate
from .quantiles import assert_quantile_decay
from .stats import DEFAULT_RATE, MIN_SAMPLES_MEAN, assert_cdf_dkwm, assert_two_sample_dkwm, min_discrepancy_dkwm
from .checks import Check, Custom, Deterministic, Estimate, Exact, Extrapolated, Law, Rate, TwoSampleLaw
from .simulation import SharedRuns, View, _accepts
from .studentised import beyond_range, detectable, inverse_hall, mean_skewness

__all__ = ["CheckOutcome", "PowerRow", "comparisons", "evaluate"]

_Z_BETA = float(_st.norm.isf(DEFAULT_RATE))


@dataclass(frozen=True)
class PowerRow:
    """One compared component: its prediction and the smallest discrepancy the test detects."""

    check: str
    component: str
    predicted: float
    observed: float
    detectable: float
    unit: str = "value"  # "value": same unit as predicted; "probability": a CDF distance; "order": an exponent
    scale: float | None = None  # what ``relative`` divides by (default |predicted|)
    #: "" for a comparison with a predicted value; "at least" / "at most" for a one-sided bound row, whose
    #: ``detectable`` is the smallest violation of the bound it detects: an error of the bound in the
    #: allowed direction is not detectable at all, so such rows are reported apart from the headline
    #: (:func:`headline`), never as the power against an error of a prediction.
    bound: str = ""

    @property
    def relative(self) -> float:
        """``detectable / scale`` (scale: ``|predicted|`` unless the check declares one; a CDF distance is
        already relative and is returned as is)."""
        if self.unit == "probability":
            return self.detectable
        scale = abs(self.predicted) if self.scale is None else abs(self.scale)
        return self.detectable / scale if scale != 0 else math.inf

    def as_dict(self) -> dict:
        return {"check": self.check, "component": self.component, "predicted": self.predicted,
                "observed": self.observed, "detectable": self.detectable, "relative": self.relative,
                "unit": self.unit, "scale": abs(self.predicted) if self.scale is None else abs(self.scale),
                "bound": self.bound or None}


def headline(rows):
    """The rows that compare a predicted value (not one-sided bound rows); all rows if every row is a bound.

    The weakest of these is a claim's "relative detectable discrepancy": the smallest relative error of a
    prediction that the checks detect.  A bound row ("mean <= 2") cannot see an error of the bound in its
    allowed direction, so counting it there would report a power the check does not have.
    """
    rows = list(rows)
    values = [r for r in rows if not (r.bound if isinstance(r, PowerRow) else r.get("bound"))]
    return values or rows


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one check on one example."""

    name: str
    kind: str
    passed: bool
    statistic: float
    threshold: float
    false_fail_rate: float
    n_samples: int
    detail: str
    power: tuple[PowerRow, ...]
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def excess(self) -> float:
        """statistic / threshold (> 1 fails)."""
        return self.statistic / self.threshold if self.threshold > 0 else (math.inf if self.statistic > 0 else 0.0)


# ---------------------------------------------------------------------------
def _value_and_stderr(prediction) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(prediction, Estimate):
        v = np.atleast_1d(np.asarray(prediction.value, dtype=float))
        return v, np.broadcast_to(np.atleast_1d(np.asarray(prediction.stderr, dtype=float)), v.shape)
    v = np.atleast_1d(np.asarray(prediction, dtype=float))
    return v, np.zeros_like(v)


def comparisons(check: Check, prediction) -> int:
    """How many comparisons ``check`` registers against the false-failure budget (0: deterministic)."""
    if isinstance(check, Deterministic):
        return 0
    if isinstance(check, Custom):
        return check.comparisons
    if isinstance(check, Rate) and check.statistic == "median":
        return 2  # two one-sided order-statistic bounds, half the check's rate each
    if isinstance(check, (Law, Rate, TwoSampleLaw)):
        return 1
    k = _value_and_stderr(prediction)[0].size
    if isinstance(check, Extrapolated):
        return k * (2 if check.spare_degrees > 0 else 1)
    return k


def _labels(check: Check, k: int) -> list[str]:
    if check.labels:
        if len(check.labels) != k:
            raise ValueError(f"check {check.name!r} declares {len(check.labels)} labels for {k} components")
        return list(check.labels)
    return [check.name] if k == 1 else [f"{check.name}[{j}]" for j in range(k)]


def _draws(check: Check, params, *, n: int, seed, shared: SharedRuns, size=None) -> np.ndarray:
    """``n`` draws of ``check.simulate`` (at ``size``): a shared simulation is read through ``shared`` (its own
    seed), any other is called with ``seed``."""
    kwargs = {"n": n} if size is None else {"size": size, "n": n}
    if isinstance(check.simulate, View):
        x = np.asarray(shared.read(check.simulate, params, **kwargs), dtype=float)
    else:
        x = np.asarray(check.simulate(params, seed=seed, **kwargs), dtype=float)
    if x.ndim not in (1, 2) or x.shape[0] != n:
        raise ValueError(f"check {check.name!r}: simulate returned shape {x.shape}; expected ({n},) or ({n}, k)")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"check {check.name!r}: simulate returned non-finite values")
    return x.reshape(n, -1)


def _scaled(samples: int, scale: float) -> int:
    return max(2, int(round(samples * scale)))


# ---------------------------------------------------------------------------
def evaluate(check: Check, params: Mapping, prediction, *, seed: np.random.SeedSequence, rate: float,
             scale: float, shared: SharedRuns | None = None, profile=None) -> CheckOutcome:
    """Run ``check`` on one example with ``prediction``, within the false-failure ``rate``.

    ``shared`` holds the example's shared simulations (default: a fresh one on ``seed``); ``profile`` reaches a
    :class:`~verify.core.Custom` check that declares it.  The check's own ``sample_scale`` replaces ``scale``.
    """
    shared = SharedRuns(seed) if shared is None else shared
    own = getattr(check, "sample_scale", None)
    scale = scale if own is None else own
    if isinstance(check, Custom):
        return _custom(check, params, prediction, seed=seed, rate=rate, scale=scale, profile=profile)
    handler = {Exact: _exact, Extrapolated: _extrapolated, Law: _law, TwoSampleLaw: _two_sample_law, Rate: _rate,
               Deterministic: _deterministic}
    for kind, run in handler.items():
        if isinstance(check, kind):
            return run(check, params, prediction, seed=seed, rate=rate, scale=scale, shared=shared)
    raise ValueError(f"check {check.name!r} is a {type(check).__name__}, not a kind the harness evaluates")


def _scales(check: Check, params, pred: np.ndarray) -> np.ndarray:
    if check.scale is None:
        return np.abs(pred)
    scale = np.broadcast_to(np.atleast_1d(np.asarray(check.scale(params, pred), dtype=float)), pred.shape)
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise ValueError(f"check {check.name!r}: scale returned {scale!r}; it must be finite and > 0")
    return scale


def _critical(rate: float, alternative: str, df: int | None) -> float:
    r"""The critical value of a studentised statistic at false-failure rate ``rate`` (Bonferroni share).

    With ``df`` the degrees of freedom of the estimated standard error, Student's $t_{df}$ quantile
    ($t_{df}^{-1}(1 - \alpha/2)$ two-sided, $t_{df}^{-1}(1 - \alpha)$ one-sided); ``None``: the normal's.
    For Gaussian draws the studentised mean is exactly $t_{n-1}$, whose tail beyond the normal's
    threshold is heavier (1.3x at $z = 5.6$, $n = 1000$): the normal quantile would state a rate it
    does not keep.
    """
    tail = rate / 2.0 if alternative == "two-sided" else rate
    if df is None:
        return float(_st.norm.isf(tail))
    if df < 1:
        raise ValueError(f"df={df!r} must be >= 1 (degrees of freedom of an estimated standard error)")
    return float(_st.t.isf(tail, df))


def _z_outcome(check: Check, est, se, pred, pse, *, rate: float, n: int, labels, data, what: str,
               scales: np.ndarray, skew=None, df: int | None = None) -> CheckOutcome:
    """Bonferroni z-tests of ``est`` against ``pred`` per component, with ``bias_tol``.

    ``df``: the degrees of freedom of ``se`` (the threshold is then Student's $t_{df}$ quantile,
    :func:`_critical`); ``None`` for a standard error that is known rather than estimated.

    ``skew``: the skewness $s$ of each compared mean (:func:`~verify.core.studentised.mean_skewness`); given,
    the acceptance interval of $z$ is Hall's $[H_s^{-1}(-c) - t, H_s^{-1}(c) + t]$ (:mod:`verify.core.studentised`)
    and the statistic is $z$ rescaled so that the bound it approaches sits at the threshold $c + t$.
    """
    if skew is not None:
        return _skew_corrected(check, est, se, pred, pse, rate=rate, n=n, labels=labels, data=data, what=what,
                               scales=scales, skew=np.broadcast_to(np.asarray(skew, dtype=float), est.shape), df=df)
    k = est.size
    total = np.hypot(se, pse)
    # a stated tolerance of t standard errors: |est - pred| <= (z + t) SE keeps the rate (the bias is <= t SE)
    t = float(getattr(check, "tolerance_se", 0.0))
    alt = getattr(check, "alternative", "two-sided")  # Exact may assert one side only
    crit = _critical(rate / k, alt, df) + t
    excess = {"two-sided": np.abs(est - pred), "at least": pred - est, "at most": est - pred}[alt] - check.bias_tol
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(total > 0, np.maximum(excess, 0.0) / np.where(total > 0, total, 1.0),
                     np.where(excess > 0, np.inf, 0.0))
    j = int(np.argmax(z))
    passed = bool(np.all(z <= crit))
    power = tuple(PowerRow(check.name, labels[i], float(pred[i]), float(est[i]),
                           float((crit + _Z_BETA) * total[i] + check.bias_tol), scale=float(scales[i]),
                           bound="" if alt == "two-sided" else alt)
                  for i in range(k))
    detail = (f"{check.name}: {what} {est[j]:.6g} vs predicted {pred[j]:.6g} ({labels[j]}): |z| = {z[j]:.3g} "
              f"{'<=' if passed else '>'} {crit:.3g} [SE {total[j]:.3g}"
              + (f", bias_tol {check.bias_tol:.3g}" if check.bias_tol else "")
              + (f", tolerance {t:.3g} SE" if t else "") + f", rate {rate:.2g}]")
    return CheckOutcome(check.name, check.kind, passed, float(z[j]), crit, rate, n, detail, power, data)


def _toward(excess, unit):
    """``max(excess, 0) / unit`` where ``unit > 0``; where it is 0: ``inf`` for a positive excess, else 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(unit > 0, np.maximum(excess, 0.0) / np.where(unit > 0, unit, 1.0),
                        np.where(excess > 0, np.inf, 0.0))


def _skew_corrected(check: Check, est, se, pred, pse, *, rate, n, labels, data, what, scales,
                    skew, df=None) -> CheckOutcome:
    """:func:`_z_outcome` with Hall's skewness correction (its docstring)."""
    k = est.size
    total = np.hypot(se, pse)
    t = float(getattr(check, "tolerance_se", 0.0))
    alt = getattr(check, "alternative", "two-sided")
    c = _critical(rate / k, alt, df)
    crit = c + t
    hi, lo = inverse_hall(c, skew) + t, -inverse_hall(-c, skew) + t  # both > 0: the bounds of z are -lo, hi
    diff = est - pred
    up, down = _toward(diff - check.bias_tol, total * hi / crit), _toward(-diff - check.bias_tol, total * lo / crit)
    z = {"two-sided": np.maximum(up, down), "at least": down, "at most": up}[alt]
    j = int(np.argmax(z))
    passed = bool(np.all(z <= crit))
    sides = {"two-sided": "two-sided", "at least": "lower", "at most": "upper"}[alt]
    reach = detectable(c, _Z_BETA, skew, sides=sides) + t
    power = tuple(PowerRow(check.name, labels[i], float(pred[i]), float(est[i]),
                           float(reach[i] * total[i] + check.bias_tol), scale=float(scales[i]),
                           bound="" if alt == "two-sided" else alt) for i in range(k))
    tested = {"two-sided": (c, -c), "at least": (-c,), "at most": (c,)}[alt]
    outside = bool(np.any([beyond_range(y, skew) for y in tested]))  # the correction's expansion holds no more
    z_j = diff[j] / total[j] if total[j] > 0 else (0.0 if diff[j] == 0 else math.copysign(math.inf, diff[j]))
    detail = (f"{check.name}: {what} {est[j]:.6g} vs predicted {pred[j]:.6g} ({labels[j]}): z = {z_j:.3g} in "
              f"[{-lo[j]:.3g}, {hi[j]:.3g}]: {'pass' if passed else 'FAIL'} [SE {total[j]:.3g}, skewness of the "
              f"mean {skew[j]:.2g} (Hall)" + (", beyond the correction's range" if outside else "")
              + (f", bias_tol {check.bias_tol:.3g}" if check.bias_tol else "")
              + (f", tolerance {t:.3g} SE" if t else "") + f", rate {rate:.2g}]")
    return CheckOutcome(check.name, check.kind, passed, float(z[j]), crit, rate, n, detail, power, data)


def _exact(check: Exact, params, prediction, *, seed, rate, scale, shared) -> CheckOutcome:
    n = _scaled(check.samples, scale)
    if n < MIN_SAMPLES_MEAN:
        raise ValueError(f"check {check.name!r}: {n} samples is below the floor of {MIN_SAMPLES_MEAN} for a z-test")
    x = _draws(check, params, n=n, seed=seed, shared=shared)
    pred, pse = _value_and_stderr(prediction)
    if pred.size != x.shape[1]:
        raise ValueError(f"check {check.name!r}: prediction has {pred.size} components, simulate {x.shape[1]}")
    est, se = x.mean(axis=0), x.std(axis=0, ddof=1) / math.sqrt(n)
    labels = _labels(check, pred.size)
    data = {"observed": est, "stderr": np.hypot(se, pse), "predicted": pred}
    # the studentised mean of a skewed statistic is skewed: Hall's correction (verify.core.studentised)
    return _z_outcome(check, est, se, pred, pse, rate=rate, n=n, labels=labels, data=data, what="mean",
                      scales=_scales(check, params, pred), skew=mean_skewness(x, np.hypot(se, pse)), df=n - 1)


def _extrapolated(check: Extrapolated, params, prediction, *, seed, rate, scale, shared) -> CheckOutcome:
    n = _scaled(check.samples, scale)
    pred, pse = _value_and_stderr(prediction)
    k = pred.size
    seeds = seed.spawn(len(check.sizes))
    means, ses = [], []
    for size, s in zip(check.sizes, seeds):
        x = _draws(check, params, size=size, n=n, seed=s, shared=shared)
        if x.shape[1] != k:
            raise ValueError(f"check {check.name!r}: prediction has {k} components, simulate {x.shape[1]}")
        means.append(x.mean(axis=0))
        ses.append(x.std(axis=0, ddof=1) / math.sqrt(n))
    means, ses = np.array(means), np.array(ses)
    if np.any(ses <= 0):
        raise ValueError(f"check {check.name!r}: a size gave zero sample variance; the fit needs standard errors")
    xs = np.asarray(check.sizes, dtype=float) ** check.power
    gof = check.spare_degrees > 0
    rate_intercept = rate / 2 if gof else rate
    est, se, chi2 = np.empty(k), np.empty(k), np.zeros(k)
    for j in range(k):
        fit = extrapolate(xs, means[:, j], ses[:, j], order=check.order)
        est[j], se[j] = fit.intercept, fit.stderr
        model = fit.intercept + sum(b * xs ** -(i + 1) for i, b in enumerate(fit.coefficients))
        chi2[j] = float(np.sum(((means[:, j] - model) / ses[:, j]) ** 2))
    labels = _labels(check, k)
    data = {"sizes": np.asarray(check.sizes), "error": means - pred, "stderr": ses, "intercept": est,
            "intercept_stderr": np.hypot(se, pse), "predicted": pred, "chi2": chi2}
    out = _z_outcome(check, est, se, pred, pse, rate=rate_intercept, n=n * len(check.sizes), labels=labels,
                     data=data, what=f"limit in {check.variable}", scales=_scales(check, params, pred),
                     df=n - 1)  # each size's SE has n - 1 df; the fit's (Satterthwaite) df is at least that
    if not gof:
        return out
    chi2_crit = float(_st.chi2.isf(rate / 2 / k, check.spare_degrees))
    worst = int(np.argmax(chi2))
    fit_ok = bool(np.all(chi2 <= chi2_crit))
    detail = (out.detail + f"; fit of order {check.order} in {check.variable}: chi2 = {chi2[worst]:.3g} "
              f"{'<=' if fit_ok else '>'} {chi2_crit:.3g} on {check.spare_degrees} spare degree(s) ({labels[worst]})")
    # the verdict is the worse of the two tests, each against its own threshold
    if fit_ok or out.excess >= chi2[worst] / chi2_crit:
        stat, thr = out.statistic, out.threshold
    else:
        stat, thr = float(chi2[worst]), chi2_crit
    return CheckOutcome(check.name, check.kind, out.passed and fit_ok, stat, thr, rate, out.n_samples, detail,
                        out.power, data)


def _law(check: Law, params, prediction, *, seed, rate, scale, shared) -> CheckOutcome:
    n = _scaled(check.samples, scale)
    x = _draws(check, params, n=n, seed=seed, shared=shared)
    if x.shape[1] != 1:
        raise ValueError(f"check {check.name!r}: a Law compares scalar draws, got {x.shape[1]} columns")
    if not callable(prediction):
        raise ValueError(f"check {check.name!r}: the prediction of a Law must be a CDF (a callable)")
    res = assert_cdf_dkwm(x[:, 0], prediction, false_fail_rate=rate, model_tol=check.bias_tol,
                          raise_on_failure=False)
    grid = np.quantile(x[:, 0], np.linspace(0.005, 0.995, 81))
    xs = np.sort(x[:, 0])
    data = {"grid": grid, "empirical": np.searchsorted(xs, grid, side="right") / n,
            "predicted": np.asarray(prediction(grid), dtype=float)}
    detectable = check.bias_tol + min_discrepancy_dkwm(n, false_fail_rate=rate, false_pass_rate=DEFAULT_RATE)
    power = (PowerRow(check.name, check.labels[0] if check.labels else check.name, 1.0, 1.0 - res.statistic,
                      float(detectable), unit="probability"),)
    return CheckOutcome(check.name, check.kind, res.passed, res.statistic, res.threshold, rate, n,
                        f"{check.name}: {res.detail}", power, data)


def _log_statistic(x: np.ndarray, statistic: str) -> tuple[float, float, float]:
    """(value, log value, SE of the log value) of the mean, |mean| or standard deviation of ``x``."""
    n = x.size
    if statistic == "std":
        v = float(x.std(ddof=1))
        m4 = float(np.mean((x - x.mean()) ** 4))
        se = math.sqrt(max(m4 - v**4, 0.0) / n) / (2 * v) if v > 0 else math.inf
    else:
        v = float(abs(x.mean()) if statistic == "abs_mean" else x.mean())
        se = float(x.std(ddof=1) / math.sqrt(n))
    if v <= 0:
        raise ValueError(f"the {statistic} is {v!r}; a log-log rate needs positive values")
    return v, math.log(v), se / v


def _median_decay(check: Rate, params, order: float, *, seed, rate, n, shared) -> CheckOutcome:
    (L1, L2), draws = check.sizes, []
    for size, s in zip(check.sizes, seed.spawn(2)):
        x = _draws(check, params, size=size, n=n, seed=s, shared=shared)
        if x.shape[1] != 1:
            raise ValueError(f"check {check.name!r}: a Rate takes scalar draws, got {x.shape[1]} columns")
        draws.append(x[:, 0])
    res = assert_quantile_decay(L1, L2, *draws, exponent=-(order + check.tolerance), false_fail_rate=rate,
                                raise_on_failure=False)
    width = res.detectable_discrepancy
    power = (PowerRow(check.name, check.labels[0] if check.labels else "median order", order, float(res.observed),
                      width + check.tolerance, unit="order", bound="at most"),)  # decays at least like L^order
    # excess 1 at the threshold: (slope lower bound - allowed) in units of the bounds' width, shifted to 1
    return CheckOutcome(check.name, check.kind, res.passed, 1.0 + (res.statistic - res.threshold) / width, 1.0, rate,
                        res.n_samples, f"{check.name}: {res.detail}", power,
                        {"sizes": np.asarray(check.sizes), "values": np.array([np.median(v) for v in draws]),
                         "slope": float(res.observed), "order": order})


def _rate(check: Rate, params, prediction, *, seed, rate, scale, shared) -> CheckOutcome:
    n = _scaled(check.samples, scale)
    order = float(np.asarray(prediction, dtype=float))
    if check.statistic == "median":
        return _median_decay(check, params, order, seed=seed, rate=rate, n=n, shared=shared)
    values, logs, log_se = [], [], []
    for size, s in zip(check.sizes, seed.spawn(len(check.sizes))):
        x = _draws(check, params, size=size, n=n, seed=s, shared=shared)
        if x.shape[1] != 1:
            raise ValueError(f"check {check.name!r}: a Rate takes scalar draws, got {x.shape[1]} columns")
        v, lv, se = _log_statistic(x[:, 0], check.statistic)
        values.append(v)
        logs.append(lv)
        log_se.append(se)
    X = np.column_stack([np.ones(len(check.sizes)), np.log(check.sizes)])
    w = 1.0 / np.square(log_se)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = cov @ (X.T @ (w * np.asarray(logs)))
    slope, slope_se = float(beta[1]), float(math.sqrt(cov[1, 1]))
    two_sided = check.alternative == "two-sided"
    crit = _critical(rate, check.alternative, n - 1)  # each size's log-SE has n - 1 df, the slope's at least that
    gap = {"two-sided": abs(slope - order), "at most": slope - order, "at least": order - slope}[check.alternative]
    z = max(gap - check.tolerance, 0.0) / slope_se
    passed = bool(z <= crit)
    power = (PowerRow(check.name, check.labels[0] if check.labels else f"{check.statistic} order", order, slope,
                      float((crit + _Z_BETA) * slope_se + check.tolerance), unit="order",
                      bound="" if two_sided else check.alternative),)
    detail = (f"{check.name}: log-log slope of the {check.statistic} {slope:.4g} +- {slope_se:.2g} vs order {order:.4g}"
              + ("" if two_sided else f" ({check.alternative})")
              + f" (tolerance {check.tolerance:.3g}): |z| = {z:.3g} {'<=' if passed else '>'} {crit:.3g}")
    data = {"sizes": np.asarray(check.sizes), "values": np.asarray(values), "slope": slope, "order": order}
    return CheckOutcome(check.name, check.kind, passed, float(z), crit, rate, n * len(check.sizes), detail, power,
                        data)


def _deterministic(check: Deterministic, params, prediction, *, seed, rate, scale, shared) -> CheckOutcome:
    pred = np.atleast_1d(np.asarray(prediction, dtype=float))
    got = np.atleast_1d(np.asarray(check.compute(params), dtype=float))
    if got.shape != pred.shape:
        raise ValueError(f"check {check.name!r}: compute gave shape {got.shape}, predict {pred.shape}")
    allowed = check.atol + check.rtol * np.abs(pred)
    diff = np.abs(got - pred)
    with np.errstate(divide="ignore", invalid="ignore"):  # allowed = 0 at an exact zero prediction
        ratio = np.where(allowed > 0, diff / np.where(allowed > 0, allowed, 1.0), np.where(diff == 0, 0.0, np.inf))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    j = int(np.argmax(ratio))
    labels = _labels(check, pred.size)
    passed = bool(np.all(ratio <= 1.0))
    scales = _scales(check, params, pred) if check.scale is not None else np.abs(pred)
    power = tuple(PowerRow(check.name, labels[i], float(pred[i]), float(got[i]), float(allowed[i]),
                           scale=float(scales[i])) for i in range(pred.size))
    detail = (f"{check.name}: computed {got[j]!r} vs predicted {pred[j]!r} ({labels[j]}): |diff| / tolerance "
              f"= {ratio[j]:.3g} {'<=' if passed else '>'} 1 [rtol {check.rtol:.2g}, atol {check.atol:.2g}]")
    return CheckOutcome(check.name, check.kind, passed, float(ratio[j]), 1.0, 0.0, 0, detail, power,
                        {"computed": got, "reference": pred})


def _two_sample_law(check: TwoSampleLaw, params, prediction, *, seed, rate, scale, shared) -> CheckOutcome:
    n = _scaled(check.samples, scale)
    limit = np.asarray(prediction, dtype=float)
    if limit.ndim != 1 or limit.size < 2 or not np.all(np.isfinite(limit)):
        raise ValueError(f"check {check.name!r}: the prediction of a TwoSampleLaw must be finite 1-D draws of the "
                         f"limit, got shape {limit.shape}")
    sizes = check.sizes or (None,)
    cuts = np.quantile(limit, check.quantiles)
    cdf = []
    for size, s in zip(sizes, seed.spawn(len(sizes))):
        x = _draws(check, params, n=n, seed=s, shared=shared, size=size)
        if x.shape[1] != 1:
            raise ValueError(f"check {check.name!r}: a TwoSampleLaw compares scalar draws, got {x.shape[1]} columns")
        cdf.append((x[:, :1] <= cuts).mean(axis=0))
    last = x[:, 0]
    drift = 0.0
    if check.sizes:  # first-order bias b_1/size_max, b_1 the fitted 1/size coefficient of the CDF at the cuts
        cdf = np.array(cdf)
        se = np.sqrt(np.maximum(cdf * (1 - cdf), 1.0 / n) / n)
        drift = max(abs(extrapolate(check.sizes, cdf[:, j], se[:, j], order=1).coefficients[0])
                    for j in range(cuts.size)) / check.sizes[-1]
    res = assert_two_sample_dkwm(last, limit, false_fail_rate=rate, model_tol=check.bias_tol + drift,
                                 raise_on_failure=False)
    at = f" at size {check.sizes[-1]}" if check.sizes else ""
    label = check.labels[0] if check.labels else check.name + at
    power = (PowerRow(check.name, label, 1.0, 1.0 - res.statistic, res.detectable_discrepancy, unit="probability"),)
    grid = np.quantile(last, np.linspace(0.005, 0.995, 81))
    data = {"grid": grid, "empirical": np.searchsorted(np.sort(last), grid, side="right") / n,
            "predicted": np.searchsorted(np.sort(limit), grid, side="right") / limit.size, "model_tol": drift}
    return CheckOutcome(check.name, check.kind, res.passed, res.statistic, res.threshold, rate, n * len(sizes),
                        f"{check.name}{at} (model_tol {check.bias_tol + drift:.3g}): {res.detail}", power, data)


def _custom(check: Custom, params, prediction, *, seed, rate, scale, profile=None) -> CheckOutcome:
    extra = {"profile": profile} if _accepts(check.run, "profile") else {}
    out = check.run(params, prediction, seed=seed, rate=rate, scale=scale, **extra)
    if not isinstance(out, CheckOutcome):
        raise ValueError(f"check {check.name!r}: run returned {type(out).__name__}, not a CheckOutcome")
    return out
