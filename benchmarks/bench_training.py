"""Training throughput of the shared trainer's deep ResNet against the same ResNet in PyTorch eager (CPU).

One training step = forward, hand-derived backward and an Adam update on a minibatch of ``--batch`` samples
(d = ``--dim``), for h_{k+1} = h_k + |delta| tanh(A_k h_k + b_k) (the authors' tanh / shared-delta network;
weights from the ``xavier`` init with sd 0.5, so that tanh works off its linear part: the cost does not depend
on the values).  Throughput = layers x samples / seconds per step (per network; for our ensemble of E seeds
in one array, E x layers x samples / seconds).

The PyTorch peer (benchmarks/torch_peer/torch_resnet_train.py) runs in its own venv as a subprocess; for every
depth the two are timed interleaved: ``--rounds`` rounds, each of ``--repeats`` steps of ours, then of every
torch variant, so both see the same machine load.  Median wall and CPU seconds per step are reported, and the
ratio ours/torch of throughputs (> 1: ours faster).  Before timing, the peer's first loss and gradient norms are
compared with ours on the same weights and batch (they must agree to rounding: the same network).

    python benchmarks/bench_training.py                           # depths 16 128 1024, batch 32, d 10
    python benchmarks/bench_training.py --depths 256 --ensemble 1 8 --torch-python .torch-venv/bin/python

The last line of output is JSON with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from numerics.core.training import (
    Optimizer,
    ResNet,
    init_resnet,
    mean_squared_error_and_grad,
)

PEER = Path(__file__).with_name("torch_peer") / "torch_resnet_train.py"


class TorchPeer:
    """The PyTorch process: ``setup`` a network from an npz, ``time`` steps, ``close``."""

    def __init__(self, python):
        self.proc = subprocess.Popen([python, str(PEER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


def our_steps(net, params, x, y, repeats):
    """Wall and CPU seconds of ``repeats`` Adam steps of our trainer (params advance as in training)."""
    opt = Optimizer("adam", learning_rate=1e-2)
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        _, _, grads = mean_squared_error_and_grad(net, params, x, y)
        params = opt.step(params, grads)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def bench_depth(depth, args, peer, tmp):
    net = ResNet(depth=depth, width=args.dim, activation="tanh", delta="shared")
    rng = np.random.default_rng(depth)
    x, y = rng.standard_normal((args.batch, args.dim)), rng.standard_normal((args.batch, args.dim))
    ens = {e: init_resnet(net, ensemble=e, seed=0, init="xavier", initial_sd=0.5) for e in args.ensemble}
    a, b, delta = (t[0] for t in ens[args.ensemble[0]][0])
    path = os.path.join(tmp, f"resnet_{depth}.npz")
    np.savez(path, A=a, b=b, delta=delta, x=x, y=y)
    loss, _, grads = mean_squared_error_and_grad(net, [(a[None], b[None], delta[None])], x, y)
    ours_sq = {k: float(np.sum(g ** 2)) for k, g in zip(("A", "b", "delta"), grads[0])}
    row = {"depth": depth, "batch": args.batch, "dim": args.dim, "ours": {}, "torch": {}, "agreement": {}}
    variants = [(v, dt) for v in args.variants for dt in args.torch_dtypes] if peer else []
    for v, dt in variants:
        got = peer.ask(cmd="setup", npz=path, variant=v, dtype=dt, threads=args.torch_threads)
        rel = max([abs(got["loss"] - float(loss[0])) / abs(float(loss[0]))]
                  + [abs(got["grad_sq"][k] - ours_sq[k]) / ours_sq[k] for k in ours_sq])
        row["agreement"][f"{v}/{dt}"] = rel
        row["torch_threads"], row["torch_version"] = got["threads"], got["torch"]
    samples = {f"ours E={e}": ([], []) for e in args.ensemble} | {f"torch {v}/{dt}": ([], []) for v, dt in variants}
    for _ in range(args.rounds):
        for e in args.ensemble:
            w, c = our_steps(net, ens[e], x, y, args.repeats)
            samples[f"ours E={e}"][0].extend(w)
            samples[f"ours E={e}"][1].extend(c)
        for v, dt in variants:
            peer.ask(cmd="setup", npz=path, variant=v, dtype=dt, threads=args.torch_threads)
            got = peer.ask(cmd="time", repeats=args.repeats)
            samples[f"torch {v}/{dt}"][0].extend(got["wall"])
            samples[f"torch {v}/{dt}"][1].extend(got["cpu"])
    for name, (w, c) in samples.items():
        e = int(name.split("=")[1]) if name.startswith("ours") else 1
        entry = {"median_wall_s": float(np.median(w)), "median_cpu_s": float(np.median(c)),
                 "layer_samples_per_s_wall": e * depth * args.batch / float(np.median(w)),
                 "layer_samples_per_s_cpu": e * depth * args.batch / float(np.median(c))}
        row["ours" if name.startswith("ours") else "torch"][name] = entry
    if variants:
        best = max(row["torch"].values(), key=lambda r: r["layer_samples_per_s_wall"])
        one = row["ours"][f"ours E={args.ensemble[0]}"]
        row["ratio_ours_over_best_torch_wall"] = one["layer_samples_per_s_wall"] / best["layer_samples_per_s_wall"]
        row["ratio_ours_over_best_torch_cpu"] = one["layer_samples_per_s_cpu"] / best["layer_samples_per_s_cpu"]
    return row


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--depths", type=int, nargs="+", default=[16, 128, 1024])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--dim", type=int, default=10)
    p.add_argument("--ensemble", type=int, nargs="+", default=[1, 8], help="our ensemble sizes (first: the headline)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--variants", nargs="+", default=["stacked", "per_layer_params"])
    p.add_argument("--torch-dtypes", nargs="+", default=["float64", "float32"])
    p.add_argument("--torch-threads", type=int, default=1, help="torch.set_num_threads (ours runs on one thread)")
    p.add_argument("--torch-python", default=".torch-venv/bin/python", help="'' to time ours alone")
    args = p.parse_args(argv)
    peer = TorchPeer(args.torch_python) if args.torch_python else None
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for depth in args.depths:
                row = bench_depth(depth, args, peer, tmp)
                rows.append(row)
                for name, r in {**row["ours"], **row["torch"]}.items():
                    print(f"L={depth:5d} {name:28s} {r['median_wall_s'] * 1e3:9.2f} ms/step wall "
                          f"{r['median_cpu_s'] * 1e3:9.2f} ms CPU  {r['layer_samples_per_s_wall']:.3e} layer-samples/s")
                if "ratio_ours_over_best_torch_wall" in row:
                    print(f"L={depth:5d} ours(E={args.ensemble[0]}) / best torch: wall {row['ratio_ours_over_best_torch_wall']:.2f}"
                          f"  CPU {row['ratio_ours_over_best_torch_cpu']:.2f}  (rel. disagreement of loss and "
                          f"gradient norms: {', '.join(f'{k} {v:.1e}' for k, v in row['agreement'].items())})")
    finally:
        if peer:
            peer.close()
    load = os.getloadavg()
    print(json.dumps({"rows": rows, "numpy": np.__version__, "python": sys.version.split()[0],
                      "machine": platform.machine(), "cpus": os.cpu_count(), "loadavg": load}))


if __name__ == "__main__":
    main()
