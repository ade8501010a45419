r"""Weight-regime estimators of Cohen, Cont, Rossier and Xu, each with a confidence interval.

One network per depth $L$ (a user's trained ResNets, or synthetic weights) gives a weight sequence
$(A_k)_{k<L}$, an array ``(L, ...)``.  A statistic $S_L$ of it (:mod:`.estimators_statistics`: max norm,
increment, root-SSQ, quadratic variation, Sobolev, cumsum, detrended cumsum; :func:`p_variation`) is regressed in
log-log on the depths, $\log S_L = a + s\log L + \varepsilon_L$, by least squares, as the authors' code does
(sklearn ``LinearRegression``).  The exponents (reference ``scaling_regimes.md`` sections 1-3):

* $\hat\beta = -s$ of the max norm $\max_k\|A_k\|_F$ (:func:`beta_hat`); $\hat\alpha = -s$ of $\max_k|\delta_k|$
  (:func:`alpha_hat`); for ReLU with per-layer $\delta$ pass the products $|\delta_k|A_k$ (:func:`delta_scaled`);
* root-SSQ slope $\tfrac12 - \beta$ for weights of level $L^{-\beta}$; slope $0$ of the root-SSQ of $\delta A$ is
  the diffusive signature;
* Hoelder exponent $\hat\gamma = (1 - s_{QV} - 2\hat\beta)/2$ (:func:`holder_exponent`): weights
  $L^{-\beta}f(k/L)$ with $f$ $\gamma$-Hoelder have QV slope $1 - 2\gamma - 2\beta$.

Intervals (``method=``):

* ``"regression"`` (default; needs 3 depths): the Student-$t$ interval of the least-squares slope,
  $\hat s \pm t_{n-2}\,\hat\sigma/\sqrt{S_{xx}}$, $\hat\sigma^2$ the residual variance.  Exact when the
  networks at different depths are independent and the residuals $\varepsilon_L$ are i.i.d. Gaussian;
  it also absorbs a residual scatter that the entries do not explain (training noise, depth-to-depth
  variation of the limit profile).  Its coverage is checked on synthetic weights by
  ``claim.scaling_regimes_estimators``.
* ``"hc3"`` (needs 3 depths; what ``deeplimits regime`` uses): the same slope with the heteroscedasticity-consistent
  HC3 standard error and the $t_{n-2}$ quantile (:func:`regression_slope`).  It does not assume that
  $\operatorname{var}\varepsilon_L$ is the same at every depth, which fails for rough weights (it falls like $1/L$
  for i.i.d. weights and the QV of a Brownian path).  With 5 depths it is conservative: nominal 0.95 covered
  0.963-0.969 on smooth, Brownian-path and i.i.d. weights ($m = 16$, depths 8..128, 20,000 studies each;
  ``test_scaling_regimes_estimators_coverage.py``), at about 1.5 times the Student-$t$ width.
* ``"bootstrap"``: the percentile interval of the slope refitted on networks whose weight *entries* (each entry's
  whole path over $k$) are resampled with replacement, independently per depth; valid when the entries are
  exchangeable (e.g. i.i.d. initialisations), and it works with two depths.  It sees only within-network
  sampling noise, not a depth-to-depth scatter, and it is anti-conservative at these sizes: on synthetic
  weights with $m = 16, 36, 100$ entries and 199 resamples its nominal 95% intervals covered 0.90-0.94 (2,000
  studies each; the per-entry terms are $\chi^2$-like and heavy-tailed, so the resampled variance runs low).
  Use it for a rough width with two depths only; the claim does not certify it.

Measured on synthetic weights (``claim.scaling_regimes_estimators``, depths 8..128, $m = 100$): the regression
interval covers at 0.95 when the residuals are homoscedastic (smooth weights); when $\operatorname{var}\log S_L$
falls like $1/L$ (i.i.d. weights; the QV of a Brownian path) it covers about 0.94.  $\hat\beta$ from the max norm
is exact for smooth weights, but for rough ones it carries the max's log-correction: $-0.028$ (i.i.d.) and
$-0.012$ (Brownian path values) over depths 8..128 with $m = 100$.

Every statistic is computed on each network divided by its largest entry and shifted back in $\log$
(:func:`unit_scaled`; all statistics are homogeneous), so finite weights of any size give finite logs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from ..core.validation import check_integer, check_scalar
from .estimators_bootstrap import ENTRY_SUMS, bootstrap_slopes, entry_terms
from .estimators_pvariation import p_variation, p_variation_brute_force
from .estimators_statistics import STATISTICS, layer_statistic

__all__ = ["METHODS", "STATISTICS", "VARIANCES", "EstimatorResult", "alpha_hat", "beta_hat", "delta_scaled",
           "depth_slope", "holder_exponent", "log_statistic", "p_variation", "p_variation_brute_force",
           "regression_slope", "statistic_interval", "unit_scaled", "weight_statistic"]

METHODS = ("regression", "hc3", "bootstrap")
VARIANCES = ("homoscedastic", "hc3")
_METHOD_TEXT = {"homoscedastic": "least squares, Student-t over depths",
                "hc3": "least squares, HC3 (heteroscedasticity-consistent) t over depths"}
_CHUNK = 2 ** 22  # floats per bootstrap chunk


@dataclass(frozen=True)
class EstimatorResult:
    """A point estimate with its confidence interval ``[lower, upper]`` at ``level``, and how it was made."""

    value: float
    lower: float
    upper: float
    level: float
    method: str

    def covers(self, truth: float) -> bool:
        """Whether ``truth`` lies in the interval."""
        return bool(self.lower <= truth <= self.upper)

    def as_dict(self) -> dict:
        return {"value": self.value, "lower": self.lower, "upper": self.upper, "level": self.level,
                "method": self.method}

    def _negated(self, method: str | None = None) -> EstimatorResult:
        return EstimatorResult(-self.value, -self.upper, -self.lower, self.level, method or self.method)


def _level(level) -> float:
    return check_scalar("level", level, low=0.5, high=1.0, closed=(True, False))


def _statistic(statistic: str) -> str:
    if statistic not in STATISTICS + ("p_variation",):
        raise ValueError(f"statistic={statistic!r} must be one of {STATISTICS + ('p_variation',)}")
    return statistic


def _weights(name: str, w, *, min_layers: int = 1) -> np.ndarray:
    a = np.asarray(w, dtype=float)
    if a.ndim < 1 or a.shape[0] < min_layers:
        raise ValueError(f"{name} must have at least {min_layers} layers along axis 0, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (it holds NaN or inf)")
    return a.reshape(a.shape[0], -1)


def _degree(statistic: str, p: float) -> float:
    """Homogeneity degree $k$ of ``statistic``: $S(cx) = c^kS(x)$ for $c > 0$."""
    return {"quadratic_variation": 2.0, "p_variation": p}.get(statistic, 1.0)


def unit_scaled(x: np.ndarray) -> tuple[np.ndarray, float]:
    r"""``(x / c, log c)`` with $c = \max|x|$ (``c = 1`` for ``x = 0``): entries in $[-1, 1]$, so no statistic
    of them overflows.  Every statistic is homogeneous (:func:`_degree`), so
    $\log S(x) = \log S(x/c) + k\log c$ exactly; weights of order $10^{200}$ (whose squares overflow) are fine."""
    c = float(np.max(np.abs(x), initial=0.0))
    return (x, 0.0) if c == 0.0 or not math.isfinite(c) else (x / c, math.log(c))


def log_statistic(x: np.ndarray, statistic: str, *, factor: float = 0.0, p: float = 2.0) -> float:
    r"""$\log S$ of ``statistic`` $S$ of one network ``x`` ``(L, m)``: $\log S(x/c) + k\log c$, $c = \max|x|$, $k$
    its degree, and for ``increment`` $f\log L$ added in log, not as $L^f$ (no overflow for any finite ``x``
    or ``factor`` $f$).  $-\infty$ when $S = 0$ (weights constant over the layers)."""
    _statistic(statistic)
    y, logc = unit_scaled(x)
    shift = _degree(statistic, p) * logc + (factor * math.log(x.shape[-2]) if statistic == "increment" else 0.0)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        value = float(_stat(y, statistic, 0.0 if statistic == "increment" else factor, p))   # L^factor in log
        return math.log(value) + shift if value > 0 and math.isfinite(value) else (
            -math.inf if value == 0 else math.nan)


def _stat(x: np.ndarray, statistic: str, factor: float, p: float) -> np.ndarray:
    """``statistic`` of ``x`` ``(..., L, m)``."""
    if statistic != "p_variation":
        return layer_statistic(x, statistic, factor=factor)
    flat = x.reshape(-1, *x.shape[-2:])
    return np.array([p_variation(path, p=p) for path in flat]).reshape(x.shape[:-2])


def delta_scaled(weights, deltas) -> np.ndarray:
    r"""$|\delta_k|A_k$: the weights the code measures for ReLU with per-layer $\delta$ (positive homogeneity)."""
    a = np.asarray(weights, dtype=float)
    d = np.abs(np.asarray(deltas, dtype=float)).reshape(-1)
    if d.size not in (1, a.shape[0]):
        raise ValueError(f"deltas has {d.size} values; it must have 1 (shared) or L={a.shape[0]} (per layer)")
    return a * np.broadcast_to(d, (a.shape[0],)).reshape((-1,) + (1,) * (a.ndim - 1))


def weight_statistic(weights, statistic: str = "max_norm", *, factor: float = 0.0, p: float = 2.0) -> float:
    """The ``statistic`` (see :mod:`.estimators_statistics`, or ``"p_variation"`` with ``p``) of one network's
    weight sequence ``weights`` of shape ``(L, ...)``."""
    x = _weights("weights", weights)
    return float(_stat(x, _statistic(statistic), check_scalar("factor", factor, low=-10, high=10), p))


def _resampled(x: np.ndarray, rng: np.random.Generator, n_boot: int, fn) -> np.ndarray:
    """``fn`` of ``n_boot`` copies of ``x`` ``(L, m)`` with their entries resampled with replacement."""
    L, m = x.shape
    chunk = max(1, _CHUNK // (L * m))
    out = []
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, m, size=(min(chunk, n_boot - start), m))
        out.append(fn(np.moveaxis(x[:, idx], 1, 0)))
    return np.concatenate(out)


def _percentile(value: float, draws: np.ndarray, level: float, method: str) -> EstimatorResult:
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return EstimatorResult(float(value), float(lo), float(hi), level, method)


def statistic_interval(weights, statistic: str = "root_ssq", *, level: float = 0.95, n_boot: int = 999,
                       seed=0, factor: float = 0.0, p: float = 2.0) -> EstimatorResult:
    """One network's statistic with a percentile-bootstrap interval over its weight entries."""
    x, statistic, level = _weights("weights", weights), _statistic(statistic), _level(level)
    n_boot = check_integer("n_boot", n_boot, minimum=99)
    rng = np.random.default_rng(seed)
    draws = _resampled(x, rng, n_boot, lambda b: _stat(b, statistic, factor, p))
    return _percentile(_stat(x, statistic, factor, p), draws, level, "bootstrap over weight entries")


