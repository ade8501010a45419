"""Verification layer of deeplimits: statistics with stated error rates, claims, reports and the CLI.

``verify.check(claim, profile="quick")`` runs a :class:`~verify.claims.Claim`;
``verify.claim_catalog.CLAIMS`` holds the shipped ones.
"""

from .claims import PROFILES, Claim, ClaimResult, Profile, check

__all__ = ["check", "Claim", "ClaimResult", "Profile", "PROFILES"]
