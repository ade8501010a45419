r"""SymPy functions that exist for floating point, and print to runtime helpers.

* ``Correlation(c, s)`` is $\rho = c/s$ clipped to $[-1, 1]$, and $0$ where
  $s = 0$ (a zero variance makes the pair independent).  Rounding can push
  $c/\sqrt{q_1 q_2}$ just past $\pm 1$; clipping keeps $\arccos$ and
  $\sqrt{1-\rho^2}$ real.
* ``Branch(cond, series, general)`` equals ``general`` mathematically; the
  series is the Taylor expansion used where ``cond`` holds because
  ``general`` cancels there.  The emitter evaluates the series only on the
  entries that need it.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["Correlation", "Branch", "Expm1", "RootProduct", "strip_numeric", "strip_all"]


class Correlation(sp.Function):
    """$\\mathrm{clip}(c/s, -1, 1)$, with 0 where $s = 0$."""

    nargs = 2
    is_real = True

    def _eval_rewrite_as_Piecewise(self, c, s, **kwargs):
        return c / s


class Branch(sp.Function):
    """``series`` where ``cond`` holds, else ``general``; both equal the same function."""

    nargs = 3


def strip_numeric(expr: sp.Expr) -> sp.Expr:
    """Replace ``Branch`` by its general form and ``Correlation(c, s)`` by ``c/s``."""
    expr = expr.replace(lambda e: isinstance(e, Branch), lambda e: e.args[2])
    expr = expr.replace(lambda e: type(e).__name__ == "RootProduct", lambda e: sp.sqrt(e.args[0] * e.args[1]))
    return expr.replace(lambda e: isinstance(e, Correlation), lambda e: e.args[0] / e.args[1])


class Expm1(sp.Function):
    """$e^z - 1$, printed as ``numpy.expm1`` (accurate for small $z$)."""

    nargs = 1

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return sp.exp(z) - 1

    def fdiff(self, argindex=1):
        return sp.exp(self.args[0])


def strip_all(expr: sp.Expr) -> sp.Expr:
    """:func:`strip_numeric`, and ``Expm1`` rewritten with ``exp``."""
    expr = strip_numeric(expr)
    return expr.replace(lambda e: isinstance(e, Expm1), lambda e: sp.exp(e.args[0]) - 1)


class RootProduct(sp.Function):
    r"""$\sqrt{a b}$ printed as ``numpy.sqrt(a*b)`` (SymPy would split it into $\sqrt a\sqrt b$).

    For $a = b$ this is exactly $a$ in floating point, so $\rho = 1$ exactly on a
    kernel's diagonal.
    """

    nargs = 2
    is_nonnegative = True

    def _eval_rewrite_as_Pow(self, a, b, **kwargs):
        return sp.sqrt(a * b)


def _strip_root(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, RootProduct), lambda e: sp.sqrt(e.args[0] * e.args[1]))
