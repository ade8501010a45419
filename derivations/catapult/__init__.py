"""The ``catapult`` family: large learning rates beyond the kernel regime (Lewkowycz, Bahri, Dyer,
Sohl-Dickstein and Gur-Ari 2020), starting with the uv model's exact updates and phases (deeplimits reference
wide_limits.md section 4).

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.record import Record
from .gradient_step import gram_reduce, uv_step_in_invariants
from .uv_model import scaled_map, uv_phases_record, uv_updates_record

FAMILY = "catapult"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {
    "catapult.uv_updates": uv_updates_record,
    "catapult.uv_phases": uv_phases_record,
}

__all__ = ["FAMILY", "RECORDS", "gram_reduce", "scaled_map", "uv_phases_record", "uv_step_in_invariants",
           "uv_updates_record"]
