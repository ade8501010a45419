r"""A complete LaTeX document of records: title, source, assumptions, derivation and equations.

No formula is written by hand: every equation is the display form
(:meth:`Record.display <derivations.core.record.Record.display>`) of a record's
expression, with the parameters' own LaTeX symbols; prose (titles, sources,
assumptions, parameter descriptions, checks) goes through
:func:`verify.latex_prose.prose_to_latex`, so ASCII maths such as
``|c| <= sqrt(q1 q2)`` is typeset as maths and nothing reaches text mode raw.

The document needs ``pdflatex`` with TeX Live's ``texlive-latex-recommended``
(``breqn``, ``microtype``; it pulls in ``texlive-latex-base`` with ``amsmath``,
``geometry``, ``fontenc``, ``inputenc`` and ``texlive-base`` with ``amssymb``)
and ``lmodern`` (the T1 Latin Modern fonts).
"""

from __future__ import annotations

import re

from derivations.core.latex_width import latex_width
from derivations.core.record import Record
from verify.latex_prose import escape_text, prose_to_latex

__all__ = ["latex_document", "record_section", "split_long_fractions", "escape", "PREAMBLE"]

#: Packages the document loads (breqn last: it must follow every other maths package).
PREAMBLE = (
    "\\documentclass[11pt,a4paper]{article}\n"
    "\\usepackage[T1]{fontenc}\n"
    "\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{lmodern}\n"
    "\\usepackage{microtype}\n"
    "\\usepackage[margin=2cm]{geometry}\n"
    "\\usepackage{amsmath,amssymb}\n"
    "\\usepackage{breqn}\n"
    "\\setlength{\\emergencystretch}{3em}\n"
    "\\setlength{\\parindent}{0pt}\n"
    "\\setlength{\\parskip}{0.4ex plus 0.2ex}\n"
)

#: Inline maths estimated wider than this (ems) is set as a display instead (a line holds about 44 em).
INLINE_EMS = 30.0


def escape(text: str) -> str:
    """Typeset plain text for LaTeX, keeping ``$...$`` maths as it is (ASCII maths is converted, the rest escaped)."""
    return prose_to_latex(text)


_NAMES = {
    "phi": r"\varphi(x)",
    "phi_prime": r"\varphi'(x)",
    "dual": r"V_\varphi(q_1, q_2, c) = E[\varphi(u)\varphi(v)]",
    "dual_derivative": r"\dot V_\varphi(q_1, q_2, c) = E[\varphi'(u)\varphi'(v)]",
    "variance": r"E[\varphi(u)^2],\ u \sim N(0, q)",
    "derivative_variance": r"E[\varphi'(u)^2],\ u \sim N(0, q)",
}


def _label(name: str) -> str:
    """The left-hand side of a result: a math name for ``u_t``-like names, upright text for code names."""
    if name in _NAMES:
        return _NAMES[name]
    m = re.fullmatch(r"([A-Za-z])_([A-Za-z0-9])", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def _matching_brace(text: str, start: int) -> int:
    """Index just past the group opening at ``text[start] == "{"``."""
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "{" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif text[k] == "}" and text[k - 1] != "\\":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def split_long_fractions(tex: str, *, ratio: float = 2.0) -> str:
    r"""Rewrite ``\frac{A}{B}`` with ``A`` much wider than ``B`` as ``\frac{1}{B}\left(A\right)``, which ``dmath`` can break."""
    out = []
    i = 0
    while True:
        j = tex.find(r"\frac{", i)
        if j < 0:
            out.append(tex[i:])
            return "".join(out)
        a_end = _matching_brace(tex, j + 5)
        b_end = _matching_brace(tex, a_end) if a_end < len(tex) and tex[a_end] == "{" else a_end
        numer, denom = tex[j + 6:a_end - 1], tex[a_end + 1:b_end - 1]
        if b_end > a_end and latex_width(numer) > max(ratio * latex_width(denom), INLINE_EMS / 2):
            out.append(tex[i:j] + r"\frac{1}{" + denom + r"}\left(" + split_long_fractions(numer) + r"\right)")
        else:
            out.append(tex[i:b_end])
        i = b_end


def _prose_with_displays(text: str) -> str:
    """Prose, with any ``$...$`` too wide for a line moved to its own ``dmath*``."""
    pieces = re.split(r"(\$[^$]+\$)", text)
    out = []
    for p in pieces:
        if p.startswith("$") and p.endswith("$") and len(p) > 2 and latex_width(p[1:-1]) > INLINE_EMS:
            out.append("\n\\begin{dmath*}\n" + split_long_fractions(p[1:-1]) + "\n\\end{dmath*}\n")
        else:
            out.append(prose_to_latex(p))
    return "".join(out)


def _equations(label: str, shown) -> list[str]:
    lines = [r"\begin{dmath*}", f"{label} = {shown.main}", r"\end{dmath*}"]
    if shown.where:
        lines.append("where")
        for sym, rhs in shown.where:
            lines += [r"\begin{dmath*}", f"{sym} = {rhs}", r"\end{dmath*}"]
    return lines


def record_section(record: Record) -> str:
    """The ``\\section`` of one record: metadata, assumptions, parameters, results, derivation, checks."""
    used_text = " ".join([*record.assumptions, *record.derivation.steps, *record.derivation.checks,
                          *(p.latex for p in record.parameters), record.architecture, record.title])
    meta = [rf"\textbf{{Id:}} \texttt{{{escape_text(record.id)}}}",
            rf"\textbf{{Source:}} {prose_to_latex(record.source)}",
            *([rf"\textbf{{Architecture:}} {prose_to_latex(record.architecture)}"] if record.architecture else []),
            rf"\textbf{{Derivation:}} {escape_text(record.derivation.method.value)}."]
    lines = [rf"\section{{{prose_to_latex(record.title)}}}", rf"\label{{rec:{record.id}}}",
             r"{\raggedright", "\\\\\n".join(meta), r"\par}", ""]
    if record.assumptions:
        lines += [r"\paragraph{Assumptions}", r"\begin{itemize}"]
        lines += [rf"  \item {_prose_with_displays(a)}" for a in record.assumptions]
        lines += [r"\end{itemize}"]
    lines += [r"\paragraph{Parameters}", r"\begin{itemize}"]
    for p in record.parameters:
        lines.append(rf"  \item ${p.latex} \in {p.domain.latex()}$: {prose_to_latex(p.description)}")
    lines += [r"\end{itemize}", r"\paragraph{Results}"]
    for name, shown in record.display(used_text=used_text).items():
        lines += _equations(_label(name), shown)
    if record.derivation.steps:
        lines += [r"\paragraph{How it was derived}", r"\begin{enumerate}"]
        lines += [rf"  \item {_prose_with_displays(s)}" for s in record.derivation.steps]
        lines += [r"\end{enumerate}"]
    if record.derivation.checks:
        lines.append(r"\paragraph{Checks} " + "; ".join(prose_to_latex(c) for c in record.derivation.checks) + ".")
    return "\n".join(lines) + "\n"


def _document(sections: list[str], title: str) -> str:
    return (PREAMBLE + f"\\title{{{escape_text(title)}}}\n\\date{{}}\n"
            "\\begin{document}\n\\maketitle\n\\tableofcontents\n\n"
            + "\n".join(sections) + "\n\\end{document}\n")


def latex_document(records: list[Record], *, title: str = "deeplimits: derived results") -> str:
    """The whole document for ``records``, in order."""
    return _document([record_section(r) for r in records], title)
