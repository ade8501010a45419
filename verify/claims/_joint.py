r"""Declared checks that share one simulation or depend on the example, run as one :class:`~verify.core.Custom`.

The harness's check kinds fix their fit order, ``bias_tol`` and sample count at declaration, count their
comparisons once for every example, and draw their own samples.  Three claims of the ``resnet_sde`` family
need more, and :func:`joint` gives it to them without re-implementing any test:

* the fit order or tolerance depends on the example (``claim.doubly_infinite_kernels``: quadratic for
  $\phi = \mathrm{id}$, cubic with a measured tolerance for tanh);
* several compared quantities come from one simulation but need their own tolerance (the NTK parts);
* a check applies to some examples only (``claim.jacobian_law``: the exact finite-depth law of $\phi = \mathrm{id}$).

``make(params, prediction)`` returns ``(check, prediction)`` pairs, each a declared
:class:`~verify.core.Exact`, :class:`~verify.core.Extrapolated`, :class:`~verify.core.Law` (or a
:class:`~verify.core.Custom` of its own) whose
``simulate`` may be ``SharedDraws(simulate).columns(...)``: one simulation per size (and seed) then serves
several checks.  Each is run by :func:`verify.core.evaluate.evaluate` on the same seed; the rate the harness
grants the custom check (for its declared, static ``comparisons``: the most any example registers) is split
over the comparisons the pairs register on this example, so a check that does not apply to an example leaves
its share to the others, as the per-example Bonferroni split of the pre-harness claims did.  The outcome is
the conjunction, with every power row; ``data["sub_checks"]`` lists each check's verdict.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import norm as _norm

from ..core import Custom
from ..core.evaluate import CheckOutcome, comparisons as count, evaluate
from ..core.stats import z_threshold

__all__ = ["SharedDraws", "joint"]


class SharedDraws:
    """Memoised ``simulate(params, *, n, seed[, size])`` of one example; ``columns(...)`` selects from it."""

    def __init__(self, simulate: Callable):
        self.simulate, self.cache = simulate, {}

    def draws(self, params, *, n, seed, size=None) -> np.ndarray:
        key = (size, n, seed.entropy, tuple(seed.spawn_key))
        if key not in self.cache:
            kw = {} if size is None else {"size": size}
            self.cache[key] = np.asarray(self.simulate(params, n=n, seed=seed, **kw), dtype=float)
        return self.cache[key]

    def columns(self, cols):
        """A ``simulate`` returning the columns ``cols`` (an int for one column, a sequence for several)."""
        def simulate(params, *, n, seed, size=None):
            return self.draws(params, n=n, seed=seed, size=size)[:, cols]
        return simulate


def _copy(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key), pool_size=seed.pool_size)


def _shifted(rate: float, k: int, t: float) -> float:
    r"""The rate whose per-comparison threshold is $z_{\text{rate}/k} + t$ (two-sided), times $k$."""
    return k * 2.0 * float(_norm.sf(z_threshold(rate / k) + t))


def joint(name: str, make: Callable, *, predict: Callable, comparisons: int,
          labels=(), scale_samples: Callable | None = None, tolerance_se: Callable | None = None) -> Custom:
    r"""A :class:`~verify.core.Custom` check evaluating the declared checks ``make(params, prediction)``.

    ``scale_samples(params, scale)``, if given, returns the sample scale to use instead of the profile's
    ``scale`` (a tolerance measured at one sample size holds at that size only).  ``tolerance_se(params)``, if given, is a stated tolerance $t$ in
    units of each comparison's own standard error: $|\hat a - a| \le (z + t)\,SE$ is the same test as
    ``bias_tol`` $= t\,SE$, run as a z-test at the smaller rate whose threshold is $z + t$ (so the stated
    false-failure rate still holds, and the power rows include $t\,SE$).
    """
    def run(params, prediction, *, seed, rate, scale):
        pairs = list(make(params, prediction))
        used = [count(c, p) for c, p in pairs]
        if sum(used) > comparisons:
            raise ValueError(f"check {name!r} declares {comparisons} comparisons but registers {sum(used)}")
        per = rate / max(sum(used), 1)
        s = scale if scale_samples is None else scale_samples(params, scale)
        t = 0.0 if tolerance_se is None else float(tolerance_se(params))
        outs = [evaluate(c, params, p, seed=_copy(seed), rate=_shifted(per * k, k, t) if t else per * k, scale=s)
                for (c, p), k in zip(pairs, used)]
        if not outs:
            return CheckOutcome(name, "custom", True, 0.0, 1.0, 0.0, 0, f"{name}: does not apply", (), {})
        worst = max(outs, key=lambda o: o.excess)
        return CheckOutcome(name, worst.kind, all(o.passed for o in outs), worst.statistic, worst.threshold,
                            per * sum(used), max(o.n_samples for o in outs),
                            "; ".join(o.detail for o in sorted(outs, key=lambda o: -o.excess)),
                            tuple(r for o in outs for r in o.power),
                            {**{o.name: dict(o.data) for o in outs},
                             "sub_checks": [{"name": o.name, "kind": o.kind, "passed": o.passed, "statistic": o.statistic,
                                             "threshold": o.threshold, "false_fail_rate": o.false_fail_rate}
                                            for o in outs]})

    return Custom(name, run=run, predict=predict, comparisons=comparisons, labels=labels)
