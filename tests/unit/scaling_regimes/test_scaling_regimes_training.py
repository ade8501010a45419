"""The authors' synthetic task and the training study on the shared trainer.

Default run (about 2 s of CPU): the data generator against its definition, the depth grid against the numbers of
the authors' plot scripts, and a small study (tanh with shared delta at depths 16..64; ReLU with per-layer delta
at 8..31 for the mechanics only).  The full study (depths 64..2048, two networks per depth) is ``slow``: it
asserts the smooth signature for tanh and the diffusive one for ReLU (measured numbers in the report)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from numerics.scaling_regimes.training_study import (
    signature,
    train_setup,
    training_study,
    weight_sequence,
    write_study_weights,
)
from numerics.scaling_regimes.training_task import SETUPS, depth_grid, ode_dataset
from numerics.scaling_regimes.weights_file import read_networks
from verify.cli import main


def test_ode_dataset_follows_the_authors_generator():
    x, y, xt, yt = ode_dataset(3, d=4, train_size=8, test_size=4, n_steps=5)
    assert x.shape == (8, 4) and yt.shape == (4, 4)
    np.testing.assert_allclose(np.linalg.norm(np.vstack([x, xt]), axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(np.vstack([y, yt]), axis=1), 1.0, rtol=1e-14)
    raw = np.random.default_rng(3).uniform(-1.0, 1.0, (12, 4))          # independent path: one row at a time
    for i in (0, 9):
        z = raw[i].copy()
        for s in range(5):
            z = z + 5 ** -0.5 * np.tanh(math.sin(5 * s * math.pi / 5) * z + math.cos(5 * s * math.pi / 5))
        row_x, row_y = (x[i], y[i]) if i < 8 else (xt[i - 8], yt[i - 8])
        np.testing.assert_allclose(row_y, z / np.linalg.norm(z), rtol=1e-13)
        np.testing.assert_allclose(row_x, raw[i] / np.linalg.norm(raw[i]), rtol=1e-13)


def test_depth_grid_matches_the_authors_plot_depths():
    grid = depth_grid(max_depth=10 ** 4)
    assert len(grid) == 44 and list(grid[:3]) == [3, 4, 5] and list(grid[-3:]) == [6319, 7583, 9100]
    assert grid[-3] == math.floor(1.2 ** 48) and grid[-1] == math.floor(1.2 ** 50)
    with pytest.raises(ValueError, match="base"):
        depth_grid(max_depth=10, base=1.0)


def test_small_study_tanh_smooth_signature_and_relu_mechanics(tmp_path, capsys):
    tanh = training_study(depths=depth_grid(max_depth=64, min_depth=16), setups=("tanh_shared",), seed=1,
                          keep_networks=True)
    assert np.all(tanh.losses["tanh_shared"] < SETUPS["tanh_shared"].tolerance)   # the authors' stop: MSE < 1e-3
    qv_high = tanh.slope("tanh_shared", "quadratic_variation")[2]
    assert qv_high < 0.0                                                    # the weight path's QV falls with L
    beta, b_lo, b_hi = tanh.beta_hat("tanh_shared")
    assert 0.0 < b_lo <= beta <= b_hi < 1.0                                  # weights shrink, slower than 1/L
    assert signature(*tanh.slope("tanh_shared", "root_ssq_delta_a")[1:]) == "smooth"
    net, params = tanh.networks["tanh_shared"][0]
    assert weight_sequence(net, params).shape == (1, net.depth, 100)
    path = tmp_path / "tanh.npz"                                     # the trainer's file, read by deeplimits regime
    write_study_weights(path, tanh, "tanh_shared")
    nets = read_networks([path])[0]
    assert [n.depth for n in nets] == list(tanh.depths) and nets[0].delta_shared
    np.testing.assert_array_equal(nets[0].A, params[0][0][0])
    assert main(["regime", str(path)]) == 0
    assert "verdict:" in capsys.readouterr().out
    relu = training_study(depths=(8, 16, 31), setups=("relu_per_layer",), seed=2, keep_networks=True)
    assert all(np.isfinite(relu.slope("relu_per_layer", k)[0]) for k in ("max_norm", "root_ssq"))
    assert "relu_per_layer" in relu.summary()
    write_study_weights(tmp_path / "relu.npz", relu, "relu_per_layer")
    relu_net = read_networks([tmp_path / "relu.npz"])[0][2]
    np.testing.assert_array_equal(relu_net.delta, relu.networks["relu_per_layer"][2][1][0][2][0])
    with pytest.raises(ValueError, match="keep_networks"):
        write_study_weights(tmp_path / "x.npz", relu, "tanh_shared")


def test_signature_names_the_nearer_hypothesis():
    assert signature(-0.6, -0.4) == "smooth"
    assert signature(-0.1, 0.05) == "diffusive"
    assert signature(-0.6, 0.1) == "undecided"


@pytest.mark.slow
def test_full_study_separates_tanh_smooth_from_relu_diffusive():
    result = training_study(depths=depth_grid(max_depth=2048, min_depth=64), ensemble=2, seed=0)
    print(result.summary())
    assert signature(*result.slope("tanh_shared", "root_ssq_delta_a")[1:]) == "smooth"
    assert signature(*result.slope("relu_per_layer", "root_ssq_delta_a")[1:]) == "diffusive"
    assert result.slope("tanh_shared", "quadratic_variation")[2] < 0.0


def test_sgd_setup_trains_the_synthetic_task():
    data = ode_dataset(0, train_size=256, test_size=4)
    sgd = dataclasses.replace(SETUPS["tanh_shared"], optimizer="sgd", learning_rate=1.0, max_epochs=3)
    _, _, losses, epochs = train_setup(sgd, 16, data=data, ensemble=2, seed=0)
    assert np.all(epochs == 3) and np.all(np.diff(losses, axis=1) < 0)
    assert np.all(losses[:, -1] < 0.1 * losses[:, 0])
    with pytest.raises(ValueError, match="setup"):
        train_setup("relu_multi", 4, data=data, ensemble=1, seed=0)
