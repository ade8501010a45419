"""numerics.catapult.limit_orbit: the phase law of w_0 and the phase-averaged limit orbit of the scaled map."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from numerics.catapult import (
    limit_orbit,
    periodic_widths,
    phase_of,
    phase_weights,
    uv_init,
    uv_summary,
)


def test_phase_of_uses_the_record_edges():
    assert [phase_of(c) for c in (1.9, 2.1, 3.9, 4.1)] == ["lazy", "catapult", "catapult", "divergent"]
    assert phase_of(2.5, lazy_max=3.0) == "lazy"


def test_phase_law_is_uniform_where_the_period_is_short_and_periodic_in_width():
    assert np.allclose(phase_weights(2.25, 4096) * 1024, 1.0, atol=1e-6)
    c0, n = 3.75, 4096
    skew = phase_weights(c0, n, limit=True)
    assert abs(skew * 1024 - 1).max() > 1e-3  # visibly non-uniform at this c0
    ratio = round(n * (c0 - 1) ** 2) / n
    assert np.allclose(phase_weights(c0, round(n * ratio), limit=True), skew, atol=1e-5)
    assert np.allclose(phase_weights(c0, 2 ** 20), phase_weights(c0, 2 ** 20, limit=True), atol=1e-5)


@pytest.mark.parametrize("n", [4, 1000])
def test_phase_law_matches_the_phases_of_sampled_networks(n):
    """Histogram of the phase of w_0 = eta^2 f_0^2 / n of Bartlett-initialised networks vs the weights (chi2).

    At n = 4 the exact law T ~ Beta(1/2, n/2) matters: the earlier Beta(1/2, (n-1)/2) gave chi2 ~ 1100 here."""
    c0, bins = 5.0, 8
    u, v = uv_init(4, widths=n, n_networks=100_000)
    s = uv_summary(u, v, widths=[n], steps=0, rate_times_ntk=c0)
    w0 = 2 * s.learning_rate[0] ** 2 * s.initial_loss[0] / n
    phase = np.mod((np.log(w0) - math.log(1e-14)) / (2 * math.log(c0 - 1)), 1.0)
    counts = np.histogram(phase, bins=bins, range=(0, 1))[0]
    expected = phase_weights(c0, n).reshape(bins, -1).sum(1) * phase.size
    assert np.sum((counts - expected) ** 2 / expected) < 30  # chi2 with 7 df: P(> 30) ~ 1e-4


def test_limit_orbit_matches_wide_networks():
    """Mean peak w of 20,000 networks at n = 2^24 vs the phase-averaged orbit, within 5 standard errors.

    Two-sided z = 5: false failure 6e-7.  Biases: O(1/n) = 6e-8 and the 64-phase midpoint rule (3e-6 relative
    against 1024 phases) are far below the SE (relative ~1.4e-4, asserted < 2e-3 so that a 1% error is caught;
    the planted x1.01 orbit below is rejected)."""
    orbit = limit_orbit(2.5, n_phases=64)
    u, v = uv_init(2, widths=2 ** 24, n_networks=20_000)
    s = uv_summary(u, v, widths=[2 ** 24], steps=300, rate_times_ntk=2.5)
    w_peak = 2 * s.learning_rate[0] ** 2 * s.peak_loss[0] / 2 ** 24
    se = w_peak.std(ddof=1) / math.sqrt(w_peak.size)
    assert 5 * se < 2e-3 * orbit.mean_peak_w
    assert abs(w_peak.mean() - orbit.mean_peak_w) <= 5 * se
    assert abs(w_peak.mean() - 1.01 * orbit.mean_peak_w) > 5 * se  # a planted 1% error is rejected
    assert (s.learning_rate * s.final_ntk).mean() == pytest.approx(orbit.mean_final_c, rel=1e-4)
    assert orbit.converged.all() and orbit.mean_final_c < 2


@pytest.mark.parametrize("c0", [1.0, 2.0])
def test_limit_orbit_rejects_neutral_rates(c0):
    with pytest.raises(ValueError, match="rate_times_ntk"):
        limit_orbit(c0)


def test_periodic_widths_keep_the_phase_law():
    widths = periodic_widths(3.75, 1024, 4, 4)
    assert widths[0] == 1024 and all(b / a == pytest.approx(2.75 ** 2, rel=1e-3) for a, b in pairwise(widths))
    laws = [phase_weights(3.75, n, limit=True) for n in widths]
    assert all(np.allclose(law, laws[0], atol=1e-5) for law in laws)
    assert periodic_widths(2.25, 10, 2, 2)[1] == round(10 * 1.25 ** 4)
    with pytest.raises(ValueError, match="c0=1.5"):
        periodic_widths(1.5, 10, 2, 2)
