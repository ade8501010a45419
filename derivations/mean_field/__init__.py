"""The ``mean_field`` family: two-layer networks in the mean-field scaling (Mei, Montanari and Nguyen 2018),
the risk functional of a closed-form example and its reduced distributional dynamics (deeplimits reference
wide_limits.md section 5).

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.record import Record
from .reduced_flow import reduced_flow_record, reduced_rates, reduced_step
from .risk_functional import (
    activation_dual,
    interaction_potential,
    potential,
    risk_functional_record,
)

FAMILY = "mean_field"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {
    "mean_field.risk_functional": risk_functional_record,
    "mean_field.reduced_flow": reduced_flow_record,
}

__all__ = ["FAMILY", "RECORDS", "activation_dual", "interaction_potential", "potential", "reduced_flow_record",
           "reduced_rates", "reduced_step", "risk_functional_record"]
