r"""Per-draw summands of moment estimators, so that a variance is a mean of draws.

A claim harness compares means of draws with predictions; :func:`variance_summands` turns a sample
$y_1, \dots, y_n$ into $s_i = \tfrac{n}{n-1}(y_i - \bar y)^2$, whose mean is the unbiased sample variance
and whose standard deviation over $\sqrt n$ is the delta-method standard error
$\sqrt{(m_4 - s^4)/n}$ of that variance (to $O(1/n)$).
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_finite_array

__all__ = ["variance_summands"]


def variance_summands(y) -> np.ndarray:
    r"""$\tfrac{n}{n-1}(y_i - \bar y)^2$ along axis 0 (shape of ``y``, $n \ge 2$).

    >>> variance_summands(np.array([1.0, 3.0])).tolist()
    [2.0, 2.0]
    """
    y = check_finite_array("y", y)
    if y.ndim == 0 or y.shape[0] < 2:
        raise ValueError(f"y has shape {y.shape}; it needs at least 2 draws along axis 0")
    n = y.shape[0]
    return n / (n - 1) * (y - y.mean(0)) ** 2
