r"""Display forms: the LaTeX a reader sees, never the code that runs.

:meth:`Record.latex <derivations.core.record.Record.latex>` is the exact printing of
an expression; the generated modules carry it, so it never changes here.  For
a printed document three things are done on top, all display-only:

1. **Tidy** (:func:`tidy`).  Cheap SymPy rewrites that keep the value:
   polynomial bases of powers are expanded and refactored when that is shorter
   (``(-q^2 + (q+1)^2)^{3/2}`` shows as ``(2q+1)^{3/2}``), then
   ``powsimp``/``factor_terms``/``cancel``, and, for expressions of at most
   :data:`SIMPLIFY_OPS` operations, :func:`sympy.simplify`.  The budget is an
   operation count, not a clock, so the document is the same on every
   machine.  The shortest candidate (by typeset width) wins.
2. **Parentheses around compound symbols** (:func:`display_symbol_names`).
   A parameter whose LaTeX symbol is not a single atom
   (``\|\psi(x)\|^2/D``, ``\psi(x_j)\psi'(x_j)``, ``\int_0^T S\,dt``) is
   wrapped in ``\left(...\right)`` so that ``\sigma_w^2`` times it, or its
   square, reads with the right precedence.
3. **Breaking** (:func:`display_equations`).  If the widest unbreakable piece
   (:func:`~derivations.core.latex_width.unbreakable_width`) is wider than the
   line, repeated sub-expressions are named with :func:`sympy.cse` and, if
   that is not enough, the widest remaining sub-expressions, until every
   equation fits; the names are Greek letters that the caller says are free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .latex_width import latex_width, unbreakable_width

__all__ = ["SIMPLIFY_OPS", "LINE_EMS", "DisplayEquations", "NameBook", "tidy", "display_symbol_names",
           "display_latex", "display_equations", "display_all", "split_expression", "is_atomic_latex"]

#: Expressions with at most this many operations are also tried with :func:`sympy.simplify`.
SIMPLIFY_OPS = 15
#: Polynomial bases of powers with at most this many operations are expanded and refactored.
BASE_OPS = 60
#: Width available to an equation, in ems of the body font (17 cm at 11 pt is about 44 em; the
#: left-hand side and indentation take a share).
LINE_EMS = 34.0
#: Candidate names for sub-expressions, tried in order; those used in the record are skipped.
NAME_STEMS = (r"\xi", r"\zeta", r"\eta", r"\Xi", r"\Upsilon", r"\varpi")


class _DisplayPrinter(LatexPrinter):
    """SymPy's LaTeX printer that does not parenthesize an already parenthesized symbol twice."""

    def parenthesize_super(self, s):
        if s.startswith(r"\left(") and s.endswith(r"\right)") and _outer_pair(s):
            return s
        return super().parenthesize_super(s)


def _outer_pair(s: str) -> bool:
    """True if the first ``\\left(`` of ``s`` closes at its very end."""
    depth = 0
    for m in re.finditer(r"\\left|\\right", s):
        depth += 1 if m.group() == r"\left" else -1
        if depth == 0:
            return m.end() + 1 == len(s)
    return False


_ATOM = re.compile(r"""
    (?:\\(?:dot|ddot|hat|bar|tilde|vec|mathbf|mathrm|mathcal|mathbb|operatorname)\s*\{[^{}]*\}   # accent or font
     |\\[A-Za-z]+|[A-Za-z0-9]+|\\\|.*?\\\||\(.*\)|\\langle.*\\rangle|[A-Z]\[.*\])                # or base
    '*
    (?:\((?:[^()]|\([^()]*\))*\)|\[[^\[\]]*\])?                                                  # call
    (?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\\[A-Za-z]+|[A-Za-z0-9]))*                          # scripts
    $""", re.X)


