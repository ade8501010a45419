"""A canonical text of a SymPy expression, independent of process history.

``sympy.srepr`` prints a symbol with the assumptions it was *created* with.  Two
symbols created with different but equivalent assumptions (``positive=True``
and ``real=True, positive=True``) are equal and hash equal, so SymPy's caches
may hand either one back, depending on what ran earlier in the process; their
``srepr`` differs.  Digests and expression hashes of generated code use
:func:`canonical_srepr` instead, which prints every symbol with its full,
deduced assumptions, so ``deeplimits codegen`` output does not depend on the
order in which records were built.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.repr import ReprPrinter

__all__ = ["canonical_srepr"]


class _CanonicalRepr(ReprPrinter):
    def _print_Symbol(self, expr):
        facts = ", ".join(f"{k}={v}" for k, v in sorted(expr.assumptions0.items()))
        return f"{type(expr).__name__}({expr.name!r}, {facts})"


def canonical_srepr(expr: sp.Basic) -> str:
    """``srepr`` with symbols printed by name and deduced assumptions (see the module docstring)."""
    return _CanonicalRepr().doprint(expr)
