r"""Activations at extreme finite inputs: no silent NaN, no spurious inf, full accuracy.

Every catalog activation's ``phi`` and ``phi_prime`` (the derivatives an
:class:`~numerics.dual.activations.Activation` exposes), at its default parameters
and at a second parameter set, is compared on a grid of inputs from
$-10^5$ to $10^5$ (and on hypothesis-drawn inputs) with the record's canonical
SymPy expression (:data:`derivations.dual.activations.ACTIVATIONS`, differentiated
by SymPy) evaluated by mpmath.

The reference is evaluated with 400 working digits.  Where the canonical
expressions cancel (``1 + erf(x)``, ``1 - tanh(x)**2``, ``exp(x) - 1``, the
two terms of ``silu'``), the cancelling terms are at most $\max(1, |x|) \le 10^5$
in size, so the reference is correct to about $10^{-395}$ absolutely: to more
than 50 significant digits for every value in the normal float64 range
(checked on the grid: 400 and 450 digits agree to 50 digits).  A float64
value $\hat f$ at $x$ passes when

* $|f(x)| > $ the largest float: $\hat f = \pm\infty$ with the sign of $f(x)$
  (a true overflow, e.g. ``exp`` at 800);
* $|f(x)| < $ the smallest normal float (underflow): $|\hat f - f(x)| \le 2^{-1022}$;
* otherwise $|\hat f - f(x)| \le 8\epsilon|f(x)| + \max_{x' \in B}|f(x') - f(x)|$,
  $B = \{x(1 \pm 8\cdot 2^{-53})\}$: within 8 ulps of the exact values over the
  inputs perturbed by 8 ulps (the convention of :mod:`verify.core.accuracy`; the
  perturbation term is the conditioning of $f$, e.g. of $\sin$ at $10^5$).

Before the stable rewrites of :func:`derivations.core.printer.stable_rewrite`,
``softplus`` gave ``inf`` at 800 and NaN for its derivative, ``silu'`` NaN at
$-800$, ``softplus(-50) = 0`` and ``tanh'(20)`` with 8 wrong digits; all of
these fail the criterion above.
"""

from __future__ import annotations

import math
from functools import cache

import mpmath as mp
import numpy as np
import pytest
import scipy.special
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations.dual.activations import ACTIVATIONS
from derivations.core.printer import Expit, KernelPrinter, stable_rewrite, unstable_form
from derivations.core.symbols import x as X
from numerics.dual.activations import activation, names

EPS = 2.0**-52
TINY, HUGE = 2.2250738585072014e-308, 1.7976931348623157e308
ULPS = 8
DPS, DPS_CHECK = 400, 450
WHICH = ("phi", "phi_prime", "phi_second", "phi_third")  # those an Activation exposes are checked

#: A second parameter set per parametrised activation (the defaults are always checked).
PARAMS = {
    "leaky_relu": {"alpha": 0.3}, "abrelu": {"a": -0.4, "b": 1.7},
    "erf": {"a": 1.3, "b": 0.4, "shift": 0.2}, "sin": {"a": 0.7, "b": 0.3, "phase": 1.1},
    "cos": {"a": 1.0, "b": 0.5, "phase": 0.0}, "exp": {"a": 1.0, "b": 0.1},
    "gaussian": {"a": 1.0, "b": -0.5}, "rbf": {"gamma": 0.5}, "elu": {"alpha": 0.5},
}
CASES = [(n, p) for n in names() for p in ({}, *([PARAMS[n]] if n in PARAMS else []))]
EXTREME = (-1e5, -800.0, -50.0, 50.0, 800.0, 1e5)
MODERATE = (-37.0, -20.0, -5.0, -2.0, -1.2784645427610738, -1.0, -0.5, -1e-3, -1e-8, 0.0,
            1e-8, 1e-3, 0.5, 1.0, 2.0, 5.0, 20.0, 37.0)


def _exposed(act):
    return [w for w in WHICH if w in act.functions]


@cache
def _reference_function(name: str, which: str, params: tuple):
    """The catalog's SymPy expression of ``phi`` (differentiated by SymPy), for mpmath."""
    spec = ACTIVATIONS[name]
    expr = sp.diff(spec.expr, X, WHICH.index(which))
    expr = expr.subs({spec.symbols[k]: sp.Rational(*float(v).as_integer_ratio()) for k, v in params})
    return sp.lambdify([X], expr, "mpmath")


