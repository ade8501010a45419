r"""``claim.gaussian_falsified``: the Gaussian law of a ResNet's output norm fails as d/n grows; the log-Gaussian holds.

Standard ReLU ResNets of width $n = 128$ ($\lambda^2 = 1/2$, 10 outputs, $\|x\|^2 = n_{in}$); $Y = \ln\|z_{out}\|^2$.
The laws (``OutputLaw`` of :mod:`numerics.log_gaussian.output_law`) come from the claim's prediction, so a planted
or swapped law is what gets tested:

* **the search** (the one :class:`~verify.core.Custom` check): on the fixed grid $d \in \{1, 2, 4, \dots, 128\}$
  ($\beta = d/n = 2^k/128$), a :class:`~verify.core.Law` check of $N$ networks against the Gaussian law
  $\ln\chi^2_{10}$ with ``bias_tol`` $= \delta = 0.3$ (it rejects iff $\sup|F_N - F_G| > \delta + \varepsilon_N$:
  the Gaussian law is then more than $\delta$ from the network's law, at rate $\alpha$ per grid point).
  The statistic is $\hat\beta^* =$ the first rejected grid ratio; it passes iff $\hat\beta^*$ equals
  the predicted one, the first grid ratio at which the two predicted laws are more than $\delta$ apart.
  Both are exact grid points, so the statistic has no spread unless a test errs (rates in the docs);
  the data also carry $\sup|F_N - F_G|$ at every searched depth (its spread: DKWM).
* **the log-Gaussian law at the predicted depth** (a :class:`~verify.core.Law` check, same $N$): DKWM
  against $\ln(\chi^2_n/n) + N(\mu\beta, \sigma^2\beta) + \ln\chi^2_{10}$; its power against the Gaussian law
  is the search's power row ``detectable / sup|F_LG - F_G|``.

Docs, margins and measurements: ``docs/claims/claim.gaussian_falsified.md``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from derivations.core.parameters import Domain, Parameter
from numerics.generated import log_gaussian_resnet_standard as resnet_standard
from numerics.log_gaussian import relu_resnet
from numerics.log_gaussian.output_law import (
    crossing_depth,
    gaussian_output_law,
    law_distance,
    log_gaussian_output_law,
)

from ..core import Custom, Law, theorem
from ..core.evaluate import CheckOutcome, PowerRow, evaluate
from ..core.simulation import child_seed
from ..core.stats import DEFAULT_RATE, min_discrepancy_dkwm
from ..plots import Cdf

__all__ = ["FALSIFIER_CLAIM", "GRID", "LAW_CHECK", "PREDICTED_DEPTH", "SEARCH_CHECK", "laws", "output_log_norms"]

WIDTH, OUTPUTS, LAM2 = 128, 10, 0.5
GRID = tuple(2**k for k in range(8))  # depths 1..128: beta = 2^k / 128
BOUND = 0.3  # delta: the Gaussian law is rejected where it is more than 0.3 from the network's law (sup-distance)
SAMPLES = 12_000  # networks per grid depth: the predicted distance at beta = 1/4 clears BOUND + both DKWM envelopes
LG_BIAS_TOL = 0.014  # sup|F_net - F_LG| at d = 32 measured with 300,000 networks (0.0097) + its 1e-3 DKWM envelope
SEARCH_CHECK, LAW_CHECK = "depth at which the Gaussian law is rejected", "log-Gaussian law at that depth"


def laws(lam2: float = LAM2):
    """(Gaussian law, log-Gaussian law) of $\\ln\\|z_{out}\\|^2$ (record ``log_gaussian.resnet_standard``)."""
    lam = math.sqrt(lam2)
    mu, s2 = resnet_standard.limit_mean(lam, 1.0), resnet_standard.limit_variance(lam, 1.0)
    return (gaussian_output_law(width=WIDTH, n_out=OUTPUTS),
            log_gaussian_output_law(width=WIDTH, n_out=OUTPUTS, mu=float(mu), sigma2=float(s2)))


PREDICTED_DEPTH = crossing_depth(*laws(), depths=GRID, bound=BOUND)


def output_log_norms(p, *, n: int, seed) -> np.ndarray:
    r"""$\ln\|z_{out}\|^2$ of ``n`` standard ReLU ResNets of depth ``p["depth"]`` (input $(1, \dots, 1)$).

    Memoised by (depth, n, seed): the search's networks are not a claim check's, so the mutants' memo
    (:mod:`verify.mutants`) does not reach them; a copy is returned.
    """
    return _networks(p["depth"], n, repr(seed.entropy), tuple(seed.spawn_key)).copy()


@functools.lru_cache(maxsize=16)
def _networks(depth, n, entropy, key):
    seed = np.random.SeedSequence(int(entropy), spawn_key=key)
    return relu_resnet(np.ones(WIDTH), width=WIDTH, depth=depth, branch_weight=math.sqrt(LAM2), block="standard",
                       n_out=OUTPUTS, n_samples=n, seed=seed).log_output_norm[:, 0]


# the search's test at each grid depth: DKWM against the Gaussian law with bias_tol = BOUND (its predict documents
# the law; the search passes the law from the claim's prediction to evaluate)
_GAUSSIAN_AT = Law(SEARCH_CHECK, simulate=output_log_norms, samples=SAMPLES, bias_tol=BOUND,
                   predict=lambda p: functools.partial(laws()[0].cdf, depth=p["depth"]))


def _search(p, predicted, *, seed, rate, scale) -> CheckOutcome:
    rejected, holding = predicted  # the law the search rejects, the law that holds (the claim's prediction)
    expected, found, rows = crossing_depth(rejected, holding, depths=GRID, bound=BOUND), None, []
    for d in GRID:  # one comparison per grid depth: the search's rate is split over the whole grid
        out = evaluate(_GAUSSIAN_AT, {"depth": d}, functools.partial(rejected.cdf, depth=d),
                       seed=child_seed(seed, f"d={d}"), rate=rate / len(GRID), scale=scale)
        rows.append((d, out.statistic, out.threshold, law_distance(holding, rejected, depth=d)))
        if not out.passed:
            found = d
            break
    at, floor = expected or GRID[-1], min_discrepancy_dkwm(out.n_samples, false_fail_rate=rate,
                                                           false_pass_rate=DEFAULT_RATE)
    power = (PowerRow(SEARCH_CHECK, f"log-Gaussian check at d = {at}: detectable / sup|F_LG - F_G|",
                      law_distance(holding, rejected, depth=at), rows[-1][1], LG_BIAS_TOL + floor),)
    detail = (f"{SEARCH_CHECK}: first d with sup|F_N - F_G| > {BOUND} + DKWM: {found} (predicted {expected}), "
              f"width {WIDTH}; " + ", ".join(f"d={d}: {s:.3f} {'>' if s > t else '<='} {t:.3f} (laws {dist:.3f})"
                                          for d, s, t, dist in rows))
    data = dict(zip(("depths", "distance", "threshold", "predicted_distance"), map(np.array, zip(*rows))))
    data.update(smallest_rejected_beta=(found or math.nan) / WIDTH, predicted_beta=(expected or math.nan) / WIDTH)
    if found is not None:  # the networks at the first rejected depth against both laws (plot data)
        data.update(cdf_grid=out.data["grid"], cdf_network=out.data["empirical"], cdf_gaussian=out.data["predicted"],
                    cdf_log_gaussian=holding.cdf(out.data["grid"], depth=found))
    return CheckOutcome(SEARCH_CHECK, "custom", found == expected, 0.0 if found == expected else math.inf, 1.0, rate,
                        out.n_samples * len(rows), detail, power, data)


_AT = ("checks", SEARCH_CHECK)
FALSIFIER_CLAIM = theorem(
    id="claim.gaussian_falsified",
    title="The Gaussian law of a standard ReLU ResNet's output norm fails from d/n = 1/4, where the log-Gaussian holds",
    source="Li, Nica and Roy, NeurIPS 2021 (Thm 1, Fig. 1); Gaussian law: Neal 1996, Lee et al. 2018",
    records=("log_gaussian.resnet_standard",),
    parameters=[Parameter("depth", Domain(PREDICTED_DEPTH, PREDICTED_DEPTH, integer=True), "d",
                          (PREDICTED_DEPTH, PREDICTED_DEPTH), f"depth of the log-Gaussian check (width {WIDTH})")],
    checks=[Custom(SEARCH_CHECK, run=_search, predict=lambda p: laws()),
            Law(LAW_CHECK, simulate=output_log_norms, samples=SAMPLES, bias_tol=LG_BIAS_TOL,
                predict=lambda p: functools.partial(laws()[1].cdf, depth=p["depth"]))],
    bias=f"both laws at width {WIDTH}: DKWM; the log-Gaussian law's measured finite-size distance {LG_BIAS_TOL}",
    examples=({"depth": PREDICTED_DEPTH},), max_examples=0,  # pinned: run at the run's seed (--seed draws anew)
    panels=(Cdf("ln |z_out|^2 at the first rejected depth", grid=_AT + ("cdf_grid",), empirical=_AT + ("cdf_network",),
                theories=(("Gaussian law (rejected)", _AT + ("cdf_gaussian",)),
                          ("log-Gaussian law", _AT + ("cdf_log_gaussian",)))),),
    formulas=("log_gaussian.resnet_standard:limit_mean", "log_gaussian.resnet_standard:limit_variance"),
)
