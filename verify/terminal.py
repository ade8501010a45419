r"""Text for a plain terminal: lines that fit its width, and inline LaTeX read as Unicode.

Records carry prose with inline maths in ``$...$`` (steps, assumptions,
architectures).  A terminal shows that maths as Unicode instead:
:func:`tex_to_unicode` is a small LaTeX reader (commands, groups, scripts) that
maps what the records use --- Greek letters, ``\frac``, ``\sqrt``, sub- and
superscripts, relations, fonts --- and drops what only typesets (``\left``,
spacing).  It is for reading, not a LaTeX implementation: an unknown command
keeps its name without the backslash.

>>> tex_to_unicode(r"$\partial_c V_{\varphi} = \tfrac12 E f''$ for $q_1 \ge 0$")
"∂_c V_φ = 1/2 E f'' for q₁ ≥ 0"
>>> wrap("a " * 10, width=8, indent="  ")
['a a a a', '  a a a', '  a a a']
"""

from __future__ import annotations

import shutil
import textwrap

__all__ = ["prose", "terminal_width", "tex_to_unicode", "wrap"]

_SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # relations, operators, arrows
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "~",
    "equiv": "≡", "propto": "∝", "in": "∈", "notin": "∉", "subset": "⊂", "mid": "|", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "mapsto": "↦", "cdot": "·", "times": "×",
    "pm": "±", "mp": "∓", "star": "⋆", "circ": "∘", "otimes": "⊗", "partial": "∂", "nabla": "∇",
    "infty": "∞", "int": "∫", "sum": "Σ", "prod": "∏", "langle": "⟨", "rangle": "⟩", "top": "ᵀ",
    "ell": "ℓ", "dots": "…", "ldots": "…", "cdots": "⋯", "forall": "∀", "exists": "∃", "lvert": "|",
    "rvert": "|", "lVert": "‖", "rVert": "‖", "|": "‖", "{": "{", "}": "}", "%": "%", "$": "$", "_": "_",
    "&": "&", "#": "#",
    # spacing and sizing: typesetting only
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": "  ", "qquad": "   ", "left": "", "right": "",
    "big": "", "Big": "", "bigg": "", "Bigg": "", "bigl": "", "bigr": "", "displaystyle": "", "limits": "",
    "nonumber": "",
}
_FONTS = ("mathrm", "text", "textrm", "textit", "textbf", "mathit", "mathbf", "mathtt", "texttt",
          "operatorname", "mathsf", "boldsymbol", "bm", "emph")
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_CALLIGRAPHIC = {"N": "𝒩", "L": "ℒ", "O": "𝒪", "F": "ℱ", "G": "𝒢", "H": "ℋ", "D": "𝒟"}
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303", "bar": "\u0304",
            "overline": "\u0305", "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7"}