def regression_slope(log_depths, log_values, *, level: float = 0.95, variance: str = "homoscedastic"):
    r"""Least-squares slope of ``log_values`` ``(..., n)`` on ``log_depths`` ``(n,)`` with its $t_{n-2}$
    interval: ``(slope, lower, upper)``, each of shape ``log_values.shape[:-1]`` (vectorised over networks).

    ``variance="homoscedastic"``: $\widehat{\rm se}^2 = \sum_i e_i^2/((n-2)S_{xx})$ (exact for i.i.d. Gaussian
    residuals $e_i$).  ``variance="hc3"``: the heteroscedasticity-consistent
    $\widehat{\rm se}^2 = \sum_i c_i^2e_i^2/(1 - h_i)^2$, $c_i = (x_i - \bar x)/S_{xx}$, $h_i = 1/n + (x_i - \bar x)^2/S_{xx}$
    (MacKinnon and White 1985), valid whatever the variance of $e_i$ does with the depth; conservative for a few
    depths (module docstring)."""
    if variance not in VARIANCES:
        raise ValueError(f"variance={variance!r} must be one of {VARIANCES}")
    x = np.asarray(log_depths, dtype=float)
    y = np.asarray(log_values, dtype=float)
    n, level = x.size, _level(level)
    if n < 3:
        raise ValueError(f"the regression interval needs at least 3 depths, got {n}")
    xc = x - x.mean()
    sxx = float(xc @ xc)
    slope = (y - y.mean(axis=-1, keepdims=True)) @ xc / sxx
    resid = y - y.mean(axis=-1, keepdims=True) - slope[..., None] * xc
    if variance == "hc3":
        lever = 1.0 / n + xc ** 2 / sxx
        se = np.sqrt(np.einsum("...n,n->...", resid ** 2, (xc / sxx / (1.0 - lever)) ** 2))
    else:
        se = np.sqrt(np.einsum("...n,...n->...", resid, resid) / (n - 2) / sxx)
    half = _st.t.ppf((1 + level) / 2, n - 2) * se
    return slope, slope - half, slope + half


