"""The ``dual`` family: the activation catalog (:mod:`.activations`) and their dual activations,
derived by the routes of :mod:`.duals` (Price's theorem, the Gaussian MGF, Price chains, or a
numerical fallback).  :data:`RECORDS` maps each ``dual.<name>`` id to its builder."""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .activations import ACTIVATIONS, ActivationSpec, activation_spec
from .duals import custom_activation, derive_dual, dual_record

FAMILY = "dual"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {f"dual.{name}": (lambda s=spec: dual_record(s, budget_s=None))
                                            for name, spec in ACTIVATIONS.items()}

__all__ = ["ACTIVATIONS", "ActivationSpec", "FAMILY", "RECORDS", "activation_spec", "custom_activation",
           "derive_dual", "dual_record"]
