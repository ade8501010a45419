r"""Plain-text prose with ASCII maths, typeset as LaTeX.

Record titles, assumptions, parameter descriptions and checks are written for a
terminal: ``|c| <= sqrt(q1 q2)``, ``h_{l+1} = sqrt(2/n_l) W_l relu(h_l)``,
``phi''(0) != 0``.  Set in LaTeX text mode, ``<`` ``|`` ``^`` ``_`` come out as
wrong glyphs or errors.  :func:`prose_to_latex` finds the mathematical runs and
sets them in ``$...$``, and escapes everything else:

* ``$...$`` already in the text is kept as it is;
* a *run* is a maximal stretch of mathematical units (identifiers with
  ``_``/``^`` scripts, Greek names, single-letter variables, numbers,
  operators ``= <= >= != -> => <- ~ + - * / |``, function calls such as
  ``sqrt(x)``, ``N(0, 1)``, ``E[phi(u)^2]``, and bracketed groups whose content
  is mathematical), cut at ``, ; : .`` followed by a space and at prose words;
  it is typeset as maths when it has an operand that is unmistakably
  mathematical, or an operator with an operand (``> 0``);
* identifiers that name code (``explosion_time``, ``dual.relu``,
  ``log_gaussian.md``) are set in ``\texttt``;
* ``a``/``A`` before a prose word is the article; ``x`` between two capitals or
  digits (``K x K``, ``4x4``) is ``\times``; ``<x, x'>`` is an inner product;
  ``in`` between two mathematical units is ``\in``; number ranges get an en dash.

Nothing in the input reaches LaTeX unescaped except ``$...$`` maths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["prose_to_latex", "escape_text", "math_of"]

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
    "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}
_GREEK_ALIAS = {"eps": r"\varepsilon", "lmbda": r"\lambda"}
_TEX_FUNCTIONS = {"exp", "ln", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arccos", "arcsin", "arctan",
                  "max", "min", "det", "sup", "inf", "lim", "sum", "prod"}
_NAMED_FUNCTIONS = {"relu", "diag", "vec", "sigmoid", "sgn", "sign", "Var", "Cov", "Bin", "Bernoulli", "erf",
                    "swish", "softplus", "floor", "tr", "acos", "atan2"}
_VALUE_WORDS = {"identity": r"\mathrm{identity}", "id": r"\mathrm{id}", "infinity": r"\infty"}
_OPERATORS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "->": r"\to", "=>": r"\Rightarrow", "<-": r"\leftarrow",
              "~": r"\sim", "=": "=", "<": "<", ">": ">", "+": "+", "-": "-", "/": "/", "|": "|", "*": r"\,",
              "\u00b7": r"\cdot", "\u00d7": r"\times", "kron": r"\otimes", "...": r"\dots"}
_ABBREVIATIONS = ("e.g.", "i.e.", "a.s.", "a.e.", "i.i.d.", "cf.", "et al.", "vs.")
_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_text(text: str) -> str:
    """Escape ``text`` for LaTeX text mode (every special character, ``< > |`` included); ``a-b`` digit ranges get ``--``."""
    out = "".join(_SPECIAL.get(ch, ch) for ch in text)
    return re.sub(r"(?<=\d)-(?=\d)", "--", out)


# -- tokens --------------------------------------------------------------------
@dataclass
class _Tok:
    kind: str   # word ident code num op open close punct space text script
    text: str
    primes: str = ""

    @property
    def src(self) -> str:
        return self.text + self.primes


_SCRIPT_ARG = r"(?:\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9]+|[+\-*])"
_PATTERNS = [
    ("text", re.compile("|".join(re.escape(a) for a in _ABBREVIATIONS))),
    ("text", re.compile(r"\b[A-Z]\.(?= [A-Z])|'s\b")),                 # initials ("M. Li"), possessives
    ("text", re.compile(r"\d+(?:\.\d+)?-\d+(?:\.\d+)?(?![\w.])")),       # ranges: 287-322, 2.1-2.3
    ("text", re.compile(r"\d+-D\b|\d+(?:st|nd|rd|th)\b|\d+-(?!(?:" + "|".join(sorted(_GREEK)) + r")\b)[a-z]{3,}\b")),
    # 1-D, 4th, 1-homogeneous (not 1-alpha)
    ("code", re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?![A-Za-z0-9_(])")),
    ("ident", re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![{(\w])")),
    ("text", re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+")),    # hyphenated prose words
    ("num", re.compile(r"\d+(?:\.\d+)?")),
    ("word", re.compile(r"[A-Za-z]+[0-9]*")),
    ("script", re.compile(r"[_^]" + _SCRIPT_ARG)),
    ("op", re.compile(r"\.\.\.|<=|>=|!=|->|=>|<-|[=<>~+\-*/|\u00b7\u00d7]")),
    ("open", re.compile(r"[(\[\u27e8]")),
    ("close", re.compile(r"[)\]\u27e9]")),
    ("space", re.compile(r"\s+")),
    ("punct", re.compile(r".", re.S)),
]


def _prepare(text: str) -> str:
    text = re.sub(r"(?<=\d)x(?=\d)", "\u00d7", text)                  # 4x4
    text = re.sub(r"\b([A-Z0-9]) x (?=[A-Z0-9]\b)", "\\1 \u00d7 ", text)  # K x K x D
    text = re.sub(r"<([A-Za-z][^<>=]*?[A-Za-z0-9'])>", "\u27e8\\1\u27e9", text)  # <x, x'>
    text = re.sub(r"(?<=\S) \. (?=\S)", " \u00b7 ", text)               # h . L f
    return text


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(text):
        for kind, pat in _PATTERNS:
            m = pat.match(text, i)
            if m:
                break
        tok = m.group()
        i = m.end()
        if kind == "ident" and not _is_math_ident(tok):
            kind = "code"
        elif kind == "ident":  # math identifier: split into word + scripts
            base, *subs = tok.split("_")
            out.append(_Tok("word", base))
            out.extend(_Tok("script", "_" + s) for s in subs)
            continue
        if kind == "word" and text.startswith("kron", i - 4) and tok == "kron":
            kind = "op"
        if kind in ("word",):
            p = re.match(r"'+(?![A-Za-z])", text[i:])
            if p:
                out.append(_Tok(kind, tok, p.group()))
                i += p.end()
                continue
        out.append(_Tok(kind, tok))
    return out


def _is_math_base(word: str) -> bool:
    m = re.fullmatch(r"([A-Za-z]+?)\d+", word)
    return (len(word) == 1 or word in _GREEK or word in _GREEK_ALIAS or word in _TEX_FUNCTIONS
            or m is not None and (len(m.group(1)) == 1 or m.group(1) in _GREEK))


def _is_math_ident(tok: str) -> bool:
    parts = tok.split("_")
    if len(parts) != 2 or not _is_math_base(parts[0]):
        return False
    sub = parts[1]
    return len(sub) <= 3 or sub in _GREEK or sub in ("out", "std")


# -- units: tokens grouped by brackets and calls -------------------------------
@dataclass
class _Unit:
    kind: str            # tok | group | call
    tok: _Tok | None = None
    inner: list | None = None
    open: str = ""
    close: str = ""
    head: _Tok | None = None
    scripts: list | None = None


def _group(tokens: list[_Tok], force: bool = False) -> list[_Unit]:
    stack: list[tuple[list[_Unit], str]] = [([], "")]
    for tok in tokens:
        if tok.kind == "open":
            stack.append(([], tok.text))
        elif tok.kind == "close" and len(stack) > 1:
            inner, opener = stack.pop()
            stack[-1][0].append(_Unit("group", inner=inner, open=opener, close=tok.text, scripts=[]))
        elif tok.kind == "script" and stack[-1][0] and stack[-1][0][-1].kind in ("group", "call"):
            stack[-1][0][-1].scripts.append(tok)
        else:
            stack[-1][0].append(_Unit("tok", tok=tok))
    while len(stack) > 1:  # unbalanced: the opener is plain punctuation
        inner, opener = stack.pop()
        stack[-1][0].extend([_Unit("tok", tok=_Tok("punct", opener)), *inner])
    return _calls(stack[0][0], force)


def _calls(units: list[_Unit], force: bool = False) -> list[_Unit]:
    """A word, number or closing group immediately followed by a group is one call unit: ``sqrt(x)``, ``N(0, 1)``."""
    out: list[_Unit] = []
    for u in units:
        if u.kind == "group":
            u.inner = _calls(u.inner, force)
            prev = out[-1] if out else None
            if (prev is not None and prev.kind == "tok" and prev.tok.kind == "word" and u.open != "\u27e8"
                    and (force or _math_content(u.inner) and (_word_is_math(prev.tok) or _is_math(u)))):
                out[-1] = _Unit("call", head=prev.tok, inner=u.inner, open=u.open, close=u.close, scripts=u.scripts)
                continue
        out.append(u)
    return out


# -- classification ------------------------------------------------------------
def _word_is_math(tok: _Tok) -> bool:
    w = tok.text
    return (_is_math_base(w) or w in _NAMED_FUNCTIONS or bool(tok.primes)
            or re.fullmatch(r"d(?:[tBWbxsu]|" + "|".join(_GREEK) + ")", w) is not None)


def _strong(u: _Unit) -> bool:
    """A unit that is mathematical on its own (not a bare number, not an operator)."""
    if u.kind == "call":
        return True
    if u.kind == "group":
        return _is_math(u) and any(_strong(v) or _is_op(v) for v in u.inner)
    t = u.tok
    if t.kind == "script":
        return True
    return t.kind == "word" and _word_is_math(t)


def _is_function_word(word: str) -> bool:
    return word in _TEX_FUNCTIONS or word in _NAMED_FUNCTIONS


def _is_op(u: _Unit) -> bool:
    return u.kind == "tok" and u.tok.kind == "op"


def _math_content(units: list[_Unit]) -> bool:
    """Non-empty, and every unit but spaces and commas may be maths."""
    content = [v for v in units if not (v.kind == "tok" and (v.tok.kind == "space" or v.tok.text == ","))]
    return bool(content) and all(_is_math(v) or v.kind == "tok" and v.tok.kind == "code" for v in content)


def _is_math(u: _Unit) -> bool:
    """Whether a unit may belong to a maths run."""
    if u.kind == "call":
        return True
    if u.kind == "group":
        return _math_content(u.inner) and any(_strong(v) or _is_op(v) for v in u.inner)
    t = u.tok
    if t.kind in ("num", "op", "script"):
        return True
    return t.kind == "word" and (_word_is_math(t) or t.text in _VALUE_WORDS or t.text == "in")


# -- rendering -----------------------------------------------------------------
def _script_tex(tok: _Tok) -> str:
    mark, arg = tok.text[0], tok.text[1:]
    if arg.startswith("{"):
        body = math_of(arg[1:-1])
    elif arg in ("+", "-", "*"):
        body = arg
    elif arg == "pm":
        body = r"\pm"
    elif arg == "T" and mark == "^":
        body = r"\top"
    elif arg in _GREEK:
        body = "\\" + arg
    elif len(arg) <= 2:
        body = arg
    else:
        body = rf"\mathrm{{{arg}}}"
    return f"{mark}{{{body}}}"


def _word_tex(tok: _Tok) -> str:
    w = tok.text
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", w)
    if m and (len(m.group(1)) == 1 or m.group(1) in _GREEK):
        return _word_tex(_Tok("word", m.group(1))) + f"_{{{m.group(2)}}}" + tok.primes
    if w in _GREEK:
        out = "\\" + w
    elif w in _GREEK_ALIAS:
        out = _GREEK_ALIAS[w]
    elif w in _TEX_FUNCTIONS:
        out = "\\" + w
    elif w in _NAMED_FUNCTIONS:
        out = rf"\operatorname{{{w}}}"
    elif w in _VALUE_WORDS:
        out = _VALUE_WORDS[w]
    elif w == "in":
        out = r"\in"
    elif w == "E":
        out = r"\operatorname{E}"
    elif w.startswith("d") and len(w) > 1:
        out = "d" + _word_tex(_Tok("word", w[1:]))
    elif len(w) == 1 or len(w) <= 3 and w.islower():  # inside forced maths: a product of letters ("tn")
        out = w
    else:
        out = rf"\mathrm{{{w}}}"
    return out + tok.primes


def _code_tex(text: str) -> str:
    return r"\texttt{" + escape_text(text) + "}"


_OPEN_TEX = {"(": "(", "[": "[", "\u27e8": r"\langle "}
_CLOSE_TEX = {")": ")", "]": "]", "\u27e9": r"\rangle "}


def _math_units(units: list[_Unit]) -> str:
    parts: list[str] = []
    for u in units:
        if u.kind == "call":
            inner = _math_units(u.inner)
            h = u.head
            if h.text == "sqrt":
                s = rf"\sqrt{{{inner}}}"
            elif h.text == "floor":
                s = rf"\lfloor {inner}\rfloor"
            else:
                s = _word_tex(h) + _OPEN_TEX[u.open] + inner + _CLOSE_TEX[u.close]
            parts.append(s + "".join(_script_tex(t) for t in u.scripts))
        elif u.kind == "group":
            parts.append(_OPEN_TEX[u.open] + _math_units(u.inner) + _CLOSE_TEX[u.close]
                         + "".join(_script_tex(t) for t in u.scripts))
        else:
            t = u.tok
            if t.kind == "space":
                parts.append(" ")
            elif t.kind == "op":
                parts.append(" " + _OPERATORS[t.text] + " " if t.text not in ("|", "/", "*") else _OPERATORS[t.text])
            elif t.kind == "script":
                parts.append(_script_tex(t))
            elif t.kind == "word":
                parts.append(_word_tex(t) + (" " if t.text in ("E",) or t.text in _NAMED_FUNCTIONS else ""))
            elif t.kind == "code":
                parts.append(_code_tex(t.text))
            elif t.kind == "num":
                parts.append(t.text)
            elif t.kind == "punct" and t.text == ",":
                parts.append(", ")
            else:
                parts.append(escape_text(t.text) if t.text not in ":;'" else t.text)
    out = "".join(parts)
    out = re.sub(r"\\([A-Za-z]+) (?=[A-Za-z])", r"\\\1 ", out)
    return re.sub(r" {2,}", " ", out).strip()


def math_of(text: str) -> str:
    """ASCII maths (all of ``text``) as LaTeX maths, without the dollars: ``sqrt(q1 q2)`` -> ``\\sqrt{q_{1} q_{2}}``."""
    return _math_units(_group(_tokens(_prepare(text)), force=True))


def _is_article(units: list[_Unit], k: int) -> bool:
    u = units[k]
    if not (u.kind == "tok" and u.tok.kind == "word" and u.tok.text in ("a", "A") and not u.tok.primes):
        return False
    nxt = next((v for v in units[k + 1:] if not (v.kind == "tok" and v.tok.kind == "space")), None)
    return nxt is not None and nxt.kind == "tok" and nxt.tok.kind in ("word", "text") and not _is_math(nxt)


def _source(units: list[_Unit]) -> str:
    out = []
    for u in units:
        if u.kind == "tok":
            out.append(u.tok.src)
        else:
            head = u.head.src if u.kind == "call" else ""
            out.append(head + u.open + _source(u.inner) + u.close + "".join(t.text for t in u.scripts))
    return "".join(out)


def _prose_units(units: list[_Unit]) -> str:
    out: list[str] = []
    run: list[_Unit] = []

    def flush() -> None:
        while run and run[-1].kind == "tok" and run[-1].tok.kind == "space":
            trailing = run.pop()
            flush()
            out.append(trailing.tok.text)
            return
        if not run:
            return
        operands = [u for u in run if not _is_op(u) and not (u.kind == "tok" and u.tok.kind == "space")]
        has_strong = any(_strong(u) for u in operands)
        has_op = any(_is_op(u) for u in run)
        if has_strong or (has_op and operands):
            if len(run) == 1 and run[0].kind == "tok" and run[0].tok.kind == "code":
                out.append(_code_tex(run[0].tok.text))
            else:
                out.append("$" + _math_units(run) + "$")
        else:
            out.append(escape_text(_source(run)))
        run.clear()

    for k, u in enumerate(units):
        is_space = u.kind == "tok" and u.tok.kind == "space"
        if is_space:
            if run:
                run.append(u)
            else:
                out.append(u.tok.text)
            continue
        mathy = _is_math(u) and not _is_article(units, k)
        if mathy and u.kind == "tok" and u.tok.kind == "word" and u.tok.text in _VALUE_WORDS:
            prev = [v for v in run if not (v.kind == "tok" and v.tok.kind == "space")]
            mathy = bool(prev) and _is_op(prev[-1])
        if mathy and u.kind == "tok" and u.tok.kind == "word" and _is_function_word(u.tok.text):
            prev = [v for v in run if not (v.kind == "tok" and v.tok.kind == "space")]
            nxt = next((v for v in units[k + 1:] if not (v.kind == "tok" and v.tok.kind == "space")), None)
            if u.tok.text in ("sum", "prod"):  # a bare "sum" is the English word; "sum_l" is the operator
                mathy = nxt is not None and nxt.kind == "tok" and nxt.tok.kind == "script"
            else:
                mathy = (bool(prev) and _is_op(prev[-1])) or (nxt is not None and nxt.kind != "tok") or (
                    nxt is not None and nxt.kind == "tok" and nxt.tok.kind in ("word", "script", "op", "num")
                    and _is_math(nxt) and not _is_function_word(nxt.tok.text) and nxt.tok.text not in ("/", "in"))
        if mathy and u.kind == "tok" and u.tok.text == "in":
            prev = [v for v in run if not (v.kind == "tok" and v.tok.kind == "space")]
            nxt = next((v for v in units[k + 1:] if not (v.kind == "tok" and v.tok.kind == "space")), None)
            mathy = bool(prev) and _strong(prev[-1]) and nxt is not None and _strong(nxt)
        if mathy:
            run.append(u)
            continue
        flush()
        if u.kind == "group":
            out.append(escape_text(u.open) + _prose_units(u.inner) + escape_text(u.close)
                       + "".join(escape_text(t.text) for t in u.scripts))
        elif u.kind == "call":  # not reached: calls are maths
            out.append("$" + _math_units([u]) + "$")
        elif u.tok.kind == "code":
            out.append(_code_tex(u.tok.text))
        else:
            out.append(escape_text(u.tok.src))
    flush()
    return "".join(out)


def prose_to_latex(text: str) -> str:
    """``text`` typeset for LaTeX text mode: ASCII maths in ``$...$``, code in ``\\texttt``, the rest escaped.

    ``$...$`` spans already in ``text`` are kept verbatim.

    >>> prose_to_latex("covariance of (u, v); |c| <= sqrt(q1 q2)")
    'covariance of $(u, v)$; $|c| \\\\le \\\\sqrt{q_{1} q_{2}}$'
    """
    pieces = re.split(r"(\$[^$]+\$)", text)
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else _prose_units(_group(_tokens(_prepare(p))))
                   for p in pieces)
