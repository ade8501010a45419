"""The LaTeX export: prose with ASCII maths, display forms, and a document that TeX sets without overfull boxes.

The compile tests run ``pdflatex`` (skipped where it is not installed) and
read its log: an overfull box wider than 20 pt, or any TeX error, fails.  The
PDF text (``pdftotext``, when installed) and the ``.tex`` are searched for the
glyphs that ASCII maths in OT1 text mode produces (``¡`` for ``<``, ``—`` for
``|``, ``ˆ`` for ``^``) and for raw ASCII maths outside maths mode.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from derivations.core.display_latex import (
    LINE_EMS,
    NameBook,
    display_all,
    display_equations,
    display_latex,
    display_symbol_names,
    is_atomic_latex,
    split_expression,
    tidy,
)
from derivations.core.latex_width import unbreakable_width
from verify.latex_export import latex_document, split_long_fractions
from verify.latex_prose import math_of, prose_to_latex

#: Overfull boxes up to this width are tolerated (the issue's acceptance threshold).
MAX_OVERFULL_PT = 20.0
#: A representative subset: the longest closed forms (doubly infinite u_t, leaky ReLU and GELU duals), an
#: inline formula too wide for a line (shaped ReLU's nu), code names and ASCII maths in assumptions.
SUBSET = ["dual.relu", "dual.leaky_relu", "dual.gelu", "resnet_sde.doubly_infinite", "covariance_sde.shaped_relu",
          "log_gaussian.fc_relu", "resnet_sde.general"]
BAD_GLYPHS = ("¡", "¿", "—c—", "ˆ")


# -- text-mode checks -------------------------------------------------------------------------------------
def _strip_math(tex: str) -> str:
    """``tex`` with maths (inline, display, dmath) and command names removed: what TeX sets in text mode."""
    tex = re.sub(r"\\begin\{dmath\*\}.*?\\end\{dmath\*\}", " ", tex, flags=re.S)
    tex = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", " ", tex, flags=re.S)
    tex = re.sub(r"\\(?:label|ref|usepackage|documentclass|setlength|begin|end)(?:\[[^]]*\])?\{[^}]*\}(?:\{[^}]*\})?",
                 " ", tex)
    tex = re.sub(r"\\[A-Za-z]+\*?|\\[^A-Za-z]", " ", tex)  # commands and escaped characters
    return tex


def text_mode_ascii_math(tex: str) -> list[str]:
    """Snippets of ASCII maths left in text mode: ``<= >= != ^ _ | < >`` outside maths and not escaped."""
    text = _strip_math(tex)
    return [text[max(0, m.start() - 20):m.end() + 20] for m in re.finditer(r"<=|>=|!=|[\^_|<>]", text)]


def test_checker_finds_the_reported_problems():
    """The checker flags the user's examples (so that a clean result means something)."""
    raw = r"\item (u, v) with |c| <= sqrt(q1 q2), x^2 and sigma_w"
    assert len(text_mode_ascii_math(raw)) >= 4
    assert text_mode_ascii_math(r"\item $|c| \le \sqrt{q_1 q_2}$, \texttt{explosion\_time}") == []


# -- prose --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("covariance of (u, v); |c| <= sqrt(q1 q2)", r"covariance of $(u, v)$; $|c| \le \sqrt{q_{1} q_{2}}$"),
    ("Monomial x^2: dual activation", r"Monomial $x^{2}$: dual activation"),
    ("slope for x < 0", r"slope for $x < 0$"),
    ("phi''(0) != 0", r"$\phi''(0) \ne 0$"),
    ("u_t, S_t, explosion_time: phi''(0) != 0", r"$u_{t}$, $S_{t}$, \texttt{explosion\_time}: $\phi''(0) \ne 0$"),
    ("a Lipschitz psi such as relu", r"a Lipschitz $\psi$ such as relu"),
    ("s = a sqrt(n)", r"$s = a \sqrt{n}$"),
    ("K x K x D entries", r"$K \times K \times D$ entries"),
    ("<x, x'> / D", r"$\langle x, x'\rangle / D$"),
    ("Comm. Math. Phys. 376:287-322 (2020)", "Comm. Math. Phys. 376:287--322 (2020)"),
    ("Price's identity (symbolic)", "Price's identity (symbolic)"),
    ("beta = sum_l 1/n_l fixed", r"$\beta = \sum_{l} 1/n_{l}$ fixed"),
    ("already $\\sigma_w^2$ maths", "already $\\sigma_w^2$ maths"),
])
def test_prose_to_latex(text, expected):
    assert prose_to_latex(text) == expected


