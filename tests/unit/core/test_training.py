"""The shared trainer: hand-derived backward passes against central finite differences, optimisers
against their update formulas, ensembles batched = members one at a time, validation."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.core.training import FCNetwork, Optimizer, init_params, mse_loss_and_grad, train_full_batch


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((5, 3)), rng.standard_normal((5, 2))


@pytest.mark.parametrize("activation", ["erf", "tanh", "relu"])
def test_backward_matches_central_finite_differences(activation):
    net = FCNetwork((3, 7, 6, 2), activation=activation, w_std=1.3, b_std=0.4)
    params = init_params(net, ensemble=2, seed=1)
    x, y = _data()
    _, _, grads = mse_loss_and_grad(net, params, x, y)
    rng, h = np.random.default_rng(2), 1e-6
    for layer in range(3):
        for which in (0, 1):
            arr = params[layer][which]
            for _ in range(4):
                idx = tuple(rng.integers(s) for s in arr.shape)
                plus = [tuple(a.copy() for a in pair) for pair in params]
                minus = [tuple(a.copy() for a in pair) for pair in params]
                plus[layer][which][idx] += h
                minus[layer][which][idx] -= h
                fd = (mse_loss_and_grad(net, plus, x, y)[0] - mse_loss_and_grad(net, minus, x, y)[0]) / (2 * h)
                e = idx[0]
                np.testing.assert_allclose(grads[layer][which][idx], fd[e], rtol=1e-6, atol=1e-9)


def test_ensemble_members_equal_single_runs():
    net = FCNetwork((3, 16, 1), activation="erf", w_std=1.5, b_std=0.1)
    x, y = _data()
    y = y[:, :1]
    params = init_params(net, ensemble=3, seed=4)
    opt = Optimizer("momentum", learning_rate=0.5)
    _, rec = train_full_batch(net, params, x_train=x, y_train=y, x_test=x[:2], optimizer=opt, record_steps=[0, 5])
    for e in range(3):
        single = [(w[e:e + 1], b[e:e + 1]) for w, b in params]
        _, rec1 = train_full_batch(net, single, x_train=x, y_train=y, x_test=x[:2],
                                   optimizer=Optimizer("momentum", learning_rate=0.5), record_steps=[0, 5])
        np.testing.assert_allclose(rec[5][e], rec1[5][0], rtol=1e-12)


def test_optimizer_updates_follow_their_formulas():
    p = [(np.array([[[1.0]]]), np.array([[2.0]]))]
    g = [(np.array([[[0.5]]]), np.array([[-1.0]]))]
    assert Optimizer("sgd", learning_rate=0.1).step(p, g)[0][0][0, 0, 0] == pytest.approx(0.95)
    mom = Optimizer("momentum", learning_rate=0.1, momentum=0.5)
    p1 = mom.step(p, g)
    p2 = mom.step(p1, g)                       # v = 0.5*0.5 + 0.5 = 0.75
    assert p2[0][0][0, 0, 0] == pytest.approx(0.95 - 0.075)
    adam = Optimizer("adam", learning_rate=0.1)
    assert adam.step(p, g)[0][1][0, 0] == pytest.approx(2.0 + 0.1, rel=1e-6)   # first Adam step is -lr*sign(g)


def test_sgd_decreases_the_loss_of_a_wide_network():
    net = FCNetwork((3, 256, 1), activation="erf", w_std=1.5, b_std=0.1)
    x, y = _data(5)
    y = y[:, :1]
    params = init_params(net, ensemble=2, seed=6)
    loss0 = mse_loss_and_grad(net, params, x, y)[0]
    params, _ = train_full_batch(net, params, x_train=x, y_train=y, x_test=x, optimizer=Optimizer(learning_rate=1.0),
                                 record_steps=[50])
    assert np.all(mse_loss_and_grad(net, params, x, y)[0] < 0.5 * loss0)


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="activation"):
        FCNetwork((3, 4, 1), activation="sigmoidish")
    with pytest.raises(ValueError, match="widths"):
        FCNetwork((3,))
    with pytest.raises(ValueError, match="w_std"):
        FCNetwork((3, 4, 1), w_std=-1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        Optimizer("sgd", learning_rate=-1.0)
    with pytest.raises(ValueError, match="kind"):
        Optimizer("lbfgs", learning_rate=1.0)
    with pytest.raises(ValueError, match="momentum"):
        Optimizer("momentum", learning_rate=1.0, momentum=1.0)
    with pytest.raises(ValueError, match="ensemble"):
        init_params(FCNetwork((3, 4, 1)), ensemble=0, seed=0)