def _depths(weights_by_depth, min_depths: int) -> list[np.ndarray]:
    if isinstance(weights_by_depth, np.ndarray) or not isinstance(weights_by_depth, Sequence):
        raise ValueError("weights_by_depth must be a sequence of arrays (L, ...), one network per depth")  # noqa: TRY004 - the project's convention for bad input
    nets = [_weights(f"weights_by_depth[{i}]", w, min_layers=2) for i, w in enumerate(weights_by_depth)]
    depths = [w.shape[0] for w in nets]
    if len(set(depths)) != len(depths) or len(depths) < min_depths:
        raise ValueError(f"weights_by_depth has depths {depths}; need at least {min_depths} distinct depths")
    if len({w.shape[1] for w in nets}) != 1:
        raise ValueError(f"weights_by_depth: the networks have {[w.shape[1] for w in nets]} entries per layer; "
                         "they must agree")
    return nets


def depths_of(nets) -> list[int]:
    return [w.shape[0] for w in nets]


def depth_slope(weights_by_depth, statistic: str = "max_norm", *, level: float = 0.95, method: str = "regression",
                n_boot: int = 999, seed=0, factor: float = 0.0, p: float = 2.0) -> EstimatorResult:
    r"""Log-log slope $s$ of ``statistic`` over the depths, with a ``method`` interval (module docstring)."""
    statistic, level = _statistic(statistic), _level(level)
    if method not in METHODS:
        raise ValueError(f"method={method!r} must be one of {METHODS}")
    nets = _depths(weights_by_depth, 2 if method == "bootstrap" else 3)
    logl = np.log([w.shape[0] for w in nets])
    scaled = [unit_scaled(w) for w in nets]
    logs = np.array([log_statistic(w, statistic, factor=factor, p=p) for w in nets])
    for L, v in zip(depths_of(nets), logs):
        if v == -math.inf:
            raise ValueError(f"statistic {statistic!r} vanishes at depth {L} (zero or constant weights over the "
                             "layers); its log-log slope is undefined")
        if not math.isfinite(v):
            raise ValueError(f"statistic {statistic!r} is not finite at depth {L} (the weights overflow float64)")
    if method != "bootstrap":
        variance = "hc3" if method == "hc3" else "homoscedastic"
        s, lo, hi = regression_slope(logl, logs, level=level, variance=variance)
        return EstimatorResult(float(s), float(lo), float(hi), level, _METHOD_TEXT[variance])
    n_boot = check_integer("n_boot", n_boot, minimum=99)
    rng = np.random.default_rng(seed)
    xc = logl - logl.mean()
    units = [y for y, _ in scaled]   # each network over its max |entry|; the shift of the slope is added back
    shift = _degree(statistic, p) * np.array([c for _, c in scaled]) @ xc / (xc @ xc)
    with np.errstate(under="ignore"):
        if statistic in ENTRY_SUMS:   # same resampling, O(B m) per depth (estimators_bootstrap)
            draws = bootstrap_slopes([entry_terms(w, statistic) for w in units], [w.shape[0] for w in units],
                                     statistic, n_boot=n_boot, rng=rng) + shift
        else:
            boot = np.stack([np.log(_resampled(w, rng, n_boot, lambda b: _stat(b, statistic, factor, p)))
                             for w in units], axis=-1)
            draws = (boot - boot.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc) + shift
    s = float((logs - logs.mean()) @ xc / (xc @ xc))
    return _percentile(s, draws, level, "least squares, bootstrap over weight entries")


