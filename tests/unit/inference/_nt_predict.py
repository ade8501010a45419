"""Run by the neural-tangents venv: kernels of a small network and NT's ensemble predictions, saved to an npz."""

import sys

import jax

jax.config.update("jax_enable_x64", True)
import numpy as np  # noqa: E402
from neural_tangents import predict, stax  # noqa: E402

out, reg = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(0)
x_train, x_test = rng.standard_normal((12, 4)), rng.standard_normal((5, 4))
y_train = rng.standard_normal((12, 2))
_, _, kernel_fn = stax.serial(stax.Dense(512, W_std=1.5, b_std=0.1), stax.Erf(), stax.Dense(1, W_std=1.5, b_std=0.1))
times = np.array([0.0, 0.3, 2.0, 25.0, np.inf])
res = {}
for get in ("ntk", "nngp"):
    fn = predict.gradient_descent_mse_ensemble(kernel_fn, x_train, y_train, learning_rate=0.8, diag_reg=reg)
    m, c = fn(t=times, x_test=x_test, get=get, compute_cov=True)
    res[f"{get}_mean"], res[f"{get}_cov"] = np.asarray(m), np.asarray(c)
for name, (a, b) in {"dd": (x_train, None), "td": (x_test, x_train), "tt": (x_test, None)}.items():
    k = kernel_fn(a, b, ("nngp", "ntk"))
    res[f"nngp_{name}"], res[f"ntk_{name}"] = np.asarray(k.nngp), np.asarray(k.ntk)
res["y_train"], res["times"] = y_train, times
np.savez(out, **res)
