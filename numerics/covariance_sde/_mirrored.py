r"""Per-network statistics of shaped-ReLU MLPs, mirrored in the shaping, with exact finite-width log-norm offsets.

**Mirrored shaping.**  A network with shapings $(c_+, c_-)$ at width $n$ depends on $c_\pm$ only through
$c_\pm/\sqrt n$; its law is invariant under the sign flip of the inputs, and its statistics admit an expansion in
$n^{-1/2}$ in which a term of order $n^{-j/2}$ is odd in $(c_+, c_-)$ iff $j$ is odd (each $n^{-1/2}$ comes with one
$c$).  The limit SDE depends on $(c_+ - c_-)^2$ only.  So the average of a network with $(c_+, c_-)$ and an independent
one with $(-c_+, -c_-)$ has the same limit and a bias in **integer** powers of $1/n$: the $n^{-1/2}$ term cancels,
and the correlation is extrapolated linearly (goodness of fit on the spare widths) instead of quadratically in
$n^{-1/2}$.

**Depth rounding.**  $d = \max(1, \operatorname{round}(Tn))$ layers realise the time $T_n = d/n$, not $T$; the
correlation columns are shifted by $u(T) - u(T_n)$ of the limit SDE (backward Kolmogorov,
:func:`numerics.covariance_sde.correlation_expectations`), which removes the erratic $O(|T_n - T|)$ term.

**Linear control.**  The linear network on the same normals (:attr:`ShapedReluPair.identity_rho`) has the law
of :func:`numerics.covariance_sde.linear_pair_correlation` (Bartlett, three numbers per layer), so
:data:`LINEAR_PER_PAIR` Bartlett networks per pair estimate its mean cheaply.  With $y$ the pair's statistic, $x$
its linear control and $z$ the Bartlett average, the row is $y - \hat\beta(x - z)$ (mean $Ey$, since
$Ex = Ez$), $\hat\beta = \widehat{\operatorname{Cov}}(y, x)/(\widehat{\operatorname{Var}}x + \widehat{\operatorname{Var}}z)$
minimising the variance (the regression estimator: $\hat\beta$ from the same rows costs an $O(1/N)$ bias, far
below the standard error).  At $c_\pm = 0$, $y = x$ and the row is essentially the Bartlett average.

**Log-norm.**  Exact at every width (:func:`numerics.covariance_sde.log_norm_moments`): with the identity control
$\Lambda_d$ and the sign balance $V_d = \delta\sum_\ell Y_\ell$ (:func:`numerics.covariance_sde.shaped_relu_pair`),
$\hat m = L_d - \Lambda_d - V_d + E\Lambda_d$ has mean $EL_d$ and, since $L_d - \Lambda_d$ is independent of
$\Lambda_d$, $\hat v = [(L_d - \Lambda_d) - \overline{L - \Lambda}]^2\tfrac N{N-1} - (V_d - \bar V)^2\tfrac N{N-1}
+ \operatorname{Var}V_d + \operatorname{Var}\Lambda_d$ has mean $\operatorname{Var}L_d$; both have a small variance
($O(1/n^2)$ and $O(1/n)$ against $2T$).  Each is divided by $T_n$ and shifted by the exact finite-width offset
$E L_d/T_n - (-1)$, resp. $\operatorname{Var}L_d/T_n - 2$, so its mean is the finite-width formula's limit
(:data:`numerics.covariance_sde.LIMIT_PER_T`) at every width.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import child_seeds
from ..core.validation import check_integer, check_scalar
from ._kolmogorov import correlation_expectations
from ._log_norm_law import LIMIT_PER_T, log_norm_moments
from ._pair import shaped_relu_pair
from ._wishart import linear_pair_correlation

__all__ = ["LINEAR_PER_PAIR", "shaped_relu_mirrored_draws"]

#: Bartlett-simulated linear networks per pair of shaped networks (the control's own mean).
LINEAR_PER_PAIR = 16


def _log_norm_columns(net, moments, Tn: float) -> np.ndarray:
    N = net.rho.size
    diff = net.log_norm_ratio - net.identity_log_norm_ratio
    v = moments.delta * net.sign_balance
    mean = diff - v + moments.identity_mean
    var = ((diff - diff.mean()) ** 2 - (v - v.mean()) ** 2) * (N / (N - 1)) \
        + moments.balance_variance + moments.identity_variance
    return np.column_stack([mean / Tn - (moments.mean / Tn - LIMIT_PER_T[0]),
                            var / Tn - (moments.variance / Tn - LIMIT_PER_T[1])])


def shaped_relu_mirrored_draws(*, c_plus: float, c_minus: float, rho0: float, T: float, width: int, n_samples: int,
                               seed, point: float) -> np.ndarray:
    r"""``(n_samples, 4)``: per pair of mirrored networks (module docstring) the averages of

    $\rho_d$ and $1\{\rho_d \le q\}$ (``q = point``) with the linear control and the depth-rounding shift, and the two
    log-norm statistics per unit time shifted to their limits $-1$ and $2$.  Pair $i$ is network $i$ of
    ``shaped_relu_pair`` with $(c_+, c_-)$ (child 0 of ``seed``) and with $(-c_+, -c_-)$ (child 1); the Bartlett
    linear networks use child 2.
    """
    T = check_scalar("T", T, low=0.0, closed=(False, True))
    point = check_scalar("point", point, low=-1.0, high=1.0)
    width = check_integer("width", width, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=2)
    d = max(1, round(T * width))
    Tn = d / width
    shift = np.zeros(2)
    if Tn != T:
        at_T = correlation_expectations(c_plus, c_minus, rho0, T, point=point, n_grid=2000, n_time=400)
        at_Tn = correlation_expectations(c_plus, c_minus, rho0, Tn, point=point, n_grid=2000, n_time=400)
        shift = np.subtract(at_T, at_Tn)
    y, x, logs = [], [], []
    for sign, s in zip((1.0, -1.0), child_seeds(seed, 3)[:2]):
        net = shaped_relu_pair(c_plus=sign * c_plus, c_minus=sign * c_minus, rho0=rho0, width=width, depth=d,
                               n_samples=n_samples, seed=s)
        if not np.all(np.isfinite(net.log_norm_ratio)):
            raise ValueError(f"(c_plus, c_minus, width)=({c_plus!r}, {c_minus!r}, {width}) kills a layer "
                             "(s_+ s_- <= 0); allowed: |c_pm| < sqrt(width)")
        moments = log_norm_moments(c_plus=sign * c_plus, c_minus=sign * c_minus, width=width, depth=d)
        y.append(np.column_stack([net.rho, net.rho <= point]))
        x.append(np.column_stack([net.identity_rho, net.identity_rho <= point]))
        logs.append(_log_norm_columns(net, moments, Tn))
    y, x = (y[0] + y[1]) / 2, (x[0] + x[1]) / 2
    lin = linear_pair_correlation(rho0=rho0, width=width, depth=d, n_samples=n_samples * LINEAR_PER_PAIR,
                                  seed=child_seeds(seed, 3)[2]).reshape(n_samples, LINEAR_PER_PAIR)
    z = np.column_stack([lin.mean(axis=1), (lin <= point).mean(axis=1)])
    corrected = np.empty_like(y)
    for j in range(2):
        var = x[:, j].var() + z[:, j].var()
        beta = float(np.mean((y[:, j] - y[:, j].mean()) * (x[:, j] - x[:, j].mean())) / var) if var > 0 else 0.0
        corrected[:, j] = y[:, j] - beta * (x[:, j] - z[:, j]) + shift[j]
    return np.column_stack([corrected, (logs[0] + logs[1]) / 2])
