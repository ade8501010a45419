"""The two-layer trainer (numerics.core.training.two_layer) and the quadratic mean-field example: the cubature
makes the loss the population risk, gradient descent at finite width equals the exact matrix closure, the hand
gradient equals finite differences, mean-field neurons move by O(1) and NTK neurons by O(n^-1/2), bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.core.training.two_layer import train_two_layer, two_layer_loss_and_grad
from numerics.mean_field import (
    gaussian_cubature,
    init_first_layer,
    matrix_risk,
    matrix_step,
    risk_curves,
)


def test_cubature_is_exact_to_degree_five_and_not_beyond():
    x, w = gaussian_cubature(3)
    assert w.sum() == pytest.approx(1.0, rel=1e-15)
    assert w @ x[:, 0] ** 4 == pytest.approx(3.0, rel=1e-14)
    assert w @ (x[:, 0] ** 2 * x[:, 1] ** 2 * x[:, 2] ** 2) == pytest.approx(1.0, rel=1e-14)
    assert w @ (x[:, 0] ** 4 * x[:, 1] ** 2) == pytest.approx(3.0, rel=1e-14)
    assert abs(w @ x[:, 0] ** 6 - 15.0) > 1.0  # degree 6: the rule gives 9


@pytest.mark.parametrize("width", [1, 5, 40])
def test_gradient_descent_equals_the_exact_matrix_closure(width):
    w0 = init_first_layer(3, width=width, networks=3, d=3, v0=0.3)
    losses = risk_curves(3, width=width, networks=3, d=3, v0=0.3, step=0.03, steps=30)
    m = np.einsum("eni,enj->eij", w0, w0) / width
    for k in range(31):
        np.testing.assert_allclose(losses[:, k], matrix_risk(m), rtol=1e-11, atol=1e-15)
        m = matrix_step(m, step=0.03)


@pytest.mark.parametrize("activation", ["quadratic", "relu", "tanh"])
@pytest.mark.parametrize("parameterisation", ["mean_field", "ntk"])
def test_hand_gradient_equals_central_differences(activation, parameterisation):
    rng = np.random.default_rng(0)
    x, wt = gaussian_cubature(2)
    w, a, y = rng.standard_normal((2, 4, 2)), rng.choice([-1.0, 1.0], (2, 4)), np.tanh(x[:, 0])
    _, grad = two_layer_loss_and_grad(w, a, x=x, weights=wt, y=y, parameterisation=parameterisation,
                                      activation=activation)
    h = 1e-6
    for idx in [(0, 0, 0), (1, 3, 1), (0, 2, 1)]:
        up, down = w.copy(), w.copy()
        up[idx] += h
        down[idx] -= h
        diff = (two_layer_loss_and_grad(up, a, x=x, weights=wt, y=y, parameterisation=parameterisation,
                                        activation=activation)[0]
                - two_layer_loss_and_grad(down, a, x=x, weights=wt, y=y, parameterisation=parameterisation,
                                          activation=activation)[0])[idx[0]] / (2 * h)
        # central differences: O(h^2) truncation plus ~1e-16 / h rounding (a kink of relu is not within h here)
        assert diff == pytest.approx(grad[idx], rel=1e-6, abs=1e-8)


def _relative_motion(parameterisation, width):
    x, w = gaussian_cubature(3)
    w0 = init_first_layer(5, width=width, networks=8, d=3, v0=0.25)
    a = np.ones((8, width)) if parameterisation == "mean_field" else np.where(
        np.random.default_rng(6).random((8, width)) < 0.5, -1.0, 1.0)
    wt, _ = train_two_layer(w0, a, x=x, weights=w, y=x[:, 0] ** 2, learning_rate=0.02, steps=50,
                            parameterisation=parameterisation)
    return np.mean(np.linalg.norm(wt - w0, axis=(1, 2)) / np.linalg.norm(w0, axis=(1, 2)))


@pytest.mark.parametrize("parameterisation, slope", [("ntk", -0.5), ("mean_field", 0.0)])
def test_neurons_move_by_order_one_in_mean_field_and_by_n_to_minus_half_in_ntk(parameterisation, slope):
    measured = np.log(_relative_motion(parameterisation, 1024) / _relative_motion(parameterisation, 256)) / np.log(4)
    assert abs(measured - slope) < 0.1  # stated: pre-asymptotic O(n^-1/2) corrections at n >= 256


@pytest.mark.parametrize("kwargs, name", [
    ({"learning_rate": -0.1}, "learning_rate"), ({"learning_rate": 0.0}, "learning_rate"), ({"steps": -2}, "steps"),
    ({"parameterisation": "standard"}, "parameterisation"), ({"activation": "gelu"}, "activation"),
])
def test_trainer_bad_inputs_name_the_parameter(kwargs, name):
    x, w = gaussian_cubature(2)
    args = {"learning_rate": 0.01, "steps": 3} | kwargs
    with pytest.raises(ValueError, match=name):
        train_two_layer(np.zeros((1, 2, 2)), np.ones((1, 2)), x=x, weights=w, y=x[:, 0], **args)


@pytest.mark.parametrize("kwargs, name", [({"width": -4}, "width"), ({"width": 0}, "width"), ({"v0": -1.0}, "v0"),
                                          ({"step": 0.5}, "step"), ({"networks": 0}, "networks")])
def test_example_bad_inputs_name_the_parameter(kwargs, name):
    args = {"width": 4, "networks": 2, "d": 3, "v0": 0.25, "step": 0.02, "steps": 3} | kwargs
    with pytest.raises(ValueError, match=name):
        risk_curves(0, **args)
