r"""Parse a user's activation from text without ever running it as Python.

A user's activation arrives as a string (``deeplimits show --expr``,
:func:`derivations.custom_activation`, :func:`derivations.covariance_sde.covariance_sde_record`).
``sympy.sympify`` would *evaluate* it as Python, so ``__import__('os').system(...)``
runs.  This module instead reads the string with :func:`ast.parse` (which only
builds a syntax tree) and walks the tree against a whitelisted grammar::

    expr   := number | name | expr op expr | -expr | +expr | func(expr, ...) | (expr)
    op     := +  -  *  /  **  ^          (^ is a power, as in sympify)
    name   := x | a declared parameter | pi | E
    func   := one of FUNCTIONS below

building the SymPy expression node by node.  Nothing the user wrote is ever
called, looked up as an attribute or imported.  Anything else (attribute
access, lambdas, comprehensions, strings, comparisons, keyword arguments,
unknown names, dunder names, ...) is rejected with an :class:`ExpressionError`
(a ``ValueError``) whose message is one line naming what is not allowed.

Sizes are bounded before any work is done (``MAX_LENGTH`` characters,
``MAX_NODES`` syntax nodes, ``MAX_DEPTH`` nesting levels, numeric literals of
magnitude at most ``MAX_LITERAL``, constant exponents of magnitude at most
``MAX_EXPONENT``, constant results at most $10^{300}$), so every input is
answered in a bounded time.

The parsed function must be an activation the Gaussian machinery can use:

* **defined on the whole real line**: ``log(u)`` needs $u > 0$, a fractional
  power ``u**p`` needs $u \ge 0$ ($u > 0$ when $p < 0$), a quotient or negative
  power needs a denominator that never vanishes, each for every real $x$ (and
  every parameter value in its domain), as SymPy's assumptions can prove;
* **finite Gaussian moments at every variance**: $|\varphi(x)| \le C e^{C|x|^p}$
  with $p < 2$, shown by a conservative growth analysis of the expression tree
  (:func:`growth_order`); ``exp(x**2/4)`` is rejected, ``exp(-x**2/4)`` and
  ``x**3*exp(-abs(x))`` are accepted.

Both checks are sufficient, not necessary: an expression they cannot prove
safe is rejected with the reason, and an equivalent rewriting usually passes.

>>> parse_activation("x*erf(x)")
x*erf(x)
>>> parse_activation("0.5*x^2")
x**2/2
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Iterable

import sympy as sp

from .symbols import x as X_SYMBOL

__all__ = ["ExpressionError", "FUNCTIONS", "CONSTANTS", "parse_activation", "parse_expression",
           "growth_order", "MAX_LENGTH", "MAX_NODES", "MAX_DEPTH", "MAX_LITERAL", "MAX_EXPONENT"]

MAX_LENGTH = 400
MAX_NODES = 200
MAX_DEPTH = 100
MAX_LITERAL = 1e12
MAX_EXPONENT = 64
_MAX_RESULT_LOG10 = 300


class ExpressionError(ValueError):
    """A user expression that is not allowed; ``reason`` says why in one line."""

    #: What kind of rule was broken: ``"grammar"`` (a construct, name or call outside the grammar,
    #: or a syntax error), ``"size"`` (length, nesting, magnitude limits), ``"finite"`` (a division
    #: by zero, log(0)), ``"domain"`` (undefined for some real x) or ``"growth"`` (Gaussian moments).
    KINDS = ("grammar", "size", "finite", "domain", "growth")

    def __init__(self, expression: str, reason: str, *, what: str = "expression", kind: str = "grammar"):
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got kind={kind!r}")
        self.expression = expression
        self.reason = reason
        self.what = what
        self.kind = kind
        shown = expression if len(expression) <= 60 else expression[:57] + "..."
        shown = shown.encode("unicode_escape").decode("ascii")
        super().__init__(f"{what} {shown!r} is not allowed: {reason}")


@dataclass(frozen=True)
class Function:
    """A function the grammar accepts: how to build it and how many arguments it takes."""

    build: Callable[..., sp.Expr]
    arity: tuple[int, int]  # (min, max) number of arguments
    meaning: str


def _one(f: Callable[[sp.Expr], sp.Expr], meaning: str) -> Function:
    return Function(f, (1, 1), meaning)


#: The functions a user expression may call, by name.
FUNCTIONS: dict[str, Function] = {
    "exp": _one(sp.exp, "e^u"),
    "log": _one(sp.log, "natural logarithm (argument must be > 0 for every real x)"),
    "sqrt": _one(sp.sqrt, "square root (argument must be >= 0 for every real x)"),
    "sin": _one(sp.sin, "sine"),
    "cos": _one(sp.cos, "cosine"),
    "tanh": _one(sp.tanh, "hyperbolic tangent"),
    "sinh": _one(sp.sinh, "hyperbolic sine"),
    "cosh": _one(sp.cosh, "hyperbolic cosine"),
    "atan": _one(sp.atan, "arctangent"),
    "asinh": _one(sp.asinh, "inverse hyperbolic sine"),
    "erf": _one(sp.erf, "error function"),
    "erfc": _one(sp.erfc, "complementary error function"),
    "abs": _one(sp.Abs, "absolute value"),
    "Abs": _one(sp.Abs, "absolute value"),
    "sign": _one(sp.sign, "sign"),
    "Heaviside": _one(sp.Heaviside, "unit step"),
    "max": Function(sp.Max, (2, 8), "maximum"),
    "Max": Function(sp.Max, (2, 8), "maximum"),
    "min": Function(sp.Min, (2, 8), "minimum"),
    "Min": Function(sp.Min, (2, 8), "minimum"),
    "relu": _one(lambda u: sp.Max(u, 0), "max(u, 0)"),
    "sigmoid": _one(lambda u: 1 / (1 + sp.exp(-u)), "1/(1 + e^-u)"),
    "softplus": _one(lambda u: sp.log(1 + sp.exp(u)), "log(1 + e^u)"),
}

#: Named constants.
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

_NOT_ALLOWED = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[...]')",
    ast.Lambda: "lambda",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dictionaries",
    ast.NamedExpr: "assignment (':=')",
    ast.JoinedStr: "strings",
    ast.FormattedValue: "strings",
    ast.Starred: "unpacking ('*')",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


def _allowed_summary(parameters: Iterable[str]) -> str:
    names = ", ".join(["x", *parameters, *CONSTANTS])
    return f"allowed: numbers, + - * / ** ^, the names {names}, and the functions {', '.join(sorted(FUNCTIONS, key=str.lower))}"


# ---------------------------------------------------------------------------
# Syntax: text -> SymPy, whitelisted.
def parse_expression(text: str, *, parameters: dict[str, sp.Symbol] | None = None,
                     variable: sp.Symbol = X_SYMBOL, what: str = "expression") -> sp.Expr:
    """Build the SymPy expression of ``text`` from the whitelisted grammar (no semantic checks).

    ``parameters`` maps the names a user may use besides ``x`` to their symbols.
    Raises :class:`ExpressionError` (a ``ValueError``) for anything outside the grammar.
    """
    if not isinstance(text, str):
        raise ExpressionError(repr(text), f"must be a string, got {type(text).__name__}", what=what)
    parameters = dict(parameters or {})
    clash = sorted(set(parameters) & (set(FUNCTIONS) | set(CONSTANTS) | {variable.name}))
    if clash:
        raise ValueError(f"parameter names {clash} clash with the grammar's own names")

    def fail(reason: str, kind: str = "grammar") -> ExpressionError:
        return ExpressionError(text, reason, what=what, kind=kind)

    if len(text) > MAX_LENGTH:
        raise fail(f"it has {len(text)} characters; at most {MAX_LENGTH} are allowed", "size")
    if not text.strip():
        raise fail("it is empty; write a function of x, e.g. 'x*erf(x)'")
    if "\x00" in text:
        raise fail("it contains a NUL character")
    try:
        # '^' means a power with the precedence of '**' (as in sympify); strings are not in the
        # grammar, so the textual replacement cannot change the meaning of an accepted input.
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise fail(f"syntax error ({exc.msg})") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # pragma: no cover - parser limits
        raise fail(f"cannot be parsed ({type(exc).__name__})") from None

    _check_size(tree, fail)
    names = {variable.name: variable, **CONSTANTS, **parameters}
    allowed = _allowed_summary(parameters)

    def build(node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant):
            return _number(node.value, fail)
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            if node.id in FUNCTIONS:
                raise fail(f"the function {node.id!r} must be called, e.g. {node.id}(x)")
            if node.id.startswith("__"):
                raise fail(f"the name {node.id!r} is not allowed (dunder names never are); {allowed}")
            raise fail(f"unknown name {node.id!r}; {allowed}")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return _checked(-build(node.operand), fail)
            if isinstance(node.op, ast.UAdd):
                return build(node.operand)
            raise fail(f"the operator {type(node.op).__name__} is not allowed; {allowed}")
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _OPERATORS:
                raise fail(f"the operator {type(node.op).__name__} is not allowed; {allowed}")
            left, right = build(node.left), build(node.right)
            if op is ast.Pow:
                return _power(left, right, variable, fail)
            if op is ast.Div and right == 0:
                raise fail("division by zero", "finite")
            result = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
                      ast.Div: lambda a, b: a / b}[op](left, right)
            return _checked(result, fail)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise fail(f"only the listed functions may be called, by name; {allowed}")
            name = node.func.id
            if name not in FUNCTIONS:
                kind = "dunder names never are" if name.startswith("__") else "it is not a listed function"
                raise fail(f"calling {name!r} is not allowed ({kind}); {allowed}")
            if node.keywords:
                raise fail(f"keyword arguments are not allowed (in the call of {name})")
            fn = FUNCTIONS[name]
            lo, hi = fn.arity
            if not lo <= len(node.args) <= hi:
                want = str(lo) if lo == hi else f"{lo} to {hi}"
                raise fail(f"{name} takes {want} argument(s), got {len(node.args)}")
            return _checked(fn.build(*(build(a) for a in node.args)), fail)
        what_ = _NOT_ALLOWED.get(type(node), f"the construct {type(node).__name__}")
        raise fail(f"{what_} not allowed; {allowed}")

    expr = build(tree)
    if not isinstance(expr, sp.Expr):
        raise fail("it is not an arithmetic expression")
    return expr


def _check_size(tree: ast.AST, fail) -> None:
    """Bound the tree's node count and depth iteratively (no recursion on untrusted input)."""
    count = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise fail(f"it has more than {MAX_NODES} syntax elements", "size")
        if depth > MAX_DEPTH:
            raise fail(f"it is nested more than {MAX_DEPTH} levels deep", "size")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _number(value, fail) -> sp.Expr:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = {str: "strings", bytes: "bytes", complex: "complex numbers", bool: "booleans"}.get(
            type(value), f"the constant {value!r}")
        raise fail(f"only real numbers are allowed as constants, not {kind}")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(f"the number {value!r} is not finite", "size")
    if abs(value) > MAX_LITERAL:
        raise fail(f"the number {value!r} exceeds {MAX_LITERAL:g} in magnitude", "size")
    if isinstance(value, int):
        return sp.Integer(value)
    frac = Fraction(repr(value))  # the decimal the user wrote, exactly: 0.1 -> 1/10
    return sp.Rational(frac.numerator, frac.denominator)