def is_atomic_latex(symbol: str) -> bool:
    r"""True if the LaTeX ``symbol`` reads as one factor (``\sigma_w``, ``\phi''(0)``, ``E[\psi(u)\psi(v)]``).

    False for products, quotients, sums and integrals (``\Delta f``,
    ``\|\psi(x)\|^2/D``, ``\psi(x_j)\psi'(x_j)``), which need parentheses when
    multiplied or raised to a power.
    """
    s = re.sub(r"\\(dot|ddot|hat|bar|tilde|vec)\s+([A-Za-z])", r"\\\1{\2}", symbol.strip())  # \dot V -> \dot{V}
    if _ATOM.match(s) is None:
        return False
    # a single match can still hide a top-level product such as "\psi(x_j)\psi'(x_j)"
    depth = 0
    top = []
    for tok in re.findall(r"\\left|\\right|\\[A-Za-z]+|\\.|.", s):
        if tok in ("(", "[", "{", r"\left", r"\langle") or tok == r"\|" and depth == 0 and not top.count(r"\|") % 2:
            depth += 1
        elif tok in (")", "]", "}", r"\right", r"\rangle") or tok == r"\|" and depth > 0:
            depth -= 1
        if depth == 0:
            top.append(tok)
    return not any(t in ("/", "+", "-", r"\cdot", r"\,", " ", r"\int", r"\sum") for t in top)


def display_symbol_names(symbol_names: Mapping[sp.Symbol, str]) -> dict[sp.Symbol, str]:
    """Symbol names for display: compound LaTeX symbols wrapped in ``\\left(...\\right)``."""
    return {s: (name if is_atomic_latex(name) or name.startswith(r"\left(") and _outer_pair(name)
                else rf"\left({name}\right)") for s, name in symbol_names.items()}


def _printer(symbol_names: Mapping[sp.Symbol, str]) -> _DisplayPrinter:
    return _DisplayPrinter({"symbol_names": dict(symbol_names), "inv_trig_style": "full", "long_frac_ratio": 2,
                            "ln_notation": True})


def display_latex(expr: sp.Expr, symbol_names: Mapping[sp.Symbol, str]) -> str:
    """LaTeX of ``expr`` as displayed (no tidying, no breaking): long fractions as ``\\frac{1}{d}(...)``."""
    return _printer(symbol_names).doprint(expr)


# -- tidying -----------------------------------------------------------------
def _shorter(candidates: Iterable[sp.Expr], names: Mapping[sp.Symbol, str]) -> sp.Expr:
    best, best_key = None, None
    for c in candidates:
        key = (latex_width(display_latex(c, names)), sp.count_ops(c))
        if best_key is None or key < best_key:
            best, best_key = c, key
    return best


def _tidy_bases(expr: sp.Expr, names: Mapping[sp.Symbol, str]) -> sp.Expr:
    """Expand-and-refactor every polynomial base of a power (bottom-up), keeping the shorter form."""
    if expr.is_Atom or isinstance(expr, (sp.Piecewise, sp.logic.boolalg.Boolean)) and not expr.args:
        return expr
    args = [_tidy_bases(a, names) if isinstance(a, sp.Basic) else a for a in expr.args]
    try:
        new = expr.func(*args) if args != list(expr.args) else expr
    except (TypeError, ValueError):
        new = expr
    if new.is_Pow and new.base.is_Add and sp.count_ops(new.base) <= BASE_OPS:
        base = new.base
        expanded = sp.expand(base)
        base = _shorter([base, expanded, sp.factor(expanded)], names)
        new = sp.Pow(base, new.exp)
    return new


def _flatten_piecewise(expr: sp.Expr) -> sp.Expr:
    """``Piecewise`` whose "otherwise" branch is a ``Piecewise`` merged into one (same value: branches are ordered)."""
    def nested(e) -> bool:
        return isinstance(e, sp.Piecewise) and e.args[-1].cond == sp.true and isinstance(e.args[-1].expr, sp.Piecewise)

    while expr.has(sp.Piecewise) and any(nested(e) for e in sp.preorder_traversal(expr)):
        expr = expr.replace(nested, lambda e: sp.Piecewise(*e.args[:-1], *e.args[-1].expr.args))
    return expr


