"""The finite-network simulators: one layer, and the length of a depth-1 kernel chain, have exact means."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.propagation import propagation
from numerics.propagation.activations import smooth_activation
from numerics.propagation.deep import depth_slopes
from numerics.propagation.gaussian import expect, pair_expect
from numerics.propagation.networks import one_layer_draws

Z = 5.5  # two-sided false-failure rate about 4e-8 per comparison


def _central_differences(act, sw, sb, q, c, dq, dc):
    d0 = smooth_activation(act).derivatives[0]
    length = lambda x: sw * float(expect(lambda u: d0(u) ** 2, x)) + sb  # noqa: E731
    corr = lambda x: (sw * pair_expect(d0, d0, q, x) + sb) / q  # noqa: E731
    return ((length(q + dq) - length(q - dq)) / (2 * dq), (corr(c + dc) - corr(c - dc)) / (2 * dc))


def test_depth_one_chain_and_one_layer_agree_with_the_maps_at_width_8():
    act, sw, sb = "erf", 2.5, 0.05
    f = propagation(act, sigma_w2=sw, sigma_b2=sb)
    dq, dc = 1e-3 * f.q_star, 1e-3 * (1 - f.c_star)
    yq, yc = _central_differences(act, sw, sb, f.q_star, f.c_star, dq, dc)
    chain = depth_slopes(act, sigma_w2=sw, sigma_b2=sb, q=f.q_star, c=f.c_star, depth=1, width=8, n=20_000,
                         seed=3, delta_q=dq, delta_c=dc)
    layer = one_layer_draws(act, sigma_w2=sw, sigma_b2=sb, q=f.q_star, c=f.c_star, width=8, n=4_000, seed=4,
                            delta_q=dq, delta_c=dc)
    # the chain's c column is the empirical correlation (a ratio): exact only as n grows, so not compared here
    for draws, predicted in ((chain[:, :1], [yq]), (layer, [f.chi_1, f.chi_1, yq, yc])):
        se = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
        assert np.all(np.abs(draws.mean(axis=0) - predicted) <= Z * se)
        assert np.all(Z * se < 0.1 * np.abs(predicted))  # the test can fail: 10% errors are visible


@pytest.mark.parametrize("kwargs,match", [({"depth": 0}, "depth=0"), ({"width": 0}, "width=0"),
                                          ({"c": 0.9999, "delta_c": 1e-3}, "leaves")])
def test_bad_inputs(kwargs, match):
    args = dict(sigma_w2=2.0, sigma_b2=0.1, q=1.0, c=0.5, depth=2, width=4, n=10, seed=0, delta_q=1e-3,
                delta_c=1e-3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        depth_slopes("tanh", **args)