def _reference(f, x: float, dps: int = DPS):
    with mp.workdps(dps):
        val = f(mp.mpf(x))
        return mp.re(val) if isinstance(val, mp.mpc) else mp.mpf(val)


def _failure(f, x: float, got: float) -> str | None:
    """Why ``got`` is not an acceptable float64 value of ``f`` at ``x`` (None when it is)."""
    exact = _reference(f, x)
    if abs(exact) > HUGE:
        ok = math.isinf(got) and (got > 0) == (exact > 0)
        return None if ok else f"exact {mp.nstr(exact, 5)} overflows, got {got!r}"
    if not math.isfinite(got):
        return f"got {got!r}, exact {mp.nstr(exact, 17)}"
    with mp.workdps(DPS):
        err = abs(mp.mpf(got) - exact)
        if abs(exact) < TINY:
            allowed = mp.mpf(TINY)
        else:
            box = max(abs(_reference(f, float(mp.mpf(x) * (1 + s * ULPS * mp.mpf(2) ** -53))) - exact)
                      if x != 0 else 0 for s in (-1, 1))
            allowed = ULPS * EPS * abs(exact) + box
        if err <= allowed:
            return None
        return f"got {got!r}, exact {mp.nstr(exact, 17)}, error {mp.nstr(err, 3)} > allowed {mp.nstr(allowed, 3)}"


def _check(name: str, params: dict, xs) -> list[str]:
    act = activation(name, **params)
    xs = np.asarray(xs, dtype=np.float64)
    problems = []
    for which in _exposed(act):
        f = _reference_function(name, which, tuple(sorted(act.params.items())))
        got = np.asarray(act.functions[which](xs, **act.params), dtype=np.float64)
        for xv, gv in zip(xs.tolist(), got.tolist()):
            why = _failure(f, xv, gv)
            if why:
                problems.append(f"{name}{params or ''}.{which}({xv!r}): {why}")
    return problems


@pytest.mark.parametrize("name, params", CASES)
def test_no_nan_or_spurious_inf_at_extreme_inputs(name, params):
    act = activation(name, **params)
    got = {w: np.asarray(act.functions[w](np.array(EXTREME), **act.params)) for w in _exposed(act)}
    assert {"phi", "phi_prime"} <= set(got)
    for which, vals in got.items():
        assert not np.isnan(vals).any(), (name, which, dict(zip(EXTREME, vals.tolist())))
    problems = _check(name, params, EXTREME)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name, params", CASES)
def test_agrees_with_mpmath_on_moderate_inputs(name, params):
    problems = _check(name, params, MODERATE)
    assert not problems, "\n".join(problems)


@given(x=st.one_of(st.floats(-1e3, 1e3), st.floats(-1e5, 1e5)), case=st.sampled_from(CASES))
def test_agrees_with_mpmath_on_drawn_inputs(x, case):
    name, params = case
    problems = _check(name, params, [x])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name, params", CASES)
def test_reference_precision_is_enough(name, params):
    """400 and 450 digits agree to 50 digits where the value is a normal float (see the module doc)."""
    act = activation(name, **params)
    for which in _exposed(act):
        f = _reference_function(name, which, tuple(sorted(act.params.items())))
        for xv in (*EXTREME, *MODERATE):
            a, b = _reference(f, xv), _reference(f, xv, DPS_CHECK)
            if TINY <= abs(b) <= HUGE:
                assert abs(a - b) <= mp.mpf(10) ** -50 * abs(b), (name, which, xv)


#: Limits as x -> -inf and x -> +inf (``"x"``: the identity); parameters at their defaults.
LIMITS = {
    ("softplus", "phi"): (0.0, "x"), ("softplus", "phi_prime"): (0.0, 1.0),
    ("silu", "phi"): (0.0, "x"), ("silu", "phi_prime"): (0.0, 1.0),
    ("gelu", "phi"): (0.0, "x"), ("gelu", "phi_prime"): (0.0, 1.0),
    ("tanh", "phi"): (-1.0, 1.0), ("tanh", "phi_prime"): (0.0, 0.0),
    ("elu", "phi"): (-1.0, "x"), ("elu", "phi_prime"): (0.0, 1.0),
    ("erf", "phi"): (-1.0, 1.0), ("erf", "phi_prime"): (0.0, 0.0),
}


