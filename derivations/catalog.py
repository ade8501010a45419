"""The catalog: every record by its stable id, built lazily.

Listing needs only each entry's metadata; a record's expressions are derived
the first time it is asked for (derivations take a fraction of a second to a
few seconds each) and then cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .activations import ACTIVATIONS
from .duals import dual_record
from .kernel_recursions import fc_kernel_record, residual_kernel_record
from .record import Record

__all__ = ["Entry", "entries", "get", "ids", "all_records"]


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str
    parameter_names: tuple[str, ...]
    build: Callable[[], Record]


def _entries() -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for name, spec in ACTIVATIONS.items():
        out[f"dual.{name}"] = Entry(
            f"dual.{name}", f"{spec.title}: dual activation", spec.source,
            ("q1", "q2", "c", "q", "x") + tuple(p.name for p in spec.parameters),
            (lambda s=spec: dual_record(s)),
        )
    for build in (fc_kernel_record, residual_kernel_record):
        rec = build()
        out[rec.id] = Entry(rec.id, rec.title, rec.source, tuple(p.name for p in rec.parameters), build)
    return out


_ENTRIES = _entries()


def entries() -> list[Entry]:
    return list(_ENTRIES.values())


def ids() -> list[str]:
    return list(_ENTRIES)


@lru_cache(maxsize=None)
def get(record_id: str) -> Record:
    """The record with this id (derived on first use)."""
    try:
        entry = _ENTRIES[record_id]
    except KeyError:
        raise ValueError(f"unknown record id {record_id!r}; `deeplimits list` shows the {len(_ENTRIES)} known ids") from None
    return entry.build()


def all_records() -> list[Record]:
    return [get(i) for i in _ENTRIES]
