"""The printer behind generated code: SciPy's, with the gaps of SymPy 1.14 closed.

* ``pi`` prints as ``numpy.pi`` (not ``scipy.constants.pi``);
* a two-branch ``Piecewise`` prints as ``numpy.where`` (not ``numpy.select``
  with a NaN default);
* ``Max``/``Min`` of two arguments print as ``numpy.maximum``/``numpy.minimum``;
* ``Correlation``, series patches and sums (``FiniteSumCall``,
  ``SeriesCall``, made by the emitter from ``Sum`` and ``BoundedSeries``)
  print as calls into :mod:`numerics._runtime`; ``Expm1`` as ``numpy.expm1``.

Only right-hand sides are ever printed: SymPy 1.14's NumPy printers drop
divisions when printing ``Assignment`` (sympy/sympy#30395).
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import SciPyPrinter

from .numeric_functions import Correlation, Expm1

__all__ = ["KernelPrinter", "Patch", "FiniteSumCall", "SeriesCall"]


class Patch(sp.Function):
    """``Patch(cond, general, name, *args)``: printed as ``_rt.patch(cond, general, name, *args)``."""


class FiniteSumCall(sp.Function):
    """``FiniteSumCall(term, lower, upper, *args)``: printed as ``_rt.finite_sum(term, lower, upper, *args)``."""


class SeriesCall(sp.Function):
    """``SeriesCall(term, start, ratio, bound, *args)``: printed as ``_rt.bounded_series(...)``."""


class KernelPrinter(SciPyPrinter):
    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False, "strict": True})

    def _print_Pi(self, expr):
        return "numpy.pi"

    def _print_Exp1(self, expr):
        return "numpy.e"

    def _print_Piecewise(self, expr):
        if len(expr.args) == 2 and expr.args[1].cond == sp.true:
            (a, cond), (b, _) = expr.args
            return f"numpy.where({self._print(cond)}, {self._print(a)}, {self._print(b)})"
        return super()._print_Piecewise(expr)

    def _print_Max(self, expr):
        if len(expr.args) == 2:
            return f"numpy.maximum({self._print(expr.args[0])}, {self._print(expr.args[1])})"
        return super()._print_Max(expr)

    def _print_Min(self, expr):
        if len(expr.args) == 2:
            return f"numpy.minimum({self._print(expr.args[0])}, {self._print(expr.args[1])})"
        return super()._print_Min(expr)

    def _print_Correlation(self, expr):
        return f"_rt.correlation({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_RootProduct(self, expr):
        return f"numpy.sqrt({self._print(expr.args[0])}*{self._print(expr.args[1])})"

    def _print_Expm1(self, expr):
        return f"numpy.expm1({self._print(expr.args[0])})"

    def _print_Patch(self, expr):
        cond, general, name, *args = expr.args
        rest = "".join(f", {self._print(a)}" for a in args)
        return f"_rt.patch({self._print(cond)}, {self._print(general)}, {name}{rest})"

    def _print_LogGamma(self, expr):
        return f"scipy.special.gammaln({self._print(expr.args[0])})"

    def _print_FiniteSumCall(self, expr):
        term, *rest = expr.args
        return f"_rt.finite_sum({term}, {', '.join(self._print(a) for a in rest)})"

    def _print_SeriesCall(self, expr):
        term, *rest = expr.args
        return f"_rt.bounded_series({term}, {', '.join(self._print(a) for a in rest)})"

    def _print_Heaviside(self, expr):
        return f"numpy.heaviside({self._print(expr.args[0])}, 0.5)"


_ = (Correlation, Expm1)
