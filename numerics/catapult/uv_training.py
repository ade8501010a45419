r"""The uv model trained by full-batch gradient descent, batched over networks (and widths).

Model (record ``catapult.uv_updates``): $f = n^{-1/2} x\,v^\top u$, $u, v \in \mathbb R^n$ with i.i.d. $N(0, 1)$
entries, loss $\tfrac12(f - y)^2$, NTK $\lambda = x^2(\lVert u\rVert^2 + \lVert v\rVert^2)/n$.  One step is

$$u \leftarrow u - \eta\,(f - y)\,x\,v/\sqrt n,\qquad v \leftarrow v - \eta\,(f - y)\,x\,u/\sqrt n$$

(both from the old $u, v$).  The step keeps $(u, v)$ in their span, so gradient descent in $\mathbb R^n$ equals
gradient descent on the coordinates in an orthonormal basis of $\mathrm{span}(u_0, v_0)$ with the same
$1/\sqrt n$ (``representation="span"``).  There the initial coordinates are exact by Bartlett's decomposition:
$u_0 = (\chi_n, 0)$, $v_0 = (z, \chi_{n-1})$, $z \sim N(0, 1)$, all independent; so a network of any width costs
O(1) per step.  ``representation="full"`` draws $u, v \in \mathbb R^n$ (tests cross-check the two).

The learning rate is per network: ``learning_rate`` $\eta$, or ``rate_times_ntk`` $c_0$ with
$\eta = c_0/\lambda_0$ from the network's own NTK at initialisation (the paper's $\eta$ in units of
$2/\lambda_0$).  A network whose loss passes ``blowup`` is marked diverged and frozen there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.validation import check_integer, check_scalar

__all__ = ["UVSummary", "UVTrajectories", "uv_init", "uv_summary", "uv_trajectories"]

REPRESENTATIONS = ("span", "full")


def _widths(widths) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(widths))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"widths={widths!r} must be a positive integer or a non-empty 1-d sequence of them")
    for w in arr.tolist():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w != int(w) or w < 1:
            raise ValueError(f"widths: {w!r} is not allowed; each width must be an integer in [1, inf)")
    return arr.astype(np.int64)


def uv_init(seed, *, widths, n_networks: int, representation: str = "span") -> tuple[np.ndarray, np.ndarray]:
    r"""Initial $(u, v)$ of ``n_networks`` networks per width: shape ``(len(widths), n_networks, d)``.

    ``"span"``: $d = 2$, Bartlett coordinates (exact law of the Gram matrix of $u_0, v_0$ at every width).
    ``"full"``: $d = n$ (one width only), i.i.d. $N(0, 1)$ entries.
    """
    ws = _widths(widths)
    n_networks = check_integer("n_networks", n_networks, minimum=1)
    if representation not in REPRESENTATIONS:
        raise ValueError(f"representation={representation!r} must be one of {REPRESENTATIONS}")
    rng = np.random.default_rng(seed)
    if representation == "full":
        if ws.size != 1:
            raise ValueError(f"representation='full' takes one width, got widths={ws.tolist()}")
        u, v = rng.standard_normal((2, 1, n_networks, int(ws[0])))
        return u, v
    shape = (ws.size, n_networks)
    norm_u = np.sqrt(rng.chisquare(np.broadcast_to(ws[:, None], shape).astype(float)))
    rest = ws[:, None] - 1
    norm_perp = np.sqrt(rng.chisquare(np.where(rest > 0, rest, 1), size=shape)) * (rest > 0)
    u = np.stack([norm_u, np.zeros(shape)], axis=-1)
    v = np.stack([rng.standard_normal(shape), norm_perp], axis=-1)
    return u, v


def _validated(widths, x, y, steps, learning_rate, rate_times_ntk, blowup):
    ws = _widths(widths)
    x = check_scalar("x", x, low=-math.inf, high=math.inf, closed=(False, False))
    y = check_scalar("y", y, low=-math.inf, high=math.inf, closed=(False, False))
    if x == 0:
        raise ValueError("x=0 is not allowed: the training input must be non-zero (else lambda = 0)")
    steps = check_integer("steps", steps, minimum=0)
    check_scalar("blowup", blowup, low=0, closed=(False, True))
    if (learning_rate is None) == (rate_times_ntk is None):
        raise ValueError("give exactly one of learning_rate=ETA or rate_times_ntk=C (eta = C / lambda_0)")
    name, value = ("learning_rate", learning_rate) if learning_rate is not None else ("rate_times_ntk", rate_times_ntk)
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        bad = arr[~(np.isfinite(arr) & (arr > 0))].ravel()[0]
        raise ValueError(f"{name}={float(bad)!r} is not allowed; it must be finite and in (0, inf)")
    return ws, x, y, steps, name, arr


def _run(u, v, *, widths, learning_rate, rate_times_ntk, steps, x, y, blowup, on_step):
    ws, x, y, steps, name, rate = _validated(widths, x, y, steps, learning_rate, rate_times_ntk, blowup)
    u, v = np.array(u, dtype=np.float64), np.array(v, dtype=np.float64)
    if u.shape != v.shape or u.ndim != 3 or u.shape[0] != ws.size:
        raise ValueError(f"u and v must have the same shape (len(widths), n_networks, d) = ({ws.size}, ., .), "
                         f"got {u.shape} and {v.shape}")
    scale = x / np.sqrt(ws.astype(float))[:, None]  # x / sqrt(n), per width
    out = np.einsum("wnd,wnd->wn", u, v) * scale
    ntk = x * x * (np.einsum("wnd,wnd->wn", u, u) + np.einsum("wnd,wnd->wn", v, v)) / ws[:, None]
    eta = np.broadcast_to(rate if name == "learning_rate" else rate / ntk, out.shape).copy()
    alive = np.ones(out.shape, dtype=bool)
    on_step(0, out, ntk, eta, alive, np.zeros(out.shape))
    for t in range(1, steps + 1):
        g = np.where(alive, eta * (out - y) * scale, 0.0)
        # |u - g v|^2 + |v - g u|^2 - |u|^2 - |v|^2, from the parameters (no cancellation of O(1) norms)
        change = x * x * g * (g * ntk * ws[:, None] / (x * x) - 4 * out / scale) / ws[:, None]
        u, v = u - g[..., None] * v, v - g[..., None] * u
        out = np.einsum("wnd,wnd->wn", u, v) * scale
        ntk = x * x * (np.einsum("wnd,wnd->wn", u, u) + np.einsum("wnd,wnd->wn", v, v)) / ws[:, None]
        alive &= np.isfinite(out) & (0.5 * (out - y) ** 2 <= blowup)
        on_step(t, out, ntk, eta, alive, change)
    return eta


@dataclass(frozen=True)
class UVTrajectories:
    """Loss and NTK of every network at every step: arrays ``(len(widths), n_networks, steps + 1)``."""

    loss: np.ndarray
    ntk: np.ndarray
    learning_rate: np.ndarray  # (len(widths), n_networks)
    diverged: np.ndarray  # (len(widths), n_networks): the loss passed blowup


def uv_trajectories(u, v, *, widths, steps: int, learning_rate=None, rate_times_ntk=None, x: float = 1.0,
                    y: float = 0.0, blowup: float = 1e100) -> UVTrajectories:
    r"""Train the networks $(u, v)$ (from :func:`uv_init`) for ``steps`` steps; keep every step's loss and NTK
    (a diverged network's values stay at the step it passed ``blowup``)."""
    loss, ntk, state = [], [], {}

    def keep(t, out, lam, eta, alive, change):
        last = state.get("alive", alive)
        loss.append(np.where(last, 0.5 * (out - y) ** 2, loss[-1] if loss else np.nan))
        ntk.append(np.where(last, lam, ntk[-1] if ntk else np.nan))
        state["alive"] = alive.copy()

    with np.errstate(over="ignore", invalid="ignore"):
        eta = _run(u, v, widths=widths, learning_rate=learning_rate, rate_times_ntk=rate_times_ntk, steps=steps,
                   x=x, y=y, blowup=blowup, on_step=keep)
    return UVTrajectories(np.stack(loss, -1), np.stack(ntk, -1), eta, ~state["alive"])


@dataclass(frozen=True)
class UVSummary:
    """Per network (arrays ``(len(widths), n_networks)``): what the catapult claims read, without trajectories."""

    initial_loss: np.ndarray
    initial_ntk: np.ndarray
    final_loss: np.ndarray
    final_ntk: np.ndarray
    peak_loss: np.ndarray
    peak_step: np.ndarray
    escape_step: np.ndarray  # first step with eta^2 x^2 (f - y)^2 / n >= escape (-1: never)
    ntk_change: np.ndarray  # final minus initial NTK, summed step by step from the parameters (no cancellation)
    learning_rate: np.ndarray
    diverged: np.ndarray


def uv_summary(u, v, *, widths, steps: int, learning_rate=None, rate_times_ntk=None, x: float = 1.0,
               y: float = 0.0, escape: float = 1.0, blowup: float = 1e100) -> UVSummary:
    r"""As :func:`uv_trajectories`, reduced on the fly: initial, final and peak loss, the peak's step, the
    final NTK, and the escape step, the first $t$ with $w_t = \eta^2x^2(f_t - y)^2/n \ge$ ``escape``."""
    escape = check_scalar("escape", escape, low=0, closed=(False, True))
    ws = _widths(widths)
    s: dict = {}

    def reduce(t, out, lam, eta, alive, change):
        loss = 0.5 * (out - y) ** 2
        if t == 0:
            s.update(init_loss=loss, init_ntk=lam, peak=loss.copy(), peak_step=np.zeros(loss.shape, int),
                     esc=np.full(loss.shape, -1), final=loss, final_ntk=lam, alive=alive.copy(),
                     change=np.zeros(loss.shape))
        live = s["alive"]
        s["change"] = s["change"] + np.where(live, change, 0.0)
        higher = live & (loss > s["peak"])
        s["peak"] = np.where(higher, loss, s["peak"])
        s["peak_step"] = np.where(higher, t, s["peak_step"])
        w = 2 * eta * eta * x * x * loss / ws[:, None]
        s["esc"] = np.where(live & (s["esc"] < 0) & (w >= escape), t, s["esc"])
        s["final"] = np.where(live, loss, s["final"])
        s["final_ntk"] = np.where(live, lam, s["final_ntk"])
        s["alive"] = alive.copy()

    with np.errstate(over="ignore", invalid="ignore"):
        eta = _run(u, v, widths=widths, learning_rate=learning_rate, rate_times_ntk=rate_times_ntk, steps=steps,
                   x=x, y=y, blowup=blowup, on_step=reduce)
    return UVSummary(s["init_loss"], s["init_ntk"], s["final"], s["final_ntk"], s["peak"], s["peak_step"],
                     s["esc"], s["change"], eta, ~s["alive"])