def test_prose_escapes_what_is_not_maths():
    out = prose_to_latex("50% of #15 & {x} ~ a\\b")
    assert text_mode_ascii_math(out) == []
    for raw in ("%", "#", "&", "{x}"):
        assert raw not in _strip_math(out).replace("\\" + raw[0], "")


def test_math_of_scripts_and_functions():
    assert math_of("h_{l+1}") == "h_{l + 1}"
    assert math_of("W_std") == r"W_{\mathrm{std}}"
    assert math_of("Phi_{floor(tn)}") == r"\Phi_{\lfloor tn\rfloor}"
    assert math_of("g^T g") == r"g^{\top} g"


# -- display forms -------------------------------------------------------------------------------------
def test_compound_symbols_get_parentheses():
    """``sigma_w^2 ||psi(x)||^2/D`` must not read as ``||psi||^2/(D sigma_w^2)``; atoms stay bare."""
    assert not is_atomic_latex(r"\|\psi(x)\|^2/D")
    assert not is_atomic_latex(r"\psi(x_j)\psi'(x_j)")
    assert not is_atomic_latex(r"\int_0^T S\,dt")
    for atom in (r"\sigma_w", r"\phi''(0)", r"E[\psi(u)\psi(v)]", r"\|\psi(x_{\star p})\|^2", r"c_{+}",
                 r"V[\varepsilon^W\psi(x)+\varepsilon^b]_{de}", r"(\mu_b + \mu_W\psi(x))_d", r"\dot V_\varphi"):
        assert is_atomic_latex(atom), atom
    p, s = sp.symbols("p s", positive=True)
    names = display_symbol_names({p: r"\|\psi(x)\|^2/D", s: r"\sigma_w"})
    assert display_latex(s**2 * p, names) == r"\left(\|\psi(x)\|^2/D\right) \sigma_w^{2}"
    assert display_latex(p**2, names) == r"\left(\|\psi(x)\|^2/D\right)^{2}"


def test_tidy_simplifies_the_reported_base_and_keeps_the_value():
    q = sp.Symbol("q", nonnegative=True)
    expr = (-q**2 + (q + 1)**2)**sp.Rational(3, 2) * sp.asin(q / (q + 1))
    shown = tidy(expr, {q: "q"})
    assert r"\left(2 q + 1\right)^{\frac{3}{2}}" in display_latex(shown, {q: "q"})
    for value in (0.0, 0.3, 2.5, 17.0):
        assert float(shown.subs(q, value)) == pytest.approx(float(expr.subs(q, value)), rel=1e-12)


def _long_expression():
    a, b, c, t = sp.symbols("a b c t", positive=True)
    core = a**2 * (b + c) - c**2 * (a + b)**2
    piece = sp.Piecewise((sp.tan(t * sp.sqrt(core)) / sp.sqrt(core), core > 0),
                         (sp.tanh(t * sp.sqrt(-core)) / sp.sqrt(-core), core < 0), (t, True))
    return (a + core * piece) / (1 - b**2 * a * piece) + sp.sqrt(core + a**3) * piece**2, (a, b, c, t)


