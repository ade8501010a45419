r"""What a claim checks, declared: the check kinds of the claim harness.

A theorem about wide or deep networks is checked by a few comparisons of a
finite-network statistic with its predicted limit.  Each comparison is one
declaration below; :mod:`verify.core.evaluate` computes it and
:mod:`verify.core.theorem` assembles them into a claim.  A declaration holds no
seeds, no sample scaling and no error-rate arithmetic: the harness does those.

=====================  ========================================================  =========================
kind                   what is compared                                          test
=====================  ========================================================  =========================
:class:`Exact`         mean of i.i.d. draws = prediction, at any size            skewness-corrected z-test
                                                                                 (Hall; Bonferroni over
                                                                                 components), sample floor
:class:`Extrapolated`  means over a sweep of sizes, fitted by a polynomial in    z-test of the intercept,
                       $1/\text{size}^{p}$, intercept = prediction               chi-square goodness of fit
                                                                                 on the spare degrees
:class:`Law`           empirical law of i.i.d. draws = predicted CDF             DKWM envelope
:class:`Rate`          a mean or standard deviation falls like size^order        z-test of the weighted
                                                                                 log-log slope
:class:`Deterministic` a computed value = prediction, no randomness              relative tolerance
:class:`TwoSampleLaw`  draws of the network = draws of the limit (a sampled     two-sample DKWM envelope
                       limit law), optionally with a first-order bias bound
                       read off a sweep of sizes
:class:`Custom`        the escape hatch for a search (e.g. the depth at which    the check's own, within
                       one law is rejected and another holds)                    the rate it is granted
=====================  ========================================================  =========================

Callables receive the example's parameters as a mapping and keyword-only
arguments:

* ``simulate(params, *, n, seed)`` (with ``size=`` for sweeps) returns ``n``
  i.i.d. draws, shape ``(n,)`` or ``(n, k)``: one row per network;
* ``predict(params)`` returns the prediction (a float or shape ``(k,)``); a
  prediction that is itself a Monte Carlo estimate takes ``seed=`` too and
  returns an :class:`Estimate`, whose standard error enters the test.

Options every check takes (keyword-only, validated at declaration):

* ``applies(params) -> bool``: the check runs on the examples where it is true only; on the others it
  registers no comparison, so that example's false-failure budget is split over the checks that do apply;
* ``settings(params) -> dict``: field overrides for one example (a fit ``order``, a ``bias_tol``,
  ``tolerance_se``, ``sample_scale``, ``labels``...), applied by :meth:`Check.for_example` through
  :func:`dataclasses.replace`, so each override is validated by the check's own ``__post_init__``;
* a ``simulate`` (or ``predict``) may be a :class:`~verify.core.simulation.View` of a shared
  :class:`~verify.core.simulation.Simulation`: several checks then read one simulation, run once per example.

Options of the draw kinds: ``sample_scale`` (a fixed sample scale replacing the profile's, for a tolerance
measured at one sample size); of the z-test kinds (:class:`Exact`, :class:`Extrapolated`): ``tolerance_se``
$= t$, a stated tolerance in units of each comparison's standard error (the threshold is $z_{\alpha/k} + t$,
so the stated rate holds and the power rows include $t\,SE$).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["Check", "Custom", "Deterministic", "Estimate", "Exact", "Extrapolated", "Law", "Rate", "TwoSampleLaw"]

Params = Mapping[str, Any]
#: the hypotheses a rate may assert: equality, or a one-sided bound on the exponent
ALTERNATIVES = ("two-sided", "at most", "at least")


@dataclass(frozen=True)
class Estimate:
    """A prediction computed by Monte Carlo: its value and standard error (same shape)."""

    value: Any
    stderr: Any

    def __post_init__(self) -> None:
        v, s = np.asarray(self.value, dtype=float), np.asarray(self.stderr, dtype=float)
        if v.shape != s.shape and s.ndim != 0:
            raise ValueError(f"Estimate value shape {v.shape} and stderr shape {s.shape} differ")
        if not (np.all(np.isfinite(s)) and np.all(s >= 0)):
            raise ValueError(f"Estimate stderr={self.stderr!r} must be finite and >= 0")


def _name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a check needs a non-empty name, got name={name!r}")
    return name


def _positive_int(what: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what}={value!r} must be an integer >= {minimum}")
    return int(value)


def _nonneg(what: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{what}={value!r} must be a finite number >= 0")
    return float(value)


def _callable(what: str, value) -> None:
    if not callable(value):
        raise ValueError(f"{what}={value!r} must be callable")


def _sample_scale(value) -> None:
    if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                  and math.isfinite(value) and value > 0):
        raise ValueError(f"sample_scale={value!r} must be None (the profile's) or a finite number > 0")


def _sizes(sizes) -> tuple[int, ...]:
    out = tuple(int(s) for s in sizes)
    if len(out) < 2 or any(s <= 0 for s in out) or len(set(out)) != len(out):
        raise ValueError(f"sizes={sizes!r} must be at least two distinct positive integers")
    return tuple(sorted(out))


@dataclass(frozen=True)
class _Constant:
    """``predict`` of a check whose prediction does not depend on the parameters."""

    value: float

    def __call__(self, params) -> float:
        return self.value


@dataclass(frozen=True)
class Check:
    """Base of the check kinds: a name and the labels of the compared components."""

    name: str
    labels: tuple[str, ...] = field(default=(), kw_only=True)
    #: Stated absolute modelling tolerance (a bound on a known bias, documented with how it was measured).
    bias_tol: float = field(default=0.0, kw_only=True)
    #: ``scale(params, prediction)``: the magnitude a discrepancy is relative to, per component (default
    #: ``|prediction|``); e.g. $\sqrt{K_{11}K_{22}}$ for a covariance that may vanish.
    scale: Callable[..., Any] | None = field(default=None, kw_only=True)
    #: ``applies(params) -> bool``: the examples the check runs on (default: all).
    applies: Callable[..., bool] | None = field(default=None, kw_only=True)
    #: ``settings(params) -> dict``: this example's field overrides (see :meth:`for_example`).
    settings: Callable[..., Mapping[str, Any]] | None = field(default=None, kw_only=True)

    kind = "check"

    def __post_init__(self) -> None:
        _name(self.name)
        _nonneg("bias_tol", self.bias_tol)
        for what in ("scale", "applies", "settings"):
            if getattr(self, what) is not None:
                _callable(what, getattr(self, what))
        object.__setattr__(self, "labels", tuple(str(s) for s in self.labels))

    def for_example(self, params: Params) -> "Check | None":
        """The check as it runs on ``params``: ``None`` where it does not apply, else with the fields that
        ``settings(params)`` overrides (validated by the kind's own ``__post_init__``)."""
        if self.applies is not None:
            verdict = self.applies(params)
            if not isinstance(verdict, (bool, np.bool_)):
                raise ValueError(f"check {self.name!r}: applies returned {verdict!r}, not a bool")
            if not verdict:
                return None
        if self.settings is None:
            return self
        overrides = self.settings(params)
        if not isinstance(overrides, Mapping):
            raise ValueError(f"check {self.name!r}: settings returned {overrides!r}, not a mapping of fields")
        allowed = {f.name for f in dataclasses.fields(self) if f.init} - {"name", "applies", "settings"}
        unknown = sorted(set(overrides) - allowed)
        if unknown:
            raise ValueError(f"check {self.name!r}: settings override {unknown}; allowed: {sorted(allowed)}")
        return dataclasses.replace(self, applies=None, settings=None, **self._replacing(dict(overrides)))

    def _replacing(self, overrides: dict) -> dict:
        return overrides


@dataclass(frozen=True)
class _Draws(Check):
    """A check on ``samples`` i.i.d. draws of one size: ``simulate(params, *, n, seed)`` and ``predict(params)``."""

    simulate: Callable[..., Any] = field(default=None, kw_only=True)
    predict: Callable[..., Any] = field(default=None, kw_only=True)
    samples: int = field(default=100_000, kw_only=True)
    #: a fixed sample scale replacing the profile's (None: the profile's); for a tolerance measured at one size
    sample_scale: float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        _callable("simulate", self.simulate)
        _callable("predict", self.predict)
        _positive_int("samples", self.samples, 2)
        _sample_scale(self.sample_scale)


@dataclass(frozen=True)
class Exact(_Draws):
    r"""A statistic of a finite network whose mean equals the prediction at every size.

    ``simulate(params, *, n, seed)`` returns ``n`` i.i.d. draws, shape ``(n,)`` or ``(n, k)``;
    the mean of each column is compared with ``predict(params)`` by a z-test,
    $|\bar x_j - \mu_j| \le z_{\alpha/k}\sqrt{SE_j^2 + SE_{pred,j}^2} + \text{bias\_tol}$,
    corrected for the skewness of the studentised mean: $z_j = (\bar x_j - \mu_j)/SE_j$ must lie in Hall's
    interval $[H_s^{-1}(-z_{\alpha/k}), H_s^{-1}(z_{\alpha/k})]$, $s$ the skewness of the mean estimated from
    the draws (:mod:`verify.core.studentised`; the plain z-test over-rejects heavy-tailed statistics, e.g.
    2.1 times at a nominal $10^{-2}$ for $E f^4$ of a width-4 ReLU layer, and more in the far tail; for light
    tails $s \to 0$ and the interval is $\pm z_{\alpha/k}$).
    ``samples`` is the base number of draws (the profile scales it; at least the
    sample floor of :func:`verify.core.stats.assert_mean`).  ``tolerance_se`` $= t$ states a
    tolerance in standard errors: the threshold becomes $z_{\alpha/k} + t$ (the interval widens by $t$ on
    each side).
    """

    tolerance_se: float = field(default=0.0, kw_only=True)
    #: ``"at least"`` (or ``"at most"``) asserts only mean >= (<=) prediction: a one-sided z-test at the same rate
    alternative: str = field(default="two-sided", kw_only=True)

    kind = "exact"

    def __post_init__(self) -> None:
        super().__post_init__()
        _nonneg("tolerance_se", self.tolerance_se)
        if self.alternative not in ALTERNATIVES:
            raise ValueError(f"alternative={self.alternative!r} must be one of {ALTERNATIVES}")


@dataclass(frozen=True)
class _Sweep(Check):
    """A check simulated over a sweep of sizes: ``simulate(params, *, size, n, seed)``, ``n = samples``."""

    simulate: Callable[..., Any] = field(default=None, kw_only=True)
    sizes: tuple[int, ...] = field(default=(), kw_only=True)
    samples: int = field(default=10_000, kw_only=True)
    #: a fixed sample scale replacing the profile's (None: the profile's); for a tolerance measured at one size
    sample_scale: float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        _callable("simulate", self.simulate)
        object.__setattr__(self, "sizes", _sizes(self.sizes))
        _positive_int("samples", self.samples, 2)
        _sample_scale(self.sample_scale)


@dataclass(frozen=True)
class Extrapolated(_Sweep):
    r"""Means over a sweep of sizes whose limit, extrapolated in $1/\text{size}^p$, equals the prediction.

    ``simulate(params, *, size, n, seed)`` returns ``n`` i.i.d. draws at each size; the
    means $m_i$ with standard errors $SE_i$ are fitted by weighted least squares with
    $a + \sum_{j=1}^{K} b_j\,\text{size}^{-jp}$ (``order`` $= K$, ``power`` $= p$), and the
    intercept $\hat a$ is z-tested against the prediction.  With more sizes than
    coefficients, a chi-square test of the weighted residuals
    ($\sum_i r_i^2/SE_i^2 \sim \chi^2_{m-K-1}$) checks that the polynomial describes the
    data: a bias the fit cannot absorb is reported, not hidden.  ``tolerance_se`` $= t$ states a
    truncation bound in units of the intercept's standard error: the intercept's threshold is
    $z_{\alpha/k} + t$ (a bias up to $t\,SE$ keeps the stated rate; the power rows include it).
    """

    predict: Callable[..., Any] = field(default=None, kw_only=True)
    order: int = field(default=2, kw_only=True)
    power: float = field(default=1.0, kw_only=True)
    variable: str = field(default="1/n", kw_only=True)
    #: The size's name on plot axes (``"n"`` for a width, ``"L"`` for a depth, ``"D"``...).
    size_name: str = field(default="n", kw_only=True)
    tolerance_se: float = field(default=0.0, kw_only=True)

    kind = "extrapolated"

    def __post_init__(self) -> None:
        super().__post_init__()
        _callable("predict", self.predict)
        _nonneg("tolerance_se", self.tolerance_se)
        _positive_int("order", self.order, 0)
        if self.order + 1 > len(self.sizes):
            raise ValueError(f"order={self.order} needs at least {self.order + 1} sizes, got sizes={self.sizes}")
        if not (isinstance(self.power, (int, float)) and self.power > 0):
            raise ValueError(f"power={self.power!r} must be > 0")

    @property
    def spare_degrees(self) -> int:
        """Sizes beyond the fitted coefficients: the degrees of freedom of the goodness-of-fit test."""
        return len(self.sizes) - self.order - 1


@dataclass(frozen=True)
class Law(_Draws):
    r"""The empirical law of i.i.d. draws equals a predicted distribution (DKWM envelope).

    ``simulate(params, *, n, seed)`` returns ``n`` scalar draws; ``predict(params)``
    returns the predicted CDF, a vectorised callable.  The test rejects iff
    $\sup_x|F_n(x) - F(x)| > \sqrt{\ln(2/\alpha)/(2n)} + \text{bias\_tol}$ (Massart's
    finite-sample bound; ``bias_tol`` is a sup-distance).
    """

    kind = "law"


@dataclass(frozen=True)
class Rate(_Sweep):
    r"""A mean or a standard deviation that scales like $\text{size}^{\text{order}}$.

    ``simulate(params, *, size, n, seed)`` returns ``n`` scalar draws per size; the
    statistic (``"mean"``, ``"abs_mean"`` or ``"std"``) and its standard error give
    $\log$ values with delta-method errors, and the weighted least-squares slope
    $\hat s$ of $\log v$ on $\log \text{size}$ passes iff
    $|\hat s - \text{order}| \le z_\alpha SE(\hat s) + \text{tolerance}$.
    ``order`` is the predicted exponent (``predict(params)``, if given, overrides it per
    example); ``tolerance`` is a stated modelling bound on pre-asymptotic curvature
    (documented, not tuned).  ``alternative="at most"`` asserts only
    $\hat s \le \text{order} + \text{tolerance}$ (one-sided z-test; ``"at least"`` the reverse).

    ``statistic="median"`` (with ``alternative="at most"`` and exactly two sizes $L_1 < L_2$) asserts that
    the median of positive draws falls at least like $\text{size}^{\text{order}}$, by distribution-free
    order-statistic bounds (:func:`verify.core.quantiles.assert_quantile_decay`): rejected only when the
    slope's lower bound $(\log\hat\xi^{lo}_2 - \log\hat\xi^{hi}_1)/\log(L_2/L_1)$ exceeds the order, for any
    law (no moments needed, e.g. heavy-tailed residuals); its power row is the bounds' width in slope units.  It
    registers two comparisons (one per bound).
    """

    order: float = field(default=None, kw_only=True)
    predict: Callable[..., Any] | None = field(default=None, kw_only=True)
    statistic: str = field(default="std", kw_only=True)
    tolerance: float = field(default=0.0, kw_only=True)
    alternative: str = field(default="two-sided", kw_only=True)

    kind = "rate"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (isinstance(self.order, (int, float)) and math.isfinite(self.order)):
            raise ValueError(f"order={self.order!r} must be a finite number (the predicted exponent)")
        if self.predict is None:
            object.__setattr__(self, "predict", _Constant(float(self.order)))
        _callable("predict", self.predict)
        if self.statistic not in ("mean", "abs_mean", "std", "median"):
            raise ValueError(f"statistic={self.statistic!r} must be 'mean', 'abs_mean', 'std' or 'median'")
        _nonneg("tolerance", self.tolerance)
        if self.alternative not in ALTERNATIVES:
            raise ValueError(f"alternative={self.alternative!r} must be one of {ALTERNATIVES}")
        if self.statistic == "median" and (self.alternative != "at most" or len(self.sizes) != 2):
            raise ValueError(f"statistic='median' is a one-sided decay test: it needs alternative='at most' and two "
                             f"sizes, got alternative={self.alternative!r}, sizes={self.sizes}")

    def _replacing(self, overrides: dict) -> dict:
        if "order" in overrides and "predict" not in overrides and isinstance(self.predict, _Constant):
            overrides["predict"] = None  # the constant prediction follows the overridden order
        return overrides


@dataclass(frozen=True)
class TwoSampleLaw(_Draws):
    r"""The law of the network's draws equals a limit law known by its own draws (two-sample DKWM).

    ``predict(params)`` returns draws of the limit (shape ``(m,)``; typically a Monte Carlo prediction with
    ``seed=``); ``simulate`` returns ``n`` scalar draws of the network.  The test rejects iff
    $\sup|F_n - G_m| > arepsilon(lpha/2, n) + arepsilon(lpha/2, m) + 	ext{bias\_tol} + b$
    (:func:`verify.core.stats.assert_two_sample_dkwm`).  With ``sizes``, ``simulate`` takes ``size=``,
    the network is drawn at every size, the test is made at the largest, and $b = \max_j|\hat b_{1,j}|/
    	ext{size}_{max}$ is the first-order bias read off the sweep: $\hat b_{1,j}$ the fitted
    $1/	ext{size}$ coefficient of the network's CDF at the limit's ``quantiles`` (an estimate, reported
    in ``data["model_tol"]``).  Its power row is the detectable sup-distance.
    """

    sizes: tuple[int, ...] = field(default=(), kw_only=True)
    quantiles: tuple[float, ...] = field(default=(0.1, 0.25, 0.5, 0.75, 0.9), kw_only=True)

    kind = "two-sample law"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.sizes:
            object.__setattr__(self, "sizes", _sizes(self.sizes))
        q = tuple(float(v) for v in self.quantiles)
        if not q or not all(0 < v < 1 for v in q):
            raise ValueError(f"quantiles={self.quantiles!r} must be a non-empty sequence in (0, 1)")
        object.__setattr__(self, "quantiles", q)


@dataclass(frozen=True)
class Deterministic(Check):
    r"""A computed value equals the prediction to a stated relative (and absolute) tolerance.

    Passes iff $|c_j - p_j| \le \text{atol} + \text{rtol}\,|p_j|$ for every component.
    ``compute(params)`` and ``predict(params)`` are independent routes (e.g. a closed
    form and quadrature).
    """

    compute: Callable[..., Any] = field(default=None, kw_only=True)
    predict: Callable[..., Any] = field(default=None, kw_only=True)
    rtol: float = field(default=1e-10, kw_only=True)
    atol: float = field(default=0.0, kw_only=True)

    kind = "deterministic"

    def __post_init__(self) -> None:
        super().__post_init__()
        _callable("compute", self.compute)
        _callable("predict", self.predict)
        _nonneg("rtol", self.rtol)
        _nonneg("atol", self.atol)
        if self.rtol == 0 and self.atol == 0:
            raise ValueError("a Deterministic check needs rtol > 0 or atol > 0")


@dataclass(frozen=True)
class Custom(Check):
    r"""The escape hatch, for a check that is itself a search.

    ``run(params, prediction, *, seed, rate, scale)`` receives the example's parameters,
    this check's prediction (from the claim's ``predict``: a planted prediction reaches it),
    a :class:`numpy.random.SeedSequence`, the false-failure rate granted to the check and
    the profile's sample scale (and, if it declares the keyword ``profile``, the
    :class:`~verify.claims.Profile` itself), and returns a :class:`verify.core.evaluate.CheckOutcome`
    (power rows included).  ``comparisons`` is how many comparisons it registers against
    the example's budget.  Prefer the declared kinds: a custom check is a program.
    """

    run: Callable[..., Any] = field(default=None, kw_only=True)
    predict: Callable[..., Any] = field(default=None, kw_only=True)
    comparisons: int = field(default=1, kw_only=True)

    kind = "custom"

    def __post_init__(self) -> None:
        super().__post_init__()
        _callable("run", self.run)
        _callable("predict", self.predict)
        _positive_int("comparisons", self.comparisons, 0)
