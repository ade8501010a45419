"""Every shipped claim is a declaration of at most 60 lines (issue 11).

A claim's size is counted on the source of ``verify/claims/*.py``: the top-level statement that calls
``theorem(...)`` plus every top-level definition it reaches by name, transitively (helpers, constants,
checks), each counted once. Blank lines, comment lines and docstrings are not counted; imports are not
reached. A helper shared by two claims counts for both, so the figure is an upper bound on what a reader
of one claim must read in its file. Numerics imported from ``numerics/`` is not counted: that is the point
of the layout (a claim states, the numerics computes).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

from verify.claims import CLAIMS

CLAIMS_DIR = pathlib.Path(__file__).resolve().parents[3] / "verify" / "claims"
LIMIT = 60


def _definitions(tree: ast.Module) -> dict[str, ast.stmt]:
    out: dict[str, ast.stmt] = {}
    for st in tree.body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[st.name] = st
        elif isinstance(st, ast.Assign):
            out.update({t.id: st for t in st.targets if isinstance(t, ast.Name)})
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            out[st.target.id] = st
    return out


def _docstring_lines(st: ast.stmt) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(st):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def _code_lines(st: ast.stmt, source: list[str]) -> int:
    skip = _docstring_lines(st)
    return sum(1 for i in range(st.lineno, st.end_lineno + 1)
               if i not in skip and source[i - 1].strip() and not source[i - 1].strip().startswith("#"))


def _calls_theorem(st: ast.stmt) -> bool:
    return any(isinstance(c, ast.Call) and getattr(c.func, "id", None) == "theorem" for c in ast.walk(st))


def claim_sizes(path: pathlib.Path) -> dict[str, tuple[int, set[str]]]:
    """{root name: (code lines of its closure, claim ids named in the root)} for one claims module."""
    text = path.read_text()
    source, tree = text.splitlines(), ast.parse(text)
    defs = _definitions(tree)
    out = {}
    for name, root in defs.items():
        if not _calls_theorem(root):
            continue
        seen: set[str] = set()
        todo = [name]
        while todo:
            key = todo.pop()
            if key in seen or key not in defs:
                continue
            seen.add(key)
            todo.extend(n.id for n in ast.walk(defs[key]) if isinstance(n, ast.Name))
        statements = {id(defs[k]): defs[k] for k in seen}.values()
        ids = {c.value for c in ast.walk(root) if isinstance(c, ast.Constant) and isinstance(c.value, str)
               and c.value.startswith("claim.")}
        out[f"{path.name}:{name}"] = (sum(_code_lines(st, source) for st in statements), ids)
    return out


SIZES = {k: v for path in sorted(CLAIMS_DIR.glob("*.py")) for k, v in claim_sizes(path).items()}


@pytest.mark.parametrize("root", sorted(SIZES))
def test_each_claim_is_at_most_60_lines(root):
    lines, _ = SIZES[root]
    assert lines <= LIMIT, f"{root}: {lines} code lines (limit {LIMIT})"


def test_every_shipped_claim_is_measured():
    measured = set().union(*(ids for _, ids in SIZES.values()))
    missing = {cid for cid in CLAIMS if cid not in measured}
    assert not missing, f"claims whose theorem(...) call this count does not find: {sorted(missing)}"


def test_the_count_can_fail(tmp_path):
    """A planted 70-line helper pushes a claim over the limit."""
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    module = tmp_path / "planted.py"
    module.write_text(f'def helper():\n{body}\n\n\nC = theorem(id="claim.planted", checks=[helper])\n')
    (lines, ids), = claim_sizes(module).values()
    assert lines > LIMIT and ids == {"claim.planted"}
