"""numerics.inference against neural-tangents' predict.gradient_descent_mse_ensemble (slow: ~12 s a case for JAX start-up; runs when .nt-venv exists)."""

from __future__ import annotations

import pathlib
import subprocess

import numpy as np
import pytest

from numerics.inference import gradient_descent_mse_ensemble

ROOT = pathlib.Path(__file__).resolve().parents[3]
NT_PYTHON = ROOT / ".nt-venv" / "bin" / "python"


@pytest.mark.slow
@pytest.mark.skipif(not NT_PYTHON.exists(), reason="neural-tangents venv (.nt-venv) not present")
@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_mean_and_covariance_match_neural_tangents(tmp_path, reg):
    out = tmp_path / "nt.npz"
    subprocess.run([str(NT_PYTHON), str(pathlib.Path(__file__).with_name("_nt_predict.py")), str(out), str(reg)],
                   check=True, capture_output=True, timeout=300)
    nt = np.load(out)
    for get in ("ntk", "nngp"):
        ens = gradient_descent_mse_ensemble(
            k_train_train=nt[f"{get}_dd"], k_test_train=nt[f"{get}_td"], y_train=nt["y_train"], get=get,
            k_train_train_nngp=nt["nngp_dd"], k_test_train_nngp=nt["nngp_td"], k_test_test_nngp=nt["nngp_tt"],
            learning_rate=0.8, diag_reg=reg)
        mean, cov = ens.predict(t=nt["times"])
        for ours, theirs in ((mean, nt[f"{get}_mean"]), (cov, nt[f"{get}_cov"])):
            assert np.all(np.isfinite(theirs)), get
            assert np.max(np.abs(ours - theirs)) < 1e-8 * np.max(np.abs(theirs)), get   # relative to the entry scale
