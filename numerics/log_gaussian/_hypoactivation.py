r"""The hypoactivation constant of the standard ReLU ResNet by simulation and extrapolation in $1/n$.

Hypoactivation (LNR21 Prop. 2; reference note §3.4): in the stationary regime the
active mass $r_\ell = \|\mathrm{relu}(z_\ell)\|^2/\|z_\ell\|^2$ and active count obey

$$E r_\ell = \tfrac12 + \frac{C_r}{n} + o(1/n),\qquad
  E\,\tfrac{\#\{i: z_{\ell,i} > 0\}}{n} = \tfrac12 + \frac{C_f}{n} + o(1/n),$$

with the note's series $C_r = -\tfrac{\lambda^2}{4}\sum_{j\ge1}\alpha^j H'(\alpha^j)$ ($-0.859$ at $\lambda^2 = 1/2$;
a student code uses $-0.876$) and $C_f = -\tfrac{\lambda^2}{\pi}\sum_{j \ge 1}\alpha^j\sqrt{1-\alpha^{2j}}$.

Estimator: for each width $n$, simulate ``n_samples`` standard ResNets (exact in
law), discard ``burn_in`` layers, average $n(r_\ell - \tfrac12)$ over the next ``layers``
layers within each network (networks are independent, so the standard error
comes from the spread of these per-network averages, with no assumption on the
correlation between layers), then fit $y_n = C + \sum_{k=1}^{K} b_k n^{-k}$ by weighted
least squares (weights $1/\mathrm{SE}_n^2$).  The intercept and its standard
error $(X^\top \Sigma^{-1} X)^{-1/2}_{00}$ estimate $C$.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.sampling import child_seeds
from ..core.validation import check_integer, check_scalar
from ._resnets import relu_resnet

__all__ = ["HypoactivationEstimate", "hypoactivation_constant"]


@dataclass(frozen=True)
class HypoactivationEstimate:
    r"""Extrapolated constants and the per-width data they come from.

    ``mass``/``count``: $\hat C_r$, $\hat C_f$; ``mass_stderr``/``count_stderr``: their standard errors;
    ``widths``; ``mass_by_width``/``count_by_width``: $n(\bar r - \tfrac12)$ and $n(\bar f - \tfrac12)$ per width,
    with standard errors ``mass_stderr_by_width``/``count_stderr_by_width``; ``chi2_mass``/``chi2_count``:
    the residual $\chi^2$ of the fits (about ``len(widths) - degree - 1`` if the model in $1/n$ is adequate).
    """

    mass: float
    mass_stderr: float
    count: float
    count_stderr: float
    widths: tuple
    mass_by_width: np.ndarray
    mass_stderr_by_width: np.ndarray
    count_by_width: np.ndarray
    count_stderr_by_width: np.ndarray
    chi2_mass: float
    chi2_count: float


def _wls_intercept(widths, y, se, degree):
    X = np.vander(1.0 / np.asarray(widths, dtype=float), degree + 1, increasing=True)
    w = 1.0 / se**2
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = cov @ (X.T @ (w * y))
    chi2 = float(np.sum(w * (y - X @ beta) ** 2))
    return float(beta[0]), float(math.sqrt(cov[0, 0])), chi2


def hypoactivation_constant(*, branch_weight: float = math.sqrt(0.5), widths=(32, 64, 128, 256), burn_in: int = 40,
                            layers: int = 100, n_samples: int = 4096, degree: int = 1,
                            seed) -> HypoactivationEstimate:
    r"""Estimate $C_r = \lim_n n(E r - \tfrac12)$ and $C_f$ for the standard ResNet (module docstring).

    Parameters
    ----------
    branch_weight:
        $\lambda \in (0, 1]$.
    widths:
        At least ``degree + 1`` distinct widths, integers >= 2.
    burn_in, layers:
        Layers discarded (>= 0) and averaged (>= 1) per network; depth is their sum.
    n_samples:
        Networks per width (>= 2).
    degree:
        Number $K \ge 1$ of correction terms $n^{-k}$ in the fit.
    seed:
        Integer >= 0 or SeedSequence; width $i$ uses child $i$.
    """
    lam = check_scalar("branch_weight", branch_weight, low=0.0, high=1.0, closed=(False, True))
    widths = tuple(check_integer(f"widths[{i}]", w, minimum=2) for i, w in enumerate(widths))
    degree = check_integer("degree", degree, minimum=1)
    if len(set(widths)) < degree + 1:
        raise ValueError(f"widths={widths!r} must hold at least degree + 1 = {degree + 1} distinct widths")
    burn_in = check_integer("burn_in", burn_in, minimum=0)
    layers = check_integer("layers", layers, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=2)
    mass, mass_se, count, count_se = [], [], [], []
    for n, ss in zip(widths, child_seeds(seed, len(widths))):
        res = relu_resnet(np.ones(1), width=n, depth=burn_in + layers, branch_weight=lam, n_out=0,
                          n_samples=n_samples, seed=ss, record=("active_mass", "active_fraction"))
        for data, means, ses in ((res.active_mass, mass, mass_se), (res.active_fraction, count, count_se)):
            per_net = n * (data[:, burn_in:, 0].mean(axis=1) - 0.5)
            means.append(per_net.mean())
            ses.append(per_net.std(ddof=1) / math.sqrt(n_samples))
    arrays = [np.array(v) for v in (mass, mass_se, count, count_se)]
    c_mass, se_mass, chi_mass = _wls_intercept(widths, arrays[0], arrays[1], degree)
    c_count, se_count, chi_count = _wls_intercept(widths, arrays[2], arrays[3], degree)
    return HypoactivationEstimate(c_mass, se_mass, c_count, se_count, widths, arrays[0], arrays[1], arrays[2],
                                  arrays[3], chi_mass, chi_count)
