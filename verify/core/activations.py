r"""A user's activation, written as text, usable by the kernels and simulators of :mod:`numerics`.

>>> act = user_activation("x*tanh(x)")
>>> round(float(act.phi(2.0)), 9)
1.92805516
>>> act.method
'numerical fallback'

The text is read by :func:`derivations.core.safe_parse.parse_activation` (a whitelisted
grammar, never evaluated as Python; undefined or too fast-growing functions are
rejected with the reason), its dual is derived where a route applies
(:func:`derivations.custom_activation`), and $\varphi$, $\varphi'$ and any derived
duals are compiled with the code emitter's printer and its stable forms (no
overflow to inf or NaN at $|x| \sim 800$).  The result is a
:class:`numerics.dual.activations.Activation`: pass it wherever a catalog name is
accepted (``nngp_ntk(x, activation=act)``, ``fc_outputs(..., activation=act)``).
Kernels of an activation without a closed-form dual use quadrature.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["user_activation"]


@lru_cache(maxsize=64)
def user_activation(text: str, *, name: str = "user"):
    """The :class:`~numerics.dual.activations.Activation` of the expression ``text`` in ``x`` (cached by text)."""
    import sympy as sp

    from derivations import custom_activation
    from derivations.core.printer import KernelPrinter, stable_rewrite
    from numerics.dual.activations import from_functions

    rec = custom_activation(text, name=name)
    xs = rec.parameter("x").symbol
    pair = [rec.parameter(n).symbol for n in ("q1", "q2", "c")]
    functions = {k: sp.lambdify(xs, stable_rewrite(rec.expressions[k]), modules="scipy", printer=KernelPrinter())
                 for k in ("phi", "phi_prime")}
    for k in ("dual", "dual_derivative"):
        if k in rec.expressions:
            functions[k] = sp.lambdify(pair, rec.expressions[k], modules="scipy", printer=KernelPrinter())
    return from_functions(name, functions, method=rec.derivation.method.value)
