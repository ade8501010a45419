r"""Calibration studies of the depth-regression estimators on synthetic weights of known law.

One *study* draws one network per depth of a family (:mod:`.synthetic_weights`), as a user's depth sweep does,
and computes the least-squares log-log slopes of the max norm ($-\hat\beta$), root-SSQ and quadratic variation
with their Student-$t$ intervals (:func:`.estimators.regression_slope`), and the Hoelder exponent
$\hat\gamma = (1 - s)/2$, $s$ the slope of $\log QV - 2\log\max_k\|A_k\|$.  Their finite-depth means are exact
(:func:`.synthetic_weights.expected_slope`), so a study records the estimates and whether each interval covers
the exact mean.  Vectorised over studies (in chunks that bound memory).
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_integer
from .estimators import regression_slope
from .estimators_statistics import layer_statistic
from .synthetic_weights import expected_log_statistic, expected_slope, synthetic_weights

__all__ = ["COLUMNS", "calibration_draws", "calibration_truth"]

COLUMNS = ("beta_hat", "root_ssq_slope", "qv_slope", "holder", "covers_beta", "covers_root_ssq", "covers_qv",
           "covers_holder")
_STATS = ("max_norm", "root_ssq", "quadratic_variation")
_CHUNK = 2 ** 23  # floats of weights per chunk of studies


def calibration_truth(family: str, *, beta: float, depths, entries: int) -> np.ndarray:
    r"""Exact means of ``(beta_hat, root_ssq_slope, qv_slope, holder)`` over studies (NaN where the max norm
    has no closed law: only ``smooth`` attains its max at a fixed layer)."""
    ssq, qv = (expected_slope(family, s, beta=beta, depths=depths, entries=entries) for s in _STATS[1:])
    if family != "smooth":
        return np.array([np.nan, ssq, qv, np.nan])
    bhat = -expected_slope(family, "max_norm", beta=beta, depths=depths, entries=entries)
    x = np.log(np.asarray(depths, dtype=float))
    y = np.array([expected_log_statistic(family, "quadratic_variation", beta=beta, depth=L, entries=entries)
                  - 2 * expected_log_statistic(family, "max_norm", beta=beta, depth=L, entries=entries)
                  for L in depths])
    s = (x - x.mean()) @ (y - y.mean()) / ((x - x.mean()) @ (x - x.mean()))
    return np.array([bhat, ssq, qv, (1 - s) / 2])


def calibration_draws(family: str, *, beta: float, depths, entries: int, n_studies: int, seed, level: float = 0.95,
                      statistic=layer_statistic) -> np.ndarray:
    r"""``n_studies`` independent studies: an array ``(n_studies, 8)`` with the :data:`COLUMNS`.

    ``statistic(x, name)`` computes the per-network statistics (a planted estimator replaces it in the tests).
    """
    n = check_integer("n_studies", n_studies, minimum=1)
    depths = [check_integer("depths", L, minimum=2) for L in depths]
    truth = calibration_truth(family, beta=beta, depths=depths, entries=entries)
    per = max(1, _CHUNK // (sum(depths) * entries))
    seeds = np.random.SeedSequence(seed.entropy if isinstance(seed, np.random.SeedSequence) else seed,
                                   spawn_key=getattr(seed, "spawn_key", ())).spawn(-(-n // per))
    out = []
    for start, ss in zip(range(0, n, per), seeds):
        k = min(per, n - start)
        logs = np.zeros((3, k, len(depths)))
        for j, (L, s) in enumerate(zip(depths, ss.spawn(len(depths)))):
            w = synthetic_weights(family, beta=beta, depth=L, n_networks=k, entries=entries, seed=s)
            logs[:, :, j] = [np.log(statistic(w, name)) for name in _STATS]
        x = np.log(depths)
        (mx, mlo, mhi), (sx, slo, shi), (qx, qlo, qhi), (hx, hlo, hhi) = (
            regression_slope(x, y, level=level) for y in (logs[0], logs[1], logs[2], logs[2] - 2 * logs[0]))
        est = np.stack([-mx, sx, qx, (1 - hx) / 2], axis=1)
        lo = np.stack([-mhi, slo, qlo, (1 - hhi) / 2], axis=1)
        hi = np.stack([-mlo, shi, qhi, (1 - hlo) / 2], axis=1)
        out.append(np.concatenate([est, ((lo <= truth) & (truth <= hi)).astype(float)], axis=1))
    return np.concatenate(out)
