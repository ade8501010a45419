"""Shared SymPy symbols and their parameter metadata.

The bivariate Gaussian behind every dual activation is
$(u, v) \\sim N\\left(0, \\begin{pmatrix} q_1 & c \\\\ c & q_2 \\end{pmatrix}\\right)$.
"""

from __future__ import annotations

import math

import sympy as sp

from .parameters import Domain, Parameter

__all__ = ["x", "t", "Q1", "Q2", "C", "Q", "q1", "q2", "c", "q"]

INF = math.inf

#: The activation's argument.
x = sp.Symbol("x", real=True)  # equal to X.symbol
#: A dummy integration variable.
t = sp.Symbol("t", real=True)

Q1 = Parameter("q1", Domain(0, INF), r"q_{1}", (1e-6, 1e6), "variance of the first pre-activation u")
Q2 = Parameter("q2", Domain(0, INF), r"q_{2}", (1e-6, 1e6), "variance of the second pre-activation v")
C = Parameter(
    "c", Domain(-INF, INF), r"c", (-1e6, 1e6), "covariance of (u, v); |c| <= sqrt(q1 q2)"
)
Q = Parameter("q", Domain(0, INF), r"q", (1e-6, 1e6), "variance of the pre-activation u")
X = Parameter("x", Domain(-INF, INF), r"x", (-10.0, 10.0), "pre-activation")

q1, q2, c, q = Q1.symbol, Q2.symbol, C.symbol, Q.symbol
