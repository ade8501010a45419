r"""Benchmark numerics.core.sde (Euler-Maruyama) against sdeint.itoEuler and torchsde.sdeint(method="euler").

The SDE is the fully i.i.d. infinitely deep ResNet diffusion of Peluchetti & Favaro (JMLR 2021,
Corollary 5) with $\phi$ = swish ($\phi'(0) = \phi''(0) = 1/2$) and $\psi = \tanh$:

$$dx = \tfrac12\phi''(0)\,s^2(x)\,\mathbf 1\,dt + \phi'(0)\,s(x)\,dB,\qquad
  s^2(x) = \sigma_b^2 + \sigma_w^2\,|\tanh x|^2/D,$$

$D = 16$, $10^4$ paths, 1000 steps on $[0, 1]$, float64, CPU.  Two noise forms of the same SDE:

* ``general``: the diffusion is the $D \times D$ matrix $\phi'(0) s(x) I_D$
  (ours: :class:`GeneralNoise`; torchsde: ``noise_type="general"``; sdeint: ``G`` returns the matrix);
* ``general_prealloc``: the same matrix, but the user's diffusion writes $s(x)$ into the diagonal of
  one preallocated ``(n_paths, D, D)`` buffer instead of allocating a new matrix per step (ours and
  torchsde; sdeint's per-path ``G`` is the same as in ``general``);
* ``diagonal``: the diffusion is the vector $\phi'(0) s(x) \mathbf 1$
  (ours: :class:`DiagonalNoise`; torchsde: ``noise_type="diagonal"``; sdeint has no diagonal mode,
  so ``G`` returns the diagonal matrix).

Every timing includes drawing the Brownian increments (each package's default way).  sdeint
integrates one path at a time: a subset of paths is timed and scaled linearly to $10^4$ (said in
the output).  Each implementation runs in its own subprocess with ``OMP/OPENBLAS/MKL_NUM_THREADS``
and ``torch.set_num_threads`` set to ``--threads``; one untimed warm-up, then ``--repeats`` timed runs.

Usage (from the repository root, product venv; the peers run in the venv made by
``benchmarks/sde_peers/setup.sh``)::

    .venv/bin/python benchmarks/bench_sde.py [--threads 1] [--repeats 3] [--peer-python /work/sdevenv/bin/python]

Results and their discussion: ``benchmarks/SDE.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

D, N_PATHS, N_STEPS, SW2, SB2 = 16, 10_000, 1000, 1.0, 0.1
PHI1, PHI2 = 0.5, 0.5  # swish: phi'(0), phi''(0)
SDEINT_PATHS = 20  # paths timed for sdeint, scaled to N_PATHS
VARIANTS = ("general", "general_prealloc", "diagonal")
ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- implementations


def run_ours(variant: str, seed: int) -> tuple[float, float]:
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from numerics.core.sde import DiagonalNoise, GeneralNoise, solve

    def s(x):
        return np.sqrt(SB2 + (SW2 / D) * np.einsum("...i,...i->...", t := np.tanh(x), t))[..., None]

    def drift(t, x, args):
        return (0.5 * PHI2) * s(x) ** 2

    eye = np.eye(D)
    G = np.zeros((N_PATHS, D, D))  # general_prealloc: one buffer, diagonal rewritten each call
    G_diagonal = G.reshape(N_PATHS, D * D)[:, :: D + 1]

    def diffusion_prealloc(t, x, args):
        np.multiply(PHI1, s(x), out=G_diagonal)  # s(x) has shape (N, 1): broadcast over the diagonal
        return G

    noise = {
        "general": GeneralNoise(lambda t, x, a: (PHI1 * s(x))[..., None] * eye, D),
        "general_prealloc": GeneralNoise(diffusion_prealloc, D),
        "diagonal": DiagonalNoise(lambda t, x, a: PHI1 * s(x)),
    }[variant]
    x0 = np.zeros((N_PATHS, D))
    start, cpu = time.perf_counter(), time.process_time()
    y = solve(drift, noise, x0, n_steps=N_STEPS, seed=seed).y
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    assert y.shape == (N_PATHS, D) and np.all(np.isfinite(y))
    return elapsed


def run_torchsde(variant: str, seed: int) -> tuple[float, float]:
    import torch
    import torchsde

    torch.manual_seed(seed)

    class ResNetSDE(torch.nn.Module):
        noise_type = "diagonal" if variant == "diagonal" else "general"

        def __init__(self):
            super().__init__()
            self.G = torch.zeros(N_PATHS, D, D, dtype=torch.float64)
        sde_type = "ito"

        def s(self, x):
            return torch.sqrt(SB2 + (SW2 / D) * (torch.tanh(x) ** 2).sum(-1, keepdim=True))

        def f(self, t, x):
            return (0.5 * PHI2) * self.s(x) ** 2 * torch.ones_like(x)

        def g(self, t, x):
            s = PHI1 * self.s(x)
            if variant == "diagonal":
                return s.expand_as(x)
            if variant == "general_prealloc" and x.shape[0] == N_PATHS:
                self.G.diagonal(dim1=-2, dim2=-1).copy_(s.expand_as(x))
                return self.G
            return s[..., None] * torch.eye(D, dtype=x.dtype)

    x0 = torch.zeros(N_PATHS, D, dtype=torch.float64)
    ts = torch.tensor([0.0, 1.0], dtype=torch.float64)
    sde = ResNetSDE()
    start, cpu = time.perf_counter(), time.process_time()
    with torch.no_grad():
        ys = torchsde.sdeint(sde, x0, ts, method="euler", dt=1.0 / N_STEPS)
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    assert ys.shape == (2, N_PATHS, D) and bool(torch.isfinite(ys).all())
    return elapsed


def run_sdeint(variant: str, seed: int) -> tuple[float, float]:
    import numpy as np
    import sdeint

    np.random.seed(seed)

    def s(x):
        return math.sqrt(SB2 + (SW2 / D) * float(np.dot(t := np.tanh(x), t)))

    def f(x, t):
        return np.full(D, 0.5 * PHI2 * s(x) ** 2)

    eye = np.eye(D)

    def G(x, t):  # sdeint needs the (d, m) matrix for both variants
        return (PHI1 * s(x)) * eye

    tspan = np.linspace(0.0, 1.0, N_STEPS + 1)
    x0 = np.zeros(D)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(SDEINT_PATHS):
        y = sdeint.itoEuler(f, G, x0, tspan)
    elapsed = (time.perf_counter() - start, time.process_time() - cpu)
    assert y.shape == (N_STEPS + 1, D)
    return tuple(e * (N_PATHS / SDEINT_PATHS) for e in elapsed)


RUNNERS = {"ours": run_ours, "torchsde": run_torchsde, "sdeint": run_sdeint}


def _set_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def child(impl: str, variant: str, repeats: int, threads: int) -> dict:
    """Run one implementation in this process (the environment's thread variables already set)."""
    if impl == "torchsde":
        import torch

        torch.set_num_threads(threads)
    runner = RUNNERS[impl]
    global N_PATHS, SDEINT_PATHS
    full, N_PATHS = N_PATHS, 200  # untimed warm-up on a small batch
    sub, SDEINT_PATHS = SDEINT_PATHS, 1
    runner(variant, seed=0)
    N_PATHS, SDEINT_PATHS = full, sub
    runs = [runner(variant, seed=1 + r) for r in range(repeats)]
    return {"impl": impl, "variant": variant, "seconds": [w for w, _ in runs], "cpu_seconds": [c for _, c in runs],
            "threads": threads,
            "scaled_from_paths": SDEINT_PATHS if impl == "sdeint" else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-python", default="/work/sdevenv/bin/python")
    parser.add_argument("--impls", default="ours,torchsde,sdeint")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--child", nargs=2, metavar=("IMPL", "VARIANT"), help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.child:
        print(json.dumps(child(*opts.child, opts.repeats, opts.threads)))
        return 0

    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(opts.threads)
    results = {}
    variants = opts.variants.split(",")
    for variant in variants:
        for impl in opts.impls.split(","):
            python = sys.executable if impl == "ours" else opts.peer_python
            cmd = [python, __file__, "--child", impl, variant, "--repeats", str(opts.repeats),
                   "--threads", str(opts.threads)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            results[(impl, variant)] = res
            note = f" (sdeint: {res['scaled_from_paths']} paths timed, scaled to {N_PATHS})" if impl == "sdeint" else ""
            print(f"{variant:9s} {impl:9s} wall " + " ".join(f"{x:8.3f}s" for x in res["seconds"])
                  + "   cpu " + " ".join(f"{x:8.3f}s" for x in res["cpu_seconds"]) + note, flush=True)
    print(f"\nratios per run (peer time / our time), {N_PATHS} paths x {N_STEPS} steps, D={D}, threads={opts.threads}:")
    for variant in variants:
        ours = results.get(("ours", variant))
        for peer in ("sdeint", "torchsde"):
            if ours and (peer, variant) in results:
                for key in ("seconds", "cpu_seconds"):
                    ratios = [p / o for p, o in zip(results[(peer, variant)][key], ours[key])]
                    print(f"{variant:9s} {peer:9s}/ours {key.split('_')[0]:4s}: " + " ".join(f"{r:7.2f}" for r in ratios)
                          + f"   (min {min(ratios):.2f})")
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        i = sys.argv.index("--threads") if "--threads" in sys.argv else None
        _set_threads(int(sys.argv[i + 1]) if i else 1)
    sys.exit(main())
