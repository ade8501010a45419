r"""The ``log_gaussian`` family: deep and wide networks with $d/n \to \beta$ (Hanin and Nica; Li, Nica and Roy 2021).

* :mod:`.fc`: exact finite-width log-moments and the log-normal limit of fully connected ReLU and linear nets;
* :mod:`.resnet`: log-Gaussian laws, hypoactivation and interlayer correlations of ReLU ResNets.

:data:`RECORDS` maps each record id of the family to its builder.
"""

from __future__ import annotations

from typing import Callable

from ..core.record import Record
from .fc import BETA, DEPTH, WIDTH, digamma_minus_log, fc_linear_record, fc_relu_record
from .resnet import balanced_resnet_record, hermite_check, relu_square_dual, standard_resnet_record

FAMILY = "log_gaussian"

#: ``record id -> builder``; nothing is derived until called (seconds each).
RECORDS: dict[str, Callable[[], Record]] = {
    "log_gaussian.fc_relu": fc_relu_record,
    "log_gaussian.fc_linear": fc_linear_record,
    "log_gaussian.resnet_balanced": balanced_resnet_record,
    "log_gaussian.resnet_standard": standard_resnet_record,
}

__all__ = ["BETA", "DEPTH", "FAMILY", "RECORDS", "WIDTH", "balanced_resnet_record", "digamma_minus_log",
           "fc_linear_record", "fc_relu_record", "hermite_check", "relu_square_dual", "standard_resnet_record"]
