"""Benchmark: linearised MSE ensemble inference (mean and covariance) against neural-tangents, side by side.

``numerics.inference.gradient_descent_mse_ensemble`` and neural-tangents'
``predict.gradient_descent_mse_ensemble`` get the same precomputed kernels (NNGP and NTK of an erf network
with two hidden layers, from ``numerics.kernel.nngp_ntk``) on 2000 training and 500 test points and predict
the NTK ensemble's mean and covariance at 50 times.  Each repetition builds a fresh predictor (one
eigendecomposition) and evaluates both moments; neural-tangents runs in its own venv (``.nt-venv``) as a
subprocess of this script, reading the kernels from a file through a look-up ``kernel_fn`` (so only the
inference is timed on both sides) and writing its predictions back, which are compared with ours.

    .venv/bin/python benchmarks/bench_inference.py [--train 2000 --test 500 --times 50 --repeats 3]

Run by the NT venv with ``--nt-worker IN OUT`` (internal).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 0
LEARNING_RATE, DIAG_REG = 1.0, 1e-4


def _timed(fn, repeats):
    out, wall, cpu = None, [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return out, {"wall_min": min(wall), "wall_median": statistics.median(wall), "cpu_min": min(cpu)}


def nt_worker(path_in, path_out, repeats):
    """Runs inside the neural-tangents venv: time NT's predictor on the stored kernels."""
    import collections

    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from neural_tangents import predict

    z = np.load(path_in)
    x_train, x_test, y = jnp.asarray(z["x_train"]), jnp.asarray(z["x_test"]), jnp.asarray(z["y_train"])
    kern = {name: jnp.asarray(z[name]) for name in ("nngp_dd", "ntk_dd", "nngp_td", "ntk_td", "nngp_tt")}
    pair = collections.namedtuple("Kernel", ["nngp", "ntk"])

    def kernel_fn(x1, x2, get=None, **_):
        if x2 is None and x1.shape[0] == x_train.shape[0]:
            out = pair(kern["nngp_dd"], kern["ntk_dd"])
        elif x2 is None:
            out = pair(kern["nngp_tt"], None)
        else:
            out = pair(kern["nngp_td"], kern["ntk_td"])
        return getattr(out, get) if isinstance(get, str) else out    # NT's convention: a str get, one array

    times = jnp.asarray(z["times"])

    def run():
        fn = predict.gradient_descent_mse_ensemble(kernel_fn, x_train, y, learning_rate=LEARNING_RATE,
                                                   diag_reg=DIAG_REG)
        mean, cov = fn(t=times, x_test=x_test, get="ntk", compute_cov=True)
        return np.asarray(jax.block_until_ready(mean)), np.asarray(jax.block_until_ready(cov))

    (mean, cov), stats = _timed(run, repeats)
    np.savez(path_out, mean=mean, cov=cov)
    print(json.dumps({**stats, "jax": jax.__version__, "device": str(jax.devices()[0])}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", type=int, default=2000)
    p.add_argument("--test", type=int, default=500)
    p.add_argument("--times", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--nt-python", default=os.path.join(REPO, ".nt-venv", "bin", "python"))
    p.add_argument("--nt-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.nt_worker:
        return nt_worker(*a.nt_worker, a.repeats)
    sys.path.insert(0, REPO)
    from numerics.inference import gradient_descent_mse_ensemble
    from numerics.kernel import nngp_ntk

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((a.train + a.test, 10))
    y = rng.standard_normal((a.train, 1))
    k, th = nngp_ntk(x, activation="erf", depth=2, W_std=1.5, b_std=0.1)
    n = a.train
    times = np.concatenate([[0.0], np.geomspace(0.1, 1e4, a.times - 2), [np.inf]])
    kern = {"nngp_dd": k[:n, :n], "ntk_dd": th[:n, :n], "nngp_td": k[n:, :n], "ntk_td": th[n:, :n],
            "nngp_tt": k[n:, n:]}

    def ours():
        ens = gradient_descent_mse_ensemble(
            k_train_train=kern["ntk_dd"], k_test_train=kern["ntk_td"], y_train=y, get="ntk",
            k_train_train_nngp=kern["nngp_dd"], k_test_train_nngp=kern["nngp_td"], k_test_test_nngp=kern["nngp_tt"],
            learning_rate=LEARNING_RATE, diag_reg=DIAG_REG)
        return ens.predict(t=times)

    (mean, cov), mine = _timed(ours, a.repeats)
    row = {"train": n, "test": a.test, "times": a.times, "ours": mine}
    if os.path.exists(a.nt_python):
        with tempfile.TemporaryDirectory() as tmp:
            fin, fout = os.path.join(tmp, "in.npz"), os.path.join(tmp, "out.npz")
            np.savez(fin, x_train=x[:n], x_test=x[n:], y_train=y, times=times, **kern)
            proc = subprocess.run([a.nt_python, os.path.abspath(__file__), "--nt-worker", fin, fout,
                                   "--repeats", str(a.repeats)], capture_output=True, text=True,
                                  env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu"))
            if proc.returncode != 0:
                raise SystemExit(f"neural-tangents worker failed: {proc.stderr[-1500:]}")
            row["nt"] = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1])
            with np.load(fout) as z:
                row["max_rel_mean"] = float(np.max(np.abs(mean - z["mean"])) / np.max(np.abs(z["mean"])))
                row["max_rel_cov"] = float(np.max(np.abs(cov - z["cov"])) / np.max(np.abs(z["cov"])))
        row["ratio_wall_min"] = row["nt"]["wall_min"] / mine["wall_min"]
    print(json.dumps(row, indent=1))
    print(f"\n| train | test | times | ours: wall min (median), cpu | neural-tangents: wall min (median), cpu | "
          f"NT / ours | max rel diff mean, cov |\n|---|---|---|---|---|---|---|")
    nt = row.get("nt")
    print(f"| {n} | {a.test} | {a.times} | {mine['wall_min']:.2f} s ({mine['wall_median']:.2f}), {mine['cpu_min']:.2f} s | "
          + (f"{nt['wall_min']:.2f} s ({nt['wall_median']:.2f}), {nt['cpu_min']:.2f} s | {row['ratio_wall_min']:.2f} | "
             f"{row['max_rel_mean']:.1e}, {row['max_rel_cov']:.1e} |" if nt else "not run | | |"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
