r"""The standard mutants of a record's expressions, derived in SymPy, and their NumPy functions.

For an expression $f = \sum_j t_j$ (its additive terms once the top-level product is distributed,
$\beta(a + b) = \beta a + \beta b$; for a ``Piecewise``, the terms of each branch) the mutants are

* **drop** $t_j$: $f - t_j$;
* **sign** of $t_j$ flipped: $f - 2 t_j$;
* **exponent** of each distinct power $b^{e}$ with a numeric exponent changed to $b^{e+1}$
  (everywhere that power occurs in $f$: $x^2 \to x^3$, $\sqrt{x} \to x^{3/2}$, $1/x \to 1$).

Zero terms (a ``Piecewise`` branch ``0``) get no mutant: dropping or flipping them changes nothing.
An expression holding an infinite ``Sum`` cannot be emitted as it stands (the generated code evaluates a
``BoundedSeries`` of its numerical form instead): its mutants are planted in the numerical form's
expression, by the same rules (``RecordMutant.form`` is then true and the label says so).

A mutant is the difference $\delta = f_\text{mutant} - f$, added to the record's *numerical form*
(the floating-point form the generated code evaluates): the mutant function is the committed
numerical form plus $\delta$, emitted by the same code generator (:func:`derivations.core.codegen.emit_module`)
with the same argument validation, broadcasting and series branches.  So a mutant differs from the
shipped function by exactly the planted error, and an unmutated emission ($\delta = 0$) reproduces it
(a test checks this).  Fused functions that return the mutated expression (``dual_and_derivative``)
are emitted mutated too.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from typing import Callable

import sympy as sp

__all__ = ["RecordMutant", "expression_mutants", "record_mutants", "mutant_functions"]


@dataclass(frozen=True)
class RecordMutant:
    """One planted error in one expression of one record.

    ``kind`` is ``"drop"``, ``"sign"`` or ``"exponent"``; ``label`` says what was changed;
    ``delta`` $= f_\text{mutant} - f$ in the record's parameter symbols.
    """

    record: str
    function: str
    kind: str
    label: str
    delta: sp.Expr = dataclasses.field(repr=False, compare=False)
    #: whether ``delta`` is planted in the numerical form (whose symbols it may use) rather than the expression
    form: bool = False

    @property
    def name(self) -> str:
        return f"{self.record}.{self.function}: {self.label}"


def _additive(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The additive terms of ``expr`` with its top-level product distributed (not deeper)."""
    return sp.Add.make_args(sp.expand_mul(expr, deep=False))


def _terms(expr: sp.Expr) -> list[tuple[int | None, sp.Expr]]:
    """``(branch index or None, term)`` for every additive term of ``expr``."""
    if isinstance(expr, sp.Piecewise):
        return [(i, t) for i, piece in enumerate(expr.args) for t in _additive(piece.expr)]
    return [(None, t) for t in _additive(expr)]


def _replace_term(expr: sp.Expr, branch: int | None, term: sp.Expr, new: sp.Expr) -> sp.Expr:
    if branch is None:
        return sp.expand_mul(expr, deep=False) - term + new
    pieces = [(sp.expand_mul(p.expr, deep=False) - term + new, p.cond) if i == branch else (p.expr, p.cond)
              for i, p in enumerate(expr.args)]
    return sp.Piecewise(*pieces, evaluate=False)


def _infinite_sum(expr: sp.Expr) -> bool:
    return any(s.limits[0][2].has(sp.oo) for s in expr.atoms(sp.Sum))


def _short(expr: sp.Expr, limit: int = 60) -> str:
    text = sp.sstr(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def expression_mutants(record_id: str, function: str, expr: sp.Expr) -> list[RecordMutant]:
    """The drop, sign and exponent mutants of one expression (see the module docstring), in a fixed order."""
    out: list[RecordMutant] = []
    if expr.is_number and expr == 0:
        return out  # nothing to plant in an identically zero expression
    for branch, term in _terms(expr):
        if term == 0:
            continue  # a zero term (a Piecewise branch "0"): dropping or flipping it changes nothing
        where = "" if branch is None else f" (branch {branch})"
        out.append(RecordMutant(record_id, function, "drop", f"drop {_short(term)}{where}",
                                _replace_term(expr, branch, term, sp.S.Zero) - expr))
        out.append(RecordMutant(record_id, function, "sign", f"flip the sign of {_short(term)}{where}",
                                _replace_term(expr, branch, term, -term) - expr))
    powers = sorted((p for p in expr.atoms(sp.Pow) if p.exp.is_Number), key=sp.default_sort_key)
    for power in powers:
        changed = sp.Pow(power.base, power.exp + 1)
        mutated = expr.xreplace({power: changed})
        if mutated == expr:
            continue
        out.append(RecordMutant(record_id, function, "exponent",
                                f"{_short(power)} -> {_short(changed)}", mutated - expr))
    return out


def record_mutants(record_id: str) -> list[RecordMutant]:
    """The mutants of every expression of the catalog record ``record_id`` (derived on first use)."""
    from derivations import catalog

    rec = catalog.get(record_id)
    out: list[RecordMutant] = []
    for name, expr in rec.expressions.items():
        if _infinite_sum(expr) and name in rec.numerical_forms:
            out += [dataclasses.replace(m, label=f"{m.label} [numerical form]", form=True)
                    for m in expression_mutants(record_id, name, rec.numerical_forms[name].expr)]
        else:
            out += expression_mutants(record_id, name, expr)
    return out


def mutant_functions(mutant: RecordMutant) -> dict[str, Callable]:
    """``generated function name -> mutant function`` for the mutated expression and the fused functions
    that return it, emitted by the code generator from the record with ``delta`` added to the
    expression's numerical form (see the module docstring)."""
    from derivations import catalog
    from derivations.core.codegen import emit_module, module_name
    from derivations.core.record import NumericalForm

    rec = catalog.get(mutant.record)
    fused = {k: outs for k, outs in rec.fused.items() if mutant.function in outs}
    names = {mutant.function, *(o for outs in fused.values() for o in outs)}
    form = rec.numerical_form(mutant.function)
    forms = {k: v for k, v in rec.numerical_forms.items() if k in names}
    forms[mutant.function] = NumericalForm(form.prologue, form.expr + mutant.delta)
    sub = dataclasses.replace(
        rec,
        expressions={k: v for k, v in rec.expressions.items() if k in names},
        numerical_forms=forms,
        arguments={k: v for k, v in rec.arguments.items() if k in names},
        fused=fused,
    )
    module = types.ModuleType(f"deeplimits_mutant_{module_name(mutant.record)}")
    # the code generator's own output for a catalog record (the same text `deeplimits codegen` commits)
    exec(compile(emit_module(sub), f"<mutant of {mutant.record}.{mutant.function}>", "exec"), module.__dict__)
    return {name: getattr(module, name) for name in (mutant.function, *fused)}
