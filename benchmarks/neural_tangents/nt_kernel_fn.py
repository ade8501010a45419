"""Time neural-tangents' analytic NNGP/NTK kernel_fn for a deep ReLU MLP.

Run with the python of the separate neural-tangents venv (see setup.sh), e.g.

    .nt-venv/bin/python nt_kernel_fn.py --n 1000 --depth 10 --out nt.npz

Architecture: stax.serial(*[Dense(512, W_std, b_std), Relu()] * depth,
Dense(1, W_std, b_std)), W_std=1.5, b_std=0.05, float64 (jax_enable_x64).
Inputs: x = np.random.default_rng(seed).standard_normal((n, dim)); the kernel
is k(x, x) (x2=None). Prints one JSON line.

compile_s is the wall time of the first (warm-up) call of the jitted
kernel_fn: tracing + XLA compilation + one execution.
median_s / min_s are over `repeats` further calls, each block_until_ready.

--sanity instead prints the diagonal NNGP/NTK for x=(1,0,0) at depth 2
(expected 0.9576953125 and 2.8652734375).

--serve (for benchmarks/bench_kernels.py --interleave): compile once, print one
JSON line {"ready": true, "compile_s": ...}, then for every line "time R" read
from stdin time R further calls and print {"times": [...]}; "quit" ends.  The
caller times its own routes between these requests, so the two tools run
interleaved under the same machine load.
"""
import argparse
import json
import os
import time

# neural_tangents 0.6.x imports tensorflow (via nt.experimental); silence its
# C++ start-up logging (cuDNN/cuFFT/TensorRT notices on a CPU-only machine).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import neural_tangents as nt  # noqa: E402
from neural_tangents import stax  # noqa: E402

W_STD = 1.5
B_STD = 0.05
WIDTH = 512


def build_kernel_fn(depth, w_std=W_STD, b_std=B_STD):
    _, _, kernel_fn = stax.serial(
        *[stax.Dense(WIDTH, w_std, b_std), stax.Relu()] * depth,
        stax.Dense(1, w_std, b_std),
    )
    return kernel_fn


def sanity():
    kernel_fn = build_kernel_fn(2)
    x = jnp.array([[1.0, 0.0, 0.0]], dtype=jnp.float64)
    k = kernel_fn(x, None, ("nngp", "ntk"))
    out = {
        "tool": "neural-tangents",
        "check": "diag x=(1,0,0) depth=2 W_std=1.5 b_std=0.05",
        "nngp": float(k.nngp[0, 0]),
        "ntk": float(k.ntk[0, 0]),
        "expected_nngp": 0.9576953125,
        "expected_ntk": 2.8652734375,
    }
    print(json.dumps(out))


def serve(a):
    import sys

    x = jnp.asarray(np.random.default_rng(a.seed).standard_normal((a.n, a.dim)), dtype=jnp.float64)
    kfn = jax.jit(lambda x1: build_kernel_fn(a.depth)(x1, None, ("nngp", "ntk")))
    t0 = time.perf_counter()
    k = jax.block_until_ready(kfn(x))
    compile_s = time.perf_counter() - t0
    if a.out:
        np.savez(a.out, nngp=np.asarray(k[0], dtype=np.float64), ntk=np.asarray(k[1], dtype=np.float64),
                 x=np.asarray(x))
    print(json.dumps({"ready": True, "compile_s": compile_s, "version": nt.__version__,
                      "jax": jax.__version__}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        times = []
        for _ in range(int(cmd[1])):
            t0 = time.perf_counter()
            jax.block_until_ready(kfn(x))
            times.append(time.perf_counter() - t0)
        print(json.dumps({"times": times}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--dim", type=int, default=16)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="optional .npz for nngp/ntk")
    p.add_argument("--sanity", action="store_true")
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()

    if a.sanity:
        sanity()
        return
    if a.serve:
        serve(a)
        return

    x_np = np.random.default_rng(a.seed).standard_normal((a.n, a.dim))
    x = jnp.asarray(x_np, dtype=jnp.float64)

    kernel_fn = build_kernel_fn(a.depth)
    kfn = jax.jit(lambda x1: kernel_fn(x1, None, ("nngp", "ntk")))

    t0 = time.perf_counter()
    k = jax.block_until_ready(kfn(x))
    compile_s = time.perf_counter() - t0

    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        k = jax.block_until_ready(kfn(x))
        times.append(time.perf_counter() - t0)

    nngp, ntk = k
    if a.out:
        np.savez(a.out,
                 nngp=np.asarray(nngp, dtype=np.float64),
                 ntk=np.asarray(ntk, dtype=np.float64),
                 x=x_np)

    print(json.dumps({
        "tool": "neural-tangents",
        "version": nt.__version__,
        "jax": jax.__version__,
        "n": a.n,
        "depth": a.depth,
        "dim": a.dim,
        "repeats": a.repeats,
        "dtype": str(nngp.dtype),
        "median_s": float(np.median(times)),
        "min_s": float(np.min(times)),
        "compile_s": compile_s,
    }))


if __name__ == "__main__":
    main()
