"""The derivation record: one derived result, declared as data.

A :class:`Record` is what every result in deeplimits is: a stable id, a title,
the source (paper and equation or theorem), the assumptions, typed
:class:`~derivations.core.parameters.Parameter` s, the SymPy expressions, and how
they were obtained (:class:`Derivation`).  Computation is generic: the code
emitter (:mod:`derivations.core.codegen`) turns records into NumPy modules, the
command line prints and exports them, and ``verify`` builds hypothesis
strategies from their parameters.

Two sets of expressions may be given.  ``expressions`` are the canonical,
readable forms shown to a user and exported to LaTeX.  ``numerical_forms`` are
algebraically equal forms written for floating point (series branches where a
formula cancels, ``atan2`` instead of ``arccos``...).  The test suite checks
every numerical form against its canonical expression in mpmath.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Mapping

import sympy as sp

from .canonical import canonical_srepr
from .parameters import Parameter

__all__ = ["Method", "Derivation", "NumericalForm", "Record"]


class Method(str, enum.Enum):
    """How a record's expressions were obtained."""

    DERIVED = "closed form derived here"
    CHECKED_IDENTITY = "checked identity"
    NUMERICAL_FALLBACK = "numerical fallback"


@dataclass(frozen=True)
class Derivation:
    """The provenance of a record's expressions.

    ``steps`` are short sentences (LaTeX allowed in ``$...$``) that a reader can
    follow; ``checks`` name the symbolic checks that passed when the record was
    built (e.g. ``"Price identity"``, ``"diagonal"``).
    """

    method: Method
    steps: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumericalForm:
    """A floating-point-friendly form of an expression.

    ``prologue`` is a sequence of ``(symbol, expression)`` definitions evaluated
    in order (each may use the inputs and earlier symbols); ``expr`` is then an
    expression in the inputs and the prologue symbols.  The emitter prints each
    right-hand side on its own line.
    """

    prologue: tuple[tuple[sp.Symbol, sp.Expr], ...]
    expr: sp.Expr

    def inline(self) -> sp.Expr:
        """The form with the prologue substituted back (for symbolic checks)."""
        out = self.expr
        for sym, rhs in reversed(self.prologue):
            out = out.subs(sym, rhs)
        return out