_SUPER = dict(zip("0123456789+-=()nijkltT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏˡᵗᵀ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


def terminal_width(*, maximum: int = 100) -> int:
    """Columns to fill: the terminal's width (``COLUMNS`` or 80 when not a terminal), at most ``maximum``."""
    return max(20, min(shutil.get_terminal_size(fallback=(80, 24)).columns, maximum))


def wrap(text: str, *, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` columns; lines after the first start with ``indent``.

    Breaks at spaces, and inside a word only when the word alone is wider than a line.
    """
    return textwrap.wrap(text, width=width, subsequent_indent=indent, break_on_hyphens=False) or [""]


class _Reader:
    """A cursor over LaTeX source; :meth:`sequence` returns the Unicode of what it reads."""

    def __init__(self, src: str):
        self.src, self.pos = src, 0

    def _command(self) -> str:
        start = self.pos = self.pos + 1  # after the backslash
        if self.pos < len(self.src) and self.src[self.pos].isalpha():
            while self.pos < len(self.src) and self.src[self.pos].isalpha():
                self.pos += 1
        else:
            self.pos += 1
        return self.src[start:self.pos]

    def _skip_spaces(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos] == " ":
            self.pos += 1

    def argument(self) -> str:
        """The Unicode of the next argument: a ``{group}``, a command, or one character."""
        self._skip_spaces()
        if self.pos >= len(self.src):
            return ""
        ch = self.src[self.pos]
        if ch == "{":
            self.pos += 1
            out = self.sequence(stop="}")
            self.pos += 1
            return out
        if ch == "\\":
            return self._expand(self._command())
        self.pos += 1
        return ch

    def _optional(self) -> str:
        if self.pos < len(self.src) and self.src[self.pos] == "[":
            end = self.src.find("]", self.pos)
            if end > 0:
                out, self.pos = _Reader(self.src[self.pos + 1:end]).sequence(), end + 1
                return out
        return ""

    def _expand(self, name: str) -> str:
        if name in ("frac", "tfrac", "dfrac"):
            num, den = self.argument(), self.argument()
            return f"{_atom(num)}/{_atom(den)}"
        if name == "binom":
            n, k = self.argument(), self.argument()
            return f"C({n}, {k})"
        if name == "sqrt":
            index = self._optional()
            body = self.argument()
            root = {"3": "∛", "4": "∜"}.get(index, (_script(index, _SUPER, "^") if index else "") + "√")
            return root + _atom(body)
        if name in _FONTS:
            return self.argument()
        if name == "mathbb":
            arg = self.argument()
            return "".join(_BLACKBOARD.get(ch, ch) for ch in arg)
        if name == "mathcal":
            arg = self.argument()
            return "".join(_CALLIGRAPHIC.get(ch, ch) for ch in arg)
        if name in _ACCENTS:
            arg = self.argument()
            return arg + _ACCENTS[name] if len(arg) == 1 else f"{name}({arg})"
        if name in ("overset", "stackrel"):
            over, base = self.argument(), self.argument()
            return f"{base}{_script(over, _SUPER, '^')}"
        if name in ("begin", "end"):
            self.argument()
            return " "
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        return name  # \ln, \exp, \arcsin, \det, \lim and anything unknown: its name

    def sequence(self, stop: str = "") -> str:
        out: list[str] = []
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if stop and ch == stop:
                break
            if ch == "\\":
                name = self._command()
                if name == "\\":  # a LaTeX line break
                    out.append("; ")
                    continue
                text = self._expand(name)
                if name.isalpha() and text == name and self.pos < len(self.src) and self.src[self.pos].isalnum():
                    text += " "  # \ln x reads "ln x", not "lnx"
                out.append(text)
            elif ch in "^_":
                self.pos += 1
                arg = self.argument()
                out.append(_script(arg, _SUPER if ch == "^" else _SUB, ch))
            elif ch == "{":
                out.append(self.argument())
            elif ch == "~":
                self.pos += 1
                out.append(" ")
            else:
                self.pos += 1
                out.append(ch)
        return "".join(out)


def _atom(text: str) -> str:
    """``text`` parenthesized unless it is one symbol or number."""
    return text if len(text) <= 1 or text.isalnum() or text.replace(".", "", 1).isdigit() else f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """Super- or subscript: Unicode when every character has one, else ``^x`` / ``_(xy)``."""
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return mark + _atom(text)


def tex_to_unicode(text: str) -> str:
    """Prose with inline ``$...$`` (or ``$$...$$``) maths, the maths read as Unicode; other text unchanged."""
    parts = text.replace("$$", "$").split("$")
    if len(parts) % 2 == 0:  # an unmatched $ is a dollar sign
        return text
    return "".join(_Reader(p).sequence() if k % 2 else p for k, p in enumerate(parts))


def prose(text: str, *, width: int, first: str = "", indent: str = "") -> list[str]:
    """``first`` + ``text`` (maths as Unicode), wrapped to ``width`` with ``indent`` on continued lines."""
    return wrap(first + " ".join(tex_to_unicode(text).split()), width=width, indent=indent)
