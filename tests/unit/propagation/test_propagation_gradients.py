"""Gradient-norm and correlation-deficit chains: exact first-layer mean, a zero-mean control variate, and the
pathwise delta -> 0 deficit against two inputs at finite delta (independent paths)."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.propagation import critical_line, propagation
from numerics.propagation.gradients import correlation_deficit_slopes, jacobian_norms

Z = 5.5  # two-sided false-failure rate about 4e-8 per comparison
SW, SB = 2.5, 0.05  # tanh, chaotic side: chi_1 != 1, so a power of chi_1 is not confused with 1


def _mean_se(x):
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(len(x))


def test_first_layer_gradient_norm_is_chi_1_at_width_8():
    f = propagation("tanh", sigma_w2=SW, sigma_b2=SB)
    raw = jacobian_norms("tanh", sigma_w2=SW, sigma_b2=SB, q=f.q_star, depths=(1,), width=8, n=20_000, seed=1,
                         control_variate=False)
    m, se = _mean_se(raw[:, :1])
    assert abs(m[0] - f.chi_1) <= Z * se[0] and Z * se[0] < 0.03 * f.chi_1  # a 3% error is visible


def test_control_variate_has_mean_zero_and_removes_most_variance():
    """Same seed: raw minus controlled is M_L draw by draw; its mean must be 0 (paired z-test)."""
    f = propagation("tanh", sigma_w2=SW, sigma_b2=SB)
    args = dict(sigma_w2=SW, sigma_b2=SB, q=f.q_star, depths=(2, 4), width=32, n=4_000, seed=2)
    raw = jacobian_norms("tanh", control_variate=False, **args)
    cv = jacobian_norms("tanh", **args)
    m, se = _mean_se(raw - cv)
    assert np.all(np.abs(m) <= Z * se)
    assert np.all(Z * se < 0.1 * f.chi_1 ** np.array([2, 4, 2, 4]))  # a 10% bias of the control would show
    assert np.all(cv.std(axis=0) < 0.5 * raw.std(axis=0))


@pytest.mark.parametrize("act,sb", [("erf", 0.3)])
def test_pathwise_deficit_matches_two_inputs_at_finite_delta(act, sb):
    sw, q = (float(v[0]) for v in critical_line(act, sb))
    y = jacobian_norms(act, sigma_w2=sw, sigma_b2=sb, q=q, depths=(1, 3), width=16, n=8_000, seed=3)[:, 2:]
    two = correlation_deficit_slopes(act, sigma_w2=sw, sigma_b2=sb, q=q, depths=(1, 3), width=16, n=8_000, seed=4,
                                     delta=1e-3)
    (my, sy), (mt, st) = _mean_se(y), _mean_se(two)
    assert np.all(np.abs(my - mt) <= Z * np.hypot(sy, st))
    # resolution 4% (L = 1) and 8% (L = 3); the width-16 bias itself is 5-15%, so both chains must carry it alike
    assert np.all(Z * np.hypot(sy, st) < np.array([0.05, 0.1]))


@pytest.mark.parametrize("kwargs,match", [({"depths": (2, 1)}, "depths="), ({"depths": ()}, "depths="),
                                          ({"width": 0}, "width=0"), ({"q": -1.0}, "q=-1.0"),
                                          ({"sigma_w2": 0.0}, "sigma_w2=0.0")])
def test_bad_inputs(kwargs, match):
    args = dict(sigma_w2=1.5, sigma_b2=0.1, q=1.0, depths=(1, 2), width=4, n=10, seed=0)
    args.update(kwargs)
    for call in (jacobian_norms, lambda *a, **k: correlation_deficit_slopes(*a, delta=1e-3, **k)):
        with pytest.raises(ValueError, match=match):
            call("tanh", **args)


def test_bad_delta():
    with pytest.raises(ValueError, match="delta=0.5"):
        correlation_deficit_slopes("tanh", sigma_w2=1.5, sigma_b2=0.1, q=1.0, depths=(1,), width=4, n=10, seed=0,
                                   delta=0.5)
