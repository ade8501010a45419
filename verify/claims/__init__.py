"""The shipped claims, one module per theory (named like its record-id prefix).

``verify.claims.CLAIMS`` maps each claim id to its :class:`~verify.core.claim.Claim`, in report
order; each family module exports its ``CLAIMS`` tuple.  The harness itself
(:class:`Claim`, :func:`check`, profiles) lives in :mod:`verify.core` and is re-exported here.
"""

from __future__ import annotations

from ..core.claim import PROFILES, Claim, ClaimResult, Profile, check
from . import (catapult, covariance_sde, dual, inference, kernel, log_gaussian, mean_field, propagation, resnet_sde,
               scaling_regimes)

__all__ = ["CLAIMS", "FAMILIES", "PROFILES", "Claim", "ClaimResult", "Profile", "check", "get_claim"]

#: family name -> its module, in report order.
FAMILIES = {"dual": dual, "kernel": kernel, "log_gaussian": log_gaussian, "covariance_sde": covariance_sde,
            "resnet_sde": resnet_sde, "propagation": propagation, "inference": inference,
            "scaling_regimes": scaling_regimes, "catapult": catapult, "mean_field": mean_field}


def _gather() -> dict[str, Claim]:
    order = [dual.DUAL_CLAIM, *kernel.CLAIMS, dual.PRICE_CLAIM, *log_gaussian.CLAIMS, *covariance_sde.CLAIMS,
             *resnet_sde.CLAIMS, *propagation.CLAIMS, *inference.CLAIMS,
             *scaling_regimes.CLAIMS, *catapult.CLAIMS, *mean_field.CLAIMS]
    out = {c.id: c for c in order}
    every = {c.id for module in FAMILIES.values() for c in module.CLAIMS}
    if set(out) != every or len(out) != len(order):
        raise AssertionError("the report order must list every family's claims exactly once")
    return out


CLAIMS: dict[str, Claim] = _gather()


def get_claim(claim_id: str) -> Claim:
    """The shipped claim with this id (``ValueError`` naming the known ids otherwise)."""
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise ValueError(f"unknown claim {claim_id!r}; known claims: {', '.join(CLAIMS)}") from None
