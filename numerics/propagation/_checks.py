"""Eager validation of the variances shared by the propagation numerics."""

from __future__ import annotations

import numpy as np

__all__ = ["check_variance"]


def check_variance(name: str, value, *, positive: bool) -> np.ndarray:
    """``value`` as a float64 array; ``ValueError`` naming ``name``, the value and the range otherwise."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~np.isfinite(arr) | ((arr <= 0) if positive else (arr < 0))
    if np.any(bad):
        allowed = "(0, inf)" if positive else "[0, inf)"
        raise ValueError(f"{name}={float(arr[bad].flat[0])!r} is outside the allowed range {allowed}")
    return arr
