r"""Per-network draws behind the claims of the depth-and-width regime: one row per i.i.d. network.

Each function returns draws whose **mean** is the estimator a claim tests, so the
generic harness (a mean with its standard error, fitted over widths) needs no
claim-specific statistics:

* :func:`fc_log_norm_ratio`: $\ln(\|a_d\|^2/\|a_0\|^2)$ of He-ReLU or linear MLPs, the ReLU
  ones conditioned on a living network (every layer has $K_\ell \ge 1$ active units), as the
  exact law of Hanin and Nica (2020) is;
* :func:`variance_draws`: $(x_i - \bar x)^2\,N/(N-1)$, whose mean is the unbiased sample variance;
* :func:`ratio_draws`: the linearisation $r + (u_i - r v_i)/\bar v$ of a ratio $r = \sum u/\sum v$, whose
  mean is $r$ and whose standard error is the delta-method one;
* :func:`hypoactivation_draws`: the four stationary statistics of a ReLU ResNet's activation pattern
  (Li, Nica and Roy 2021, Prop. 2 and Thm 4);
* :func:`log_gaussian_output_sample`: draws of the log-Gaussian prediction for $\ln\|z_{out}\|^2$.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.sampling import check_seed, child_seeds
from ..core.validation import check_finite_array, check_integer, check_scalar
from ._antithetic import antithetic_activation_statistics
from ._fc import fc_linear_net, fc_relu_net
from ._resnets import relu_resnet

__all__ = ["fc_log_norm_ratio", "hypoactivation_draws", "living_log_ratios", "log_gaussian_output_sample",
           "ratio_draws", "variance_draws"]

_MAX_ROUNDS = 64


def fc_log_norm_ratio(activation: str, *, width: int, depth: int, n_samples: int, seed) -> np.ndarray:
    r"""``n_samples`` i.i.d. draws of $L_d = \ln(\|a_d\|^2/\|a_0\|^2)$ of a width-``width``, depth-``depth`` MLP.

    ``activation`` is ``"relu"`` (He initialisation) or ``"linear"``; the input is $(1, \dots, 1)$.
    A ReLU network dies (some layer has no active unit, $L_d = -\infty$) with probability
    at most $d\,2^{-n}$; dead networks are rejected and redrawn, so the draws follow the law
    of $L_d$ given $K_\ell \ge 1$ for every layer: $E L_d = d\,m_1(n)$, $\operatorname{Var} L_d = d\,v_1(n)$
    with $m_1, v_1$ the log-moments of $(2/n)\chi^2_K$, $K \sim \mathrm{Bin}(n, 1/2)$ conditioned on $K \ge 1$.
    Reproducible from ``seed`` (round $i$ of redrawing uses child $i$ of it).

    >>> x = fc_log_norm_ratio("linear", width=4, depth=3, n_samples=5, seed=0)
    >>> x.shape, bool(np.all(np.isfinite(x)))
    ((5,), True)
    """
    return _living(activation, width, depth, n_samples, seed, path=False)


def living_log_ratios(activation: str, *, width: int, depth: int, n_samples: int, seed) -> np.ndarray:
    r"""The per-layer $\ln R_\ell = \ln(\|a_{\ell+1}\|^2/\|a_\ell\|^2)$ of the networks :func:`fc_log_norm_ratio` draws
    (same seed, same living networks), shape ``(n_samples, depth)``; each row sums to that network's $L_d$.
    """
    return _living(activation, width, depth, n_samples, seed, path=True)


def _living(activation, width, depth, n_samples, seed, *, path: bool) -> np.ndarray:
    if activation not in ("relu", "linear"):
        raise ValueError(f"activation={activation!r} must be 'relu' or 'linear'")
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    net = fc_relu_net if activation == "relu" else fc_linear_net
    kept, have, drawn, batch = [], 0, 0, n_samples
    for round_seed in child_seeds(check_seed(seed), _MAX_ROUNDS):
        x = net(np.ones(width), widths=[width] * depth, n_out=0, n_samples=batch, seed=round_seed,
                record=("log_norm_path",) if path else None)
        alive = x.log_norm_ratio[:, 0]
        live = np.isfinite(alive)
        kept.append(np.diff(x.log_norm_path[live, :, 0], axis=1) if path else alive[live])
        have, drawn = have + int(live.sum()), drawn + batch
        if have >= n_samples:
            return np.concatenate(kept)[:n_samples]
        # next batch: the missing draws over the living fraction seen so far, 10% to spare (doubling if none lived)
        batch = min(math.ceil(1.1 * (n_samples - have) * drawn / have) + 16 if have else 2 * batch, 16 * n_samples)
    raise ValueError(f"width={width}, depth={depth}: fewer than {n_samples} living networks in "
                     f"{_MAX_ROUNDS} rounds (a ReLU net dies with probability up to depth * 2^-width)")


def variance_draws(x) -> np.ndarray:
    r"""$(x_i - \bar x)^2\,N/(N-1)$: their mean is the unbiased sample variance of ``x``.

    Their sample standard deviation over $\sqrt N$ is $\sqrt{(m_4 - s^4)/N}$ up to $O(1/N)$, the
    usual standard error of a sample variance.

    >>> float(variance_draws([1.0, 2.0, 3.0]).mean())
    1.0
    """
    x = check_finite_array("x", x, ndim=1)
    if x.size < 2:
        raise ValueError(f"x has {x.size} values; a variance needs at least 2")
    return (x - x.mean()) ** 2 * (x.size / (x.size - 1))


def ratio_draws(numerator, denominator) -> np.ndarray:
    r"""$r + (u_i - r v_i)/\bar v$ with $r = \sum_i u_i/\sum_i v_i$ over i.i.d. pairs $(u_i, v_i)$.

    Their mean is exactly $r$, and their standard deviation over $\sqrt N$ is the delta-method
    standard error of $r$: the draws are the ratio's influence values.

    >>> ratio_draws([1.0, 3.0], [1.0, 1.0]).tolist()
    [1.0, 3.0]
    """
    u = check_finite_array("numerator", numerator, ndim=1)
    v = check_finite_array("denominator", denominator, ndim=1)
    if u.shape != v.shape:
        raise ValueError(f"numerator and denominator have shapes {u.shape} and {v.shape}; they must agree")
    if not v.mean() > 0:
        raise ValueError(f"denominator has mean {v.mean()!r}; it must be > 0")
    r = u.sum() / v.sum()
    return r + (u - r * v) / v.mean()


def hypoactivation_draws(block: str, *, branch_weight: float, width: int, n_samples: int, seed,
                         burn_in: int = 60, window: int = 120, antithetic: bool = False) -> np.ndarray:
    r"""Per-network stationary activation statistics of ReLU ResNets, shape ``(n_samples, 4)``.

    Layers ``burn_in`` to ``burn_in + window`` of each network (input $(1, \dots, 1)$, width $n$) are
    averaged: the columns are $n(\overline{\#\text{active}/n} - \tfrac12)$, $n(\bar r_\ell - \tfrac12)$ with
    $r_\ell = \|\mathrm{relu}(z_\ell)\|^2/\|z_\ell\|^2$, the :func:`ratio_draws` of the lag-one autocorrelation of
    $\delta_\ell = r_\ell - \tfrac12$ (centred by its mean over all networks and layers: centring within each
    network's window would bias the lag-one correlation by about $-\tau/W$ for a correlation length $\tau$
    and window $W$, -0.02 measured at $\lambda^2 = 0.2$), and the overlap
    $P(\text{active at } \ell \text{ and } \ell + 1)$.  The column means estimate the quantities of record
    ``log_gaussian.resnet_standard`` (``activation_fraction``, ``mass_fraction``, ``delta_correlation``,
    ``pattern_overlap``), with standard errors from the spread over independent networks.

    ``antithetic=True``: each row is an antithetic pair of networks (:mod:`._antithetic`, input $g$ and
    $-g$, noise $g_\ell$ and $-g_\ell$, same signs), the first two columns and the overlap averaged over the
    pair and the correlation's ratio draws formed from the pair's summed numerator and denominator; rows
    stay i.i.d., the column means estimate the same quantities, and the $O(\sqrt n)$ field noise of the
    first two columns cancels (``n_samples`` counts pairs: twice the simulation per row); the count is
    Rao-Blackwellised, $\#\{u_{\ell,i} > 0\}$ replaced by its conditional mean given the previous layer
    (``"fraction_rb"`` of :func:`antithetic_activation_statistics`; same mean, no binomial noise).
    """
    if not isinstance(antithetic, bool):
        raise ValueError(f"antithetic={antithetic!r} must be True or False")
    if block not in ("standard", "balanced"):
        raise ValueError(f"block={block!r} must be 'standard' or 'balanced'")
    branch_weight = check_scalar("branch_weight", branch_weight, low=0.0, high=1.0, closed=(False, True))
    width = check_integer("width", width, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=2)
    burn_in = check_integer("burn_in", burn_in, minimum=0)
    window = check_integer("window", window, minimum=2)
    if antithetic:
        o = antithetic_activation_statistics(block, branch_weight=branch_weight, width=width, n_pairs=n_samples,
                                             seed=seed, burn_in=burn_in, window=window)
        delta = o["delta"] - o["delta"].mean()  # centred by the mean over all networks, as below
        num = (delta[:, :, :-1] * delta[:, :, 1:]).sum(axis=(1, 2))
        den = (delta[:, :, :-1] ** 2).sum(axis=(1, 2))
        return np.column_stack([width * (o["fraction_rb"].mean(axis=1) / window - 0.5),
                                width * (o["mass"].mean(axis=1) / window - 0.5),
                                ratio_draws(num, den), o["overlap"].mean(axis=1) / window])
    d = burn_in + window
    r = relu_resnet(np.ones(width), width=width, depth=d, branch_weight=branch_weight, block=block, n_out=0,
                    n_samples=n_samples, seed=seed, record=("active_fraction", "active_mass", "overlap"))
    w = slice(burn_in, d)
    frac = width * (r.active_fraction[:, w, 0].mean(axis=1) - 0.5)
    mass = width * (r.active_mass[:, w, 0].mean(axis=1) - 0.5)
    overlap = r.overlap[:, burn_in:, 0].mean(axis=1)
    delta = r.active_mass[:, w, 0] - 0.5
    delta = delta - delta.mean()
    corr = ratio_draws((delta[:, :-1] * delta[:, 1:]).sum(axis=1), (delta[:, :-1] ** 2).sum(axis=1))
    return np.column_stack([frac, mass, corr, overlap])


def log_gaussian_output_sample(*, width: int, depth: int, mu: float, sigma2: float, n_out: int, n_samples: int,
                               seed) -> np.ndarray:
    r"""Draws of the log-Gaussian prediction for $\ln\|z_{out}\|^2$ at width $n$, depth $d$, input $\|x\|^2 = n_{in}$.

    $$\ln\|z_{out}\|^2 \overset{d}{\approx} \ln(\chi^2_n/n) + N(\mu\beta, \sigma^2\beta) + \ln\chi^2_{n_{out}},
      \qquad \beta = d/n,$$

    the three terms independent (input layer, residual stream, readout; record
    ``log_gaussian.output_neuron``); ``mu`` and ``sigma2`` are $\mu/\beta$ and $\sigma^2/\beta$ of the limit.
    """
    width = check_integer("width", width, minimum=1)
    depth = check_integer("depth", depth, minimum=0)
    mu = check_scalar("mu", mu)
    sigma2 = check_scalar("sigma2", sigma2, low=0.0)
    n_out = check_integer("n_out", n_out, minimum=1)
    n_samples = check_integer("n_samples", n_samples, minimum=1)
    beta = depth / width
    rng = np.random.default_rng(child_seeds(seed, 1)[0])
    return (np.log(rng.chisquare(width, n_samples) / width) + rng.normal(mu * beta, math.sqrt(sigma2 * beta), n_samples)
            + np.log(rng.chisquare(n_out, n_samples)))