@pytest.mark.parametrize("name, which", sorted(LIMITS))
def test_saturating_activations_reach_their_asymptotes(name, which):
    """At |x| >= 800 the distance to the asymptote (at most e^{-800}) is below float64 resolution."""
    act = activation(name)
    xs = np.array([-1e5, -800.0, 800.0, 1e5])
    got = np.asarray(act.functions[which](xs, **act.params), dtype=np.float64)
    lo, hi = LIMITS[(name, which)]
    want = np.array([xv if lim == "x" else lim for xv, lim in zip(xs, (lo, lo, hi, hi))])
    np.testing.assert_allclose(got, want, rtol=4 * EPS, atol=TINY)


def test_reported_cases():
    assert activation("softplus").phi(800.0) == 800.0
    assert activation("softplus").phi_prime(800.0) == 1.0
    assert activation("silu").phi_prime(-800.0) == 0.0


# -- the rewrite itself ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_stable_rewrite_is_an_identity_on_the_catalog(name):
    expr = ACTIVATIONS[name].expr
    for e in (expr, sp.diff(expr, X), sp.diff(expr, X, 2)):
        r = stable_rewrite(e)
        assert r == e or sp.simplify(unstable_form(r) - e) == 0, (name, e, r)


def test_stable_rewrite_prints_the_stable_functions():
    p = KernelPrinter()
    softplus = "(numpy.maximum(x, 0) + numpy.log1p(numpy.exp(-numpy.abs(x))))"
    assert p.doprint(stable_rewrite(sp.log(1 + sp.exp(X)))) == softplus
    assert p.doprint(stable_rewrite(sp.log(1 + sp.exp(-X ** 2)))) == "numpy.logaddexp(0, -x**2)"
    assert p.doprint(stable_rewrite(sp.exp(X) / (1 + sp.exp(X)))) == "(1/(1 + numpy.exp(-x)))"
    assert p.doprint(stable_rewrite(1 / (1 + sp.exp(-X)))) == "(1/(1 + numpy.exp(-x)))"
    assert p.doprint(stable_rewrite(1 / (1 + sp.exp(X)))) == "(1/(1 + numpy.exp(x)))"
    assert p.doprint(stable_rewrite(2 * sp.exp(X) - 2)) == "2*numpy.expm1(x)"
    assert p.doprint(stable_rewrite(1 + sp.erf(X))) == "scipy.special.erfc(-x)"
    assert p.doprint(stable_rewrite(1 - sp.erf(X))) == "scipy.special.erfc(x)"
    assert "tanh" not in p.doprint(stable_rewrite(1 - sp.tanh(X) ** 2))


@pytest.mark.parametrize("k, n", [(-1, 1), (0, 1), (1, 1), (2, 1), (1, 2), (2, 2), (3, 2),
                                  (sp.Rational(1, 2), 1), (1, sp.Rational(3, 2))])
def test_logistic_products_are_stable_for_every_exponent(k, n):
    r"""$e^{ku}(1 + e^u)^{-n}$, $u = -2x$: equal to the textbook form, and no NaN at any input."""
    u = -2 * X
    expr = sp.exp(k * u) * (1 + sp.exp(u)) ** (-n) * X
    r = stable_rewrite(expr)
    assert r.has(Expit)
    assert sp.simplify(unstable_form(r) - expr) == 0
    code = KernelPrinter().doprint(r)  # what the emitter would write
    ref = sp.lambdify(X, expr, "mpmath")
    xs = np.array([-1e5, -800.0, -50.0, -1.0, 0.0, 0.5, 50.0, 800.0, 1e5])
    with np.errstate(over="ignore"):
        got = np.asarray(eval(code, {"numpy": np, "scipy": scipy, "x": xs}), dtype=np.float64)
    assert not np.isnan(got).any(), dict(zip(xs.tolist(), got.tolist()))
    for xv, gv in zip(xs.tolist(), got.tolist()):
        assert _failure(ref, xv, gv) is None, (k, n, xv, gv)
