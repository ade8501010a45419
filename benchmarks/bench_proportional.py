"""Networks per second of ``numerics.log_gaussian`, `numerics.covariance_sde``: exact_in_law vs full, one run.

Standard ReLU ResNet (lambda^2 = 1/2) and He-ReLU MLP at width n = depth d = 400,
one input, float64, readout n_out = 1.  For each network and method the median
wall time of ``--repeats`` calls (after one warm-up) gives networks/s; the ratio
in_law/full is printed per network (acceptance: >= 20 for the ResNet).  The
last line of output is JSON with every number.

    python benchmarks/bench_proportional.py                   # n = d = 400
    python benchmarks/bench_proportional.py --width 200 --depth 200 --law-samples 4096 --full-samples 32
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from numerics.log_gaussian import fc_relu_net, relu_resnet


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--width", type=int, default=400)
    p.add_argument("--depth", type=int, default=400)
    p.add_argument("--law-samples", type=int, default=2048, help="networks per timed exact_in_law call")
    p.add_argument("--full-samples", type=int, default=16, help="networks per timed full call")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)

    x = np.ones(args.width)
    nets = {
        "relu_resnet": lambda **kw: relu_resnet(x, width=args.width, depth=args.depth, **kw),
        "fc_relu_net": lambda **kw: fc_relu_net(x, widths=[args.width] * args.depth, **kw),
    }
    rows = []
    for name, net in nets.items():
        rate = {}
        for method, samples in (("exact_in_law", args.law_samples), ("full", args.full_samples)):
            def run(net=net, samples=samples, method=method):
                return net(n_samples=samples, seed=0, method=method)
            run()
            t = _median_time(run, args.repeats)
            rate[method] = samples / t
            rows.append(dict(network=name, method=method, samples=samples, seconds=t, networks_per_s=samples / t))
            print(f"{name:12s} {method:13s} {samples:6d} networks in {t:8.3f} s: {samples / t:10.2f} networks/s")
        ratio = rate["exact_in_law"] / rate["full"]
        rows.append(dict(network=name, ratio=ratio))
        print(f"{name:12s} ratio exact_in_law / full = {ratio:.1f}x")
    info = dict(width=args.width, depth=args.depth, machine=platform.machine(), processor=platform.processor(),
                cpus=os.cpu_count(), numpy=np.__version__, rows=rows)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
