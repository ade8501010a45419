"""The ``propagation`` family: deep information propagation (length and correlation maps,
fixed points, chi_1, depth scales, the order-to-chaos critical line; ReLU in closed form).

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .maps import SIGMA_B2, SIGMA_W2, critical_line_record, maps_record
from .relu import critical_approach_coefficients, relu_record

FAMILY = "propagation"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {
    "propagation.maps": maps_record,
    "propagation.critical_line": critical_line_record,
    "propagation.relu": relu_record,
}

__all__ = ["FAMILY", "RECORDS", "SIGMA_B2", "SIGMA_W2", "critical_approach_coefficients", "critical_line_record",
           "maps_record", "relu_record"]
