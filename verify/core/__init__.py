"""The claim harness: the public way to state and check a theorem about wide or deep networks.

>>> from verify.core import theorem, Exact, integer, real   # doctest: +SKIP

See :mod:`verify.core.theorem` for what the harness does and ``docs/adding_a_theorem.md``
for a worked example.  Check kinds: :class:`Exact`, :class:`Extrapolated`, :class:`Law`,
:class:`Rate`, :class:`Deterministic`, :class:`TwoSampleLaw`; several checks may read one
:class:`Simulation`; a Monte Carlo prediction returns an :class:`Estimate`.
"""

from .claim import Claim, ClaimResult, check
from .activations import user_activation
from .checks import Check, Custom, Deterministic, Estimate, Exact, Extrapolated, Law, Rate, TwoSampleLaw
from .evaluate import CheckOutcome, PowerRow
from .loading import load_claims
from .parameters import choice, integer, real
from .simulation import Simulation
from .theorem import predictions, theorem

__all__ = ["Check", "CheckOutcome", "Claim", "Custom", "ClaimResult", "Deterministic", "Estimate", "Exact", "Extrapolated",
           "Law", "PowerRow", "Rate", "Simulation", "TwoSampleLaw", "check", "choice", "integer", "load_claims", "predictions", "real", "theorem", "user_activation"]
