"""No import circle anywhere in derivations/, numerics/ and verify/, and data flows one way.

The graph is read statically from every module's source (imports inside functions
included: a circle kept alive by a function-level import is still a circle).  An edge
A -> B means module A imports module B; ``from package import name`` is an edge to
``package.name`` when that is a module, else to ``package``.  The implicit import of a
module's parent packages is not an edge (every package would otherwise be a circle
with its own ``__init__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("derivations", "numerics", "verify")
#: Layers may import only the layers before them: derivations -> generated code -> numerics -> verify.
LAYER = {"derivations": 0, "numerics": 1, "verify": 2}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem for a in node.names]
            for t in targets:
                while t and t not in modules and "." in t:
                    t = t.rpartition(".")[0]
                if t in modules and t != name:
                    graph[name].add(t)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_the_detector_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_circle():
    cycles = strongly_connected(import_graph())
    assert cycles == [], f"import circles: {cycles}"


def test_layers_import_only_earlier_layers():
    """derivations never imports numerics or verify; numerics never imports verify (nor SymPy: another test)."""
    bad = [(a, b) for a, targets in import_graph().items() for b in targets
           if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]] and not b.startswith("numerics.generated")]
    assert bad == [], bad


def test_a_theory_is_one_name_in_every_layer():
    """A family's record-id prefix is its sub-package in derivations and numerics and its claims module."""
    from derivations.catalog import FAMILIES as RECORD_FAMILIES
    from verify.claims import FAMILIES as CLAIM_FAMILIES

    assert list(RECORD_FAMILIES) == list(CLAIM_FAMILIES)
    for family in RECORD_FAMILIES:
        assert (ROOT / "derivations" / family / "__init__.py").is_file(), family
        assert (ROOT / "numerics" / family / "__init__.py").is_file(), family
        assert (ROOT / "verify" / "claims" / f"{family}.py").is_file(), family
    for layer in ("derivations", "numerics", "verify"):
        assert (ROOT / layer / "core" / "__init__.py").is_file(), f"{layer} has no core package"
