r"""Full-batch gradient descent on a deep tanh ResNet and on its depth limit (the neural ODE trained in function
space), for the linear-convergence claim of Cont, Rossier and Xu ([CRX-GD], reference section 6).

Network (depth $L$, $\delta = 1/L$ fixed, state in $\mathbb R^d$, $N$ samples per problem):
$h_{k+1} = h_k + \tfrac1L\tanh(A_kh_k + b_k)$, loss $\ell = \frac{1}{2N}\sum_i|h_L(x_i) - y_i|^2$, initial weights
$A_k = \bar A(k/L)$, $b_k = 0$ with the smooth profile $\bar A(t) = a_0 I + a_1\cos(\pi t)J$ ($J$ the rotation
generator on the first two coordinates), and gradient descent with learning rate $\eta L$ on $(A_k, b_k)$ (the
shared trainer's :class:`~numerics.core.training.ResNet` and SGD; $\delta$ is not trained).  Since
$L\,\partial\ell/\partial A_k = (\sigma'(z_k)\odot p_{k+1})h_k^\top/N\ \to\ G(t_k)$, each step moves every layer by
$\eta\,G(t_k) + O(1/L)$: the depth-$L$ trajectory of losses converges at $O(1/L)$ to the trajectory of

$$A_{\tau+1}(t) = A_\tau(t) - \eta\,\frac1N\sum_i\big(\sigma'(z_i(t))\odot P_i(t)\big)H_i(t)^\top,\quad
b_{\tau+1}(t) = b_\tau(t) - \eta\,\frac1N\sum_i\sigma'(z_i(t))\odot P_i(t),$$

$\dot H = \tanh(A H + b)$, $H_0 = x$; $\dot P = -A^\top(\sigma'(AH + b)\odot P)$, $P_1 = H_1 - y$ (the continuous
adjoint).  :func:`continuum_gd_losses` solves it by an independent scheme: classical Runge-Kutta (order 4) on
$M$ steps, weights held on the grid $j/(2M)$ (nodes and midpoints), $H$ and $P$ at the midpoints by cubic Hermite
interpolation (order 4), so its losses carry an $O(M^{-4})$ error, not the network's $O(1/L)$.

The claim's statistic is the linear rate over steps $[\tau_1, \tau_2]$,
$r = (\log\ell_{\tau_1} - \log\ell_{\tau_2})/(\tau_2 - \tau_1)$ (:func:`linear_rate`).
"""

from __future__ import annotations

import numpy as np

from ..core.sampling import check_seed
from ..core.training import Optimizer, ResNet
from ..core.validation import check_integer, check_scalar

__all__ = ["continuum_gd_losses", "initial_profile", "linear_rate", "regression_problems", "resnet_gd_losses"]