def beta_hat(weights_by_depth, *, level: float = 0.95, method: str = "regression", n_boot: int = 999,
             seed=0) -> EstimatorResult:
    r"""$\hat\beta$: minus the log-log slope of $\max_k\|A_k\|_F$ over the depths (one network per depth)."""
    return depth_slope(weights_by_depth, "max_norm", level=level, method=method, n_boot=n_boot, seed=seed)._negated()


def alpha_hat(deltas_by_depth, *, depths, level: float = 0.95, variance: str = "homoscedastic") -> EstimatorResult:
    r"""$\hat\alpha$: minus the log-log slope of $\max_k|\delta_k|$ over ``depths`` (a shared $\delta$ is one
    value per network; per-layer $\delta$ an array of length $L$); Student-$t$ regression interval."""
    level = _level(level)
    depths = [check_integer(f"depths[{i}]", L, minimum=1) for i, L in enumerate(depths)]
    if len(depths) != len(deltas_by_depth) or len(set(depths)) != len(depths) or len(depths) < 3:
        raise ValueError(f"depths={depths} must be at least 3 distinct depths, one per entry of deltas_by_depth")
    m = np.array([np.max(np.abs(_weights(f"deltas_by_depth[{i}]", np.atleast_1d(d))))
                  for i, d in enumerate(deltas_by_depth)])
    if np.any(m == 0):
        raise ValueError("deltas_by_depth: a network has all delta_k = 0; log|delta| is undefined")
    s, lo, hi = regression_slope(np.log(depths), np.log(m), level=level, variance=variance)
    return EstimatorResult(-float(s), -float(hi), -float(lo), level, _METHOD_TEXT[variance])


def holder_exponent(weights_by_depth, *, level: float = 0.95, variance: str = "homoscedastic") -> EstimatorResult:
    r"""$\hat\gamma = (1 - s_{QV} - 2\hat\beta)/2 = (1 - s)/2$, $s$ the slope of
    $\log QV_L - 2\log\max_k\|A_k\|$ (one regression, so one Student-$t$ interval covers the combination)."""
    level = _level(level)
    nets = _depths(weights_by_depth, 3)
    y = [log_statistic(w, "quadratic_variation") - 2 * log_statistic(w, "max_norm") for w in nets]
    if not all(math.isfinite(v) for v in y):
        raise ValueError("a network has constant (or zero) weights over the layers; its Hoelder exponent is undefined")
    s, lo, hi = regression_slope(np.log([w.shape[0] for w in nets]), np.array(y), level=level, variance=variance)
    return EstimatorResult((1 - float(s)) / 2, (1 - float(hi)) / 2, (1 - float(lo)) / 2, level,
                           _METHOD_TEXT[variance])
