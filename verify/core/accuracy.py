r"""Backward-stability reference for generated closed forms.

The reference value is the record's canonical SymPy expression evaluated by
mpmath with at least 80 significant digits (more where the canonical form
cancels, i.e. $|\rho| \ll 1$), with $|c|$ clipped to $\sqrt{q_1 q_2}$.  A float64
value $\hat V$ at $(q_1, q_2, c)$ is *backward stable* when

$$|\hat V - V(x)| \le 10^{-12}|V(x)| + \max_{x' \in B} |V(x') - V(x)|,$$

$B$ the corners of the box of inputs perturbed by 8 units in the last place:
$\hat V$ lies within $10^{-12}$ relative of the exact values over that box.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath as mp
import sympy as sp

from derivations import catalog

__all__ = ["reference", "BackwardError", "backward_error", "REL", "ULPS"]

REL = 1e-12
ULPS = 8
DPS = 80
_TINY, _HUGE = 2.2250738585072014e-308, 1.7976931348623157e308


@lru_cache(maxsize=None)
def _lambdified(record_id: str, which: str, params: tuple):
    rec = catalog.get(record_id)
    expr = rec.expressions[which]
    expr = expr.subs({rec.parameter(k).symbol: sp.Rational(*float(v).as_integer_ratio()) for k, v in params})
    return sp.lambdify([rec.parameter(n).symbol for n in ("q1", "q2", "c")], expr, modules="mpmath")


def reference(record_id: str, which: str, params: dict, q1: float, q2: float, c: float):
    """The canonical expression at ``(q1, q2, c)`` (|c| clipped), as an mpmath number."""
    f = _lambdified(record_id, which, tuple(sorted(params.items())))
    ratio = abs(c) / math.sqrt(q1 * q2) if q1 * q2 > 0 else 1.0
    extra = int(-math.log10(ratio)) + 10 if 0 < ratio < 1e-10 else 0
    with mp.workdps(DPS + min(extra, 400)):
        a, b, cc = mp.mpf(q1), mp.mpf(q2), mp.mpf(c)
        bound = mp.sqrt(a) * mp.sqrt(b)
        cc = max(min(cc, bound), -bound)
        val = f(a, b, cc)
        return mp.re(val) if isinstance(val, mp.mpc) else val


@dataclass(frozen=True)
class BackwardError:
    """``error <= allowed`` means backward stable; ``skipped`` when the exact value is not a normal float."""

    value: float
    exact: float
    error: float
    allowed: float
    skipped: bool

    @property
    def ok(self) -> bool:
        return self.skipped or (math.isfinite(self.value) and self.error <= self.allowed)

    @property
    def ratio(self) -> float:
        return 0.0 if self.skipped else (self.error / self.allowed if self.allowed > 0 else (0.0 if self.error == 0 else math.inf))


def _box(x: float):
    return (x * (1 - ULPS * 2.0**-53), x * (1 + ULPS * 2.0**-53))


def backward_error(record_id: str, which: str, params: dict, value: float, q1: float, q2: float, c: float) -> BackwardError:
    exact = reference(record_id, which, params, q1, q2, c)
    if exact != 0 and not (_TINY <= abs(exact) <= _HUGE):
        return BackwardError(value, float(exact) if abs(exact) < _HUGE else math.inf, 0.0, 0.0, True)
    spread = max(abs(reference(record_id, which, params, a, b, cc) - exact)
                 for a, b, cc in itertools.product(_box(q1), _box(q2), _box(c)))
    err = abs(mp.mpf(value) - exact) if math.isfinite(value) else mp.inf
    return BackwardError(value, float(exact), float(err), float(REL * abs(exact) + spread), False)
