"""The ``scaling_regimes`` family: the depth limits of (trained) deep ResNets by how their weights scale
with depth (Cohen, Cont, Rossier and Xu 2021; Cont, Rossier and Xu), the master expansion, the
regime table (smooth weights F1-F5, diffusive weights with a vanishing delta F6-F8, ReLU F9-F10), the diffusive
regime's Ito SDE and the backpropagation limits (deeplimits reference scaling_regimes.md sections 1, 4 and 5).

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.record import Record
from .backward import backward_drift, backward_record
from .diffusive import (
    diffusive_sde_record,
    gaussian_expectation,
    ito_drift,
    moment_rates,
)
from .master import master_expansion_record, taylor_coefficients
from .regimes import diffusive_delta_record, expansion_exponents, smooth_weights_record
from .relu import relu_gaussian_moments, relu_random_sign_record

FAMILY = "scaling_regimes"

#: ``record id -> builder``; nothing is derived until called.
RECORDS: dict[str, Callable[[], Record]] = {
    "scaling_regimes.master_expansion": master_expansion_record,
    "scaling_regimes.diffusive_sde": diffusive_sde_record,
    "scaling_regimes.smooth_weights": smooth_weights_record,
    "scaling_regimes.diffusive_delta": diffusive_delta_record,
    "scaling_regimes.relu_random_sign": relu_random_sign_record,
    "scaling_regimes.backward": backward_record,
}

__all__ = ["FAMILY", "RECORDS", "backward_drift", "backward_record", "diffusive_delta_record", "diffusive_sde_record",
           "expansion_exponents", "gaussian_expectation", "ito_drift", "master_expansion_record", "moment_rates",
           "relu_gaussian_moments", "relu_random_sign_record", "smooth_weights_record", "taylor_coefficients"]
