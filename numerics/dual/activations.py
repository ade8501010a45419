"""Activations on the numerics side: a catalog name plus parameter values.

An :class:`Activation` bundles the generated functions of its record
(``phi``, ``phi_prime`` and, where a closed form was derived, ``dual``,
``dual_derivative``, ``variance``, ``derivative_variance``).  Where there is no
closed form, the duals fall back to :mod:`numerics.core.quadrature`.  Activations
written by a user as SymPy expressions reach here through
``derivations.custom_activation(...)`` and :func:`from_functions`.

>>> relu = activation("relu")
>>> float(relu.dual(1.0, 1.0, 1.0))
0.5
>>> activation("leaky_relu", alpha=0.1).params
{'alpha': 0.1}
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..core import quadrature
from ..generated import MODULES
from ..core.validation import check_covariance, check_in_domain

__all__ = ["Activation", "activation", "from_functions", "names"]

_PAIR = ("q1", "q2", "c")


@dataclass(frozen=True)
class Activation:
    """An activation with fixed parameters, and its Gaussian expectations."""

    name: str
    params: Mapping[str, float] = field(default_factory=dict)
    functions: Mapping[str, Callable] = field(default_factory=dict, repr=False)
    parameter_domains: Mapping[str, dict] = field(default_factory=dict, repr=False)
    method: str = "numerical fallback"

    @property
    def closed_form(self) -> bool:
        return "dual" in self.functions

    def phi(self, x):
        return self.functions["phi"](x, **self.params)

    def phi_block(self, x: np.ndarray) -> np.ndarray:
        """$\\varphi$ of a float64 array in one pass, on the calling thread.

        For the simulators' inner loop: the generated elementwise body without
        the chunking and threading of :meth:`phi` (the caller already works on
        cache-sized blocks, one worker thread per block), so no copies.  Falls
        back to :meth:`phi` for activations without a generated body.
        """
        if "phi_block" in self.functions and x.dtype == np.float64:
            return self.functions["phi_block"](x, **self.params)
        return np.asarray(self.phi(x))

    def phi_prime(self, x):
        return self.functions["phi_prime"](x, **self.params)

    def phi_prime_block(self, x: np.ndarray) -> np.ndarray:
        """$\\varphi'$ of a float64 array in one pass, on the calling thread (as :meth:`phi_block`)."""
        if "phi_prime_block" in self.functions and x.dtype == np.float64:
            return self.functions["phi_prime_block"](x, **self.params)
        return np.asarray(self.phi_prime(x))

    def _pair(self, which: str, q1, q2, c, validate: bool):
        if validate:
            q1, q2, c = check_covariance(q1, q2, c)
            self._check_constraints(q1, q2)
        if which in self.functions:
            return self.functions[which](q1, q2, c, **self.params)
        f = self.phi if which == "dual" else self.phi_prime
        return quadrature.gaussian_pair_expectation(f, f, q1, q2, c)

    def dual(self, q1, q2, c, *, validate: bool = True):
        r"""$E[\\varphi(u)\\varphi(v)]$."""
        return self._pair("dual", q1, q2, c, validate)

    def dual_derivative(self, q1, q2, c, *, validate: bool = True):
        r"""$E[\\varphi'(u)\\varphi'(v)]$."""
        return self._pair("dual_derivative", q1, q2, c, validate)

    def dual_and_derivative(self, q1, q2, c, *, validate: bool = True):
        """Both duals at once (shared subexpressions; what the kernel recursions call)."""
        if "dual_and_derivative" in self.functions:
            if validate:
                q1, q2, c = check_covariance(q1, q2, c)
                self._check_constraints(q1, q2)
            return self.functions["dual_and_derivative"](q1, q2, c, **self.params)
        return self.dual(q1, q2, c, validate=validate), self.dual_derivative(q1, q2, c, validate=validate)

    def variance(self, q, *, validate: bool = True):
        r"""$E[\\varphi(u)^2]$ for $u \\sim N(0, q)$."""
        return self._diag("variance", "phi", q, validate)

    def derivative_variance(self, q, *, validate: bool = True):
        r"""$E[\\varphi'(u)^2]$ for $u \\sim N(0, q)$."""
        return self._diag("derivative_variance", "phi_prime", q, validate)

    def _diag(self, which, base, q, validate):
        if validate:
            q = check_in_domain("q", q, {"low": 0.0, "high": np.inf, "closed": [True, False]})
            self._check_constraints(q, q)
        if which in self.functions:
            return self.functions[which](q, **self.params)
        f = self.phi if base == "phi" else self.phi_prime
        return quadrature.gaussian_expectation(lambda z: f(z) ** 2, q)

    def _check_constraints(self, q1, q2):
        if self.name == "gaussian" and self.params["b"] > 0:
            worst = float(np.max(np.asarray(q1) + np.asarray(q2)))
            if 2 * self.params["b"] * worst >= 1:
                raise ValueError(
                    f"gaussian activation with b={self.params['b']!r} needs 2*b*(q1+q2) < 1, "
                    f"got q1+q2={worst!r}; allowed range q1+q2 < {1 / (2 * self.params['b'])!r}"
                )


def names() -> list[str]:
    """Catalog names of the activations (``dual.<name>`` records)."""
    return sorted(i.split(".", 1)[1] for i in MODULES if i.startswith("dual."))


def activation(name: str | Activation, **params: float) -> Activation:
    """The catalog activation ``name`` with parameters (defaults from its record)."""
    if isinstance(name, Activation):
        if params:
            raise ValueError(f"parameters {sorted(params)} given with an Activation object; set them when creating it")
        return name
    if not isinstance(name, str) or f"dual.{name}" not in MODULES:
        raise ValueError(f"unknown activation {name!r}; known activations: {', '.join(names())}")
    module = importlib.import_module(f"numerics.generated.{MODULES['dual.' + name]}")
    own = [p for p in module.SIGNATURES["phi"] if p != "x"]
    unknown = sorted(set(params) - set(own))
    if unknown:
        raise ValueError(f"activation {name!r} has no parameter(s) {unknown}; its parameters are {own or 'none'}")
    values = {}
    for p in own:
        meta = module.PARAMETERS[p]
        value = params.get(p, meta["default"])
        if value is None:
            raise ValueError(f"activation {name!r} needs parameter {p!r} ({meta['description']})")
        check_in_domain(p, value, meta["domain"])
        values[p] = float(value)
    functions = {k: getattr(module, k) for k in module.SIGNATURES}
    body = getattr(module, "_phi_body", None)
    if body is not None:  # the elementwise body, for :meth:`Activation.phi_block`
        functions["phi_block"] = lambda x, _b=body, **kw: _b(x, *(kw[p] for p in own))
    body = getattr(module, "_phi_prime_body", None)
    if body is not None:  # the same for :meth:`Activation.phi_prime_block`
        functions["phi_prime_block"] = lambda x, _b=body, **kw: _b(x, *(kw[p] for p in own))
    domains = {p: module.PARAMETERS[p]["domain"] for p in own}
    return Activation(name, values, functions, domains, module.RECORD["method"])


def from_functions(name: str, functions: Mapping[str, Callable], *, method: str) -> Activation:
    """An activation from plain NumPy callables (``phi``, ``phi_prime``, optional ``dual``...)."""
    missing = {"phi", "phi_prime"} - set(functions)
    if missing:
        raise ValueError(f"functions for activation {name!r} lack {sorted(missing)}")
    return Activation(name, {}, dict(functions), {}, method)
