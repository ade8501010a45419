"""What mutation testing found: one :class:`MutantOutcome` per planted mutant, one :class:`MutationReport` per claim."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["EXCLUDED", "MutantOutcome", "MutationReport"]

#: Statuses left out of the score: the mutant cannot change what the claim compares on its examples.
EXCLUDED = ("equivalent", "not reached", "not built")


@dataclass(frozen=True)
class MutantOutcome:
    """One mutant's fate.

    ``status``: ``"killed"`` (some example failed, or the run raised: ``detail`` says which),
    ``"survived"`` (every example passed), ``"equivalent"`` (the predictions, or everything the checks
    compare, are numerically equal to the unmutated claim's on every example), ``"not reached"`` (the
    mutated function was never called while the claim predicted), ``"not built"`` (the mutant could not be
    emitted). ``example``: the index of the killing example. ``effect``: the largest relative change of a
    numeric prediction over the examples (``None`` where a prediction is a CDF or nothing changed).
    """

    name: str
    kind: str  # "scale", "drop", "sign" or "exponent"
    status: str
    record: str = ""
    function: str = ""
    example: int | None = None
    detail: str = ""
    effect: float | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "status": self.status, "record": self.record,
                "function": self.function, "example": self.example, "detail": self.detail,
                "effect": self.effect, "seconds": round(self.seconds, 3)}


@dataclass
class MutationReport:
    """Mutation testing of one claim: its outcomes, the mutation score and the survivors.

    The score is killed / (killed + survived): equivalent, unreached and unbuilt mutants are left out
    (they are listed). ``error`` is set when the verdicts mean nothing: the unmutated claim fails, or its
    run ignores its prediction (the x1.05 mutant changes nothing the checks compare).
    """

    claim: str
    profile: str
    seed: int
    examples: int
    outcomes: list[MutantOutcome] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def killed(self) -> int:
        return self.count("killed")

    @property
    def scored(self) -> int:
        return sum(o.status not in EXCLUDED for o in self.outcomes)

    @property
    def score(self) -> float | None:
        """Killed over scored mutants (``None`` when none was scored)."""
        return self.killed / self.scored if self.scored else None

    @property
    def survivors(self) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.status == "survived"]

    @property
    def scale_survivors(self) -> list[MutantOutcome]:
        return [o for o in self.survivors if o.kind == "scale"]

    def as_dict(self) -> dict:
        return {"claim": self.claim, "profile": self.profile, "seed": self.seed, "examples": self.examples,
                "killed": self.killed, "scored": self.scored, "score": self.score,
                "equivalent": self.count("equivalent"), "not_reached": self.count("not reached"),
                "not_built": self.count("not built"), "survivors": [o.name for o in self.survivors],
                "error": self.error, "seconds": round(self.seconds, 3),
                "mutants": [o.as_dict() for o in self.outcomes]}
