"""Verification layer of deeplimits: statistics with stated error rates, claims, reports and the CLI.

``verify.check(claim, profile="quick")`` runs a :class:`~verify.claims.Claim`;
``verify.claims.CLAIMS`` holds the shipped ones, one module per theory.
"""

from .core.claim import PROFILES, Claim, ClaimResult, Profile, check

__all__ = ["check", "Claim", "ClaimResult", "Profile", "PROFILES"]
