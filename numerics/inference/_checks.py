"""Eager validation of kernels, targets, learning rates, times and ridges."""

from __future__ import annotations

import numpy as np

__all__ = ["as_kernel", "as_cross", "as_targets", "as_times", "nonneg_scalar", "PSD_RTOL"]

#: an eigenvalue below ``-PSD_RTOL * n * max|eig|`` makes a kernel "not PSD" (rounding allows more in size n).
PSD_RTOL = 1e-10


def as_kernel(name: str, k, *, decompose: bool = True):
    """``k`` as a float64 symmetric PSD matrix; returns ``(k, evals, evecs)`` of ``eigh`` (``decompose=False``:
    ``(k, None, None)``, PSD checked by a Cholesky factor of ``k + |floor| I``, a third of the work)."""
    k = np.asarray(k, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {k.shape}")
    if not np.all(np.isfinite(k)):
        raise ValueError(f"{name} must be finite, got a non-finite entry")
    scale = float(np.max(np.abs(k))) or 1.0
    asym = float(np.max(np.abs(k - k.T)))
    if asym > 1e-12 * scale:
        raise ValueError(f"{name} must be symmetric, got max |K - K^T| = {asym:.3g} (allowed <= {1e-12 * scale:.3g})")
    if not decompose:
        # a PSD k has max|eig| >= max|k_ij| = scale, so this shift is at most the allowed floor below: a factor
        # proves PSD-within-the-floor; without one the eigenvalues decide (the same verdict as decompose=True)
        shift = PSD_RTOL * k.shape[0] * scale
        try:
            np.linalg.cholesky(0.5 * (k + k.T) + shift * np.eye(k.shape[0]))
            return k, None, None
        except np.linalg.LinAlgError:
            pass   # not PSD within the floor: report the eigenvalue below
    evals, evecs = np.linalg.eigh(0.5 * (k + k.T))
    floor = -PSD_RTOL * k.shape[0] * max(float(np.max(np.abs(evals))), 1e-300)
    if evals[0] < floor:
        raise ValueError(f"{name} must be positive semidefinite, got smallest eigenvalue {evals[0]:.6g} "
                         f"(allowed >= {floor:.3g})")
    return k, evals, evecs


def as_cross(name: str, k, n_train: int) -> np.ndarray:
    k = np.asarray(k, dtype=np.float64)
    if k.ndim != 2 or k.shape[1] != n_train:
        raise ValueError(f"{name} must have shape (n_test, {n_train}), got {k.shape}")
    if not np.all(np.isfinite(k)):
        raise ValueError(f"{name} must be finite, got a non-finite entry")
    return k


def as_targets(y, n_train: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != n_train:
        raise ValueError(f"y_train must have shape ({n_train},) or ({n_train}, n_outputs), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y_train must be finite, got a non-finite entry")
    return y


def as_times(name: str, t) -> np.ndarray:
    """Times (or step counts) as a 1-d float64 array in ``[0, inf]``."""
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if t.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array, got shape {t.shape}")
    bad = np.isnan(t) | (t < 0)
    if np.any(bad):
        raise ValueError(f"{name} must lie in [0, inf], got {float(t[bad][0])!r}")
    return t


def nonneg_scalar(name: str, x, *, allow_inf: bool = False) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number in [0, inf), got {x!r}") from None
    if not (x >= 0) or (np.isinf(x) and not allow_inf):
        raise ValueError(f"{name} must lie in [0, inf), got {x!r}")
    return x
