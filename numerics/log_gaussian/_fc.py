r"""Fully connected He-ReLU and linear networks with $d/n$ fixed (Hanin & Nica 2020).

With input $a_0 = x \in \mathbb R^{n_0}$, hidden widths $n_1, \dots, n_d$ and
fresh i.i.d. $N(0,1)$ weights $W_\ell \in \mathbb R^{n_{\ell+1} \times n_\ell}$:

$$\text{ReLU (He):}\quad h_{\ell+1} = \sqrt{\tfrac{2}{n_\ell}}\, W_\ell a_\ell,\ a_{\ell+1} = \mathrm{relu}(h_{\ell+1});\qquad
  \text{linear:}\quad a_{\ell+1} = \tfrac{1}{\sqrt{n_\ell}}\, W_\ell a_\ell;\qquad
  z_{out} = \tfrac{1}{\sqrt{n_d}}\, W_{out} a_d .$$

Exact per-layer laws (T1; reference note §2): with $R_\ell = \|a_{\ell+1}\|^2/\|a_\ell\|^2$,
independent across layers,

* ReLU: $R_\ell \sim \tfrac{2}{n_\ell}\chi^2_{K_\ell}$, $K_\ell \sim \mathrm{Bin}(n_{\ell+1}, \tfrac12)$, so
  $E R_\ell = n_{\ell+1}/n_\ell$ and $E\ln R_\ell = E_K[\psi(K/2)] + \ln(4/n_\ell)$ given $K \ge 1$;
* linear: $R_\ell \sim \chi^2_{n_{\ell+1}}/n_\ell$.

Both maps are positively 1-homogeneous, so the state is rescaled to unit mean
square after every layer and the log-scale carried separately.  Exact in law:
$W_\ell A_\ell \overset{d}{=} G_\ell L_\ell^\top$, $L_\ell L_\ell^\top = A_\ell^\top A_\ell$, for the
$n_\ell \times m$ matrix $A_\ell$ of the $m$ inputs' activations.  Draw order of each sample
block: $W_0, \dots, W_{d-1}$ (or their $G$), then $W_{out}$.

References: Hanin & Nica, "Products of many large random matrices and gradients
in deep neural networks", Comm. Math. Phys. 376 (2020); reference note §2.1-2.3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_integer
from ..core.proportional_result import ProportionalResult, Recorder, log_mean_square
from ..core.proportional_sampling import (
    check_chunk,
    check_inputs,
    check_method,
    check_record,
    col_sq,
    dense,
    normalise_columns,
    safe_log,
)

__all__ = ["fc_linear_net", "fc_relu_net"]

_FC_RECORDS = ("log_norm_path", "active_fraction", "active_mass")


def _check_widths(widths) -> list[int]:
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence) and not isinstance(widths, np.ndarray):
        raise ValueError(f"widths={widths!r} must be a sequence of hidden widths (n_1, ..., n_d), integers >= 1")
    return [check_integer(f"widths[{i}]", w, minimum=1) for i, w in enumerate(list(widths))]


def _fc(x, widths, relu, n_out, n_samples, seed, method, chunk_size, record) -> ProportionalResult:
    x = check_inputs(x)
    widths = _check_widths(widths)
    n_out = check_integer("n_out", n_out, minimum=0)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    method = check_method(method)
    chunk_size = check_chunk(chunk_size)
    record = check_record(record, _FC_RECORDS if relu else ("log_norm_path",))
    blocks = SeedBlocks(seed, n_samples)
    m, n0 = x.shape
    dims = [n0] + widths
    depth = len(widths)
    gain = 2.0 if relu else 1.0
    if method == "full":
        per_sample = 8 * (max(a * b for a, b in zip(dims, dims[1:] + [n_out])) + 6 * max(dims) * m)
    else:
        per_sample = 8 * (8 * max(dims) * m + 4 * m * m)
    rec = Recorder(record, n_samples, depth, m, n_out)
    u0 = log_mean_square(x.T[None])[0]
    xt = normalise_columns(x.T[None], col_sq(x.T[None]))[0]        # unit mean square per input
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        S = hi - lo
        u = np.broadcast_to(u0, (S, m)).copy()
        rec.start(lo, hi, u)
        a = xt
        for layer in range(depth):
            h = dense(a, dims[layer + 1], blocks, chunk, method) * math.sqrt(gain / dims[layer])
            if relu:
                a = np.maximum(h, 0.0)
                rec.activation(layer, h, a)
            else:
                a = h
            sq = col_sq(a)
            u = u + safe_log(sq / dims[layer + 1])
            rec.log_norm(layer + 1, u)
            a = normalise_columns(a, sq)
        if n_out > 0:
            if a.ndim == 2:
                a = np.broadcast_to(a, (S,) + a.shape)
            out = dense(a, n_out, blocks, chunk, method)
            rec.output(u + safe_log(col_sq(out) / dims[-1]))
    return rec.result(method)


def fc_relu_net(x, *, widths, n_out: int = 1, n_samples: int, seed, method: str = "exact_in_law",
                chunk_size: int | None = None, record=None) -> ProportionalResult:
    r"""Simulate ``n_samples`` He-initialised ReLU MLPs (module docstring) on the inputs ``x``.

    Parameters
    ----------
    x:
        One input (shape ``(n_0,)``) or $m$ inputs (``(m, n_0)``), finite and non-zero; $a_0 = x$.
    widths:
        Hidden widths $(n_1, \dots, n_d)$, integers >= 1 (``[n] * d`` for constant width; empty: $d = 0$).
    n_out:
        Outputs $n_{out} \ge 0$ of the linear readout (0: none).
    n_samples, seed, method, chunk_size:
        As in :func:`numerics.log_gaussian.relu_resnet`.
    record:
        Subset of ``("log_norm_path", "active_fraction", "active_mass")``, per ReLU layer
        $h_1, \dots, h_d$.

    Returns
    -------
    :class:`ProportionalResult` with ``log_norm_ratio`` $= \ln(\|a_d\|^2/n_d) - \ln(\|x\|^2/n_0)$,
    whose limit law is $N(-\tfrac52\beta, 5\beta)$, $\beta = \sum_{\ell=1}^d 1/n_\ell$ (reference note §2.2),
    and ``log_output_norm`` $= \ln\|z_{out}\|^2$.  ``-inf`` marks a dead network (probability
    $\le \sum_\ell 2^{-n_\ell}$).
    """
    return _fc(x, widths, True, n_out, n_samples, seed, method, chunk_size, record)


def fc_linear_net(x, *, widths, n_out: int = 1, n_samples: int, seed, method: str = "exact_in_law",
                  chunk_size: int | None = None, record=None) -> ProportionalResult:
    r"""Simulate ``n_samples`` linear networks $a_{\ell+1} = n_\ell^{-1/2} W_\ell a_\ell$ (module docstring).

    Parameters are those of :func:`fc_relu_net` (``record`` may only contain ``"log_norm_path"``).
    ``log_norm_ratio`` $= \ln(\|a_d\|^2/n_d) - \ln(\|x\|^2/n_0) = \sum_\ell \ln(\chi^2_{n_{\ell+1}}/n_{\ell+1})$
    exactly, with limit law $N(-\beta, 2\beta)$ (reference note §2.1).
    """
    return _fc(x, widths, False, n_out, n_samples, seed, method, chunk_size, record)
