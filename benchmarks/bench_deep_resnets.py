"""Throughput of ``numerics.resnet_sde.resnet_outputs`` (P&F deep ResNets), exact-in-law vs full weights.

Two measurements, both on F_tanh of JMLR §6 (phi = tanh, psi = id, sigma_w^2 = sigma_b^2 = 1,
T = 1, scalar input copied to every unit):

1. networks per second at L = D = 500 with m = 2 inputs (z = 0, 1; the Fig. 2 setup), for
   ``method="exact_in_law"`` (O(D m^2) per layer) and ``method="full"`` (O(D^2 m) and D^2
   normals per layer);
2. seconds per function draw z -> x_{L,1}(z) on 400 points of [-2, 2] (the Fig. 4 setup with
   fewer draws; ``method="auto"`` picks ``"full"`` there since m ~ D), and the extrapolated
   time of the paper's 10,000 draws.

Also the machine's float64 GEMM rate (median of n x n x n products), for scale.  The last line
is JSON with every number.

    python benchmarks/bench_deep_resnets.py
    python benchmarks/bench_deep_resnets.py --depth 200 --width 200 --draws 8
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from numerics.resnet_sde import ResNet, choose_method, resnet_outputs


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def gemm_rate(n=1000, repeats=3):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    a @ b
    return 2 * n**3 / float(np.median([_timed(lambda: a @ b) for _ in range(repeats)]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--depth", type=int, default=500)
    p.add_argument("--width", type=int, default=500)
    p.add_argument("--in-law-samples", type=int, default=256, help="networks for the exact-in-law rate")
    p.add_argument("--full-samples", type=int, default=4, help="networks for the full-weights rate")
    p.add_argument("--points", type=int, default=400, help="inputs of the function-draw run")
    p.add_argument("--draws", type=int, default=4, help="function draws (the paper uses 10,000)")
    args = p.parse_args(argv)

    net = ResNet(depth=args.depth, width=args.width, sigma_w=1.0, sigma_b=1.0, phi="tanh", psi="identity",
                 input="copy")
    z2 = np.array([0.0, 1.0])
    result = {"depth": args.depth, "width": args.width, "machine": platform.machine(),
              "gemm_gflops_float64": gemm_rate() / 1e9}
    resnet_outputs(net, z2, n_samples=1, seed=0)          # warm-up (imports, thread pools)
    for method, n in (("exact_in_law", args.in_law_samples), ("full", args.full_samples)):
        t = _timed(lambda n=n, method=method: resnet_outputs(net, z2, n_samples=n, seed=1, method=method))
        result[f"networks_per_s_{method}_m2"] = n / t
        print(f"L = D = {args.depth}/{args.width}, m = 2, {method:>12}: {n / t:9.3f} networks/s ({n} in {t:.2f} s)")
    result["speedup_in_law_over_full_m2"] = result["networks_per_s_exact_in_law_m2"] / result["networks_per_s_full_m2"]
    print(f"exact-in-law speed-up over full weights at m = 2: {result['speedup_in_law_over_full_m2']:.0f}x")

    z = np.linspace(-2.0, 2.0, args.points)
    method = choose_method(args.width, args.points)
    t = _timed(lambda: resnet_outputs(net, z, n_samples=args.draws, seed=2))
    result.update({"function_draw_points": args.points, "function_draws": args.draws, "function_draw_method": method,
                   "function_draw_run_s": t, "seconds_per_function_draw": t / args.draws,
                   "extrapolated_10000_draws_h": t / args.draws * 10000 / 3600})
    print(f"{args.draws} function draws on {args.points} points ({method}): {t:.2f} s, {t / args.draws:.2f} s per draw; "
          f"10,000 draws ~ {result['extrapolated_10000_draws_h']:.1f} h on this machine")
    print(f"float64 GEMM rate: {result['gemm_gflops_float64']:.1f} GFLOP/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
