r"""Fully trained one-hidden-layer networks: draws of the ensemble's output mean and covariance.

A network $f(x) = \tfrac{\sigma_w}{\sqrt n}\, v\cdot\varphi(h(x)) + \sigma_b\, b_o$,
$h(x) = \tfrac{\sigma_w}{\sqrt d} W x + \sigma_b b$ (NTK parameterisation, all entries i.i.d. $N(0, 1)$)
is trained in all its parameters by $k$ steps of full-batch gradient descent at rate $\eta$ on
$\tfrac{1}{2N}\|f(X) - Y\|^2$ (the shared trainer, :mod:`numerics.core.training`).  As $n \to \infty$
its outputs at the test points have the mean and covariance of the linearised ensemble
(:func:`numerics.inference.gradient_descent_mse_ensemble`, ``get="ntk"``, ``steps=k``); at width $n$
the difference is $O(1/n)$.

**Control variates of mean exactly zero.**  Let $\hat\Theta$ be the network's empirical NTK at
initialisation and $\hat A_k = \hat\Theta_{xX}\hat\Theta_{XX}^{-1}(I - (I - \eta\hat\Theta_{XX}/N)^k)$ the
linearised predictor it defines.  Flipping the signs of $(v, b_o)$ leaves $\hat\Theta$ (which holds $v$
only through $v_i^2$) unchanged and negates $f_0$; given $(W, b, |v|, |b_o|)$ the signs are independent
Rademacher variables, so with $g = f_0(x) - \hat A_k f_0(X)$

$$E[g \mid W, b, |v|, |b_o|] = 0,\qquad E[g g^\top \mid \cdot] = P\hat K_v P^\top,\quad
P = (I, -\hat A_k),\ \hat K_v = \tfrac{\sigma_w^2}{n}\textstyle\sum_i v_i^2\varphi_i\varphi_i^\top + \sigma_b^2 b_o^2 .$$

Both $\hat\Theta$ and $\hat K_v$ have exact means at every width: the NTK $\bar\Theta$ and the NNGP $\bar K$
of the network, computed here by quadrature of the activation itself
(:func:`numerics.dual.reference.pair_expectation`, never the closed forms a prediction uses, so an error
there is not absorbed).  The first-order terms of $\hat A_kY$ and of
$\Phi(\hat\Theta, \hat K_v) = \hat A_kYY^\top\hat A_k^\top + P\hat K_vP^\top$ in
$(\hat\Theta - \bar\Theta, \hat K_v - \bar K)$ (Daleckii-Krein, :mod:`._frechet`) therefore have mean 0
too.  The per-network draws

$$D = f_k(x) - g - D\hat A[\hat\Theta - \bar\Theta]\,Y,\qquad
S = f_kf_k^\top - (gg^\top - P\hat K_vP^\top) - (\hat A_kY g^\top + g\,Y^\top\hat A_k^\top) - D\Phi[\cdot]$$

have means $E f_k(x)$ and $E f_kf_k^\top$ exactly; their variance falls from $O(1)$ to $O(1/n^2)$ plus
that of the training's departure from the linearised network.  Two independent networks $a, b$ give
one draw of the mean, $(D_a + D_b)/2$, and one of the covariance, $(S_a + S_b - D_aD_b^\top - D_bD_a^\top)/2$
(mean exactly $\operatorname{Cov} f_k$).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..core.sampling import check_seed
from ..core.training import ACTIVATIONS, FCNetwork, Optimizer, train_full_batch
from ..core.validation import check_finite_array, check_integer, check_scalar
from ..dual.activations import activation as _activation
from ..dual.reference import pair_expectation
from ._frechet import gd_divided_differences, gd_factor

__all__ = ["expected_kernels", "trained_output_draws"]

#: networks times width per chunk (memory: a few arrays of ``chunk * points`` floats).
CHUNK = 1 << 19


def expected_kernels(x, *, activation: str, W_std: float, b_std: float) -> tuple[np.ndarray, np.ndarray]:
    r"""$(\bar K, \bar\Theta)$ of a one-hidden-layer network at the rows of ``x``, by quadrature.

    $\bar K = \sigma_w^2E[\varphi(u)\varphi(u')] + \sigma_b^2$,
    $\bar\Theta = \bar K + \sigma_w^2E[\varphi'(u)\varphi'(u')]\,q(x, x')$ with $(u, u')$ centred Gaussian of
    covariance $q = \sigma_w^2 xx^\top/d + \sigma_b^2$: the exact means of the empirical kernels at every width.
    """
    x = check_finite_array("x", x, ndim=2)
    return _expected(activation, float(W_std), float(b_std), x.shape, x.tobytes())


@lru_cache(maxsize=16)
def _expected(name, w_std, b_std, shape, raw):
    x = np.frombuffer(raw).reshape(shape)
    act = _activation(name)
    q = (w_std**2 / x.shape[1]) * (x @ x.T) + b_std**2
    k, th = np.empty_like(q), np.empty_like(q)
    for i in range(len(q)):
        for j in range(i, len(q)):
            rho = float(np.clip(q[i, j] / math.sqrt(q[i, i] * q[j, j]), -1.0, 1.0))
            e = pair_expectation(act.phi, act.phi, float(q[i, i]), float(q[j, j]), rho).value
            ed = pair_expectation(act.phi_prime, act.phi_prime, float(q[i, i]), float(q[j, j]), rho).value
            k[i, j] = k[j, i] = w_std**2 * e + b_std**2
            th[i, j] = th[j, i] = k[i, j] + w_std**2 * ed * q[i, j]
    k.flags.writeable = th.flags.writeable = False
    return k, th


def trained_output_draws(x_train, x_test, y_train, *, activation: str, width: int, W_std: float, b_std: float,
                         learning_rate: float, steps, n_pairs: int, seed, control: bool = True,
                         covariance: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    r"""Draws of the trained ensemble's mean and covariance at the test points (module docstring).

    Parameters
    ----------
    x_train, x_test, y_train:
        Shapes ``(N, d)``, ``(M, d)`` and ``(N,)``, finite; the train kernel must be positive definite.
    activation:
        ``"erf"`` or ``"tanh"`` (in both the trainer's and the dual catalog).
    width, W_std, b_std:
        Hidden width $n \ge 1$, $\sigma_w > 0$, $\sigma_b \ge 0$.
    learning_rate, steps:
        $\eta > 0$ and the recorded step counts (distinct integers $\ge 0$, increasing).
    n_pairs, seed:
        Draws (each from two independent networks), integer $\ge 2$; an integer $\ge 0$ or a SeedSequence.
    control:
        Subtract the control variates (``False``: the raw outputs and their outer products).
    covariance:
        Also draw the covariance (``False``: ``None`` in its place, and less work).

    Returns
    -------
    (mean, cov):
        Shapes ``(n_pairs, T * M)`` (column ``t * M + j``) and ``(n_pairs, T * M(M+1)/2)`` (per step, the
        upper triangle row by row).

    >>> x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.5, -0.5])
    >>> mean, cov = trained_output_draws(x, x[:1], y, activation="erf", width=32, W_std=1.0, b_std=0.2,
    ...     learning_rate=1.0, steps=[0, 50], n_pairs=50, seed=0)
    >>> mean.shape, cov.shape
    ((50, 2), (50, 2))
    >>> bool(abs(mean[:, 1].mean() - 0.5) < 0.05)   # trained on x[0]: the output has reached its target
    True
    """
    xa, xb = check_finite_array("x_train", x_train, ndim=2), check_finite_array("x_test", x_test, ndim=2)
    y = check_finite_array("y_train", y_train, ndim=1)
    if xb.shape[1] != xa.shape[1] or y.shape[0] != xa.shape[0]:
        raise ValueError(f"shapes do not match: x_train {xa.shape}, x_test {xb.shape}, y_train {y.shape}; "
                         "need (N, d), (M, d), (N,)")
    if activation not in ("erf", "tanh"):
        raise ValueError(f"activation={activation!r} must be 'erf' or 'tanh'")
    width = check_integer("width", width, minimum=1)
    n_pairs = check_integer("n_pairs", n_pairs, minimum=2)
    w_std = check_scalar("W_std", W_std, low=0.0, high=1e6, closed=(False, True))
    b_std = check_scalar("b_std", b_std, low=0.0, high=1e6)
    lr = check_scalar("learning_rate", learning_rate, low=0.0, high=1e6, closed=(False, True))
    k = np.atleast_1d(np.asarray(steps))
    if k.ndim != 1 or k.size == 0 or not np.issubdtype(k.dtype, np.integer) or k[0] < 0 or np.any(np.diff(k) <= 0):
        raise ValueError(f"steps={steps!r} must be increasing integers >= 0")
    for name, flag in (("control", control), ("covariance", covariance)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name}={flag!r} must be True or False")
    z = np.vstack([xa, xb])
    bar = _Linearised(z, xa.shape[0], y, activation, w_std, b_std, lr, k) if control else None
    rng = np.random.default_rng(check_seed(seed))
    per = max(1, CHUNK // width // 2)
    means, covs = [], []
    for start in range(0, n_pairs, per):
        e = min(per, n_pairs - start)
        d, s = _network_draws(rng, 2 * e, z, xa.shape[0], y, activation, width, w_std, b_std, lr, k, bar, covariance)
        means.append(0.5 * (d[:e] + d[e:]))
        if not covariance:
            continue
        cross = np.einsum("etx,ety->etxy", d[:e], d[e:])
        c = 0.5 * (s[:e] + s[e:] - cross - np.swapaxes(cross, 2, 3))
        iu = np.triu_indices(xb.shape[0])
        covs.append(c[:, :, iu[0], iu[1]])
    return (np.concatenate(means).reshape(n_pairs, -1), np.concatenate(covs).reshape(n_pairs, -1) if covariance else None)


class _Linearised:
    """The exact-mean kernels and the linearised predictor at them (the expansion point of the controls)."""

    def __init__(self, z, n_train, y, activation, w_std, b_std, lr, steps):
        self.k, self.th = expected_kernels(z, activation=activation, W_std=w_std, b_std=b_std)
        lam, self.vec = np.linalg.eigh(self.th[:n_train, :n_train])
        if lam[0] <= 0:
            raise ValueError("the NTK of x_train is singular; the training inputs must be distinct")
        x = lr / n_train
        self.g = np.einsum("ik,tk,jk->tij", self.vec, gd_factor(lam, x, steps), self.vec)   # G_k(Theta), (T, N, N)
        self.f = gd_divided_differences(lam, x, steps)                                      # (T, N, N)
        self.a = np.einsum("xi,tij->txj", self.th[n_train:, :n_train], self.g)             # (T, M, N)
        self.ay = self.a @ y


def _network_draws(rng, e, z, n_train, y, activation, width, w_std, b_std, lr, steps, bar, covariance):
    """Per-network draws ``D`` (e, T, M) and ``S`` (e, T, M, M) (``None`` unless ``covariance``) of the module docstring."""
    phi, dphi = ACTIVATIONS[activation]
    d = z.shape[1]
    w1, b1 = rng.standard_normal((e, d, width)), rng.standard_normal((e, width))
    v, bo = rng.standard_normal((e, width, 1)), rng.standard_normal((e, 1))
    c1, c2 = w_std / math.sqrt(d), w_std / math.sqrt(width)
    h = c1 * np.einsum("pd,edn->epn", z, w1) + b_std * b1[:, None, :]
    a, da = phi(h), dphi(h)
    v2 = v[:, :, 0] ** 2
    f0 = c2 * np.einsum("epn,en->ep", a, v[:, :, 0]) + b_std * bo
    kin = c1**2 * (z @ z.T) + b_std**2
    th = c2**2 * (np.einsum("epn,eqn->epq", a, a) + np.einsum("epn,eqn->epq", da * v2[:, None, :], da) * kin) + b_std**2
    kv = c2**2 * np.einsum("epn,eqn->epq", a * v2[:, None, :], a) + b_std**2 * bo[:, :, None] ** 2
    del h, a, da
    net = FCNetwork((d, width, 1), activation=activation, w_std=w_std, b_std=b_std)
    _, rec = train_full_batch(net, [(w1, b1), (v, bo)], x_train=z[:n_train], y_train=y[:, None], x_test=z[n_train:],
                              optimizer=Optimizer("sgd", learning_rate=lr), record_steps=steps)
    ft = np.stack([rec[int(s)][:, :, 0] for s in steps], axis=1)                            # (e, T, M)
    if bar is None:
        return ft, np.einsum("etx,ety->etxy", ft, ft) if covariance else None
    lam, vec = np.linalg.eigh(th[:, :n_train, :n_train])
    gk = gd_factor(lam, lr / n_train, steps)                                               # (e, T, N)
    a_hat = np.einsum("exi,eik,etk,ejk->etxj", th[:, n_train:, :n_train], vec, gk, vec)    # (e, T, M, N)
    ay = a_hat @ y
    g = f0[:, None, n_train:] - np.einsum("etxj,ej->etx", a_hat, f0[:, :n_train])
    pkp = _sandwich(a_hat, kv, n_train)
    dth, dk = th - bar.th, kv - bar.k
    rot = np.einsum("ia,eij,jb->eab", bar.vec, dth[:, :n_train, :n_train], bar.vec)
    da_ = (np.einsum("exi,tij->etxj", dth[:, n_train:, :n_train], bar.g)
           + np.einsum("xi,ia,etab,jb->etxj", bar.th[n_train:, :n_train], bar.vec, rot[:, None] * bar.f[None], bar.vec))
    l1 = da_ @ y
    if not covariance:
        return ft - g - l1, None
    k_xX, k_XX = bar.k[n_train:, :n_train], bar.k[:n_train, :n_train]
    lin = (np.einsum("etx,ty->etxy", l1, bar.ay) + 0.5 * dk[:, None, n_train:, n_train:]
           - da_ @ k_xX.T - np.einsum("txi,eiy->etxy", bar.a, dk[:, :n_train, n_train:])
           + np.einsum("etxi,ij,tyj->etxy", da_, k_XX, bar.a)
           + 0.5 * np.einsum("txi,eij,tyj->etxy", bar.a, dk[:, :n_train, :n_train], bar.a))
    lin = lin + np.swapaxes(lin, 2, 3)
    outer = np.einsum("etx,ety->etxy", ft, ft) - np.einsum("etx,ety->etxy", g, g) + pkp
    outer -= np.einsum("etx,ety->etxy", ay, g) + np.einsum("etx,ety->etxy", g, ay)
    return ft - g - l1, outer - lin


def _sandwich(a_hat, kv, n_train):
    r"""$P\hat K_vP^\top = K_{xx} - \hat AK_{Xx} - K_{xX}\hat A^\top + \hat AK_{XX}\hat A^\top$, shape (e, T, M, M)."""
    ak = np.einsum("etxi,eiy->etxy", a_hat, kv[:, :n_train, n_train:])
    return (kv[:, None, n_train:, n_train:] - ak - np.swapaxes(ak, 2, 3)
            + np.einsum("etxi,eij,etyj->etxy", a_hat, kv[:, :n_train, :n_train], a_hat))
