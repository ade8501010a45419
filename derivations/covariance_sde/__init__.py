r"""The ``covariance_sde`` family: the neural covariance SDE of shaped MLPs (Li, Nica and Roy 2022).

:mod:`.shaped` derives the drift and diffusion for shaped ReLU and for smooth shaped activations
$\varphi_s(x) = s\varphi(x/s)$; :mod:`.finite_width` the exact finite-width law of the shaped-ReLU log-norm; :data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .finite_width import finite_width_log_norm_record
from .shaped import (SMOOTH_ACTIVATIONS, covariance_sde_record, ito_correlation, shaped_relu_sde_record, smooth_drift,
                     wishart_covariance)

FAMILY = "covariance_sde"


def _registry() -> dict[str, Callable[[], Record]]:
    out: dict[str, Callable[[], Record]] = {"covariance_sde.shaped_relu": shaped_relu_sde_record,
                                            "covariance_sde.shaped_relu_finite_width": finite_width_log_norm_record}
    for name, (phi, title) in SMOOTH_ACTIVATIONS.items():
        out[f"covariance_sde.{name}"] = (lambda phi=phi, name=name, title=title:
                                         covariance_sde_record(phi, name=name, title=title))
    return out


#: ``record id -> builder``; nothing is derived until called (seconds each).
RECORDS: dict[str, Callable[[], Record]] = _registry()

__all__ = ["FAMILY", "RECORDS", "SMOOTH_ACTIVATIONS", "covariance_sde_record", "finite_width_log_norm_record",
           "ito_correlation",
           "shaped_relu_sde_record", "smooth_drift", "wishart_covariance"]
