r"""The neural covariance SDE at its terminal time, and the matching statistics of finite shaped-ReLU MLPs.

Record ``covariance_sde.shaped_relu`` (Li, Nica and Roy 2022, Thm 3.2): for two inputs of
equal norm and correlation $\rho_0$, the correlation of a shaped-ReLU MLP at depth $d = Tn$
converges to the solution at time $T$ of

$$d\rho_t = \Big[\nu(\rho_t) - \tfrac12\rho_t(1-\rho_t^2)\Big]dt + (1-\rho_t^2)\,dW_t,$$

where $-\tfrac12\rho(1-\rho^2)$ is Itô's correction, and $\ln(\Phi^{aa}_d/\Phi^{aa}_0) \Rightarrow N(-T, 2T)$.

* :func:`correlation_sde_paths`: $\rho_T$ on Euler--Maruyama paths;
* :func:`correlation_sde_estimate`: $E\rho_T$ and $P(\rho_T \le q)$, Richardson-extrapolated over two
  step sizes (weak order 1, so the step bias becomes $O(h^2)$), with their Monte Carlo standard errors;
* :func:`shaped_relu_terminal_draws`: per-network draws of the same statistics at finite width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.sampling import child_seeds
from ..core.sde import ScalarNoise, solve
from ..core.validation import check_integer, check_scalar
from ..generated import covariance_sde_shaped_relu as shaped_relu
from ._shaped import shaped_relu_mlp

__all__ = ["CorrelationSdeEstimate", "correlation_sde_estimate", "correlation_sde_paths", "shaped_relu_terminal_draws"]


def _check_sde(c_plus, c_minus, rho0, T):
    return (check_scalar("c_plus", c_plus), check_scalar("c_minus", c_minus),
            check_scalar("rho0", rho0, low=-1.0, high=1.0), check_scalar("T", T, low=0.0, closed=(False, True)))


def correlation_sde_paths(c_plus: float, c_minus: float, rho0: float, T: float, *, n_paths: int, n_steps: int, seed,
                          ito: bool = True) -> np.ndarray:
    r"""$\rho_T$ on ``n_paths`` Euler--Maruyama paths of ``n_steps`` steps (clipped to $[-1, 1]$).

    Drift ``correlation_drift`` and diffusion ``correlation_diffusion`` of record
    ``covariance_sde.shaped_relu``; with ``ito=False`` the drift is $\nu(\rho)$ alone (the error of
    dropping Itô's correction, for planted-error tests).

    >>> rho = correlation_sde_paths(0.0, 0.0, 0.5, 0.1, n_paths=4, n_steps=10, seed=0)
    >>> rho.shape, bool(np.all(np.abs(rho) <= 1))
    ((4,), True)
    """
    c_plus, c_minus, rho0, T = _check_sde(c_plus, c_minus, rho0, T)
    n_paths = check_integer("n_paths", n_paths, minimum=1)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    drift_fn = shaped_relu.correlation_drift if ito else shaped_relu.nu

    def drift(t, r, args):
        return drift_fn(c_plus, c_minus, np.clip(r, -1.0, 1.0))

    def diffusion(t, r, args):
        return shaped_relu.correlation_diffusion(np.clip(r, -1.0, 1.0))

    sol = solve(drift, ScalarNoise(diffusion), np.full((1, 1), rho0), n_steps=n_steps, t1=T, n_paths=n_paths,
                seed=seed)
    return np.clip(sol.y[:, 0], -1.0, 1.0)


@dataclass(frozen=True)
class CorrelationSdeEstimate:
    r"""$E\rho_T$ and $P(\rho_T \le q)$ with their standard errors (Richardson-extrapolated in the step)."""

    mean: float
    mean_stderr: float
    cdf: float
    cdf_stderr: float


def correlation_sde_estimate(c_plus: float, c_minus: float, rho0: float, T: float, *, point: float, n_paths: int,
                             n_steps: int, seed, ito: bool = True) -> CorrelationSdeEstimate:
    r"""$E\rho_T$ and $P(\rho_T \le q)$ (``q = point``) of the correlation SDE, Richardson-extrapolated.

    Two independent samples of ``n_paths`` paths, with ``n_steps`` and ``n_steps // 2`` steps
    (children 0 and 1 of ``seed``), give $\hat E = 2\bar f_h - \bar f_{2h}$ for $f = \rho_T$ and
    $f = 1\{\rho_T \le q\}$: Euler--Maruyama has weak order 1, so the step bias drops from
    $O(h)$ to $O(h^2)$; the standard error is $\sqrt{(4 s_h^2 + s_{2h}^2)/N}$.
    """
    point = check_scalar("point", point, low=-1.0, high=1.0)
    n_steps = check_integer("n_steps", n_steps, minimum=2)
    n_paths = check_integer("n_paths", n_paths, minimum=2)
    fine_seed, coarse_seed = child_seeds(seed, 2)
    fine = correlation_sde_paths(c_plus, c_minus, rho0, T, n_paths=n_paths, n_steps=n_steps, seed=fine_seed, ito=ito)
    coarse = correlation_sde_paths(c_plus, c_minus, rho0, T, n_paths=n_paths, n_steps=n_steps // 2, seed=coarse_seed,
                                   ito=ito)

    def richardson(f, c):
        return 2 * f.mean() - c.mean(), math.sqrt((4 * f.var() + c.var()) / n_paths)

    mean, mean_se = richardson(fine, coarse)
    cdf, cdf_se = richardson((fine <= point).astype(float), (coarse <= point).astype(float))
    return CorrelationSdeEstimate(float(mean), float(mean_se), float(cdf), float(cdf_se))


def shaped_relu_terminal_draws(*, c_plus: float, c_minus: float, rho0: float, T: float, width: int, n_samples: int,
                               seed, point: float) -> np.ndarray:
    r"""Per-network statistics of shaped-ReLU MLPs at depth $d = \max(1, \mathrm{round}(Tn))$, shape ``(n_samples, 4)``.

    Two inputs of unit norm and correlation ``rho0``; with $T_n = d/n$ and $L = \ln(\Phi^{aa}_d/\Phi^{aa}_0)$ the
    columns are $\rho_d$, $1\{\rho_d \le q\}$ (``q = point``), $L/T_n$ and $(L - \bar L)^2 N/((N-1) T_n)$,
    whose means estimate $E\rho_d$, $P(\rho_d \le q)$, $E L/T_n$ and $\operatorname{Var} L/T_n$.
    """
    c_plus, c_minus, rho0, T = _check_sde(c_plus, c_minus, rho0, T)
    point = check_scalar("point", point, low=-1.0, high=1.0)
    width = check_integer("width", width, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=2)
    d = max(1, round(T * width))
    x = np.array([[1.0, 0.0], [rho0, math.sqrt(max(1.0 - rho0**2, 0.0))]])
    r = shaped_relu_mlp(x, width=width, depth=d, c_plus=c_plus, c_minus=c_minus, n_out=0, n_samples=n_samples,
                        seed=seed, record=("covariance_path",))
    rho = r.correlation_path[:, -1, 0, 1]
    Tn = d / width
    L = r.log_norm_ratio[:, 0]
    var = (L - L.mean()) ** 2 * (n_samples / (n_samples - 1))
    return np.column_stack([rho, (rho <= point).astype(float), L / Tn, var / Tn])
