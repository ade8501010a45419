"""The .npz weights format of `deeplimits regime`: round trip, prefixes, PyTorch (fake module), bad files."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from numerics.scaling_regimes.weights_file import read_networks, write_networks


def _net(L, d=3, seed=0, **extra):
    rng = np.random.default_rng(seed + L)
    return {"A": rng.standard_normal((L, d, d)), **extra}


def test_round_trip_several_depths_in_one_file(tmp_path):
    path = tmp_path / "w.npz"
    nets = [_net(4, b=np.ones((4, 3)), delta=np.arange(1.0, 5.0)), _net(8, b=np.ones((8, 3)), delta=np.ones(8))]
    write_networks(path, nets)
    got, ignored = read_networks([path])
    assert [n.depth for n in got] == [4, 8] and not ignored
    assert np.array_equal(got[0].A, nets[0]["A"]) and np.array_equal(got[0].delta, np.arange(1.0, 5.0))
    assert got[0].b.shape == (4, 3) and not got[0].delta_shared


def test_one_network_per_file_shared_delta_and_ignored_arrays(tmp_path):
    for L in (4, 6):
        write_networks(tmp_path / f"n{L}.npz", [_net(L, delta=0.5)])
    extra = tmp_path / "n5.npz"
    np.savez(extra, **{f"A_{k}": np.eye(3) for k in range(5)}, delta=0.5, loss=np.array([0.1]))
    got, ignored = read_networks([tmp_path / "n6.npz", extra, tmp_path / "n4.npz"])
    assert [n.depth for n in got] == [4, 5, 6] and got[0].delta_shared and np.all(got[0].delta == 0.5)
    assert ignored == [f"{extra}:loss"]


def _bad(tmp_path, arrays):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("arrays, match", [
    ({"A_0": np.eye(2), "A_2": np.eye(2)}, "A_1 is missing"),
    ({"A_0": np.eye(2), "A_1": np.ones((2, 3))}, "A_1 has shape"),
    ({"A_0": np.eye(2), "A_1": np.full((2, 2), np.nan)}, "A_1 holds NaN or inf"),
    ({"A_0": np.eye(2), "A_1": np.eye(2), "b_0": np.ones(2)}, "1 arrays b_k for 2"),
    ({"A_0": np.eye(2), "A_1": np.eye(2), "delta_0": np.ones(2), "delta_1": np.ones(2)}, "one number"),
    ({"A_0": np.eye(2), "A_1": np.eye(2), "delta": np.ones(1), "delta_0": 1.0, "delta_1": 1.0}, "give one"),
    ({"A_0": np.eye(2), "L3/A_0": np.eye(2)}, "mixes unprefixed"),
    ({"L3/A_0": np.eye(2), "L3/A_1": np.eye(2)}, "prefix L3/ holds 2"),
    ({"loss": np.ones(1)}, "no arrays named A_0"),
    ({"A_0": np.array(["x", "y"]), "A_1": np.array(["x", "y"])}, "dtype"),
    ({"A_0": np.float64(1.0), "A_1": np.float64(1.0)}, "non-empty arrays"),
])
def test_malformed_files_name_the_problem(tmp_path, arrays, match):
    with pytest.raises(ValueError, match=match):
        read_networks([_bad(tmp_path, arrays)])


def test_unreadable_and_inconsistent_files(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a readable .npz"):
        read_networks([junk])
    with pytest.raises(ValueError, match="not a readable .npz"):
        read_networks([tmp_path / "absent.npz"])
    write_networks(tmp_path / "a.npz", [_net(4)])
    write_networks(tmp_path / "b.npz", [_net(4, seed=1)])
    with pytest.raises(ValueError, match="depth 4 appears more than once"):
        read_networks([tmp_path / "a.npz", tmp_path / "b.npz"])
    write_networks(tmp_path / "c.npz", [_net(5, d=2)])
    with pytest.raises(ValueError, match="shapes differ"):
        read_networks([tmp_path / "a.npz", tmp_path / "c.npz"])
    write_networks(tmp_path / "e.npz", [_net(6, delta=1.0)])
    with pytest.raises(ValueError, match="delta for all or none"):
        read_networks([tmp_path / "a.npz", tmp_path / "e.npz"])


class _FakeTensor:
    def __init__(self, a):
        self.a = np.asarray(a)

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


def test_pytorch_state_dict_through_a_fake_torch(tmp_path, monkeypatch):
    """torch is optional: a fake module stands in; keys 'blocks.<k>.A', 'A.<k>', and a shared 'delta'."""
    state = {f"blocks.{k}.A": _FakeTensor(np.eye(2) * (k + 1)) for k in range(3)}
    state |= {f"b.{k}": _FakeTensor(np.ones(2)) for k in range(3)} | {"model.delta": _FakeTensor([0.25])}
    calls = []

    def load(path, map_location=None, weights_only=False):
        calls.append(weights_only)
        return state
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(load=load))
    path = tmp_path / "net.pt"
    path.write_bytes(b"fake")
    (net,), _ = read_networks([path])
    assert calls == [True] and net.depth == 3 and net.A[2, 0, 0] == 3.0 and net.delta_shared
    assert np.all(net.delta == 0.25) and net.b.shape == (3, 2)


def test_pytorch_without_torch_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)   # import torch raises ImportError
    path = tmp_path / "net.pt"
    path.write_bytes(b"x")
    with pytest.raises(ValueError, match="needs torch"):
        read_networks([path])
