"""User expressions are data, never code: the whitelisted parser of derivations.core.safe_parse.

Three independent angles:
* a corpus of more than a thousand Python-shaped payloads through the command
  line, with a sentinel file and patched process launchers: each is rejected
  with exactly one line on stderr and exit status 2, and nothing happens;
* hypothesis over arbitrary text and over Python-shaped payloads: the parser
  returns a SymPy expression or raises ExpressionError, never anything else;
* hypothesis over the grammar itself: the parsed expression equals the one
  built independently with SymPy calls.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from derivations import custom_activation
from derivations.covariance_sde import covariance_sde_record
from derivations.core.parameters import Domain, Parameter
from derivations.core.safe_parse import (FUNCTIONS, MAX_LENGTH, ExpressionError, growth_order, parse_activation,
                                    parse_expression)
from derivations.core.symbols import x
from verify.cli import main


# ---------------------------------------------------------------------------
# The payload corpus.
def _payloads(sentinel: str) -> list[str]:
    """Python-shaped inputs, every one with at least one construct outside the grammar."""
    cmd = f"touch {sentinel}"
    args = [repr(cmd), repr(sentinel), "x", "1", "'w'"]
    mods = ["os", "subprocess", "sys", "shutil", "pathlib", "builtins", "importlib", "ctypes"]
    funcs = ["system", "popen", "run", "call", "remove", "exit", "touch", "write_text", "open"]
    out = []
    for m, f, a in itertools.product(mods, funcs, args):
        out += [f"__import__('{m}').{f}({a})", f"{m}.{f}({a})", f"x*0 + __import__('{m}').{f}({a})",
                f"exp(__import__('{m}').{f}({a}))"]
    for a in args:
        out += [f"open({a}, 'w')", f"open({a}, 'w').write('x')", f"exec({a})", f"eval({a})",
                f"compile({a}, '', 'exec')", f"(lambda: {a})()", f"[{a} for _ in range(3)]",
                f"{{{a} for _ in range(3)}}", f"{{{a}: 1}}", f"({a} for _ in range(3))", f"{a}[0]",
                f"getattr(x, {a})", f"x if {a} else x", f"x and {a}", f"not {a}", f"{a} < x", f"f'{{{a}}}'",
                f"(y := {a})", f"x.__class__({a})", f"*{a}", f"sin(x, key={a})", f"breakpoint({a})"]
    out += ["().__class__.__bases__[0].__subclasses__()", "x.__class__.__mro__", "__builtins__", "__import__",
            "globals()", "locals()", "vars()", "dir()", "input()", "help()", "exit()", "quit()", "__debug__",
            "x @ x", "x % 2", "x // 2", "x << 1", "x >> 1", "x | 1", "x & 1", "~x", "x ** 10 ** 10 ** 10",
            "9 ** 9 ** 9 * x", "(" * 250 + "x" + ")" * 250, "x" + "+x" * 300, "-" * 500 + "x",
            "exp(" * 40 + "x" + ")" * 40, "1" * 500, "x*" * 250 + "x", "1e999*x", "1j*x", "True*x", "None",
            "lambda x: x", "x; import os", "import os", "x\nimport os", "'a' * 10**9", "b'x'", "...",
            "log(x)", "1/x", "x**x", "zeta(x)", "relu", "exp(x**2)", "exp(exp(x))", "sqrt(x)", "1/0", "log(0)",
            "", "   ", "x\x00", "x = 1", "del x", "yield x", "await x", "sin", "Function('f')(x)", "Symbol('y')",
            "sympify('x')", "S('x')", "Integer(1)", "x.subs(x, 1)", "y", "q1", "sin(x)(x)", "sin()",
            "max(x)", "print(1)", "__name__", "_", "x._", "x.real"]
    return out


@pytest.fixture
def no_side_effects(monkeypatch, tmp_path):
    """A sentinel path and recorders in place of the process launchers; yields (sentinel, calls)."""
    calls = []

    def record(name):
        def fake(*args, **kwargs):
            calls.append((name, args))
            raise AssertionError(f"{name} was called with {args}")
        return fake

    for mod, name in [(os, "system"), (os, "popen"), (os, "remove"), (os, "unlink"), (os, "execv"),
                      (subprocess, "Popen"), (subprocess, "run"), (subprocess, "call")]:
        monkeypatch.setattr(mod, name, record(f"{mod.__name__}.{name}"))
    sentinel = tmp_path / "SENTINEL"
    yield sentinel, calls
    assert not sentinel.exists(), "an input created the sentinel file"
    assert calls == [], f"an input launched a process: {calls}"


def test_payload_corpus_is_rejected_by_the_command_line_in_one_line(no_side_effects, capsys):
    sentinel, _ = no_side_effects
    corpus = _payloads(str(sentinel))
    assert len(corpus) >= 1000
    for text in corpus:
        rc = main(["show", f"--expr={text}"])
        out, err = capsys.readouterr()
        assert rc == 2, text
        assert out == "", text
        assert err.count("\n") == 1 and err.startswith("deeplimits show: error: --expr "), (text, err)


def test_payloads_are_rejected_as_grammar_or_limit_errors(no_side_effects):
    sentinel, _ = no_side_effects
    kinds = {}
    for text in _payloads(str(sentinel)):
        with pytest.raises(ExpressionError) as info:
            parse_activation(text)
        kinds[info.value.kind] = kinds.get(info.value.kind, 0) + 1
        assert info.value.expression == text
    assert set(kinds) <= set(ExpressionError.KINDS)
    assert kinds["grammar"] > 1000  # the Python-shaped ones fail on the grammar, before any semantics


def test_console_script_runs_nothing(tmp_path):
    """The real entry point, in a fresh process, with a payload that would create a file."""
    sentinel = tmp_path / "PWNED"
    for payload in (f"__import__('os').system('touch {sentinel}')",
                    f"x*0 + open('{sentinel}', 'w').write('1')"):
        out = subprocess.run([sys.executable, "-m", "verify.cli", "show", "--expr", payload],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 2
        assert out.stdout == ""
        assert out.stderr.count("\n") == 1 and "is not allowed" in out.stderr
    assert not sentinel.exists()


# ---------------------------------------------------------------------------
# Fuzzing.
@settings(max_examples=300)
@given(st.text(max_size=MAX_LENGTH + 20))
def test_arbitrary_text_parses_or_is_rejected_cleanly(text):
    try:
        expr = parse_activation(text)
    except ExpressionError as exc:
        assert "\n" not in str(exc)
        assert exc.kind in ExpressionError.KINDS
    else:
        assert isinstance(expr, sp.Expr)
        assert expr.free_symbols <= {x}


_DANGEROUS = st.sampled_from(["__import__", "open", "exec", "eval", "os", "sys", "getattr", "globals",
                              "__class__", "__builtins__", "compile", "breakpoint", "input", "lambda"])


@st.composite
def _python_shaped(draw):
    """A Python expression built around a forbidden construct, embedded in a valid one."""
    name = draw(_DANGEROUS)
    inner = draw(st.sampled_from(["x", "1", "'s'", "x*2"]))
    shape = draw(st.sampled_from([
        "{n}({i})", "{n}.{n}({i})", "x.{n}", "({i}).{n}", "[{i} for {n}_ in x]", "{n}[{i}]", "lambda: {n}",
        "{i} if {n} else {i}", "{{{i}: {n}}}", "{n}({i}, k={i})", "{i} and {n}", "f'{{{n}}}'", "({n} := {i})",
    ]))
    bad = shape.format(n=name, i=inner)
    outer = draw(st.sampled_from(["{b}", "x + {b}", "exp({b})", "sin(x)*({b})", "-({b})", "({b})**2"]))
    return outer.format(b=bad)


@settings(max_examples=300)
@given(_python_shaped())
def test_python_shaped_payloads_are_grammar_errors(text):
    with pytest.raises(ExpressionError) as info:
        parse_activation(text)
    assert info.value.kind in ("grammar", "size")


_LEAVES = st.one_of(
    st.just(("x", x)),
    st.integers(0, 9).map(lambda n: (str(n), sp.Integer(n))),
    st.sampled_from([("0.5", sp.Rational(1, 2)), ("1.25", sp.Rational(5, 4)), ("pi", sp.pi), ("E", sp.E)]),
)
_UNARY = [("sin", sp.sin), ("cos", sp.cos), ("tanh", sp.tanh), ("erf", sp.erf), ("atan", sp.atan),
          ("abs", sp.Abs), ("exp", sp.exp), ("sigmoid", lambda u: 1 / (1 + sp.exp(-u)))]


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: (f"({t[0][0]}) {t[1]} ({t[2][0]})",
                   {"+": t[0][1] + t[2][1], "-": t[0][1] - t[2][1], "*": t[0][1] * t[2][1]}[t[1]]))
    power = st.tuples(children, st.integers(0, 3)).map(lambda t: (f"({t[0][0]})**{t[1]}", t[0][1] ** t[1]))
    call = st.tuples(st.sampled_from(_UNARY), children).map(lambda t: (f"{t[0][0]}({t[1][0]})", t[0][1](t[1][1])))
    quotient = children.map(lambda c: (f"({c[0]})/(1 + x**2)", c[1] / (1 + x**2)))
    return st.one_of(binary, power, call, quotient)


@settings(max_examples=200)
@given(st.recursive(_LEAVES, _extend, max_leaves=12))
def test_grammar_expressions_equal_their_independent_sympy_construction(pair):
    text, expected = pair
    if len(text) > MAX_LENGTH:
        return
    try:
        got = parse_expression(text)
    except ExpressionError as exc:  # only the size limits may refuse a grammatical expression
        assert exc.kind == "size", exc
        return
    assert sp.simplify(got - expected) == 0, (text, got, expected)


# ---------------------------------------------------------------------------
# Semantics.
@pytest.mark.parametrize("text, expected", [
    ("x*erf(x)", x * sp.erf(x)),
    ("sin(x)*exp(-x**2/4)", sp.sin(x) * sp.exp(-x**2 / 4)),
    ("x*tanh(x)", x * sp.tanh(x)),
    ("log(1 + exp(x))", sp.log(1 + sp.exp(x))),
    ("softplus(x)", sp.log(1 + sp.exp(x))),
    ("x/(1 + x**2)", x / (1 + x**2)),
    ("atan(x)", sp.atan(x)),
    ("exp(-x**2)*cos(3*x)", sp.exp(-x**2) * sp.cos(3 * x)),
    ("x**3*exp(-abs(x))", x**3 * sp.exp(-sp.Abs(x))),
    ("relu(x)", sp.Max(x, 0)),
    ("x*sigmoid(x)", x / (1 + sp.exp(-x))),
    ("0.1*x^2", x**2 / 10),  # ^ binds like **, not like Python xor
    ("-x^2*3", -3 * x**2),
    ("2**x", sp.exp(x * sp.log(2))),
    ("sqrt(1 + x**2)", sp.sqrt(1 + x**2)),
])
def test_accepted_activations(text, expected):
    assert sp.simplify(parse_activation(text) - expected) == 0


@pytest.mark.parametrize("text, kind, phrase", [
    ("log(x)", "domain", "fails at x = 0"),
    ("1/x", "domain", "never 0"),
    ("x**-2", "domain", "never 0"),
    ("sqrt(x)", "domain", "fails at x = -1"),
    ("x**(1/3)", "domain", ">= 0"),
    ("x**x", "domain", "positive constant base"),
    ("log(-1)", "domain", "not real"),
    ("exp(x**2/4)", "growth", "exp(c x^2)"),
    ("cosh(x**2)", "growth", "exp(c x^2)"),
    ("exp(exp(x))", "growth", "cannot be bounded"),
    ("zeta(x)", "grammar", "'zeta'"),
    ("relu", "grammar", "must be called"),
    ("y*x", "grammar", "unknown name 'y'"),
    ("1/0", "finite", "division by zero"),
    ("log(0)", "finite", "not finite"),
    ("10**10**10", "size", "exponent"),
    ("x" * (MAX_LENGTH + 1), "size", "characters"),
])
def test_rejected_activations_say_why(text, kind, phrase):
    with pytest.raises(ExpressionError) as info:
        parse_activation(text)
    assert info.value.kind == kind
    assert phrase in info.value.reason
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("expr, order", [
    (x**3 * sp.exp(-sp.Abs(x)), 0), (sp.exp(x), 1),
    # conservative: the exponent grows like |x| (true order 1), but the decay of 1/(1 + x^2) is not tracked
    (x**5 * sp.exp(x**3 * sp.tanh(x) / (1 + x**2)), 3),
    (sp.log(1 + sp.exp(x)), 0), (sp.sinh(x), 1), (sp.exp(-x**2 / 4) * sp.exp(x), 1),
    (sp.exp(x**2), 2), (1 / (1 + sp.exp(-x)), 0), (sp.sqrt(1 + x**2), 0),
])
def test_growth_order(expr, order):
    assert growth_order(expr) == order


def test_growth_order_bounds_the_function_numerically():
    """Cross-check: for accepted activations, log|phi(x)| / |x|^(p + 1/2) stays small at large |x|."""
    import mpmath

    for text in ["x**3*exp(-abs(x))", "exp(x)", "x*tanh(x)", "log(1 + exp(x))", "sinh(x)*erf(x)"]:
        phi = parse_activation(text)
        p = growth_order(phi)
        f = sp.lambdify(x, phi, "mpmath")
        for v in (60, -60, 400, -400):
            value = abs(f(mpmath.mpf(v)))
            assert value == 0 or mpmath.log(value) <= abs(v) ** (p + 0.5), (text, v)


def test_declared_parameters_are_the_only_other_names():
    a = Parameter("a", Domain(0, float("inf"), closed=(False, False)), "a", (0.5, 2.0))
    rec = custom_activation("log(1 + exp(a*x))/a", parameters=(a,), name="scaled_softplus")
    assert rec.expressions["phi"] == sp.log(1 + sp.exp(a.symbol * x)) / a.symbol
    with pytest.raises(ExpressionError, match="unknown name 'b'"):
        custom_activation("b*x", parameters=(a,))
    clash = Parameter("exp", Domain(), "e", (-1.0, 1.0))
    with pytest.raises(ValueError, match="clash"):
        parse_activation("x", parameters=(clash,))


def test_every_listed_function_is_accepted_on_a_safe_argument():
    for name, fn in FUNCTIONS.items():
        args = ", ".join(["x"] + ["1"] * (fn.arity[0] - 1))
        arg = "1 + x**2" if name in ("log", "sqrt") else args
        assert isinstance(parse_activation(f"{name}({arg})"), sp.Expr), name


def test_covariance_sde_record_uses_the_same_parser(no_side_effects):
    sentinel, _ = no_side_effects
    with pytest.raises(ExpressionError):
        covariance_sde_record(f"__import__('os').system('touch {sentinel}')")
    assert covariance_sde_record("tanh(x)", name="tanh").expressions["kappa"] == -2


@pytest.mark.parametrize("text, kind", [
    ("x*sqrt(-1)", "domain"), ("x*log(-1)", "domain"), ("x + x*(-1)**0.5", "domain"), ("exp(x*sqrt(-1))", "domain"),
    ("sin(x*log(-1))", "domain"), ("((x**64)**64)**64", "size"), ("exp(x - (((x+1)**64)**64)**64)", "size"),
    ("x*sin(exp(exp(exp(exp(10)))))", "size"), ("exp(exp(exp(exp(10))))**2", "size"),
])
def test_review_findings_imaginary_constants_and_merged_powers_are_rejected(text, kind):
    """Found by an independent review: SymPy folds sqrt(-1) into I and merges nested powers."""
    with pytest.raises(ExpressionError) as info:
        parse_activation(text)
    assert info.value.kind == kind


def test_a_long_flat_sum_is_not_mistaken_for_deep_nesting():
    assert parse_activation(" + ".join(["x"] * 45)) == 45 * x  # 45 levels of left-nested additions
