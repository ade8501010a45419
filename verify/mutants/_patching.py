"""Swap a function object for another wherever a loaded module binds it, for the duration of a ``with`` block.

Claims reach generated functions as module attributes (``kernel_fc.nngp_step``), as names imported
into another module, or through a module-level dict (a table of functions) or an object holding such a
dict (an ``Activation``'s ``functions``).  :func:`swapped` replaces every binding of that shape that
*is* the original object (identity, not equality) in every module of ``sys.modules`` and puts each
one back in a ``finally``; so a mutant lives only inside the block, even when the block raises.
Dicts and objects are scanned in the project's and the user's modules, not in the standard library's
or installed packages'. Objects built inside the block from the module's attributes see the mutant; those built before
it and holding the function elsewhere (a closure, a tuple) do not: a mutant they hide is then
reported as not reached, never silently counted as killed.
"""

from __future__ import annotations

import sys
import sysconfig
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping

__all__ = ["swapped"]

#: Where the standard library and installed packages live: their modules' attributes are scanned, not the
#: dicts and objects they hold (a scan of every object of NumPy and SymPy would cost ~0.2 s per swap).
_LIBRARIES = tuple(sorted({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}))


def _bindings(originals: Mapping[int, str]) -> list[tuple[dict, str, str]]:
    """``(namespace, key, function name)`` for every binding of an original function (by id)."""
    found: list[tuple[dict, str, str]] = []
    seen: set[int] = set()

    def scan(space: dict) -> None:
        if id(space) in seen:
            return
        seen.add(id(space))
        for key, value in list(space.items()):
            name = originals.get(id(value))
            if name is not None:
                found.append((space, key, name))

    for module in list(sys.modules.values()):
        space = getattr(module, "__dict__", None)
        if not isinstance(space, dict):
            continue
        scan(space)
        if str(getattr(module, "__file__", "") or "").startswith(_LIBRARIES):
            continue  # the standard library and installed packages: module attributes only (fast)
        for value in list(space.values()):
            if isinstance(value, dict):
                scan(value)
            else:
                inner = getattr(value, "__dict__", None) if not isinstance(value, type) else None
                if isinstance(inner, dict):
                    for held in list(inner.values()):
                        if isinstance(held, dict):
                            scan(held)
    return found


@contextmanager
def swapped(replacements: Mapping[Callable, Callable]) -> Iterator[int]:
    """Bind ``replacements[f]`` wherever ``f`` is bound (see the module docstring); yields the number of
    bindings replaced.  Every binding is restored on exit."""
    originals = {id(f): name for name, f in enumerate(replacements)}
    by_index = list(replacements.values())
    keep = list(replacements)  # the originals stay alive (and their ids unique) while swapped
    done: list[tuple[dict, str, object]] = []
    try:
        for space, key, index in _bindings(originals):
            done.append((space, key, space[key]))
            space[key] = by_index[index]
        yield len(done)
    finally:
        for space, key, value in reversed(done):
            space[key] = value
        del keep
