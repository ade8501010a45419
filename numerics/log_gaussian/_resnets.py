r"""ReLU ResNets with $d/n$ fixed (Li, Nica & Roy 2021): standard, balanced and two-matrix blocks.

With input $x \in \mathbb R^{n_{in}}$, width $n$, depth $d$, all weights i.i.d.
$N(0,1)$, drawn fresh for every layer and sample, branch weight $\lambda \in [0, 1]$
and skip weight $\alpha = \sqrt{1 - \lambda^2}$:

$$z_0 = \frac{W_{in} x}{\sqrt{n_{in}}},\qquad
  z_{\ell+1} = \alpha z_\ell + \lambda\sqrt{\tfrac{2}{n}}\, W_\ell\, \varphi_\ell(z_\ell),\qquad
  z_{out} = \frac{W_{out} z_d}{\sqrt n},$$

with the block ``block``:

* ``"standard"``: $\varphi_\ell(z) = \mathrm{relu}(z)$ (ReLU on the stream);
* ``"balanced"``: $\varphi_\ell(z) = \mathrm{relu}(D_\ell z)$, $D_\ell = \mathrm{diag}(s_{\ell,i})$ with
  i.i.d. fair signs drawn fresh for every layer ("half the ReLUs point the other way");
* ``"two_matrix"``: $\varphi_\ell(z) = \mathrm{relu}(V_\ell z/\sqrt n)$ with a second fresh
  $n \times n$ matrix $V_\ell$, i.e. $z_{\ell+1} = \alpha z_\ell + \lambda\sqrt{2/n}\, W_\ell\,
  \mathrm{relu}(V_\ell z_\ell/\sqrt n)$ (normalised with $\alpha^2 + \lambda^2 = 1$ like the others).

All three preserve the per-coordinate variance at infinite width.  This is the
architecture of the reference note (its §3.1, inferred from the abstract and a
student reimplementation; LNR21's own statement may differ).

Exact in law (T1): given the past, $W_\ell \varphi_\ell(Z_\ell) \overset{d}{=} G_\ell L_\ell^\top$ with
$L_\ell L_\ell^\top = \varphi_\ell(Z_\ell)^\top\varphi_\ell(Z_\ell)$ ($Z_\ell$: the $n \times m$ stream on $m$
inputs).  The stream $z_\ell$ itself is kept (an $n$-vector per input and sample);
only the product is replaced by its law, so a network costs $O(n m d)$ (plus
$O(m^3 d)$) instead of $O(n^2 m d)$.  For ``"two_matrix"``, $V_\ell Z_\ell/\sqrt n$ is drawn
the same way.  Since every block is positively 1-homogeneous in $z$, the stream is
rescaled to unit mean square after every layer and the log-scale is carried
separately (no overflow or underflow at any depth; the law is unchanged).

Draw order of each sample block: input layer, then per layer the signs
$D_\ell$ (balanced) or $V_\ell$ / its $G$ (two-matrix), then $W_\ell$ / its $G$, then the readout.

References: Li, Nica & Roy, "The future is log-Gaussian: ResNets and their
infinite-depth-and-width limit at initialization", NeurIPS 2021 (Thm 1,
Prop. 2 hypoactivation, Thm 4 balanced ResNet); reference note §3.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import SeedBlocks, blocks_per_chunk
from ..core.validation import check_integer, check_scalar
from ..core.proportional_result import STREAM_RECORDS, ProportionalResult, Recorder, log_mean_square
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

__all__ = ["RESNET_BLOCKS", "relu_resnet"]

#: Residual blocks of :func:`relu_resnet`.
RESNET_BLOCKS = ("standard", "balanced", "two_matrix")


def relu_resnet(x, *, width: int, depth: int, branch_weight: float = math.sqrt(0.5), block: str = "standard",
                n_out: int = 1, n_samples: int, seed, method: str = "exact_in_law", chunk_size: int | None = None,
                record=None) -> ProportionalResult:
    r"""Simulate ``n_samples`` independent ReLU ResNets (module docstring) on the inputs ``x``.

    Parameters
    ----------
    x:
        One input (shape ``(n_in,)``) or $m$ inputs (shape ``(m, n_in)``), finite and non-zero.
    width, depth:
        $n \ge 1$ and $d \ge 0$.
    branch_weight:
        $\lambda \in [0, 1]$; the skip weight is $\alpha = \sqrt{1-\lambda^2}$ (default $\lambda^2 = 1/2$).
    block:
        ``"standard"``, ``"balanced"`` or ``"two_matrix"``.
    n_out:
        Number of outputs $n_{out} \ge 0$ (0: no readout, ``log_output_norm`` is None).
    n_samples:
        Number of independent networks, $\ge 1$.
    seed:
        Integer >= 0 or :class:`numpy.random.SeedSequence` (see :mod:`numerics.log_gaussian`).
    method:
        ``"exact_in_law"`` (T1, $O(nmd)$) or ``"full"`` (explicit $n \times n$ weights, batched).
    chunk_size:
        Samples per batch (rounded up to whole blocks of 16); None keeps temporaries near 64 MB.
        Does not change the result.
    record:
        Subset of ``("log_norm_path", "active_fraction", "active_mass", "overlap")``.  The per-layer
        statistics refer to the pre-activations $u_\ell$ of the $d$ ReLUs: $z_\ell$ (standard),
        $D_\ell z_\ell$ (balanced), $V_\ell z_\ell/\sqrt n$ (two-matrix), $\ell = 0, \dots, d-1$.

    Returns
    -------
    :class:`ProportionalResult` with ``log_norm_ratio`` $= \ln(\|z_d\|^2/\|z_0\|^2)$ and
    ``log_output_norm`` $= \ln\|z_{out}\|^2$.

    >>> r = relu_resnet([1.0, 0.0], width=8, depth=4, n_samples=3, seed=0, record=["active_mass"])
    >>> r.log_norm_ratio.shape, r.active_mass.shape
    ((3, 1), (3, 4, 1))
    """
    x = check_inputs(x)
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=0)
    lam = check_scalar("branch_weight", branch_weight, low=0.0, high=1.0)
    if not isinstance(block, str) or block not in RESNET_BLOCKS:
        raise ValueError(f"block={block!r} is not allowed; allowed values: {', '.join(map(repr, RESNET_BLOCKS))}")
    n_out = check_integer("n_out", n_out, minimum=0)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    method = check_method(method)
    chunk_size = check_chunk(chunk_size)
    record = check_record(record, STREAM_RECORDS)
    blocks = SeedBlocks(seed, n_samples)

    m, n_in = x.shape
    n = width
    alpha, scale = math.sqrt(max(0.0, 1.0 - lam * lam)), lam * math.sqrt(2.0 / n)
    if method == "full":
        per_sample = 8 * (max(n * n, n * n_in, n * n_out) + 8 * n * m)
    else:
        per_sample = 8 * (10 * n * m + 4 * m * m)
    rec = Recorder(record, n_samples, depth, m, n_out)
    xt = x.T / math.sqrt(n_in)
    for chunk in blocks.chunks(blocks_per_chunk(chunk_size, per_sample, n_samples)):
        lo, hi = blocks.span(chunk)
        z = dense(xt, n, blocks, chunk, method)
        u = log_mean_square(z)
        rec.start(lo, hi, u)
        z = normalise_columns(z, col_sq(z))
        for layer in range(depth):
            if block == "standard":
                pre = z
            elif block == "balanced":
                flip = blocks.bits(chunk, (n, 1))
                pre = np.where(flip, -z, z)
            else:
                pre = dense(z, n, blocks, chunk, method) / math.sqrt(n)
            post = np.maximum(pre, 0.0)
            rec.activation(layer, pre, post)
            z = alpha * z + scale * dense(post, n, blocks, chunk, method)
            sq = col_sq(z)
            u = u + safe_log(sq / n)
            rec.log_norm(layer + 1, u)
            z = normalise_columns(z, sq)
        if n_out > 0:
            out = dense(z, n_out, blocks, chunk, method)
            rec.output(u + safe_log(col_sq(out) / n))
    return rec.result(method)
