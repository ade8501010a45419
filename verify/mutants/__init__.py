r"""Mutation testing of claims: does a claim fail when its prediction is wrong?

:func:`mutate` plants the standard mutants in a claim's prediction and runs the claim against each:

* the whole prediction $\times 1.05$ and $\times 0.95$ ($\times 1.03$, $\times 0.97$ in the thorough
  profile), through ``claim.with_prediction``;
* for each record the claim cites, derived in SymPy from the record's expressions: each additive term
  dropped, each term's sign flipped, each numeric exponent raised by one
  (:func:`~verify.mutants._expressions.expression_mutants`), emitted by the code generator and swapped in
  for the generated function while the claim predicts (and while it simulates too, re-simulating, where
  the unmutated run's simulation called that function: :mod:`verify.mutants._reach`).

The mutation score is killed / (killed + survived); mutants equivalent to the original on the claim's
examples are detected and left out (see :mod:`verify.mutants._runner`). A claim whose run ignores
its prediction is an error. ``deeplimits verify --mutants`` runs it for the shipped claims.

>>> from verify.mutants import mutate                          # doctest: +SKIP
>>> report = mutate(claim, profile="smoke", seed=0)           # doctest: +SKIP
>>> report.score, [o.name for o in report.survivors]          # doctest: +SKIP
"""

from ._expressions import RecordMutant, expression_mutants, mutant_functions, record_mutants
from ._outcome import MutantOutcome, MutationReport
from ._report import MIN_SCORE, mutation_json, mutation_markdown, mutation_table, passes
from ._runner import EQUAL_RTOL, mutate, scale_factors

__all__ = ["EQUAL_RTOL", "MIN_SCORE", "MutantOutcome", "MutationReport", "RecordMutant", "expression_mutants",
           "mutant_functions", "mutate", "mutation_json", "mutation_markdown", "mutation_table", "passes",
           "record_mutants", "scale_factors"]
