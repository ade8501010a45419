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
from .covariance_sde import SMOOTH_ACTIVATIONS, covariance_sde_record, shaped_relu_sde_record
from .kernel_recursions import fc_kernel_record, residual_kernel_record
from .log_gaussian import fc_linear_record, fc_relu_record
from .log_gaussian_resnet import balanced_resnet_record, standard_resnet_record
from .record import Record
from .resnet_sde import RECORDS as RESNET_SDE_RECORDS

__all__ = ["Entry", "entries", "get", "ids", "all_records"]


@dataclass(frozen=True)
class Entry:
    """A catalog entry: the id and how to build the record.

    ``title``, ``source`` and ``parameter_names`` are declared where they are
    known without deriving (empty otherwise); ``deeplimits list`` reads the
    full metadata from the generated modules, which ``codegen --check`` keeps
    equal to the records.
    """

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
    # Depth-and-width records: metadata declared here, derivations run on first use (seconds each).
    _lg = "Hanin and Nica, Comm. Math. Phys. 376:287-322 (2020)"
    _lnr21 = "Li, Nica and Roy, NeurIPS 2021 (architecture inferred)"
    _lnr22 = "Li, Nica and Roy, NeurIPS 2022"
    lazy = [
        ("log_gaussian.fc_relu", "Log-normal squared norm of a deep and wide He-ReLU network", _lg,
         ("n", "d", "beta", "sigma2", "n_out"), fc_relu_record),
        ("log_gaussian.fc_linear", "Log-normal squared norm of a deep and wide linear network", _lg,
         ("n", "d", "beta"), fc_linear_record),
        ("log_gaussian.resnet_balanced", "Log-Gaussian squared norm of a balanced ReLU ResNet", _lnr21,
         ("lmbda", "beta"), balanced_resnet_record),
        ("log_gaussian.resnet_standard",
         "Log-Gaussian squared norm, hypoactivation and interlayer correlations of a ReLU ResNet", _lnr21,
         ("lmbda", "beta", "n", "d", "lag", "rho"), standard_resnet_record),
        ("covariance_sde.shaped_relu", "Neural covariance SDE of a shaped ReLU network", _lnr22,
         ("c_plus", "c_minus", "rho", "Phi_aa", "Phi_bb", "Phi_ac", "Phi_bd", "Phi_ad", "Phi_bc", "Phi0", "T"),
         shaped_relu_sde_record),
    ]
    for name, (phi, title) in SMOOTH_ACTIVATIONS.items():
        lazy.append((f"covariance_sde.{name}", title, _lnr22, ("Phi_aa", "Phi_bb", "Phi_ab", "Phi", "a"),
                     (lambda phi=phi, name=name, title=title: covariance_sde_record(phi, name=name, title=title))))
    for rid, title, source, names, build in lazy:
        out[rid] = Entry(rid, title, source, names, build)
    # Infinitely deep ResNets as diffusions (Peluchetti and Favaro): derived on first use.
    for rid, build in RESNET_SDE_RECORDS.items():
        out[rid] = Entry(rid, "", "", (), build)
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