def test_long_expressions_are_split_into_pieces_that_fit_and_mean_the_same():
    expr, symbols = _long_expression()
    names = {s: str(s) for s in symbols}
    assert unbreakable_width(display_latex(expr, display_symbol_names(names))) > LINE_EMS  # the case is real
    shown = display_equations(expr, names)
    assert shown.where, "a long expression must be split"
    for piece in (shown.main, *(rhs for _, rhs in shown.where)):
        assert unbreakable_width(piece) <= LINE_EMS
    # the same split on the SymPy side: main with the definitions put back is the tidied expression,
    # and the tidied expression has the value of the original at random points
    book = NameBook(display_symbol_names(names), r"\xi")
    shown_expr = tidy(expr, names)
    main, order = split_expression(shown_expr, book)
    assert [s for s, _ in order] == list(book.full)
    reassembled = main.xreplace(book.full)
    assert not reassembled.free_symbols - set(symbols)
    rng = random.Random(20240611)
    for _ in range(8):
        point = {s: rng.uniform(0.2, 1.5) for s in symbols}
        want = complex(expr.subs(point).evalf(30))
        assert complex(shown_expr.subs(point).evalf(30)) == pytest.approx(want, rel=1e-12)
        assert complex(reassembled.subs(point).evalf(30)) == pytest.approx(want, rel=1e-12)


def test_names_are_shared_between_the_expressions_of_a_record():
    expr, symbols = _long_expression()
    names = {s: str(s) for s in symbols}
    shown = display_all({"first": expr, "second": 2 * expr + symbols[0]}, names)
    assert shown["first"].where and not shown["second"].where


def test_split_long_fractions_keeps_short_ones():
    short = r"\frac{a}{b}"
    assert split_long_fractions(short) == short
    numer = " + ".join(f"x_{{{k}}}" for k in range(40))
    out = split_long_fractions(rf"\nu = \frac{{{numer}}}{{2 \pi}}")
    assert out == rf"\nu = \frac{{1}}{{2 \pi}}\left({numer}\right)"


def test_display_leaves_the_record_and_its_code_untouched():
    from derivations import catalog

    record = catalog.get("dual.leaky_relu")
    before = (record.digest(), {k: record.latex(k) for k in record.expressions})
    record.display()
    assert (record.digest(), {k: record.latex(k) for k in record.expressions}) == before


# -- compiling --------------------------------------------------------------------------------------------
def _compile(tex: str, workdir: Path) -> tuple[str, str | None]:
    """Run pdflatex on ``tex``; return the log and the PDF text (None without pdftotext)."""
    (workdir / "doc.tex").write_text(tex)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=workdir,
                          capture_output=True, timeout=600)
    log = (workdir / "doc.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    text = None
    if shutil.which("pdftotext"):
        subprocess.run(["pdftotext", "doc.pdf", "doc.txt"], cwd=workdir, check=True, timeout=120)
        text = (workdir / "doc.txt").read_text(errors="replace")
    return log, text


def _overfull(log: str) -> list[float]:
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]


def _check_document(ids: list[str], tmp_path: Path) -> None:
    from derivations import catalog

    tex = latex_document([catalog.get(i) for i in ids])
    assert text_mode_ascii_math(tex) == []
    for pkg in ("\\usepackage[T1]{fontenc}", "\\usepackage[utf8]{inputenc}", "\\usepackage{lmodern}"):
        assert pkg in tex
    log, text = _compile(tex, tmp_path)
    assert "! " not in log
    wide = [w for w in _overfull(log) if w > MAX_OVERFULL_PT]
    assert wide == [], f"overfull boxes wider than {MAX_OVERFULL_PT} pt: {wide}"
    if text is not None:
        assert {g: text.count(g) for g in BAD_GLYPHS if g in text} == {}


needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


@needs_tex
def test_overfull_detection_works(tmp_path):
    """The log reader sees an overfull box when there is one (so that an empty list means something)."""
    tex = ("\\documentclass{article}\\usepackage[T1]{fontenc}\\begin{document}\n"
           "\\[" + " + ".join(f"x_{{{k}}}" for k in range(80)) + "\\]\n\\end{document}\n")
    log, _ = _compile(tex, tmp_path)
    assert max(_overfull(log)) > MAX_OVERFULL_PT


@needs_tex
def test_representative_records_compile_without_overfull_boxes(tmp_path):
    _check_document(SUBSET, tmp_path)


@pytest.mark.slow
@needs_tex
def test_whole_catalog_compiles_without_overfull_boxes(tmp_path):
    from derivations import catalog

    _check_document(catalog.ids(), tmp_path)
