"""Monte Carlo throughput of ``numerics.kernel.networks.fc_outputs`` as a fraction of the machine's GEMM rate.

The GEMM rate (float64 and float32) is measured in the same run: median over
``--gemm-repeats`` of an n x n x n ``A @ B`` (2 n^3 flops).  Network throughput
counts the flops of the PLAIN algorithm (one explicit weight matrix per sample
and layer), per sample:

    2 * width * d * m  (first layer)  +  (depth - 1) * 2 * width^2 * m  +  2 * width * m  (readout)

divided by the median wall time of ``fc_outputs`` (ReLU, W_std=1.5, b_std=0.05).
``exact_in_law`` does far fewer flops than that, so its fraction can exceed 1.
The last line of output is JSON with every number.

    python benchmarks/bench_networks.py                      # widths 512 1024, depth 3, m=64, d=16
    python benchmarks/bench_networks.py --widths 512 --depth 5 --samples 512
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from numerics.kernel.networks import fc_outputs


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def gemm_rate(n, dtype, repeats):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    a @ b
    return 2 * n**3 / _median_time(lambda: a @ b, repeats)


def plain_flops(width, depth, d, m):
    if depth == 0:
        return 2 * d * m
    return 2 * width * d * m + (depth - 1) * 2 * width * width * m + 2 * width * m


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--widths", type=int, nargs="+", default=[512, 1024])
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--inputs", type=int, default=64, help="m, number of inputs")
    p.add_argument("--dim", type=int, default=16, help="d, input dimension")
    p.add_argument("--samples", type=int, default=256, help="Monte Carlo samples per timed call")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--gemm-n", type=int, default=2048)
    p.add_argument("--gemm-repeats", type=int, default=5)
    p.add_argument("--methods", nargs="+", default=["exact_in_law", "full"])
    p.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    args = p.parse_args(argv)

    x = np.random.default_rng(0).standard_normal((args.inputs, args.dim))
    rates = {dt: gemm_rate(args.gemm_n, dt, args.gemm_repeats) for dt in args.dtypes}
    rows = []
    for dt in args.dtypes:
        for width in args.widths:
            for method in args.methods:
                def run():
                    return fc_outputs(x, activation="relu", depth=args.depth, width=width, W_std=1.5, b_std=0.05,
                                      n_samples=args.samples, seed=0, dtype=dt, method=method)
                run()
                t = _median_time(run, args.repeats)
                flops = plain_flops(width, args.depth, args.dim, args.inputs) * args.samples
                rows.append(dict(dtype=dt, width=width, method=method, seconds=t, samples_per_s=args.samples / t,
                                 plain_gflops=flops / t / 1e9, fraction_of_gemm=flops / t / rates[dt]))

    print(f"GEMM {args.gemm_n}^3: " + ", ".join(f"{dt} {r / 1e9:.1f} GFLOP/s" for dt, r in rates.items()))
    print(f"depth={args.depth}, m={args.inputs}, d={args.dim}, samples={args.samples}, median of {args.repeats}")
    print(f"{'dtype':8} {'width':>6} {'method':>13} {'seconds':>9} {'samples/s':>10} {'plain GF/s':>11} {'of GEMM':>8}")
    for r in rows:
        print(f"{r['dtype']:8} {r['width']:>6} {r['method']:>13} {r['seconds']:9.4f} {r['samples_per_s']:10.1f} "
              f"{r['plain_gflops']:11.1f} {r['fraction_of_gemm']:8.2f}")
    print(json.dumps(dict(benchmark="bench_networks", python=platform.python_version(), numpy=np.__version__,
                          gemm_gflops={dt: r / 1e9 for dt, r in rates.items()}, depth=args.depth,
                          inputs=args.inputs, dim=args.dim, samples=args.samples, rows=rows)))


if __name__ == "__main__":
    main()