def tidy(expr: sp.Expr, symbol_names: Mapping[sp.Symbol, str] | None = None) -> sp.Expr:
    """A shorter expression equal to ``expr`` (same symbols and assumptions), found cheaply.

    Deterministic: the work is bounded by operation counts (:data:`BASE_OPS`,
    :data:`SIMPLIFY_OPS`), not by a clock.
    """
    names = display_symbol_names(symbol_names or {})
    if not isinstance(expr, sp.Expr) or expr.is_Atom:
        return expr
    based = _tidy_bases(_flatten_piecewise(expr), names)
    candidates = [expr, based, sp.powsimp(based)]
    ops = sp.count_ops(based)
    if based.has(sp.Piecewise) and ops <= 4 * SIMPLIFY_OPS:
        candidates.append(sp.piecewise_fold(based))
    if ops <= 4 * SIMPLIFY_OPS:
        candidates += [sp.factor_terms(based), sp.cancel(based) if not based.has(sp.Piecewise) else based]
    if ops <= SIMPLIFY_OPS:
        candidates.append(sp.simplify(based))
    return _shorter(candidates, names)


# -- breaking ----------------------------------------------------------------
@dataclass(frozen=True)
class DisplayEquations:
    r"""An expression as printed: ``main`` and, when it was split, ``where`` definitions ``(name, rhs)``.

    The definitions are listed so that each uses only the parameters and the
    names defined before it; ``main`` may use all of them.
    """

    main: str
    where: tuple[tuple[str, str], ...] = ()


def _free_stem(used_text: str) -> str:
    for stem in NAME_STEMS:
        if not re.search(re.escape(stem) + r"(?![A-Za-z])", used_text):
            return stem
    return r"\Omega"


def _subtrees(expr: sp.Basic):
    for a in expr.args:
        if isinstance(a, sp.Expr) and not a.is_Atom and not (a.is_Pow and a.base.is_Atom and a.exp.is_Atom):
            yield a
        if isinstance(a, sp.Basic):
            yield from _subtrees(a)


def display_equations(expr: sp.Expr, symbol_names: Mapping[sp.Symbol, str], *, used_text: str = "",
                      line_ems: float = LINE_EMS, simplify: bool = True) -> DisplayEquations:
    r"""``expr`` tidied and split so that every displayed piece fits ``line_ems``.

    ``used_text`` is the LaTeX already on the page (symbols, assumptions): the
    names of sub-expressions avoid every Greek stem that occurs in it.
    """
    return display_all({"expr": expr}, symbol_names, used_text=used_text, line_ems=line_ems,
                       simplify=simplify)["expr"]


def display_all(expressions: Mapping[str, sp.Expr], symbol_names: Mapping[sp.Symbol, str], *,
                used_text: str = "", line_ems: float = LINE_EMS, simplify: bool = True) -> dict[str, DisplayEquations]:
    r""":func:`display_equations` of several expressions that share their named sub-expressions.

    A sub-expression named for an earlier expression keeps its name in later
    ones and is defined only once (with the first expression that uses it).
    """
    book = NameBook(display_symbol_names(symbol_names), _free_stem(used_text + " ".join(symbol_names.values())))
    out: dict[str, DisplayEquations] = {}
    for key, expr in expressions.items():
        if simplify:
            expr = tidy(expr, symbol_names)
        out[key] = _split(expr, book, line_ems, simplify)
    return out


