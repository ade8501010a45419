"""The catalog: every record by its stable id, gathered from the families' registries.

A theory's name is its record-id prefix and its sub-package in every layer; each
family exports ``RECORDS``, a mapping ``id -> builder``.  Nothing is derived until
a record is asked for (derivations take a fraction of a second to a few seconds
each); :func:`get` then caches it.  ``deeplimits list`` reads each record's
metadata from its generated module, which ``codegen --check`` keeps equal to the
record, so listing derives nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from . import (catapult, covariance_sde, dual, inference, kernel, log_gaussian, mean_field, propagation, resnet_sde,
               scaling_regimes)
from .core.record import Record

__all__ = ["Entry", "FAMILIES", "entries", "get", "ids", "all_records"]


#: family name -> its registry (``id -> builder``), in catalog order.
FAMILIES: dict[str, dict[str, Callable[[], Record]]] = {
    "dual": dual.RECORDS,
    "kernel": kernel.RECORDS,
    "log_gaussian": log_gaussian.RECORDS,
    "covariance_sde": covariance_sde.RECORDS,
    "resnet_sde": resnet_sde.RECORDS,
    "propagation": propagation.RECORDS,
    "inference": inference.RECORDS,
    "scaling_regimes": scaling_regimes.RECORDS,
    "catapult": catapult.RECORDS,
    "mean_field": mean_field.RECORDS,
}


@dataclass(frozen=True)
class Entry:
    """A catalog entry: the id, its family, and how to build the record."""

    id: str
    family: str
    build: Callable[[], Record]


def _entries() -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for family, registry in FAMILIES.items():
        for rid, build in registry.items():
            if rid.partition(".")[0] != family:
                raise AssertionError(f"record id {rid!r} is registered by family {family!r}: ids start with the family")
            if rid in out:
                raise AssertionError(f"record id {rid!r} is registered twice")
            out[rid] = Entry(rid, family, build)
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
