r"""Shaped MLPs and their covariance path (Li, Nica & Roy 2022, §4.1 of the reference note).

With $m$ inputs $x^a \in \mathbb R^{n_0}$, width $n$, depth $d$, fresh i.i.d. $N(0,1)$ weights:

$$h_1^a = \frac{W_0 x^a}{\sqrt{n_0}},\qquad h_{\ell+1}^a = \sqrt{\tfrac{c}{n}}\, W_\ell\, \varphi_s(h_\ell^a),\qquad
  \Phi_\ell^{ab} = \frac{c}{n}\langle\varphi_s(h_\ell^a), \varphi_s(h_\ell^b)\rangle\ (\ell \ge 1),\qquad
  \Phi_0^{ab} = \frac{\langle x^a, x^b\rangle}{n_0},$$

with $c^{-1} = E\,\varphi_s(g)^2$, $g \sim N(0,1)$, and $z_{out} = \sqrt{c/n}\, W_{out}\varphi_s(h_d)$
(rows i.i.d. $N(0, \Phi_d)$ given the past).  Shapings at the critical exponent $p = 1/2$:

* ReLU: $\varphi_s(x) = s_+\max(x, 0) + s_-\min(x, 0)$, $s_\pm = 1 + c_\pm/\sqrt n$, $c^{-1} = (s_+^2 + s_-^2)/2$;
* smooth: $\varphi_s(x) = s\,\varphi(x/s)$, $s = a\sqrt n$, for $\varphi(0) = 0$, $\varphi'(0) = 1$; $c$ by
  Gauss-Hermite quadrature (:func:`shaped_normaliser`).

As $n, d \to \infty$ with $d/n \to T$, $\Phi_{\lfloor tn\rfloor}$ converges to the covariance SDE
$d\Phi = b(\Phi)\,dt + \Sigma(\Phi)^{1/2} dB$ (LNR22, Thm 3.2; note §4.2).

Exact in law (T1): given the past, the rows of $h_{\ell+1}$ are i.i.d. $N(0, \Phi_\ell)$, so
$h_{\ell+1} \overset{d}{=} G_\ell L_\ell^\top$ with $L_\ell L_\ell^\top = \Phi_\ell$: $O(n m^2)$ per layer.
Draw order of each sample block: $W_0, \dots, W_{d-1}$ (or their $G$), then $W_{out}$.

Reference: Li, Nica & Roy, "The neural covariance SDE: shaped infinite depth-and-width
networks at initialization", NeurIPS 2022.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_integer, check_scalar
from ..core.proportional_result import ProportionalResult, Recorder
from ..core.proportional_sampling import (
    check_chunk,
    check_inputs,
    check_method,
    check_record,
    col_sq,
    dense,
    gram,
    safe_log,
)

__all__ = ["shaped_normaliser", "shaped_relu_mlp", "shaped_smooth_mlp"]

_SHAPED_RECORDS = ("log_norm_path", "covariance_path")
#: Gauss-Hermite nodes of :func:`shaped_normaliser`.
HERMITE_NODES = 160


@lru_cache(maxsize=4)
def _hermite(nodes: int):
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    return t, w / math.sqrt(2 * math.pi)


def shaped_normaliser(phi_s, *, nodes: int = HERMITE_NODES) -> float:
    r"""$c = 1/E[\varphi_s(g)^2]$, $g \sim N(0,1)$, by Gauss-Hermite quadrature with ``nodes`` nodes.

    Exact for polynomials of degree $< 2\,$``nodes``; for smooth $\varphi_s$ that are
    analytic in a strip it converges geometrically (for $s\tanh(x/s)$ with
    $s \ge 1$ it agrees with mpmath to about $10^{-14}$).
    """
    if not callable(phi_s):
        raise ValueError(f"phi_s={phi_s!r} must be a vectorised callable")
    nodes = check_integer("nodes", nodes, minimum=1)
    t, w = _hermite(nodes)
    second = float(np.dot(w, np.asarray(phi_s(t), dtype=np.float64) ** 2))
    if not (math.isfinite(second) and second > 0):
        raise ValueError(f"E[phi_s(g)^2]={second!r} must be finite and > 0 for the normalisation c = 1/E[phi_s(g)^2]")
    return 1.0 / second


def _check_phi(phi):
    if not callable(phi):
        raise ValueError(f"phi={phi!r} must be a vectorised NumPy callable with phi(0) = 0 and phi'(0) = 1")
    h = 1e-4
    try:
        v = np.asarray(phi(np.array([-h, 0.0, h])), dtype=np.float64)
    except Exception as exc:  # noqa: BLE001 - any failure means phi is not a vectorised real function
        raise ValueError(f"phi={phi!r} must map a float64 array to a real array of the same shape: {exc}") from None
    if v.shape != (3,) or not np.all(np.isfinite(v)):
        raise ValueError(f"phi={phi!r} must map a float64 array to a finite real array of the same shape")
    if abs(v[1]) > 1e-12:
        raise ValueError(f"phi(0)={v[1]!r} is not allowed; the shaping s*phi(x/s) needs phi(0) = 0")
    slope = (v[2] - v[0]) / (2 * h)
    if abs(slope - 1.0) > 1e-6:
        raise ValueError(f"phi'(0)={slope!r} (central difference) is not allowed; the shaping needs phi'(0) = 1")


def _shaped(x, width, depth, phi_s, c, n_out, n_samples, seed, method, chunk_size, record) -> ProportionalResult:
    n_out = check_integer("n_out", n_out, minimum=0)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    method = check_method(method)
    chunk_size = check_chunk(chunk_size)
    record = check_record(record, _SHAPED_RECORDS)
    blocks = SeedBlocks(seed, n_samples)
    m, n0 = x.shape
    n = width
    per_sample = 8 * ((max(n * n, n * n0, n * n_out) if method == "full" else 0) + 8 * n * m + 4 * m * m)
    rec = Recorder(record, n_samples, depth, m, n_out)
    phi0 = x @ x.T / n0
    logd0 = np.log(np.diagonal(phi0))
    xt = x.T / math.sqrt(n0)
    scale = math.sqrt(c / n)
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        S = hi - lo
        rec.start(lo, hi, np.broadcast_to(logd0, (S, m)))
        rec.covariance(0, phi0)
        post = None
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in range(depth):
                h = dense(xt, n, blocks, chunk, method) if layer == 0 else scale * dense(post, n, blocks, chunk, method)
                post = np.asarray(phi_s(h), dtype=np.float64)
                cov = (c / n) * gram(post)
                rec.covariance(layer + 1, cov)
                rec.log_norm(layer + 1, safe_log(np.diagonal(cov, axis1=-2, axis2=-1)))
            if n_out > 0:
                out = dense(xt, n_out, blocks, chunk, method) if depth == 0 else \
                    scale * dense(post, n_out, blocks, chunk, method)
                rec.output(safe_log(col_sq(out)))
    return rec.result(method)


def shaped_relu_mlp(x, *, width: int, depth: int, c_plus: float, c_minus: float, n_out: int = 1, n_samples: int,
                    seed, method: str = "exact_in_law", chunk_size: int | None = None,
                    record=None) -> ProportionalResult:
    r"""Simulate ``n_samples`` shaped-ReLU MLPs (module docstring): $s_\pm = 1 + c_\pm/\sqrt n$.

    Parameters
    ----------
    x:
        One input (``(n_0,)``) or $m$ inputs (``(m, n_0)``), finite and non-zero.
    width, depth:
        $n \ge 1$, $d \ge 0$ (number of hidden layers; $\Phi_0, \dots, \Phi_d$ are returned).
    c_plus, c_minus:
        $c_\pm$, finite; $s_+^2 + s_-^2 > 0$ is required.
    n_out, n_samples, seed, method, chunk_size:
        As in :func:`numerics.log_gaussian.relu_resnet`.
    record:
        Subset of ``("log_norm_path", "covariance_path")``.

    Returns
    -------
    :class:`ProportionalResult`: ``log_norm_ratio`` $= \ln(\Phi_d^{aa}/\Phi_0^{aa})$
    ($\to N(-T, 2T)$, note §4.3), ``log_output_norm``, and optionally $\Phi_\ell$ (then
    ``correlation_path`` gives $\rho_\ell$).  Since $\varphi_s$ is 1-homogeneous and $c$
    normalises it, $E[\Phi_{\ell+1}^{aa} \mid \Phi_\ell] = \Phi_\ell^{aa}$ exactly.
    """
    x = check_inputs(x)
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=0)
    c_plus = check_scalar("c_plus", c_plus, low=-math.inf, high=math.inf, closed=(False, False))
    c_minus = check_scalar("c_minus", c_minus, low=-math.inf, high=math.inf, closed=(False, False))
    s_plus, s_minus = 1 + c_plus / math.sqrt(width), 1 + c_minus / math.sqrt(width)
    second = (s_plus**2 + s_minus**2) / 2
    if not (second > 0 and math.isfinite(second)):
        raise ValueError(f"(c_plus, c_minus)=({c_plus!r}, {c_minus!r}) gives s_+ = s_- = 0 at width={width}; "
                         "allowed: any finite c_pm with (s_+, s_-) != (0, 0)")

    def phi_s(h):
        return s_plus * np.maximum(h, 0.0) + s_minus * np.minimum(h, 0.0)

    return _shaped(x, width, depth, phi_s, 1.0 / second, n_out, n_samples, seed, method, chunk_size, record)


def shaped_smooth_mlp(x, *, width: int, depth: int, phi, a: float, n_out: int = 1, n_samples: int, seed,
                      method: str = "exact_in_law", chunk_size: int | None = None,
                      record=None) -> ProportionalResult:
    r"""Simulate ``n_samples`` MLPs with the smooth shaped activation $\varphi_s(x) = s\varphi(x/s)$, $s = a\sqrt n$.

    Parameters
    ----------
    phi:
        Vectorised NumPy callable with $\varphi(0) = 0$ and $\varphi'(0) = 1$ (checked: $|\varphi(0)| \le 10^{-12}$,
        central difference within $10^{-6}$ of 1), e.g. ``np.tanh``.
    a:
        Shaping scale $a > 0$, finite.
    Other parameters and the return value as in :func:`shaped_relu_mlp`.  $c$ comes from
    :func:`shaped_normaliser`.  A network whose norm blows up (possible when
    $\kappa = \tfrac34\varphi''(0)^2 + \varphi'''(0) > 0$, note §4.2) returns ``inf``/``nan`` there.
    """
    x = check_inputs(x)
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=0)
    _check_phi(phi)
    a = check_scalar("a", a, low=0.0, high=math.inf, closed=(False, False))
    s = a * math.sqrt(width)

    def phi_s(h):
        return s * np.asarray(phi(h / s), dtype=np.float64)

    c = shaped_normaliser(phi_s)
    return _shaped(x, width, depth, phi_s, c, n_out, n_samples, seed, method, chunk_size, record)
