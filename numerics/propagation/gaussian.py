r"""Gaussian expectations $E[f(\sqrt q z)]$ and $E[f(u_1) g(u_2)]$ by Gauss-Hermite, vectorised over $q$.

With the probabilists' rule $(x_k, w_k)$ of degree ``DEGREE`` ($\sum_k w_k f(x_k) \to E f(z)$),
$E[f(\sqrt q z)] \approx \sum_k w_k f(\sqrt q\, x_k)$ for an array of $q$ at once.  For the
entire activations here ($\tanh$ has poles at $\pm i\pi/2$, $\operatorname{erf}$ is entire) the
rule converges geometrically in $\sqrt{\text{degree}}$; its error is estimated a posteriori by
the difference with the rule of half the degree (:func:`rule_difference`) and the certified path
(:mod:`.certified`) does not rely on it.  The pair expectation uses the Cholesky factor
$u_1 = \sqrt q z_1$, $u_2 = \sqrt q(c z_1 + \sqrt{1-c^2} z_2)$ on the tensor rule.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["DEGREE", "expect", "pair_expect", "rule_difference"]

DEGREE = 160


@lru_cache(maxsize=8)
def _rule(degree: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(degree)
    return x, w / np.sqrt(2.0 * np.pi)


def expect(f, q, *, degree: int = DEGREE) -> np.ndarray:
    """$E[f(\\sqrt q z)]$ for each entry of ``q`` (array, q >= 0)."""
    x, w = _rule(degree)
    q = np.asarray(q, dtype=np.float64)
    return f(np.sqrt(q)[..., None] * x) @ w


def rule_difference(f, q, *, degree: int = DEGREE) -> np.ndarray:
    """|rule(degree) - rule(degree/2)|: an a posteriori estimate (not a bound) of the quadrature error."""
    return np.abs(expect(f, q, degree=degree) - expect(f, q, degree=degree // 2))


def pair_expect(f, g, q: float, c: float, *, degree: int = DEGREE) -> float:
    """$E[f(u_1) g(u_2)]$ with $u$ centred Gaussian, variances $q$, correlation $c$."""
    x, w = _rule(degree)
    s = np.sqrt(q)
    u1 = s * x[:, None]
    u2 = s * (c * x[:, None] + np.sqrt(max(0.0, 1.0 - c * c)) * x[None, :])
    return float(w @ (f(u1) * g(u2)) @ w)
