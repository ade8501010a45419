r"""The whole prediction times a factor $s$, whatever shape a check's prediction has.

* a number or an array (a mean, a limit, an exponent of a :class:`~verify.core.Rate`, draws of a
  limit law for a :class:`~verify.core.TwoSampleLaw`): $s\,x$;
* an :class:`~verify.core.Estimate` (a Monte Carlo prediction): value $s\,x$, standard error $|s|\,\sigma$;
* a callable, the CDF $F$ of a :class:`~verify.core.Law`: the law of $sX$, $x \mapsto F(x/s)$ ($s > 0$);
* a mapping, list or tuple: each entry scaled;
* an object with a ``scaled(factor)`` method (a law that knows how to scale itself): ``value.scaled(s)``.

Anything else raises ``ValueError`` naming its type (a prediction the mutants cannot scale).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..core.checks import Estimate

__all__ = ["scaled"]


@dataclass(frozen=True)
class _ScaledLaw:
    """The CDF of $sX$ when ``cdf`` is that of $X$ ($s > 0$)."""

    cdf: Callable
    factor: float

    def __call__(self, x):
        return self.cdf(np.asarray(x, dtype=float) / self.factor)


def scaled(value: Any, factor: float) -> Any:
    """``value`` times ``factor`` (see the module docstring)."""
    if not (isinstance(factor, float) and np.isfinite(factor) and factor > 0):
        raise ValueError(f"factor={factor!r} must be a finite float > 0")
    if isinstance(value, Estimate):
        return Estimate(scaled(value.value, factor), np.abs(factor) * np.asarray(value.stderr, dtype=float))
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"a prediction of type {type(value).__name__} cannot be scaled")
    if isinstance(value, (int, float, np.number)):
        return factor * float(value)
    if isinstance(value, np.ndarray):
        if not np.issubdtype(value.dtype, np.number):
            raise ValueError(f"an array prediction of dtype {value.dtype} cannot be scaled")
        return factor * value.astype(float)
    if isinstance(value, Mapping):
        return {k: scaled(v, factor) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scaled(v, factor) for v in value) if type(value) in (list, tuple) else \
            [scaled(v, factor) for v in value]
    if callable(getattr(value, "scaled", None)):  # a law object that scales itself (numerics.log_gaussian.output_law)
        return value.scaled(factor)
    if callable(value):
        return _ScaledLaw(value, factor)
    raise ValueError(f"a prediction of type {type(value).__name__} cannot be scaled")