def regression_problems(seed, *, n_problems: int, n_samples: int = 3, d: int = 3, noise: float):
    r"""``n_problems`` independent problems ``(x, y)``, each ``(n_problems, n_samples, d)``: inputs the first
    ``n_samples`` rows of a Haar-random orthogonal matrix (orthonormal: a well-conditioned Gram matrix), targets
    $y = x + \text{noise}\,\xi/\sqrt d$, $\xi$ standard normal."""
    n_problems = check_integer("n_problems", n_problems, minimum=1)
    d = check_integer("d", d, minimum=2)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    if n_samples > d:
        raise ValueError(f"n_samples={n_samples} must be <= d={d} (orthonormal inputs)")
    noise = check_scalar("noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed(seed))
    q, r = np.linalg.qr(rng.standard_normal((n_problems, d, d)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]          # Haar (sign-fixed QR)
    x = np.swapaxes(q, 1, 2)[:, :n_samples, :]
    return x, x + noise * rng.standard_normal(x.shape) / np.sqrt(d)


def initial_profile(t, *, a0: float, a1: float, d: int) -> np.ndarray:
    r"""$\bar A(t) = a_0 I + a_1\cos(\pi t)J$ at the times ``t``: shape ``t.shape + (d, d)``."""
    t = np.asarray(t, dtype=np.float64)
    j = np.zeros((d, d))
    j[0, 1], j[1, 0] = 1.0, -1.0
    return a0 * np.eye(d) + a1 * np.cos(np.pi * t)[..., None, None] * j


def resnet_gd_losses(x, y, *, depth: int, a0: float, a1: float, eta: float, steps: int) -> np.ndarray:
    """Losses ``(E, steps + 1)`` of gradient descent on the depth-``depth`` network for ``E`` problems
    (``x``, ``y``: ``(E, N, d)``), on the shared trainer."""
    e, n, d = x.shape
    net = ResNet(depth=depth, width=d, activation="tanh", delta="shared")
    a = np.broadcast_to(initial_profile(np.arange(depth) / depth, a0=a0, a1=a1, d=d), (e, depth, d, d)).copy()
    params = [(a, np.zeros((e, depth, d)), np.full((e, 1), 1.0 / depth))]
    opt, losses = Optimizer("sgd", learning_rate=eta * depth), np.empty((e, steps + 1))
    for step in range(steps + 1):
        out, cache = net.forward(params, x)
        r = out - y
        losses[:, step] = 0.5 * np.sum(r * r, axis=(1, 2)) / n
        if step < steps:
            da, db, _ = net.backward(params, cache, r / n)[0]
            params = opt.step(params, [(da, db, np.zeros_like(params[0][2]))])
    return losses


def _hermite_mid(h0, h1, f0, f1, dt):
    """Cubic Hermite value at the midpoint from the end values and slopes."""
    return 0.5 * (h0 + h1) + 0.125 * dt * (f0 - f1)


def continuum_gd_losses(x, y, *, grid: int, a0: float, a1: float, eta: float, steps: int) -> np.ndarray:
    """Losses ``(E, steps + 1)`` of gradient descent on the neural ODE (module docstring), RK4 with ``grid`` steps."""
    e, n, d = x.shape
    m, dt = int(grid), 1.0 / grid
    a = np.broadcast_to(initial_profile(np.arange(2 * m + 1) / (2 * m), a0=a0, a1=a1, d=d),
                        (e, 2 * m + 1, d, d)).copy()
    b = np.zeros((e, 2 * m + 1, d))

    def field(j, h):  # dH/dt at fine point j
        return np.tanh(np.matmul(h, np.swapaxes(a[:, j], 1, 2)) + b[:, j, None, :])

    def adjoint(j, h, p):  # dP/dt at fine point j
        s = 1.0 - np.tanh(np.matmul(h, np.swapaxes(a[:, j], 1, 2)) + b[:, j, None, :]) ** 2
        return -np.matmul(s * p, a[:, j])

    losses = np.empty((e, steps + 1))
    for step in range(steps + 1):
        hs = np.empty((2 * m + 1, e, n, d))
        hs[0] = x
        for i in range(m):
            h, j = hs[2 * i], 2 * i
            k1 = field(j, h)
            k2 = field(j + 1, h + 0.5 * dt * k1)
            k3 = field(j + 1, h + 0.5 * dt * k2)
            k4 = field(j + 2, h + dt * k3)
            hs[j + 2] = h + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            hs[j + 1] = _hermite_mid(h, hs[j + 2], k1, field(j + 2, hs[j + 2]), dt)
        r = hs[-1] - y
        losses[:, step] = 0.5 * np.sum(r * r, axis=(1, 2)) / n
        if step == steps:
            break
        ps = np.empty_like(hs)
        ps[-1] = r / n
        for i in range(m, 0, -1):
            p, j = ps[2 * i], 2 * i
            k1 = adjoint(j, hs[j], p)
            k2 = adjoint(j - 1, hs[j - 1], p - 0.5 * dt * k1)
            k3 = adjoint(j - 1, hs[j - 1], p - 0.5 * dt * k2)
            k4 = adjoint(j - 2, hs[j - 2], p - dt * k3)
            ps[j - 2] = p - dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            ps[j - 1] = _hermite_mid(ps[j - 2], p, adjoint(j - 2, hs[j - 2], ps[j - 2]), k1, dt)
        zs = np.matmul(hs, np.swapaxes(np.moveaxis(a, 1, 0), -1, -2)) + np.moveaxis(b, 1, 0)[:, :, None, :]
        u = (1.0 - np.tanh(zs) ** 2) * ps                                   # (2M+1, E, N, d), already / N
        a -= eta * np.moveaxis(np.matmul(np.swapaxes(u, -1, -2), hs), 0, 1)
        b -= eta * np.moveaxis(u.sum(axis=2), 0, 1)
    return losses


def linear_rate(losses, start: int, stop: int) -> np.ndarray:
    r"""$(\log\ell_{\text{start}} - \log\ell_{\text{stop}})/(\text{stop} - \text{start})$ per problem."""
    return (np.log(losses[:, start]) - np.log(losses[:, stop])) / (stop - start)
