r"""The ``resnet_sde`` family: infinitely deep (and doubly infinite) ResNets as diffusions.

Peluchetti and Favaro, "Infinitely deep neural networks as diffusion processes",
AISTATS 2020 (arXiv 1905.11065); "Doubly infinite residual neural networks: a
diffusion process approach", JMLR 22(175), 2021 (arXiv 2007.03253).

Modules, one concept each (none imports this package, so there is no circle):

* :mod:`.general`: the shared parameters and the general SDE limit (Theorem 2),
  derived by expanding the block in $\sqrt{\Delta t}$; the shipped $(\phi, \psi)$ pairs;
* :mod:`.ito`: Ito calculus of the i.i.d. diffusion for several inputs;
* :mod:`.closed_forms`: linear blocks, the geometric Brownian motion of the norm, its
  moments, the backward (Jacobian) SDE, convolutional ResNets;
* :mod:`.doubly_infinite`: the deterministic doubly infinite limit, two-input laws, the NTK,
  the width-first kernel ODE.

:data:`RECORDS` maps every record id of the family to its builder (nothing is derived
until a builder is called); the catalog gathers it with the other families' registries.
"""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .closed_forms import *  # noqa: F401,F403 - the family's public names
from .closed_forms import (__all__ as _closed_all, backward_record, conv_record, linear_record, norm_gbm_record,
                           norm_moments_record)
from .doubly_infinite import *  # noqa: F401,F403
from .doubly_infinite import (__all__ as _doubly_all, deterministic_limit_record, ntk_record, two_input_law_record,
                              width_first_record)
from .general import *  # noqa: F401,F403
from .general import (SHIPPED, __all__ as _general_all, check_corollaries, check_theorem2, relu_outer_drift_rate,  # noqa: F401
                      resnet_sde_general_record, resnet_sde_record, specialise)
from .ito import IidDiffusion, iid_diffusion  # noqa: F401

FAMILY = "resnet_sde"


def _registry() -> dict[str, Callable[[], Record]]:
    out: dict[str, Callable[[], Record]] = {"resnet_sde.general": resnet_sde_general_record}
    for a, b in SHIPPED:
        out[f"resnet_sde.{a}_{b}"] = (lambda a=a, b=b: resnet_sde_record(a, b))
    for rid, build in (("linear", linear_record), ("norm_gbm", norm_gbm_record), ("norm_moments", norm_moments_record),
                       ("backward", backward_record), ("conv", conv_record),
                       ("doubly_infinite", deterministic_limit_record), ("two_input_law", two_input_law_record),
                       ("ntk", ntk_record), ("width_first", width_first_record)):
        out[f"resnet_sde.{rid}"] = build
    return out


#: ``record id -> builder`` for every record of the family; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = _registry()


def resnet_sde_builders() -> dict[str, Callable[[], Record]]:
    """``id -> builder`` of every record of the family (a copy of :data:`RECORDS`)."""
    return dict(RECORDS)


def resnet_sde_records() -> list[Record]:
    """Every record of the family, derived, in :data:`RECORDS` order."""
    return [build() for build in RECORDS.values()]


__all__ = sorted({*_general_all, *_closed_all, *_doubly_all, "IidDiffusion", "iid_diffusion", "RECORDS", "FAMILY",
                  "check_corollaries", "check_theorem2", "relu_outer_drift_rate", "specialise",
                  "resnet_sde_builders", "resnet_sde_records"})
