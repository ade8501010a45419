r"""The deep ResNet of Peluchetti & Favaro: one validated declaration shared by the simulators.

With depth $L$, horizon $T$, step $\Delta t = T/L$ and width $D$, layer $l = 0, \dots, L-1$ is

$$x_{l+1} = x_l + \phi(A_l\,\psi(x_l) + a_l),\qquad
  A_l = \mu_w \Delta t\, I + \sigma_w\sqrt{\Delta t / D}\,E_l,\qquad
  a_l = \mu_b \Delta t\,\mathbf 1 + \sigma_b\sqrt{\Delta t}\,e_l,$$

with $E_l$ ($D \times D$) and $e_l$ ($D$) standard normal, fresh per layer and
independent of everything else (P&F JMLR 2021, eq. 8/11 with Assumption 7;
the scalar means $\mu_w, \mu_b$ are the case $\mu_W = \mu_w I$, $\mu_b \mathbf 1$
of Assumption 4).  $\phi = \mathrm{id}$, $\sigma_b = 0$, $\sigma_w = T = 1$ is the
branch-scaled block $x + L^{-1/2} W \psi(x)$, $W_{ij} \sim N(0, 1/D)$ of Hayou's
stable ResNet.

The input map (``input``):

* ``"state"``: ``x`` has shape ``(m, D)`` and is $x_0$ itself;
* ``"copy"``: ``x`` has shape ``(m,)`` or ``(m, 1)``: a scalar $z$ copied to
  every unit, $x_{0,d} = z$ (the paper's experiments, JMLR §6);
* ``"dense"``: ``x`` has shape ``(m, d)``: the completed network's input layer
  $x_0 = A z$, $A_{ij} \sim N(0, \sigma_Z^2)$ (JMLR §5.5).

The readout (``sigma_y`` not None): $y = G x_L$, $G_{1j} \sim N(0, \sigma_Y^2 / D)$.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..dual.activations import Activation
from ..dual.activations import activation as _activation
from ..core.validation import check_finite_array, check_integer, check_scalar

__all__ = ["INPUTS", "ResNet"]

#: Input maps of :class:`ResNet`.
INPUTS = ("state", "copy", "dense")
#: $|\phi(0)|$ above this is rejected ($\phi(0) = 0$ is required, Assumption 5).
PHI_ZERO_TOL = 1e-12


@dataclass(frozen=True)
class _Fn:
    """A resolved activation: the function, its derivative (or None) and a label."""

    f: Callable
    df: Callable | None
    label: str


def _resolve(name: str, value) -> _Fn:
    if isinstance(value, str):
        try:
            act = _activation(value)
        except ValueError as exc:
            raise ValueError(f"{name}={value!r}: {exc}") from None
        return _Fn(act.phi, act.phi_prime, value)
    if isinstance(value, Activation):
        return _Fn(value.phi, value.phi_prime, value.name)
    if isinstance(value, tuple) and len(value) == 2 and all(callable(v) for v in value):
        return _Fn(value[0], value[1], getattr(value[0], "__name__", "callable"))
    if callable(value):
        return _Fn(value, None, getattr(value, "__name__", "callable"))
    raise ValueError(
        f"{name}={value!r} must be an activation name, a numerics.dual.activations.Activation, "
        "a vectorised callable, or a pair (function, derivative) of callables"
    )


def _finite(name, value, low=-math.inf):
    v = check_scalar(name, value, low=low)
    if not math.isfinite(v):
        raise ValueError(f"{name}={v!r} must be finite; allowed range [{low}, inf)")
    return v


@dataclass(frozen=True)
class ResNet:
    r"""A fully connected deep ResNet of the P&F block (see the module docstring for the maths).

    Parameters (keyword-only, validated eagerly):
        depth: $L$, integer >= 1.
        width: $D$, integer >= 1.
        sigma_w, sigma_b: $\sigma_w, \sigma_b \ge 0$, finite.
        phi: outer activation $\phi$ with $\phi(0) = 0$ (name, Activation, callable, or
            ``(f, f')``); default ``"identity"``.
        psi: inner activation $\psi$; default ``"tanh"``.
        T: horizon $T > 0$ (default 1).
        mu_w, mu_b: drift of the weights and biases (default 0), finite.
        input: ``"state"``, ``"copy"`` or ``"dense"`` (module docstring).
        sigma_z: $\sigma_Z \ge 0$ of the dense input layer (required iff ``input="dense"``).
        sigma_y: $\sigma_Y \ge 0$ of the readout $y = G x_L$, or None for no readout.

    Reference: Peluchetti & Favaro, JMLR 22(175), 2021, eqs. 8, 11 and §5.5.
    """

    depth: int
    width: int
    sigma_w: float
    sigma_b: float
    phi: object = "identity"
    psi: object = "tanh"
    T: float = 1.0
    mu_w: float = 0.0
    mu_b: float = 0.0
    input: str = "state"
    sigma_z: float | None = None
    sigma_y: float | None = None

    def __init__(self, *, depth, width, sigma_w, sigma_b, phi="identity", psi="tanh", T=1.0, mu_w=0.0,
                 mu_b=0.0, input="state", sigma_z=None, sigma_y=None):
        s = object.__setattr__
        s(self, "depth", check_integer("depth", depth, minimum=1))
        s(self, "width", check_integer("width", width, minimum=1))
        s(self, "sigma_w", _finite("sigma_w", sigma_w, 0.0))
        s(self, "sigma_b", _finite("sigma_b", sigma_b, 0.0))
        T = _finite("T", T, 0.0)
        if T <= 0:
            raise ValueError(f"T={T!r} is outside the allowed range (0, inf)")
        s(self, "T", T)
        s(self, "mu_w", _finite("mu_w", mu_w))
        s(self, "mu_b", _finite("mu_b", mu_b))
        if not isinstance(input, str) or input not in INPUTS:
            raise ValueError(f"input={input!r} is not allowed; allowed values: {', '.join(map(repr, INPUTS))}")
        s(self, "input", input)
        if input == "dense":
            if sigma_z is None:
                raise ValueError("sigma_z=None: input='dense' needs sigma_z, a real number in [0, inf)")
            sigma_z = _finite("sigma_z", sigma_z, 0.0)
        elif sigma_z is not None:
            raise ValueError(f"sigma_z={sigma_z!r} is only used with input='dense' (got input={input!r}); pass None")
        s(self, "sigma_z", sigma_z)
        s(self, "sigma_y", None if sigma_y is None else _finite("sigma_y", sigma_y, 0.0))
        s(self, "phi", phi)
        s(self, "psi", psi)
        s(self, "_phi", _resolve("phi", phi))
        s(self, "_psi", _resolve("psi", psi))
        phi0 = float(np.asarray(self._phi.f(np.zeros(1)), dtype=np.float64)[0])
        if not abs(phi0) <= PHI_ZERO_TOL:
            raise ValueError(f"phi(0)={phi0!r} must be 0 (Assumption 5 of P&F); allowed range |phi(0)| <= "
                             f"{PHI_ZERO_TOL}")

    @property
    def dt(self) -> float:
        r"""$\Delta t = T / L$."""
        return self.T / self.depth

    def needs_derivatives(self, what: str) -> None:
        for name, fn in (("phi", self._phi), ("psi", self._psi)):
            if fn.df is None:
                raise ValueError(f"{what} needs the derivative of {name}; pass {name} as an activation name, an "
                                 f"Activation or a pair (function, derivative), not the plain callable {fn.label!r}")

    def initial_state_shape(self, x) -> np.ndarray:
        """``x`` validated against ``input``; returns it as float64 of shape ``(m, d)``."""
        x = check_finite_array("x", x)
        if self.input == "copy":
            if x.ndim == 2 and x.shape[1] == 1:
                x = x[:, 0]
            if x.ndim != 1 or x.size < 1:
                raise ValueError(f"x must have shape (m,) or (m, 1) with input='copy', got shape {x.shape}")
            return x[:, None]
        if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
            raise ValueError(f"x must have shape (m, d) with m, d >= 1 (input={self.input!r}), got shape {x.shape}")
        if self.input == "state" and x.shape[1] != self.width:
            raise ValueError(f"x has {x.shape[1]} features but width={self.width}; input='state' needs shape "
                             f"(m, {self.width})")
        return x


def check_units(units, width: int) -> tuple:
    if isinstance(units, numbers.Integral):
        units = (units,)
    units = tuple(check_integer("units", u, minimum=0) for u in units)
    bad = [u for u in units if u >= width]
    if bad:
        raise ValueError(f"units={bad[0]!r} is outside the allowed range: integers in [0, {width - 1}]")
    return units


def check_layers(layers, depth: int) -> tuple:
    if layers is None:
        return (depth,)
    if isinstance(layers, numbers.Integral):
        layers = (layers,)
    layers = sorted({check_integer("layers", l, minimum=0) for l in layers})
    if not layers:
        raise ValueError("layers is empty; pass None (the last layer) or integers in [0, depth]")
    if layers[-1] > depth:
        raise ValueError(f"layers={layers[-1]!r} is outside the allowed range: integers in [0, {depth}]")
    return tuple(layers)