def _checked(expr: sp.Expr, fail) -> sp.Expr:
    """Reject non-finite, imaginary or astronomically large constants, and powers SymPy merged past
    ``MAX_EXPONENT`` (``(x**64)**64`` is ``x**4096``), as soon as they appear."""
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise fail("it is not finite (a division by zero or log(0)?)", "finite")
    if expr.has(sp.I):
        raise fail("it is not real-valued (an imaginary constant, e.g. sqrt(-1) or log(-1))", "domain")
    if isinstance(expr, sp.Pow) and expr.exp.is_number and abs(expr.exp) > MAX_EXPONENT:
        raise fail(f"the power {sp.sstr(expr)[:40]} has an exponent above {MAX_EXPONENT} in magnitude", "size")
    if isinstance(expr, sp.Number) and expr != 0 and abs(expr) > sp.Integer(10) ** _MAX_RESULT_LOG10:
        raise fail(f"a constant exceeds 1e{_MAX_RESULT_LOG10} in magnitude", "size")
    return expr


def _power(base: sp.Expr, exponent: sp.Expr, variable: sp.Symbol, fail) -> sp.Expr:
    if exponent.has(variable):
        if not (base.is_number and base.is_positive):
            raise fail("a power with x in the exponent needs a positive constant base (write exp(...) instead)", "domain")
        return _checked(sp.exp(exponent * sp.log(base)), fail)
    if exponent.is_number:
        if abs(exponent) > MAX_EXPONENT:
            raise fail(f"the exponent {exponent} exceeds {MAX_EXPONENT} in magnitude", "size")
        if base.is_number and base != 0:
            try:
                magnitude = abs(complex(sp.N(base, 20)))
                size = float(abs(exponent)) * abs(math.log10(magnitude or 1e-300))
            except (TypeError, ValueError, OverflowError):
                raise fail("a constant is too large to evaluate", "size") from None
            if size > _MAX_RESULT_LOG10:
                raise fail(f"a constant exceeds 1e{_MAX_RESULT_LOG10} in magnitude", "size")
        if base == 0 and exponent.is_negative:
            raise fail("division by zero (0 to a negative power)", "finite")
    return _checked(sp.Pow(base, exponent), fail)


