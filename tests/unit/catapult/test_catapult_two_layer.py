"""numerics.catapult.two_layer: the shared trainer's two-layer network at eta = c0/lambda_0, one training point."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.catapult import two_layer_catapult
from numerics.core.training import FCNetwork, init_params, mse_loss_and_grad


def test_ntk_is_the_squared_gradient_norm_and_the_rate_is_per_member():
    run = two_layer_catapult(rate_times_ntk=1.0, width=16, n_networks=3, steps=0, seed=4, x=(0.5, -1.0))
    net = FCNetwork((2, 16, 1), activation="tanh")
    params = init_params(net, ensemble=3, seed=4)
    _, f, grads = mse_loss_and_grad(net, params, np.array([[0.5, -1.0]]), np.zeros((1, 1)))
    norm2 = sum((g.reshape(3, -1) ** 2).sum(1) for pair in grads for g in pair) / f[:, 0, 0] ** 2
    assert np.allclose(run.ntk[:, 0], norm2) and np.allclose(run.learning_rate * run.ntk[:, 0], 1.0)
    assert np.allclose(run.loss[:, 0], 0.5 * f[:, 0, 0] ** 2)


def test_lazy_catapult_and_divergent_rates_behave_as_the_phases_say():
    lazy = two_layer_catapult(rate_times_ntk=1.5, width=128, n_networks=20, steps=60, seed=1)
    assert np.all(lazy.loss[:, -1] < 1e-20) and np.allclose(lazy.ntk[:, -1], lazy.ntk[:, 0], rtol=0.05)
    spike = two_layer_catapult(rate_times_ntk=2.75, width=128, n_networks=20, steps=60, seed=1)
    assert np.all(spike.loss.max(1) > 10 * spike.loss[:, 0]) and np.all(spike.learning_rate * spike.ntk[:, -1] < 2)
    wild = two_layer_catapult(rate_times_ntk=6.0, width=128, n_networks=20, steps=60, seed=1)
    assert np.all(wild.loss[:, -1] > 1e20) and np.all(np.isfinite(wild.loss))  # on its way past blowup


@pytest.mark.parametrize("kwargs, match", [({"width": -4}, "width=-4"), ({"rate_times_ntk": -1.0}, "rate_times_ntk"),
                                           ({"rate_times_ntk": float("nan")}, "rate_times_ntk"),
                                           ({"x": (1.0, float("inf"))}, "x=inf"), ({"steps": -2}, "steps=-2")])
def test_bad_inputs_name_the_parameter(kwargs, match):
    args = {"rate_times_ntk": 1.0, "width": 8, "n_networks": 2, "steps": 1, "seed": 0} | kwargs
    with pytest.raises(ValueError, match=match):
        two_layer_catapult(**args)
