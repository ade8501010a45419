"""Eager validation with messages that name the parameter, the value and the allowed range."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_in_domain", "check_finite_array", "check_covariance", "check_integer", "check_scalar"]

#: Relative slack allowed on |c| <= sqrt(q1 q2), for rounding in the caller.
COVARIANCE_SLACK = 1e-12


def _first_bad(values: np.ndarray, bad: np.ndarray):
    idx = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
    return values[idx] if values.ndim else values, idx


def _where(idx) -> str:
    return f" at index {tuple(int(i) for i in idx)}" if idx else ""


def check_in_domain(name: str, value, domain: dict):
    """``value`` (scalar or array) must lie in ``domain`` (the ``as_dict`` form of a Domain)."""
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, np.ndarray) else value.astype(np.float64, copy=False)
    low, high = domain["low"], domain["high"]
    lo_closed, hi_closed = domain["closed"]
    interval = f"{'[' if lo_closed and math.isfinite(low) else '('}{low}, {high}{']' if hi_closed and math.isfinite(high) else ')'}"
    bad = np.isnan(arr)
    bad |= (arr < low) if lo_closed else (arr <= low)
    bad |= (arr > high) if hi_closed else (arr >= high)
    if domain.get("integer"):
        bad |= arr != np.round(arr)
        interval = "integers in " + interval
    if bad.any():
        v, idx = _first_bad(arr, bad)
        raise ValueError(f"{name}={float(v)!r}{_where(idx)} is outside the allowed range {interval}")
    return arr


def check_finite_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers, got {type(value).__name__}: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        v, idx = _first_bad(arr, bad)
        raise ValueError(f"{name}={float(v)!r}{_where(idx)} is not finite; allowed range (-inf, inf)")
    return arr


def check_covariance(q1, q2, c):
    """q1, q2 >= 0 and |c| <= sqrt(q1 q2) up to rounding; all finite (NaN rejected)."""
    q1 = check_in_domain("q1", q1, {"low": 0.0, "high": math.inf, "closed": [True, False]})
    q2 = check_in_domain("q2", q2, {"low": 0.0, "high": math.inf, "closed": [True, False]})
    c = check_finite_array("c", c)
    bound = np.sqrt(q1) * np.sqrt(q2)
    bad = np.abs(c) > bound * (1 + COVARIANCE_SLACK)
    if bad.any():
        shape = np.broadcast_shapes(np.shape(c), np.shape(bound))
        cb, bb, badb = (np.broadcast_to(a, shape) for a in (c, bound, bad))
        v, idx = _first_bad(cb, badb)
        limit = bb[idx] if bb.ndim else bb
        raise ValueError(
            f"c={float(v)!r}{_where(idx)} is outside the allowed range |c| <= sqrt(q1*q2) = {float(limit)!r} "
            "(a covariance cannot exceed the product of standard deviations)"
        )
    return q1, q2, c


def check_integer(name: str, value, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer() and not isinstance(value, bool):
            value = int(value)
        else:
            raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value!r} is outside the allowed range: integers >= {minimum}")
    return int(value)


def check_scalar(name: str, value, *, low: float = -math.inf, high: float = math.inf, closed=(True, True)) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}={value!r} must be a real number")
    check_in_domain(name, float(value), {"low": low, "high": high, "closed": list(closed)})
    return float(value)
