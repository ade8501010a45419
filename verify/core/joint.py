r"""Several statistical checks as one: the union bound over their false-failure rates.

A claim often tests a few quantities at once (a mean and a variance; a CDF at
several points).  Each sub-check gets its share of the claim's rate, and
:func:`all_of` reports them as one :class:`~verify.core.stats.TestResult` whose
statistic is the worst ratio ``statistic / threshold`` (so it passes iff every
sub-check passes, at threshold 1) and whose false-failure rate is the sum of
the parts' (Bonferroni: $P(\text{any false failure}) \le \sum_i \alpha_i$).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .stats import TestResult

__all__ = ["all_of"]


def all_of(results: Sequence[TestResult], *, names: Sequence[str] | None = None,
           data: Mapping | None = None) -> TestResult:
    """One verdict from several :class:`TestResult` s (see the module docstring)."""
    if not results:
        raise ValueError("all_of needs at least one result, got none")
    names = list(names) if names is not None else [str(i) for i in range(len(results))]
    if len(names) != len(results):
        raise ValueError(f"names has {len(names)} entries for {len(results)} results")
    ratios = [r.statistic / r.threshold if r.threshold > 0 else (0.0 if r.passed else np.inf) for r in results]
    worst = int(np.argmax(ratios))
    detail = "; ".join(f"{n}: {'ok' if r.passed else 'REJECTED'} ({r.detail})" for n, r in zip(names, results))
    return TestResult(
        passed=all(r.passed for r in results),
        statistic=float(ratios[worst]),
        threshold=1.0,
        false_fail_rate=float(sum(r.false_fail_rate for r in results)),
        detectable_discrepancy=float(max(r.detectable_discrepancy for r in results)),
        n_samples=int(max(r.n_samples for r in results)),
        observed=np.array([np.asarray(r.observed, dtype=float).ravel()[0] for r in results]),
        predicted=np.array([np.asarray(r.predicted, dtype=float).ravel()[0] for r in results]),
        detail=f"worst: {names[worst]}; " + detail,
        data=dict(data or {}),
    )
