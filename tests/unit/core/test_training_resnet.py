r"""The shared trainer's deep ResNet: hand-derived gradients against central finite differences, the batched
forward pass against a one-sample loop, ensembles against single members, the minibatch early-stopping loop
and validation.

Finite-difference tolerance (float64, central step $h$), derived per coordinate: the error of
$D_h = (\ell(\theta + h) - \ell(\theta - h))/2h$ is at most $\tfrac{h^2}{6}|\partial^3_\theta\ell| + \epsilon_{64}|\ell|/h$
(Taylor remainder plus the rounding of the two losses).  The third derivative is estimated on the same coordinate
by the central stencil $(\ell(\theta+2H) - 2\ell(\theta+H) + 2\ell(\theta-H) - \ell(\theta-2H))/(2H^3)$ at
$H = 10^{-2}$; the test allows twice the bound (the third derivative may vary over $[-2H, 2H]$) plus $10^{-9}$
relative to the gradient.  ReLU is differentiable at the drawn points with probability one (no pre-activation
lies within $10^{-3}$ of the kink, checked; a step moves pre-activations by at most $h\,\lVert h_k\rVert$).
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.core.training import (
    Optimizer,
    ResNet,
    init_resnet,
    mean_squared_error_and_grad,
    mse_loss_and_grad,
    train_full_batch,
    train_minibatch,
)

FD_STEP, STENCIL_STEP, EPS64 = 1e-5, 1e-2, np.finfo(np.float64).eps


def _params(net, seed, ensemble=2):
    sd = 0.3 if net.delta == "none" else 1.5                     # gate 1 on every layer: smaller weights
    params = init_resnet(net, ensemble=ensemble, seed=seed, init="xavier", initial_sd=sd)
    a, b, delta = params[0]
    if net.delta != "none":
        delta = delta + np.random.default_rng(seed).normal(0.0, 0.3, delta.shape)   # gates O(1), signs mixed
    return [(a, b, delta)]


def _data(seed=0, n=4, d=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, d))


@pytest.mark.parametrize(("activation", "delta"), [("tanh", "shared"), ("tanh", "per_layer"), ("erf", "none"),
                                                   ("relu", "per_layer")])
def test_resnet_backward_matches_central_finite_differences(activation, delta):
    net = ResNet(depth=5, width=3, activation=activation, delta=delta)
    params = _params(net, seed=1)
    x, y = _data()
    loss, _, grads = mean_squared_error_and_grad(net, params, x, y)
    if activation == "relu":
        zs = net.forward(params, x)[1][1]
        assert np.min(np.abs(zs)) > 1e-3                      # no kink within the step of any pre-activation
    rng = np.random.default_rng(2)

    def loss_at(which, idx, step):
        moved = [tuple(a.copy() for a in params[0])]
        moved[0][which][idx] += step
        return mean_squared_error_and_grad(net, moved, x, y)[0][idx[0]]

    for which in range(3):
        arr = params[0][which]
        for _ in range(6 if arr.size else 0):
            idx = tuple(rng.integers(s) for s in arr.shape)
            fd = (loss_at(which, idx, FD_STEP) - loss_at(which, idx, -FD_STEP)) / (2 * FD_STEP)
            big = STENCIL_STEP
            third = (loss_at(which, idx, 2 * big) - 2 * loss_at(which, idx, big) + 2 * loss_at(which, idx, -big)
                     - loss_at(which, idx, -2 * big)) / (2 * big ** 3)
            bound = FD_STEP ** 2 / 6 * abs(third) + EPS64 * abs(loss[idx[0]]) / FD_STEP
            assert abs(grads[0][which][idx] - fd) <= 2 * bound + 1e-9 * abs(fd)


def _one_sample_loop(net, a, b, delta, x):
    """Independent path: one member, one sample, the recursion written out with A_k @ h."""
    phi = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[net.activation]
    h = x.copy()
    for k in range(net.depth):
        gate = {"none": 1.0, "shared": abs(delta[0]) if delta.size else 1.0}.get(net.delta)
        gate = delta[k] if net.delta == "per_layer" else gate
        h = h + gate * phi(a[k] @ h + b[k])
    return h


@pytest.mark.parametrize("delta", ["shared", "per_layer", "none"])
def test_batched_forward_equals_a_one_sample_loop(delta):
    net = ResNet(depth=7, width=4, activation="tanh", delta=delta)
    params = _params(net, seed=3, ensemble=3)
    x = np.random.default_rng(4).standard_normal((5, 4))
    out = net.forward(params, x)[0]
    a, b, dl = params[0]
    for e in range(3):
        for i in range(5):
            np.testing.assert_allclose(out[e, i], _one_sample_loop(net, a[e], b[e], dl[e], x[i]), rtol=1e-13)


def test_shared_gate_uses_the_absolute_value_of_delta():
    net = ResNet(depth=4, width=2, activation="tanh", delta="shared")
    a, b, delta = _params(net, seed=5)[0]
    x = _data(d=2)[0]
    np.testing.assert_allclose(net.forward([(a, b, -delta)], x)[0], net.forward([(a, b, delta)], x)[0], rtol=0)


def test_resnet_ensemble_members_train_like_single_runs():
    net = ResNet(depth=6, width=3, activation="tanh", delta="per_layer")
    x, y = _data(6, n=8)
    params = _params(net, seed=7, ensemble=3)
    out, _, _ = train_minibatch(net, params, x=x, y=y, optimizer=Optimizer("adam", learning_rate=1e-2),
                                batch_size=4, max_epochs=3, seed=8, tolerance=0.0)
    for e in range(3):
        single = [tuple(arr[e:e + 1] for arr in params[0])]
        one, _, _ = train_minibatch(net, single, x=x, y=y, optimizer=Optimizer("adam", learning_rate=1e-2),
                                    batch_size=4, max_epochs=3, seed=8, tolerance=0.0)
        for got, want in zip(out[0], one[0]):
            np.testing.assert_allclose(got[e], want[0], rtol=1e-12, atol=1e-15)


def test_full_batch_loop_trains_the_resnet_through_the_shared_protocol():
    net = ResNet(depth=8, width=3, activation="tanh", delta="shared")
    x, y = _data(9, n=6)
    params = init_resnet(net, ensemble=2, seed=10, init="xavier", initial_sd=0.5)
    loss0 = mse_loss_and_grad(net, params, x, y)[0]
    params, _ = train_full_batch(net, params, x_train=x, y_train=y, x_test=x,
                                 optimizer=Optimizer("adam", learning_rate=2e-2), record_steps=[100])
    assert np.all(mse_loss_and_grad(net, params, x, y)[0] < 0.5 * loss0)


def test_early_stopping_freezes_members_that_reach_the_tolerance():
    net = ResNet(depth=3, width=2, activation="tanh", delta="per_layer")
    x = np.random.default_rng(11).standard_normal((4, 2))
    params = init_resnet(net, ensemble=2, seed=12, init="xavier", initial_sd=0.1)
    y = net.forward(params, x)[0][0]                             # member 0 already fits y exactly
    out, losses, epochs = train_minibatch(net, params, x=x, y=y, optimizer=Optimizer("sgd", learning_rate=0.1),
                                          batch_size=2, max_epochs=4, seed=13, tolerance=1e-20)
    assert epochs[0] == 1 and losses[0, 0] < 1e-20 and np.all(np.isnan(losses[0, 1:]))
    assert epochs[1] == 4
    for got, want in zip(out[0], params[0]):
        np.testing.assert_array_equal(got[0], want[0])


def test_patience_stops_a_member_after_epochs_without_improvement():
    net = ResNet(depth=3, width=2, activation="tanh", delta="per_layer")
    x, y = _data(14, n=4, d=2)
    params = init_resnet(net, ensemble=1, seed=15)
    _, losses, epochs = train_minibatch(net, params, x=x, y=y, optimizer=Optimizer("sgd", learning_rate=0.0),
                                        batch_size=2, max_epochs=20, seed=16, tolerance=0.0, patience=5)
    assert epochs[0] == 6                           # epoch 1 sets the best loss; 5 epochs without a 1% gain
    assert np.all(losses[0, :6] == losses[0, 0]) and np.all(np.isnan(losses[0, 6:]))


def test_bad_resnet_options_are_rejected():
    with pytest.raises(ValueError, match="depth"):
        ResNet(depth=0, width=3)
    with pytest.raises(ValueError, match="delta"):
        ResNet(depth=2, width=3, delta="multi")
    with pytest.raises(ValueError, match="activation"):
        ResNet(depth=2, width=3, activation="swish")
    net = ResNet(depth=2, width=3)
    with pytest.raises(ValueError, match="init"):
        init_resnet(net, ensemble=1, seed=0, init="he")
    with pytest.raises(ValueError, match="params shapes"):
        net.forward(init_resnet(ResNet(depth=3, width=3), ensemble=1, seed=0), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="batch_size"):
        train_minibatch(net, init_resnet(net, ensemble=1, seed=0), x=np.zeros((5, 3)), y=np.zeros((5, 3)),
                        optimizer=Optimizer(learning_rate=0.1), batch_size=2, max_epochs=1, seed=0)
