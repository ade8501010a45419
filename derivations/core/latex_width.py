r"""How wide a LaTeX formula will be on the page, estimated without TeX.

The export must decide, without running TeX, whether a displayed equation fits
the text width or has to be split into named sub-expressions.  This module
parses the small LaTeX dialect that :func:`sympy.latex` writes (commands,
``{...}`` groups, ``^``/``_`` scripts, ``\frac``, ``\sqrt``, ``\left...\right``,
``cases``) and measures it in *ems of the body font*:

* a letter, digit or delimiter counts $0.55$, an operator or relation with its
  spacing $1.3$, scripts $0.7$ of their content, a fraction the wider of its
  numerator and denominator;
* :func:`unbreakable_width` is the widest piece that ``breqn``'s ``dmath`` must
  keep on one line: it may break a display at top-level relations and binary
  operators and inside top-level ``\left(...\right)`` pairs, never inside a
  fraction, root, function argument or ``cases``.

The numbers are a coarse, deliberately pessimistic model of Computer Modern;
the test suite compiles the exported catalog and reads TeX's overfull-box
report, which is the real check.
"""

from __future__ import annotations

import re

__all__ = ["latex_width", "unbreakable_width"]

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)
_CHAR = 0.55
_OPERATOR = 1.3
_SCRIPT = 0.7
_BINARY = set("+-=<>") | {r"\cdot", r"\leq", r"\geq", r"\neq", r"\to", r"\times", r"\pm", r"\mp", r"\sim", r"\approx"}
_ONE_ARG = {r"\mathrm", r"\text", r"\operatorname", r"\mathbf", r"\mathbb", r"\mathcal", r"\mathtt", r"\mathit",
            r"\dot", r"\ddot", r"\hat", r"\bar", r"\tilde", r"\overline", r"\boldsymbol", r"\vec"}
_SPACES = {r"\,": 0.17, r"\:": 0.22, r"\;": 0.28, r"\ ": 0.33, r"\quad": 1.0, r"\qquad": 2.0, r"\!": -0.17}
_ZERO = {r"\left", r"\right", r"\displaystyle", r"\limits", r"\nolimits", "{", "}"}


def _parse(text: str) -> list:
    """Nested lists for ``{...}`` groups, strings for every other token."""
    stack: list[list] = [[]]
    for tok in _TOKEN.findall(text):
        if tok == "{":
            stack.append([])
        elif tok == "}":
            if len(stack) > 1:
                group = stack.pop()
                stack[-1].append(group)
        elif not tok.isspace():
            stack[-1].append(tok)
    while len(stack) > 1:  # unbalanced input: close what is open
        group = stack.pop()
        stack[-1].append(group)
    return stack[0]


def _text_len(node) -> float:
    if isinstance(node, list):
        return sum(_text_len(n) for n in node)
    return 0.5 * len(node.lstrip("\\")) if node.startswith("\\") and len(node) > 2 else 0.5


def _items(nodes: list) -> list[tuple[float, str]]:
    """Width of each top-level item, tagged ``"op"`` (a break point), ``"open"``, ``"close"`` or ``"atom"``."""
    out: list[tuple[float, str]] = []
    i = 0
    n = len(nodes)

    def arg(j: int):
        return (nodes[j], j + 1) if j < n else ([], j)

    while i < n:
        tok = nodes[i]
        if isinstance(tok, list):
            out.append((_width(tok), "atom"))
            i += 1
        elif tok in ("^", "_"):
            a, i = arg(i + 1)
            w = _SCRIPT * _width(a if isinstance(a, list) else [a])
            if out and out[-1][1] == "atom":  # sub- and superscript overlap: count the wider
                out.append((w * 0.6, "atom"))
            else:
                out.append((w, "atom"))
        elif tok == r"\frac":
            a, i = arg(i + 1)
            b, i = arg(i)
            out.append((max(_width(_as_list(a)), _width(_as_list(b))) + 0.3, "atom"))
        elif tok == r"\sqrt":
            a, i = arg(i + 1)
            if a == "[":  # optional index
                while i < n and nodes[i] != "]":
                    i += 1
                a, i = arg(i + 1)
            out.append((_width(_as_list(a)) + 1.0, "atom"))
        elif tok in _ONE_ARG:
            a, i = arg(i + 1)
            width = _text_len(a) if tok in (r"\mathrm", r"\text", r"\operatorname", r"\mathtt", r"\mathit") else _width(_as_list(a))
            out.append((width, "atom"))
        elif tok == r"\left":
            out.append((_CHAR, "open"))
            i += 2
        elif tok == r"\right":
            out.append((_CHAR, "close"))
            i += 2
        elif tok == r"\begin":
            env, i = arg(i + 1)
            depth, j = 1, i
            while j < n and depth:
                if nodes[j] == r"\begin":
                    depth += 1
                elif nodes[j] == r"\end":
                    depth -= 1
                j += 1
            out.append((_environment(nodes[i:j - 1]), "atom"))
            i = j + 1  # skip the \end's {env}
        elif tok in _BINARY:
            out.append((_OPERATOR, "op"))
            i += 1
        elif tok in _SPACES:
            out.append((_SPACES[tok], "atom"))
            i += 1
        elif tok in _ZERO:
            i += 1
        elif tok.startswith("\\") and len(tok) > 2:
            word = tok[1:]
            out.append((_CHAR * (len(word) if word in _NAMED_FUNCTIONS else 1), "atom"))
            i += 1
        else:
            out.append((_CHAR * (0.5 if tok in ",;.'" else 1), "atom"))
            i += 1
    return out


_NAMED_FUNCTIONS = {"arccos", "arcsin", "arctan", "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "ln",
                    "erf", "max", "min", "operatorname", "text", "for", "otherwise", "infty"}


def _as_list(node) -> list:
    return node if isinstance(node, list) else [node]


def _environment(body: list) -> float:
    rows: list[list[list]] = [[[]]]
    depth = 0  # nested environments keep their own rows and columns
    for tok in body:
        depth += (tok == r"\begin") - (tok == r"\end")
        if tok == r"\\" and depth == 0:
            rows.append([[]])
        elif tok == "&" and depth == 0:
            rows[-1].append([])
        else:
            rows[-1][-1].append(tok)
    return max(sum(_width(c) for c in row) + 1.0 * (len(row) - 1) for row in rows) + 1.0


def _width(nodes: list) -> float:
    return sum(w for w, _ in _items(nodes))


def latex_width(text: str) -> float:
    """Estimated width of ``text`` set in one line, in ems."""
    return _width(_parse(text))


def unbreakable_width(text: str) -> float:
    r"""Estimated width of the widest piece of ``text`` that a ``dmath`` cannot break, in ems.

    Break points are top-level binary operators and relations, and the same
    inside top-level ``\left(...\right)`` pairs; a run between break points is
    kept whole.
    """
    widest = run = 0.0
    depth = 0
    for w, kind in _items(_parse(text)):
        if kind == "open":
            depth += 1
            run += w
        elif kind == "close":
            depth = max(0, depth - 1)
            run += w
        elif kind == "op":
            widest = max(widest, run)
            run = w
        else:
            run += w
    return max(widest, run)