# ---------------------------------------------------------------------------
# Semantics: defined on the real line, finite Gaussian moments.
def parse_activation(text: str, *, parameters: Iterable = (), what: str = "expression") -> sp.Expr:
    r"""Parse ``text`` as an activation $\varphi(x)$ and check that the Gaussian machinery can use it.

    ``parameters`` are :class:`~derivations.core.parameters.Parameter` declarations
    whose names the expression may use (their symbols carry the domains'
    assumptions).  Raises :class:`ExpressionError` (a ``ValueError``, one line)
    when ``text`` is outside the grammar, is undefined for some real $x$, or
    may lack finite Gaussian moments.
    """
    symbols = {p.name: p.symbol for p in parameters}
    expr = parse_expression(text, parameters=symbols, what=what)
    try:
        reason, kind = domain_problem(expr), "domain"
        order = growth_order(expr) if reason is None else 0.0
    except (TypeError, ValueError, OverflowError, ArithmeticError, RecursionError) as exc:
        raise ExpressionError(text, f"a constant or power is too large to analyse ({type(exc).__name__})",
                              what=what, kind="size") from None
    if reason is None:
        kind = "growth"
        if order >= 2:
            reason = ("it may grow like exp(c x^2) or faster, so its Gaussian moments E[phi(u)^2] are not finite "
                      "at every variance" if math.isfinite(order) else
                      "its growth at large |x| cannot be bounded by exp(c|x|^p), p < 2, so its Gaussian moments "
                      "may be infinite")
    if reason is not None:
        raise ExpressionError(text, reason, what=what, kind=kind)
    return expr


