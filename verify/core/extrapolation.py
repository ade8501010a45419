r"""Finite-size bias by extrapolation in $1/n$.

Given independent estimates $m_i$ with standard errors $\sigma_i$ at sizes $n_i$,
fit $m(n) = a + \sum_{k=1}^{K} b_k n^{-k}$ by weighted least squares.  The
intercept $\hat a$ estimates the infinite-size limit, with standard error
$\sqrt{[(X^\top W X)^{-1}]_{00}}$ from the *known* variances; a z-test of
$\hat a$ against the prediction then has the stated false-failure rate,
provided the truncation error $O(n_{\min}^{-K-1})$ is negligible against
$\operatorname{SE}(\hat a)$ (the claims choose $n_{\min}$ for that, and say so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .stats import TestResult, min_discrepancy_mean, z_threshold

__all__ = ["Extrapolation", "assert_limit", "extrapolate"]


@dataclass(frozen=True)
class Extrapolation:
    intercept: float
    stderr: float
    coefficients: np.ndarray  # b_1..b_K


def extrapolate(sizes, estimates, stderrs, *, order: int = 2) -> Extrapolation:
    """Weighted least-squares fit of ``estimates`` by a polynomial of degree ``order`` in 1/size."""
    n = np.asarray(sizes, dtype=float)
    m = np.asarray(estimates, dtype=float)
    se = np.asarray(stderrs, dtype=float)
    if not (n.shape == m.shape == se.shape and n.ndim == 1):
        raise ValueError(f"sizes, estimates and stderrs must be 1-D of one length, got {n.shape}, {m.shape}, {se.shape}")
    if len(n) <= order:
        raise ValueError(f"order={order} needs more than {order} sizes, got {len(n)}")
    if np.any(n <= 0) or np.any(se <= 0):
        raise ValueError("sizes and stderrs must be positive")
    X = np.vander(1.0 / n, order + 1, increasing=True)
    w = 1.0 / se**2
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = cov @ (X.T @ (w * m))
    return Extrapolation(float(beta[0]), float(np.sqrt(cov[0, 0])), beta[1:])


def assert_limit(sizes, estimates, stderrs, predicted: float, *, false_fail_rate: float, order: int = 2,
                 n_samples: int = 0, false_pass_rate: float = 1e-6, predicted_stderr: float = 0.0,
                 bias_tol: float = 0.0, variable: str = "1/n") -> TestResult:
    r"""z-test of the extrapolated intercept against ``predicted``.

    ``predicted_stderr`` is the standard error of a prediction that is itself a Monte
    Carlo estimate (e.g. an SDE solved over many paths), independent of the estimates;
    the z-statistic then uses $\sqrt{SE(\hat a)^2 + SE_{pred}^2}$.  ``variable`` names
    $1/\text{size}$ in the message (e.g. ``"n^-1/2"`` when the sizes passed are $\sqrt n$).

    ``bias_tol`` is a stated bound on the truncation of the fit (a measured finite-size remainder, say);
    the test passes iff $|\hat a - \text{predicted}| \le z\,SE + $ ``bias_tol``, so a true bias up to
    ``bias_tol`` keeps the false-failure rate at most ``false_fail_rate``; the detectable discrepancy grows by
    ``bias_tol``.
    """
    if not (predicted_stderr >= 0 and np.isfinite(predicted_stderr)):
        raise ValueError(f"predicted_stderr={predicted_stderr!r} must be finite and >= 0")
    if not (bias_tol >= 0 and np.isfinite(bias_tol)):
        raise ValueError(f"bias_tol={bias_tol!r} must be finite and >= 0")
    fit = extrapolate(sizes, estimates, stderrs, order=order)
    fit = Extrapolation(fit.intercept, float(np.hypot(fit.stderr, predicted_stderr)), fit.coefficients)
    z = z_threshold(false_fail_rate)
    stat = max(abs(fit.intercept - predicted) - bias_tol, 0.0) / fit.stderr
    tol_note = f" after bias_tol {bias_tol:.2g}" if bias_tol else ""
    return TestResult(
        passed=bool(stat <= z),
        statistic=float(stat),
        threshold=float(z),
        false_fail_rate=false_fail_rate,
        detectable_discrepancy=float(min_discrepancy_mean(fit.stderr, false_fail_rate=false_fail_rate,
                                                          false_pass_rate=false_pass_rate)) + bias_tol,
        n_samples=int(n_samples),
        observed=fit.intercept,
        predicted=float(predicted),
        detail=(f"extrapolated limit {fit.intercept:.6g} +- {fit.stderr:.2g} (order {order} in {variable} over sizes "
                f"[{', '.join(f'{float(v):.4g}' for v in sizes)}]) vs predicted {predicted:.6g}: |z|{tol_note} = {stat:.2f}, threshold {z:.2f}"),
    )