@dataclass(frozen=True)
class Record:
    r"""One derived result.

    Attributes
    ----------
    id:
        Stable identifier, ``family.name`` (e.g. ``"dual.relu"``).  Generated
        modules, the command line and reports refer to results by it.
    title, source:
        What the result is, and where it comes from (paper, equation/theorem).
    assumptions:
        Sentences stating when the result holds.
    parameters:
        Arguments of every generated function, in order.
    expressions:
        ``name -> SymPy expression`` in the parameter symbols; each becomes a
        generated function ``name(*parameters)``.
    derivation:
        How the expressions were obtained.
    numerical_forms:
        Optional stable forms, keyed like ``expressions``.
    arguments:
        Optional per-expression argument lists (names of parameters) when an
        expression does not take all the record's parameters (e.g. ``phi``
        takes ``x`` and the activation's parameters only).
    fused:
        ``name -> expression names``: extra generated functions that return
        several expressions at once, sharing their common subexpressions
        (e.g. ``dual_and_derivative``).  Arguments: the union of the outputs'
        arguments, in parameter order.
    notes:
        Free text shown by ``deeplimits show``.
    architecture:
        The network the result is about, when the source leaves it open or
        it was inferred (e.g. "z_{l+1} = alpha z_l + lambda sqrt(2/n) W relu(z_l)").
    validate:
        If true, every generated function checks its arguments against the
        parameters' domains eagerly (``ValueError`` naming the parameter, the
        value and the allowed range) before evaluating.
    """

    id: str
    title: str
    source: str
    assumptions: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    expressions: Mapping[str, sp.Expr]
    derivation: Derivation
    numerical_forms: Mapping[str, NumericalForm] = field(default_factory=dict)
    arguments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fused: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""
    architecture: str = ""
    validate: bool = False

    def __post_init__(self) -> None:
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"record {self.id!r}: duplicate parameter names {names}")
        for key in self.numerical_forms:
            if key not in self.expressions:
                raise ValueError(f"record {self.id!r}: numerical form {key!r} has no expression")
        for key, outs in self.fused.items():
            if key in self.expressions or not set(outs) <= set(self.expressions):
                raise ValueError(f"record {self.id!r}: bad fused function {key!r}: {outs}")
        for key, args in self.arguments.items():
            unknown = set(args) - set(names)
            if key not in self.expressions or unknown:
                raise ValueError(f"record {self.id!r}: bad argument list for {key!r}: {args}")

    # -- views -------------------------------------------------------------
    def __repr__(self) -> str:
        names = ", ".join(self.expressions)
        return f"<Record {self.id}: {self.title} [{self.derivation.method.value}; {names}]>"

    def _repr_latex_(self) -> str:
        """How Jupyter shows a record: its title, then each expression as an aligned equation."""
        def label(name: str) -> str:
            return r"\mathrm{" + name.replace("_", r"\_") + "}"

        rows = r" \\ ".join(label(name) + " &= " + self.latex(name) for name in self.expressions)
        title = self.title.replace("\\", "").replace("$", "").replace("_", r"\_")
        return r"$\text{" + f"{self.id}: {title}" + "}$\n" + r"$$\begin{aligned} " + rows + r" \end{aligned}$$"

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def args_of(self, name: str) -> tuple[Parameter, ...]:
        """Parameters taken by the generated function ``name``, in order."""
        if name in self.fused:
            used = {p.name for out in self.fused[name] for p in self.args_of(out)}
            return tuple(p for p in self.parameters if p.name in used)
        if name in self.arguments:
            return tuple(self.parameter(n) for n in self.arguments[name])
        return self.parameters

    def numerical_form(self, name: str) -> NumericalForm:
        if name in self.numerical_forms:
            return self.numerical_forms[name]
        return NumericalForm((), self.expressions[name])

    @property
    def symbol_names(self) -> dict[sp.Symbol, str]:
        """LaTeX names of the parameter symbols, for :func:`sympy.latex`."""
        return {p.symbol: p.latex for p in self.parameters}

    def latex(self, name: str) -> str:
        """LaTeX of one expression, with the parameters' own symbols.

        This exact printing is what generated modules carry (and hash); the
        printed document uses :meth:`display` instead.
        """
        return sp.latex(self.expressions[name], symbol_names=self.symbol_names, inv_trig_style="full")

    def display(self, *, used_text: str = "") -> dict:
        """Every expression as a printed document shows it: tidied, parenthesized and split to fit a line.

        Display-only (:mod:`derivations.core.display_latex`): the expressions, the
        digest and the generated code are untouched.  Sub-expressions named to
        break a long result are shared by the record's expressions and defined
        once.  ``used_text`` is LaTeX already on the page, whose Greek letters
        those names avoid.  Returns ``name -> DisplayEquations``.
        """
        from .display_latex import display_all

        return display_all(self.expressions, self.symbol_names, used_text=used_text)

    def digest(self) -> str:
        """SHA-256 (first 16 hex digits) of everything the generated code depends on."""
        h = hashlib.sha256()
        h.update(self.id.encode())
        for p in self.parameters:
            h.update(repr(sorted(p.as_dict().items())).encode())
        for key in sorted(self.expressions):
            h.update(key.encode())
            h.update(canonical_srepr(self.expressions[key]).encode())
            form = self.numerical_form(key)
            for sym, rhs in form.prologue:
                h.update(canonical_srepr(sym).encode() + canonical_srepr(rhs).encode())
            h.update(canonical_srepr(form.expr).encode())
        for key in sorted(self.arguments):
            h.update(key.encode() + repr(self.arguments[key]).encode())
        for key in sorted(self.fused):
            h.update(key.encode() + repr(self.fused[key]).encode())
        if self.validate:  # only when set, so that older records keep their digests
            h.update(b"validate")
        return h.hexdigest()[:16]

    def summary(self) -> dict:
        """Plain-data description (``deeplimits list --json`` / ``show --json``)."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "architecture": self.architecture,
            "assumptions": list(self.assumptions),
            "parameters": [p.as_dict() for p in self.parameters],
            "derivation": {
                "method": self.derivation.method.value,
                "steps": list(self.derivation.steps),
                "checks": list(self.derivation.checks),
            },
            "expressions": {k: str(v) for k, v in self.expressions.items()},
            "latex": {k: self.latex(k) for k in self.expressions},
            "notes": self.notes,
        }
