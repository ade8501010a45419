"""Verification layer of deeplimits: statistics with stated error rates, claims, reports and the CLI.

``verify.check(claim, profile="quick")`` runs a :class:`~verify.claims.Claim`;
``verify.claims.CLAIMS`` holds the shipped ones, one module per theory.
"""

__all__ = ["PROFILES", "Claim", "ClaimResult", "Profile", "check"]


def __getattr__(name: str):
    """Import the harness on first use, so that ``deeplimits --help`` does not load SciPy and hypothesis."""
    if name in __all__:
        from .core import claim

        return getattr(claim, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
