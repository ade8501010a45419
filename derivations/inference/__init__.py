"""The ``inference`` family: exact inference with the NNGP and the NTK (Lee et al. 2019).

Gradient-flow and gradient-descent ensembles trained on MSE, the stability threshold
of the learning rate and the Bayesian NNGP posterior, written per eigenmode of the
train-train kernel (the form the numerics evaluate).

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .doubly_infinite import doubly_infinite_record
from .spectral import linearised_record, posterior_record

FAMILY = "inference"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {
    "inference.linearised": linearised_record,
    "inference.posterior": posterior_record,
    "inference.doubly_infinite": doubly_infinite_record,
}

__all__ = ["FAMILY", "RECORDS", "doubly_infinite_record", "linearised_record", "posterior_record"]
