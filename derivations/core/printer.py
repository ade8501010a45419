r"""The printer behind generated code: SciPy's, with the gaps of SymPy 1.14 closed.

* ``pi`` prints as ``numpy.pi`` (not ``scipy.constants.pi``);
* a two-branch ``Piecewise`` prints as ``numpy.where`` (not ``numpy.select``
  with a NaN default);
* ``Max``/``Min`` of two arguments print as ``numpy.maximum``/``numpy.minimum``;
* ``Correlation``, series patches and sums (``FiniteSumCall``,
  ``SeriesCall``, made by the emitter from ``Sum`` and ``BoundedSeries``)
  print as calls into :mod:`numerics.core._runtime`; ``Expm1`` as ``numpy.expm1``;
* :func:`stable_rewrite` (run by the emitter before common-subexpression
  elimination, while the patterns are still whole) replaces textbook forms
  that overflow to NaN or cancel at large arguments by their stable
  equivalents: $\log(1 + e^u) \to \max(u, 0) + \log(1 + e^{-|u|})$
  (``numpy.log1p``; ``numpy.logaddexp(0, u)`` where $u$ is not a name),
  $e^{ku}(1 + e^u)^{-n} \to \sigma(u)^k\sigma(-u)^{n-k}$ with
  $\sigma(u)$ printed as ``1/(1 + numpy.exp(-u))`` (no $\infty/\infty$,
  no $\infty\cdot 0$), $e^u - 1 \to$ ``numpy.expm1(u)``,
  $1 \pm \operatorname{erf} u \to$ ``scipy.special.erfc(\mp u)`` and
  $1 - \tanh^2 u \to \cosh^{-2} u$.  The records keep their textbook
  expressions (and hashes); only the printed arithmetic changes.

Only right-hand sides are ever printed: SymPy 1.14's NumPy printers drop
divisions when printing ``Assignment`` (sympy/sympy#30395).
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import SciPyPrinter

from .numeric_functions import Correlation, Expm1

__all__ = [
    "Erfc",
    "Expit",
    "FiniteSumCall",
    "KernelPrinter",
    "Patch",
    "SeriesCall",
    "Softplus",
    "stable_rewrite",
    "unstable_form",
]


class Patch(sp.Function):
    """``Patch(cond, general, name, *args)``: printed as ``_rt.patch(cond, general, name, *args)``."""


class FiniteSumCall(sp.Function):
    """``FiniteSumCall(term, lower, upper, *args)``: printed as ``_rt.finite_sum(term, lower, upper, *args)``."""


class SeriesCall(sp.Function):
    """``SeriesCall(term, start, ratio, bound, *args)``: printed as ``_rt.bounded_series(...)``."""


class Expit(sp.Function):
    r"""The logistic sigmoid $\sigma(u) = 1/(1 + e^{-u})$ (SciPy's ``expit``), printed as ``1/(1 + numpy.exp(-u))``."""

    nargs = 1
    is_real = True

    def fdiff(self, argindex=1):
        return Expit(self.args[0]) * Expit(-self.args[0])

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return 1 / (1 + sp.exp(-u))


class Softplus(sp.Function):
    r"""$\log(1 + e^u)$, printed as $\max(u, 0) + \log(1 + e^{-|u|})$ (no overflow, full accuracy for $u \ll 0$)."""

    nargs = 1
    is_real = True

    def fdiff(self, argindex=1):
        return Expit(self.args[0])

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return sp.log(1 + sp.exp(u))


class Erfc(sp.Function):
    r"""$1 - \operatorname{erf}(u)$ printed as ``scipy.special.erfc(u)``; unlike SymPy's ``erfc`` it never
    rewrites ``Erfc(-u)`` as ``2 - erfc(u)`` (which would bring the cancellation back)."""

    nargs = 1
    is_real = True

    def _eval_rewrite_as_erf(self, u, **kwargs):
        return 1 - sp.erf(u)


def _one_plus_exp(base: sp.Expr) -> sp.Expr | None:
    """``u`` if ``base`` is $1 + e^u$, else None."""
    if base.is_Add and len(base.args) == 2 and sp.S.One in base.args:
        other = base.args[0] if base.args[1] == 1 else base.args[1]
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def _logistic_power(e: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``(u, n)`` if ``e`` is $(1 + e^u)^{-n}$ with a positive number $n$, else None."""
    if e.is_Pow and e.exp.is_number and e.exp.is_negative:
        u = _one_plus_exp(e.base)
        if u is not None:
            return u, -e.exp
    return None


def _stable_mul(m: sp.Expr) -> sp.Expr:
    r"""$e^{v}\prod_i (1 + e^{u_i})^{-n_i}$ in sigmoids: $(1 + e^u)^{-1} = \sigma(-u)$, $e^u/(1 + e^u) = \sigma(u)$.

    With $v = k u$: $\sigma(u)^k\sigma(-u)^{n-k}$ for $0 \le k \le n$; outside, the exponential
    that is left ($e^{(k-n)u}$ or $e^{ku}$) is large only where its sigmoid factor tends to 1,
    so no $\infty \cdot 0$ can arise.
    """
    rest, logistic, exps = [], [], []
    for f in m.args:
        lp = _logistic_power(f)
        if lp is not None:
            logistic.append(lp)
        elif isinstance(f, sp.exp):
            exps.append(f)
        else:
            rest.append(f)
    out = []
    for u, n in logistic:
        k = None
        if len(exps) == 1:
            ratio = sp.cancel(exps[0].args[0] / u)
            if ratio.is_Rational:
                k = ratio
        if k is None:
            out.append(Expit(-u) ** n)
            continue
        exps = []
        if k >= n:
            out.append(sp.exp((k - n) * u) * Expit(u) ** n)
        elif k <= 0:
            out.append(sp.exp(k * u) * Expit(-u) ** n)
        else:
            out.append(Expit(u) ** k * Expit(-u) ** (n - k))
    return sp.Mul(*rest, *exps, *out)


def _stable_add(a: sp.Expr) -> sp.Expr:
    r"""$c(e^u - 1) \to c\,\mathrm{expm1}(u)$, $c(1 \pm \operatorname{erf} u) \to c\,\mathrm{erfc}(\mp u)$,
    $c(1 - \tanh^2 u) \to c\cosh^{-2} u$, where $c$ is the numeric constant term of the sum."""
    const, rest = a.as_coeff_Add()
    if const == 0:
        return a
    terms = list(sp.Add.make_args(rest))
    for i, term in enumerate(terms):
        coeff, core = term.as_coeff_Mul()
        new = None
        if isinstance(core, sp.exp) and coeff == -const:
            new = coeff * Expm1(core.args[0])
        elif isinstance(core, sp.erf) and coeff in (const, -const):
            new = const * Erfc(-core.args[0] if coeff == const else core.args[0])
        elif core.is_Pow and isinstance(core.base, sp.tanh) and core.exp == 2 and coeff == -const:
            new = const * sp.cosh(core.base.args[0]) ** -2
        if new is not None:
            return sp.Add(*terms[:i], new, *terms[i + 1:])
    return a


def stable_rewrite(expr: sp.Expr) -> sp.Expr:
    """``expr`` with the unstable patterns of the module docstring replaced by stable functions.

    Mathematically an identity (:func:`unstable_form` undoes it; the tests check that
    the difference simplifies to 0 for every catalog activation and its first two
    derivatives, and for $e^{ku}(1 + e^u)^{-n}$ with $k$ below, inside and above $[0, n]$).
    """
    expr = expr.replace(
        lambda e: isinstance(e, sp.log) and _one_plus_exp(e.args[0]) is not None,
        lambda e: Softplus(_one_plus_exp(e.args[0])),
    )
    expr = expr.replace(lambda e: e.is_Mul and any(_logistic_power(f) for f in e.args), _stable_mul)
    expr = expr.replace(lambda e: _logistic_power(e) is not None,
                        lambda e: Expit(-_logistic_power(e)[0]) ** _logistic_power(e)[1])
    return expr.replace(lambda e: e.is_Add, _stable_add)


def unstable_form(expr: sp.Expr) -> sp.Expr:
    """The inverse of :func:`stable_rewrite`: the stable functions written out in ``exp``, ``erf``, ``tanh``."""
    return expr.replace(
        lambda e: isinstance(e, (Expit, Softplus, Expm1, Erfc)),
        lambda e: e.rewrite(sp.erf) if isinstance(e, Erfc) else e.rewrite(sp.exp),
    )


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

    def _print_Expit(self, expr):
        # 1/(1 + e^{-u}) has no inf/inf and no inf*0 (e^{-u} = inf gives 0, e^{-u} = 0 gives 1) and is
        # accurate to a few ulps; it only flushes results below 1.1e-308 (u < -709.78) to 0.  Faster
        # than scipy.special.expit (not vectorised), which the simulators' inner loops feel.
        return f"(1/(1 + numpy.exp({self._print(-expr.args[0])})))"

    def _print_Softplus(self, expr):
        u = expr.args[0]
        if u.is_Atom:  # the fast form prints its argument three times: only for a name or a number
            arg = self._print(u)
            return f"(numpy.maximum({arg}, 0) + numpy.log1p(numpy.exp(-numpy.abs({arg}))))"
        return f"numpy.logaddexp(0, {self._print(u)})"

    def _print_Erfc(self, expr):
        return f"scipy.special.erfc({self._print(expr.args[0])})"

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
