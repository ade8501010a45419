r"""Truncation of claim.jacobian_law's tanh fit, measured against deep networks (not against the record).

For each corner $(D, \sigma_b)$ at $\sigma_w = 0.8$: the claim's statistic
(:func:`~numerics.resnet_sde.jacobian_smoothed.jacobian_smoothed_statistics`, tanh minus its linear twin on the same
weights plus the linear network's exact $L = \infty$ means) is

* fitted as the claim does (cubic in $1/L$ over $L = 8..128$, ``--pairs`` pairs per depth), giving $\hat a$;
* simulated at $L = 1024$ and $2048$ (``--deep-pairs`` pairs each) and extrapolated by one Richardson step,
  $r = 2v_{2048} - v_{1024}$ (the rate $1/L$; the step's size $v_{1024} - v_{2048}$ is printed).

The reference $r$ uses neither the record nor the claim's fit.  Printed per component, in units of the claim's
intercept standard error at 20 000 pairs per depth: $d = \hat a - r$, its standard error, and the upper confidence
limit $|d| + 2\,SE(d)$ (declared before the run); and, as a check of the record that the bound does not use,
$r$ minus the record's limit.  Seeds: ``SeedSequence(--seed)`` spawned per corner and depth
(the claim's runs use other seeds).  ``JAC_TANH_TRUNCATION`` pools seeds 1212 and 1213 by inverse-variance weights
(docs/claims/claim.jacobian_law.md); about 180 s CPU per seed.

    nice .venv/bin/python benchmarks/measure_jacobian_truncation.py --seed 1212
    nice .venv/bin/python benchmarks/measure_jacobian_truncation.py --seed 1213
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from numerics.resnet_sde.jacobian_smoothed import (jacobian_smoothed_limit_means, jacobian_smoothed_statistics,
                                                   linear_smoothed_limit_means)
from verify.core.extrapolation import extrapolate

DEPTHS, DEEP, CLAIM_PAIRS = (8, 16, 32, 64, 128), (1024, 2048), 20_000
QUANTILES, KAPPA, SIGMA_W = (0.25, 0.5, 0.75), 0.2, 0.8
CORNERS = ((1, 0.5), (2, 0.5), (6, 0.5), (1, 0.0), (6, 0.0))
LABELS = ("E log|gv|", "Var", "E log|g'u|", "Var", "P25", "P50", "P75")


def _means(width, sigma_b, depth, n, seed, limit):
    s = jacobian_smoothed_statistics("tanh", width, SIGMA_W, sigma_b, depth, QUANTILES, KAPPA, n_samples=n,
                                     seed=seed, limit=limit)
    return s.mean(0), s.std(0, ddof=1) / math.sqrt(n)


def corner(width, sigma_b, *, pairs, deep_pairs, seed):
    limit = linear_smoothed_limit_means(width, SIGMA_W, QUANTILES, KAPPA)
    record = jacobian_smoothed_limit_means("tanh", width, SIGMA_W, QUANTILES, KAPPA)  # printed only, not in d
    seeds = np.random.SeedSequence(seed).spawn(len(DEPTHS) + len(DEEP))
    sweep = [_means(width, sigma_b, L, pairs, s, limit) for L, s in zip(DEPTHS, seeds)]
    deep = [_means(width, sigma_b, L, deep_pairs, s, limit) for L, s in zip(DEEP, seeds[len(DEPTHS):])]
    rows = []
    for k, label in enumerate(LABELS):
        m = np.array([v[0][k] for v in sweep])
        se = np.array([v[1][k] for v in sweep])
        fit = extrapolate(DEPTHS, m, se, order=3)
        X = np.vander(1.0 / np.asarray(DEPTHS, float), 4, increasing=True)
        gof = float(np.sum(((m - X @ np.r_[fit.intercept, fit.coefficients]) / se) ** 2))
        (v1, s1), (v2, s2) = ((d[0][k], d[1][k]) for d in deep)
        ref, ref_se = 2 * v2 - v1, math.hypot(2 * s2, s1)
        unit = fit.stderr * math.sqrt(pairs / CLAIM_PAIRS)  # the claim's intercept SE
        d, d_se = (fit.intercept - ref) / unit, math.hypot(fit.stderr, ref_se) / unit
        rows.append((label, d, d_se, abs(d) + 2 * d_se, gof, (v1 - v2) / unit, unit, (ref - record[k]) / unit))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1212)
    ap.add_argument("--pairs", type=int, default=100_000)
    ap.add_argument("--deep-pairs", type=int, default=10_000)
    args = ap.parse_args()
    worst = 0.0
    for width, sigma_b in CORNERS:
        t0 = time.process_time()
        rows = corner(width, sigma_b, pairs=args.pairs, deep_pairs=args.deep_pairs, seed=[args.seed, width,
                                                                                          int(10 * sigma_b)])
        print(f"D={width} sigma_b={sigma_b} (CPU {time.process_time() - t0:.1f} s)")
        for label, d, d_se, ucl, gof, step, unit, vs_record in rows:
            print(f"  {label:11s} d={d:+6.2f} +- {d_se:4.2f} SE  UCL={ucl:5.2f}  gof(1 dof)={gof:5.2f}  "
                  f"v1024-v2048={step:+6.2f} SE  r-record={vs_record:+6.2f} SE  (claim SE {unit:.2e})", flush=True)
            worst = max(worst, ucl)
    print(f"largest upper confidence limit: {worst:.2f} claim standard errors")


if __name__ == "__main__":
    main()