@dataclass
class NameBook:
    """Names of sub-expressions given so far: LaTeX of every symbol, and what each name stands for."""

    names: dict
    stem: str
    full: dict = field(default_factory=dict)    # name -> sub-expression with every name inlined
    known: dict = field(default_factory=dict)   # inlined sub-expression -> name
    named: dict = field(default_factory=dict)   # definition as printed (in earlier names) -> name
    count: int = 0

    def fresh(self) -> sp.Symbol:
        sym = sp.Symbol(f"zz_display_{len(self.names):05d}")
        self.names[sym] = f"{self.stem}_{{0}}"  # numbered in reading order by `record`
        return sym

    def substitute(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every sub-expression named so far replaced by its name (bottom-up).

        A name also replaces its negative, and the terms of a named sum found
        among the terms of a longer sum.
        """
        table = {**self.known, **self.named}
        table.update({-k: -v for k, v in list(table.items()) if k.is_Add})
        sums = sorted(((set(k.args), v) for k, v in table.items() if k.is_Add), key=lambda kv: -len(kv[0]))

        def walk(e):
            if e.is_Atom or not e.args:
                return e
            args = tuple(walk(a) for a in e.args)
            if args != e.args:
                try:
                    e = e.func(*args)
                except (TypeError, ValueError):
                    return e
            if e in table:
                return table[e]
            if e.is_Add:
                terms = set(e.args)
                for part, name in sums:
                    if len(part) < len(terms) and part <= terms:
                        terms = (terms - part) | {name}
                        e = sp.Add(*terms)
                        break
            return e

        return walk(expr) if table else expr

    def record(self, sym: sp.Symbol, rhs: sp.Expr) -> None:
        self.count += 1
        self.names[sym] = f"{self.stem}_{{{self.count}}}"
        self.full[sym] = rhs.xreplace(self.full)
        self.known[self.full[sym]] = sym
        self.named[rhs] = sym


def _split(expr: sp.Expr, book: NameBook, line_ems: float, simplify: bool) -> DisplayEquations:
    """Name sub-expressions of ``expr`` until each piece fits; ``book`` carries names between expressions."""
    main, order = split_expression(expr, book, line_ems=line_ems, simplify=simplify)
    return DisplayEquations(display_latex(main, book.names),
                            tuple((book.names[s], display_latex(r, book.names)) for s, r in order))


def split_expression(expr: sp.Expr, book: NameBook, *, line_ems: float = LINE_EMS, simplify: bool = True):
    """``(main, [(name, definition), ...])``: ``expr`` is ``main`` with the names replaced by their definitions.

    The new definitions are recorded in ``book`` (``book.full[name]`` is the
    definition with every name inlined).
    """
    names = book.names
    if unbreakable_width(display_latex(expr, names)) <= line_ems:
        return expr, []
    expr = book.substitute(expr)
    defs: list[tuple[sp.Symbol, sp.Expr]] = []

    # 1. shared sub-expressions, keeping only those wide enough to be worth a name
    replacements, (reduced,) = sp.cse(expr, symbols=iter(sp.Symbol(f"zz_cse_{k:04d}") for k in range(1, 10_000)),
                                      optimizations=None)
    inline: dict[sp.Symbol, sp.Expr] = {}
    for sym, rhs in replacements:
        rhs = rhs.xreplace(inline)
        if rhs in book.named:  # defined for an earlier expression of the record
            inline[sym] = book.named[rhs]
            continue
        if simplify and sp.count_ops(rhs) <= 4 * SIMPLIFY_OPS:
            rhs = tidy(rhs, names)
        if rhs in book.named:
            inline[sym] = book.named[rhs]
        elif latex_width(display_latex(rhs, names)) < 6.0:
            inline[sym] = rhs
        else:
            inline[sym] = book.fresh()
            defs.append((inline[sym], rhs))
    reduced = reduced.xreplace(inline)

    # 2. name the widest sub-expression until each piece fits
    def fit(e: sp.Expr) -> sp.Expr:
        while unbreakable_width(display_latex(e, names)) > line_ems:
            subs = list(_subtrees(e))
            if not subs:
                break
            widths = {s: latex_width(display_latex(s, names)) for s in subs}
            fitting = [s for s in subs if widths[s] <= line_ems] or subs  # prefer a piece that fits whole
            widest = max(fitting, key=lambda s: (widths[s], sp.default_sort_key(s)))
            inner = fit(widest)
            new = book.fresh()
            defs.append((new, inner))
            e = e.xreplace({widest: new})
        return e

    fitted: list[tuple[sp.Symbol, sp.Expr]] = []
    pending = list(defs)
    defs.clear()
    for sym, rhs in pending:
        rhs = fit(rhs)
        fitted.extend(defs)
        defs.clear()
        fitted.append((sym, rhs))
    main = fit(reduced)
    fitted.extend(defs)
    order = _dependency_order(fitted)
    for sym, rhs in order:  # number the names in reading order, across the expressions of a record
        book.record(sym, rhs)
    return main, order


def _dependency_order(defs: list[tuple[sp.Symbol, sp.Expr]]) -> list[tuple[sp.Symbol, sp.Expr]]:
    """Definitions ordered so that each uses only names defined before it (stable otherwise)."""
    pending = list(defs)
    defined: set[sp.Symbol] = set()
    names = {s for s, _ in defs}
    out = []
    while pending:
        for k, (sym, rhs) in enumerate(pending):
            if (rhs.free_symbols & names) <= defined:
                out.append((sym, rhs))
                defined.add(sym)
                del pending[k]
                break
        else:  # a cycle cannot arise from substitution; keep the rest as they are
            out.extend(pending)
            break
    return out