def domain_problem(expr: sp.Expr, variable: sp.Symbol = X_SYMBOL) -> str | None:
    """Why ``expr`` may be undefined or non-real for some real ``x``; ``None`` if it is defined everywhere."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.log):
            (arg,) = node.args
            if arg.is_positive is not True:
                return f"log({sp.sstr(arg)}) needs its argument > 0 for every real x{_witness(arg, variable, strict=True)}"
        elif isinstance(node, sp.Pow):
            base, e = node.args
            if e.is_integer and e.is_nonnegative:
                continue
            if e.is_integer and e.is_negative:
                if base.is_zero is not False and base.is_positive is not True:
                    return f"1/({sp.sstr(base)}) needs a denominator that is never 0{_witness(base, variable, zero=True)}"
                continue
            need_positive = e.is_negative is not False
            ok = base.is_positive if need_positive else base.is_nonnegative
            if ok is not True:
                sign = "> 0" if need_positive else ">= 0"
                return (f"({sp.sstr(base)})**({sp.sstr(e)}) needs a base {sign} for every real x"
                        f"{_witness(base, variable, strict=need_positive)}")
    if expr.is_real is False:
        return "it is not real-valued"
    return None


def _witness(expr: sp.Expr, variable: sp.Symbol, *, strict: bool = False, zero: bool = False) -> str:
    """A real x where the condition fails, found on a grid; else says the condition could not be proved."""
    unproved = " (SymPy cannot prove it; rewrite the expression so that it can)"
    if expr.free_symbols - {variable}:
        return unproved
    for value in (0, 1, -1, 2, -2, sp.Rational(1, 2), -sp.Rational(1, 2), 10, -10):
        try:
            v = complex(sp.N(expr.subs(variable, value), 15))
        except (TypeError, ValueError):
            continue
        bad = (v == 0) if zero else (abs(v.imag) > 0 or (v.real <= 0 if strict else v.real < 0))
        if bad:
            return f" (fails at x = {value})"
    return unproved


def growth_order(expr: sp.Expr, variable: sp.Symbol = X_SYMBOL) -> float:
    r"""A $p$ with $|\varphi(x)| \le C e^{C|x|^p}$ for all real $x$ (0: polynomially bounded), or ``inf``.

    Conservative: the true order may be smaller.  Finite Gaussian moments at
    every variance need $p < 2$.
    """
    return _growth(expr, variable)[0]


@lru_cache(maxsize=4096)  # nested exp(exp(...)) would otherwise recurse 2^depth times (bounded_above -> growth)
def _growth(e: sp.Expr, x: sp.Symbol) -> tuple[float, float]:
    """(p, d): |e| <= C exp(C|x|^p) if p > 0, else |e| <= C (1 + |x|)^d."""
    inf = math.inf
    if not e.has(x):
        return (0.0, 0.0)
    if e == x:
        return (0.0, 1.0)
    if isinstance(e, sp.Add):
        parts = [_growth(a, x) for a in e.args]
        return (max(p for p, _ in parts), max(d for _, d in parts))
    if isinstance(e, sp.Mul):
        parts = [_growth(a, x) for a in e.args]
        p = max(q for q, _ in parts)
        return (p, 0.0 if p > 0 else sum(d for _, d in parts))
    if isinstance(e, sp.Pow):
        base, ex = e.args
        if ex.has(x):
            return inf, inf  # constant bases were rewritten as exp(...) by the parser
        if ex.is_nonnegative:
            p, d = _growth(base, x)
            return (p, d * float(ex)) if ex.is_number else (inf, inf)
        inv = _reciprocal_growth(base, x)
        if inv is None or not ex.is_number:
            return (inf, inf)
        p, d = inv
        return (p, d * float(-ex))
    if isinstance(e, (sp.sin, sp.cos, sp.tanh, sp.erf, sp.erfc, sp.atan, sp.sign, sp.Heaviside)):
        return (0.0, 0.0)
    if isinstance(e, (sp.Abs, sp.Max, sp.Min)):
        parts = [_growth(a, x) for a in e.args]
        return (max(p for p, _ in parts), max(d for _, d in parts))
    if isinstance(e, sp.exp):
        (u,) = e.args
        if _bounded_above(u, x):
            return (0.0, 0.0)
        p, d = _growth(u, x)
        return (d, 0.0) if p == 0 else (inf, inf)
    if isinstance(e, (sp.sinh, sp.cosh)):
        p, d = _growth(e.args[0], x)
        return (0.0, 0.0) if (p, d) == (0.0, 0.0) else ((d, 0.0) if p == 0 else (inf, inf))
    if isinstance(e, (sp.log, sp.asinh)):
        (u,) = e.args
        p, d = _growth(u, x)
        if isinstance(e, sp.log):
            inv = _reciprocal_growth(u, x)
            if inv is None:
                return (inf, inf)
            p, d = max(p, inv[0]), max(d, inv[1])
        return (0.0, max(1.0, p, d if p == 0 else 0.0))
    return (inf, inf)


@lru_cache(maxsize=4096)
def _reciprocal_growth(u: sp.Expr, x: sp.Symbol) -> tuple[float, float] | None:
    """Growth of 1/u where it can be bounded (u bounded away from 0), else ``None``."""
    if not u.has(x):
        return (0.0, 0.0)
    if isinstance(u, sp.exp):
        return _growth(sp.exp(-u.args[0]), x)
    if isinstance(u, sp.Mul):
        parts = [_reciprocal_growth(a, x) for a in u.args]
        if any(pt is None for pt in parts):
            return None
        p = max(pt[0] for pt in parts)
        return (p, 0.0 if p > 0 else sum(pt[1] for pt in parts))
    if isinstance(u, sp.Pow) and u.args[1].is_number:
        base, ex = u.args
        if ex.is_positive:
            inner = _reciprocal_growth(base, x)
            return None if inner is None else (inner[0], inner[1] * float(ex))
        return _growth(sp.Pow(base, -ex), x)
    const, rest = u.as_independent(x, as_Add=True)
    # u = const + rest with const > 0 and rest >= 0 (or const < 0, rest <= 0): |u| >= |const|.
    if const.is_positive and rest.is_nonnegative or const.is_negative and rest.is_nonpositive:
        return (0.0, 0.0)
    if isinstance(u, sp.Add) and const.is_positive:
        # 1 + exp(-x) style: every x-dependent term nonnegative
        if all(t.is_nonnegative for t in sp.Add.make_args(rest)):
            return (0.0, 0.0)
    return None


@lru_cache(maxsize=4096)
def _bounded_above(u: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``u`` is bounded above on the real line (sufficient conditions)."""
    if not u.has(x):
        return True
    if _growth(u, x) == (0.0, 0.0):
        return True
    const, rest = u.as_independent(x, as_Add=True)
    if rest.is_nonpositive:
        return True
    if u.is_polynomial(x) and _growth(u, x)[1] <= 4 * MAX_EXPONENT:  # expand only polynomials of modest degree
        poly = sp.Poly(u, x)
        deg, lead = poly.degree(), poly.LC()
        return deg % 2 == 0 and bool(lead.is_negative)
    if isinstance(u, sp.Add):
        return all(_bounded_above(t, x) for t in u.args)
    if isinstance(u, sp.Mul):
        coeff, body = u.as_independent(x, as_Add=False)
        return bool(coeff.is_negative and body.is_nonnegative) or bool(coeff.is_positive and body.is_nonpositive)
    return False
