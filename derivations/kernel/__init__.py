"""The ``kernel`` family: NNGP and NTK recursions of fully connected and residual networks.

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .finite_width import finite_width_record
from .ntk_fluctuation import ntk_fluctuation_record
from .recursions import B_STD, W_STD, fc_kernel_record, residual_kernel_record

FAMILY = "kernel"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {"kernel.fc": fc_kernel_record, "kernel.residual": residual_kernel_record,
                                             "kernel.finite_width": finite_width_record,
                                             "kernel.ntk_fluctuation": ntk_fluctuation_record}

__all__ = ["B_STD", "FAMILY", "RECORDS", "W_STD", "fc_kernel_record", "finite_width_record", "ntk_fluctuation_record", "residual_kernel_record"]
