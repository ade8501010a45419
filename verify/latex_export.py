"""A complete LaTeX document of records: title, source, assumptions, derivation and equations.

No formula is written by hand: every equation is :func:`sympy.latex` of a
record's expression, with the parameters' own LaTeX symbols.
"""

from __future__ import annotations

import re

from derivations.record import Record

__all__ = ["latex_document", "record_section", "escape"]

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def escape(text: str) -> str:
    """Escape plain text for LaTeX, keeping ``$...$`` maths as it is."""
    parts = re.split(r"(\$[^$]*\$)", text)
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else "".join(_SPECIAL.get(ch, ch) for ch in p) for p in parts)


_NAMES = {
    "phi": r"\varphi(x)",
    "phi_prime": r"\varphi'(x)",
    "dual": r"V_\varphi(q_1, q_2, c) = E[\varphi(u)\varphi(v)]",
    "dual_derivative": r"\dot V_\varphi(q_1, q_2, c) = E[\varphi'(u)\varphi'(v)]",
    "variance": r"E[\varphi(u)^2],\ u \sim N(0, q)",
    "derivative_variance": r"E[\varphi'(u)^2],\ u \sim N(0, q)",
}


def record_section(record: Record) -> str:
    lines = [rf"\section{{{escape(record.title)}}}", rf"\label{{rec:{record.id}}}",
             rf"\textbf{{Id:}} \texttt{{{escape(record.id)}}}\\",
             rf"\textbf{{Source:}} {escape(record.source)}\\",
             *([rf"\textbf{{Architecture:}} {escape(record.architecture)}\\"] if record.architecture else []),
             rf"\textbf{{Derivation:}} {escape(record.derivation.method.value)}.", ""]
    if record.assumptions:
        lines += [r"\paragraph{Assumptions}", r"\begin{itemize}"]
        lines += [rf"  \item {escape(a)}" for a in record.assumptions]
        lines += [r"\end{itemize}"]
    lines += [r"\paragraph{Parameters}", r"\begin{itemize}"]
    for p in record.parameters:
        lines.append(rf"  \item ${p.latex} \in {p.domain.latex()}$: {escape(p.description)}")
    lines += [r"\end{itemize}", r"\paragraph{Results}"]
    for name in record.expressions:
        label = _NAMES.get(name, r"\mathrm{" + name.replace("_", r"\_") + "}")
        lines += [r"\begin{dmath*}", f"{label} = {record.latex(name)}", r"\end{dmath*}"]
    if record.derivation.steps:
        lines += [r"\paragraph{How it was derived}", r"\begin{enumerate}"]
        lines += [rf"  \item {escape(s)}" for s in record.derivation.steps]
        lines += [r"\end{enumerate}"]
    if record.derivation.checks:
        lines.append(rf"\paragraph{{Checks}} {escape('; '.join(record.derivation.checks))}.")
    return "\n".join(lines) + "\n"


def latex_document(records: list[Record], *, title: str = "deeplimits: derived results") -> str:
    body = "\n".join(record_section(r) for r in records)
    return (
        "\\documentclass[11pt]{article}\n"
        "\\usepackage{amsmath,amssymb,breqn}\n"
        "\\usepackage[margin=2cm]{geometry}\n"
        f"\\title{{{escape(title)}}}\n\\date{{}}\n"
        "\\begin{document}\n\\maketitle\n\\tableofcontents\n\n"
        f"{body}\n\\end{{document}}\n"
    )
