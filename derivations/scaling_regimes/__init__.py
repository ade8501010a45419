"""The ``scaling_regimes`` family: the depth limits of (trained) deep ResNets by how their weights scale
with depth (Cohen, Cont, Rossier and Xu 2021; Cont, Rossier and Xu), starting with the master expansion
and the diffusive regime's Ito SDE (deeplimits reference scaling_regimes.md sections 1 and 4).

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.record import Record
from .diffusive import (
    diffusive_sde_record,
    gaussian_expectation,
    ito_drift,
    moment_rates,
)
from .master import master_expansion_record, taylor_coefficients

FAMILY = "scaling_regimes"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {
    "scaling_regimes.master_expansion": master_expansion_record,
    "scaling_regimes.diffusive_sde": diffusive_sde_record,
}

__all__ = ["FAMILY", "RECORDS", "diffusive_sde_record", "gaussian_expectation", "ito_drift",
           "master_expansion_record", "moment_rates", "taylor_coefficients"]
