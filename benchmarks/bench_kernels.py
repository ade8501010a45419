"""Benchmark the depth-L NNGP+NTK Gram matrix of a ReLU MLP (float64).

Three routes, timed in one run on identical inputs
``x = np.random.default_rng(seed).standard_normal((n, dim))``:

1. ours        ``numerics.kernel.recursions.nngp_ntk(x, activation="relu", depth=L,
               W_std=1.5, b_std=0.05)``;
2. lambdify    the same recursion built from the textbook ReLU dual as SymPy
               expressions, compiled with ``sympy.lambdify(..., "numpy",
               cse=True)`` and iterated in NumPy;
3. nt          neural-tangents' jitted analytic ``kernel_fn`` (JAX, x64), run
               as a subprocess with the python of a separate venv
               (``benchmarks/neural_tangents``); skipped if that venv is absent.

Each route is warmed up once, then timed ``--repeats`` times; the table shows
median / min seconds and the ratio others/ours (> 1 means ours is faster),
plus the max elementwise relative difference of NNGP and NTK against ours.
A JSON line with all numbers is printed last (``--json FILE`` also writes it).

Run from the repository root:

    python benchmarks/bench_kernels.py [--n 1000 --depth 10 --repeats 5]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time

import numpy as np
import sympy

import numerics.kernel.recursions

W_STD = 1.5
B_STD = 0.05
SEED = 0
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NT_SCRIPT = os.path.join(REPO, "benchmarks", "neural_tangents", "nt_kernel_fn.py")


# --------------------------------------------------------------------------
# route 1: ours
# --------------------------------------------------------------------------
def ours(x, depth):
    return numerics.kernel.recursions.nngp_ntk(x, activation="relu", depth=depth,
                                     W_std=W_STD, b_std=B_STD)


# --------------------------------------------------------------------------
# route 2: sympy.lambdify of the textbook ReLU dual
# --------------------------------------------------------------------------
def build_lambdify():
    """Lambdified V(q1, q2, c) and Vdot(q1, q2, c) of ReLU (arc-cosine kernel)."""
    q1, q2, c = sympy.symbols("q1 q2 c", real=True)
    theta = sympy.acos(c / sympy.sqrt(q1 * q2))
    V = (sympy.sqrt(q1 * q2 - c**2) + (sympy.pi - theta) * c) / (2 * sympy.pi)
    Vdot = (sympy.pi - theta) / (2 * sympy.pi)
    f_V = sympy.lambdify((q1, q2, c), V, "numpy", cse=True)
    f_Vdot = sympy.lambdify((q1, q2, c), Vdot, "numpy", cse=True)
    return f_V, f_Vdot


def lambdify_route(x, depth, f_V, f_Vdot):
    """K <- W^2 V(K11, K22, K12) + b^2;  Theta <- K_new + W^2 Vdot Theta.

    The correlation c/sqrt(q1 q2) is clipped to [-1, 1] (np.clip) by clipping
    c to [-sqrt(q1 q2), sqrt(q1 q2)] before the call; without it, rounding
    makes arccos/sqrt return NaN on (and near) the diagonal.
    """
    w2, b2 = W_STD**2, B_STD**2
    d = x.shape[1]
    k12 = w2 * (x @ x.T) / d + b2
    k11 = w2 * np.einsum("ij,ij->i", x, x) / d + b2
    ntk = k12.copy()
    for _ in range(depth):
        qa, qb = k11[:, None], k11[None, :]
        s = np.sqrt(qa * qb)
        c = s * np.clip(k12 / s, -1.0, 1.0)
        v = f_V(qa, qb, c)
        vd = f_Vdot(qa, qb, c)
        k12 = w2 * v + b2
        ntk = k12 + w2 * vd * ntk
        k11 = w2 * k11 / 2 + b2
    return k12, ntk


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
CPU = {}  # id(fn) -> median process CPU seconds (all threads) of the last timed() call


def timed(fn, repeats):
    fn()  # warm-up
    times, cpus = [], []
    out = None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    CPU["last"] = statistics.median(cpus)
    return out, statistics.median(times), min(times)


def max_rel(a, ref):
    a = np.asarray(a, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    denom = np.maximum(np.abs(ref), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - ref) / denom))


def find_nt_python(arg):
    if arg:
        return arg if os.path.exists(arg) else None
    for cand in (os.path.join(REPO, ".nt-venv", "bin", "python"),):
        if os.path.exists(cand):
            return cand
    return None


NT_HELP = """neural-tangents: not available (--nt-python missing or not found; no .nt-venv/bin/python).
  Set it up in a separate venv (Python 3.9-3.11, ~2 GB; see
  benchmarks/neural_tangents/README.md):
      bash benchmarks/neural_tangents/setup.sh            # creates .nt-venv
  then rerun, or pass --nt-python /path/to/venv/bin/python."""


def run_nt(nt_python, n, depth, dim, repeats, x_ref):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "nt.npz")
        cmd = [nt_python, NT_SCRIPT, "--n", str(n), "--depth", str(depth),
               "--dim", str(dim), "--repeats", str(repeats), "--seed", str(SEED),
               "--out", out]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"neural-tangents subprocess failed (rc={proc.returncode}):\n"
                               f"{proc.stderr[-2000:]}")
        info = None
        for line in proc.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    info = json.loads(line)
                except json.JSONDecodeError:
                    continue
        if info is None:
            raise RuntimeError(f"no JSON line in neural-tangents output:\n{proc.stdout[-2000:]}")
        with np.load(out) as z:
            nngp, ntk, x = z["nngp"], z["ntk"], z["x"]
    if x.shape != x_ref.shape or not np.array_equal(x, x_ref):
        raise RuntimeError("neural-tangents used different inputs than ours")
    info["subprocess_wall_s"] = wall
    return info, nngp, ntk


def _pair_kernels(name, x2, depth):
    """The depth-L kernels of two inputs by the recursion with every dual from
    numerics.dual.reference.pair_expectation (adaptive, error <= 1e-13 of the
    Cauchy-Schwarz bound): an independent path for one entry of the Gram."""
    from numerics.dual.activations import activation
    from numerics.kernel.entrywise import entrywise_nngp_ntk

    return entrywise_nngp_ntk(activation(name), x2, depth=depth, W_std=W_STD, b_std=B_STD)


def sampled_error(name, x, depth, nngp, ntk, n_random):
    """Largest relative error of entries (i, j) of the Gram against _pair_kernels."""
    rng = np.random.default_rng(1)
    g = x @ x.T
    nrm = np.sqrt(np.diag(g))
    cos = g / np.outer(nrm, nrm)
    np.fill_diagonal(cos, 0.0)
    pairs = [tuple(rng.choice(x.shape[0], 2, replace=False)) for _ in range(n_random)]
    pairs += [np.unravel_index(np.argmax(cos), cos.shape), np.unravel_index(np.argmin(cos), cos.shape)]
    e1 = e2 = 0.0
    for i, j in pairs:
        k, t = _pair_kernels(name, x[[i, j]], depth)
        e1 = max(e1, float(np.max(np.abs(nngp[np.ix_([i, j], [i, j])] - k) / np.abs(k))))
        e2 = max(e2, float(np.max(np.abs(ntk[np.ix_([i, j], [i, j])] - t) / np.abs(t))))
    return {"nngp_err": e1, "ntk_err": e2, "pairs": [[int(i), int(j)] for i, j in pairs]}


def _mp_activations():
    import mpmath

    def sig(x):
        return 1 / (1 + mpmath.exp(-x))

    return {"tanh": (mpmath.tanh, lambda x: mpmath.sech(x) ** 2),
            "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), sig),
            "silu": (lambda x: x * sig(x), lambda x: sig(x) * (1 + x * (1 - sig(x))))}


def mp_sampled_error(name, x, depth, nngp, ntk, n_random):
    """Largest relative error of the 2 x 2 blocks of ``n_random`` random pairs and the most correlated pair
    against the recursion on the pair's own kernel with every dual from ``mp_pair_expectation`` (24 digits)."""
    import mpmath

    from numerics.dual.mp_reference import mp_pair_expectation
    phi, dphi = _mp_activations()[name]
    rng = np.random.default_rng(2)
    g = x @ x.T
    nrm = np.sqrt(np.diag(g))
    cos = g / np.outer(nrm, nrm)
    np.fill_diagonal(cos, 0.0)
    pairs = [tuple(rng.choice(x.shape[0], 2, replace=False)) for _ in range(n_random)]
    pairs += [np.unravel_index(np.argmax(cos), cos.shape)]
    w2, b2 = mpmath.mpf(W_STD) ** 2, mpmath.mpf(B_STD) ** 2
    e1 = e2 = 0.0
    for i, j in pairs:
        xs = [[mpmath.mpf(float(v)) for v in x[a]] for a in (i, j)]
        k = [[w2 * mpmath.fsum(p * r for p, r in zip(xs[a], xs[b])) / x.shape[1] + b2 for b in (0, 1)] for a in (0, 1)]
        t = [row[:] for row in k]
        for _ in range(depth):
            duals = {}
            for a, b in ((0, 0), (1, 1), (0, 1)):
                rho = mpmath.mpf(1) if a == b else min(max(k[0][1] / mpmath.sqrt(k[0][0] * k[1][1]), -1), 1)
                duals[a, b] = [mp_pair_expectation(f, f, k[a][a], k[b][b], rho).value for f in (phi, dphi)]
            nk = [[w2 * duals[min(a, b), max(a, b)][0] + b2 for b in (0, 1)] for a in (0, 1)]
            t = [[nk[a][b] + w2 * duals[min(a, b), max(a, b)][1] * t[a][b] for b in (0, 1)] for a in (0, 1)]
            k = nk
        kk, tt = np.array(k, dtype=float), np.array(t, dtype=float)
        e1 = max(e1, float(np.max(np.abs(nngp[np.ix_([i, j], [i, j])] - kk) / np.abs(kk))))
        e2 = max(e2, float(np.max(np.abs(ntk[np.ix_([i, j], [i, j])] - tt) / np.abs(tt))))
    return {"mp_nngp_err": e1, "mp_ntk_err": e2, "mp_pairs": [[int(i), int(j)] for i, j in pairs]}


def interleaved(nt_python, x, depth, rounds, repeats):
    """Rounds of (ours x repeats, NT x repeats) in one run, NT in a persistent jitted server.

    Returns per-round medians, the 1-minute load average at each round and the value agreement."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "nt.npz")
        cmd = [nt_python, NT_SCRIPT, "--serve", "--n", str(x.shape[0]), "--depth", str(depth),
               "--dim", str(x.shape[1]), "--seed", str(SEED), "--out", out]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env=env)
        try:
            ready = json.loads(proc.stdout.readline())
            with np.load(out) as z:
                if not np.array_equal(z["x"], x):
                    raise RuntimeError("neural-tangents used different inputs than ours")
                nt_nngp, nt_ntk = z["nngp"], z["ntk"]
            nngp, ntk = ours(x, depth)  # warm-up
            result = {"compile_s": ready["compile_s"], "nt_version": ready["version"], "rounds": [],
                      "nngp_rel": max_rel(nt_nngp, nngp), "ntk_rel": max_rel(nt_ntk, ntk)}
            for _ in range(rounds):
                load = os.getloadavg()[0]
                mine, cpu = [], []
                for _ in range(repeats):
                    t0, c0 = time.perf_counter(), time.process_time()
                    ours(x, depth)
                    mine.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                proc.stdin.write(f"time {repeats}\n")
                proc.stdin.flush()
                theirs = json.loads(proc.stdout.readline())["times"]
                result["rounds"].append({"load1": load, "ours_s": statistics.median(mine),
                                         "ours_cpu_s": statistics.median(cpu), "ours_min_s": min(mine),
                                         "nt_min_s": min(theirs),
                                         "nt_s": statistics.median(theirs),
                                         "ratio": statistics.median(mine) / statistics.median(theirs)})
        finally:
            if proc.stdin and not proc.stdin.closed:
                proc.stdin.write("quit\n")
                proc.stdin.close()
            proc.wait(timeout=60)
    return result


# --------------------------------------------------------------------------
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--dim", type=int, default=16)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--nt-python", default=None,
                   help="python of the neural-tangents venv (default: .nt-venv/bin/python)")
    p.add_argument("--numerical", nargs="*", default=["tanh", "softplus", "silu"],
                   help="activations without a closed form timed in the same run (Mehler route)")
    p.add_argument("--sample", type=int, default=4,
                   help="random pairs (plus the most correlated and most anti-correlated input pairs) "
                        "checked against the adaptive reference recursion, per numerical activation")
    p.add_argument("--mp-sample", type=int, default=0,
                   help="random pairs (plus the most correlated) checked against a recursion on the mpmath "
                        "reference (numerics.dual.mp_reference; about 1-2 min per pair)")
    p.add_argument("--json", default=None, help="also write the JSON result to this file")
    p.add_argument("--interleave", type=int, default=0, metavar="ROUNDS",
                   help="only ReLU against neural-tangents: ROUNDS rounds of (ours, NT) x repeats, "
                        "interleaved in one run, NT jitted once in a persistent subprocess")
    a = p.parse_args(argv)
    if a.interleave:
        x = np.random.default_rng(SEED).standard_normal((a.n, a.dim))
        nt_python = find_nt_python(a.nt_python)
        if nt_python is None:
            print(NT_HELP)
            return None
        res = interleaved(nt_python, x, a.depth, a.interleave, a.repeats)
        print(f"ReLU depth={a.depth} n={a.n}: ours vs neural-tangents {res['nt_version']} (jit; compile "
              f"{res['compile_s']:.2f} s not timed); max rel diff nngp {res['nngp_rel']:.1e}, ntk {res['ntk_rel']:.1e}")
        print(f"{'round':>5} {'load1':>6} {'ours s':>8} {'NT s':>8} {'ours/NT':>8} {'min/min':>8} {'ours cpu s':>10}")
        for i, r in enumerate(res["rounds"], 1):
            print(f"{i:>5} {r['load1']:>6.1f} {r['ours_s']:>8.4f} {r['nt_s']:>8.4f} {r['ratio']:>8.3f} "
                  f"{r['ours_min_s'] / r['nt_min_s']:>8.3f} {r['ours_cpu_s']:>10.4f}")
        print(json.dumps({"benchmark": "nngp_ntk_relu_interleaved", "n": a.n, "depth": a.depth,
                          "repeats": a.repeats, **res}))
        return res

    x = np.random.default_rng(SEED).standard_normal((a.n, a.dim))
    print(f"NNGP+NTK Gram, ReLU MLP depth={a.depth}, W_std={W_STD}, b_std={B_STD}, "
          f"n={a.n}, dim={a.dim}, float64, repeats={a.repeats} "
          f"(python {platform.python_version()}, numpy {np.__version__}, "
          f"sympy {sympy.__version__}, {os.cpu_count()} cpus)")

    rows = []

    # 1. ours
    (nngp0, ntk0), med, mn = timed(lambda: ours(x, a.depth), a.repeats)
    rows.append({"route": "ours (numerics.kernel.recursions.nngp_ntk)", "key": "ours",
                 "median_s": med, "min_s": mn, "cpu_s": CPU["last"], "nngp_rel": 0.0, "ntk_rel": 0.0})
    cpu_relu = CPU["last"]
    t_ours = med

    # 2. sympy.lambdify
    t0 = time.perf_counter()
    f_V, f_Vdot = build_lambdify()
    build_s = time.perf_counter() - t0
    with np.errstate(invalid="raise"):
        (nngp1, ntk1), med, mn = timed(lambda: lambdify_route(x, a.depth, f_V, f_Vdot), a.repeats)
    rows.append({"route": "sympy.lambdify (numpy, cse=True)", "key": "lambdify",
                 "median_s": med, "min_s": mn, "build_s": build_s,
                 "nngp_rel": max_rel(nngp1, nngp0), "ntk_rel": max_rel(ntk1, ntk0),
                 "nan": bool(np.isnan(nngp1).any() or np.isnan(ntk1).any())})

    # 3. neural-tangents
    nt_python = find_nt_python(a.nt_python)
    nt_note = None
    if nt_python is None:
        nt_note = "not available"
        print(NT_HELP)
    else:
        try:
            info, nngp2, ntk2 = run_nt(nt_python, a.n, a.depth, a.dim, a.repeats, x)
            rows.append({"route": f"neural-tangents {info.get('version', '?')} "
                                  f"(jax {info.get('jax', '?')}, jit)", "key": "nt",
                         "median_s": info["median_s"], "min_s": info["min_s"],
                         "compile_s": info.get("compile_s"),
                         "subprocess_wall_s": info["subprocess_wall_s"],
                         "nngp_rel": max_rel(nngp2, nngp0), "ntk_rel": max_rel(ntk2, ntk0),
                         "nt_python": nt_python})
        except Exception as e:  # report and go on: the other routes are still valid
            nt_note = f"failed: {e}"
            print(f"neural-tangents: {nt_note}")

    # 4. activations without a closed form (numerics.dual.mehler), same run
    numerical = []
    for name in a.numerical:
        (k_num, t_num), med, mn = timed(lambda: numerics.kernel.recursions.nngp_ntk(
            x, activation=name, depth=a.depth, W_std=W_STD, b_std=B_STD), a.repeats)
        err = sampled_error(name, x, a.depth, k_num, t_num, a.sample)
        if a.mp_sample:
            err.update(mp_sampled_error(name, x, a.depth, k_num, t_num, a.mp_sample))
        numerical.append({"activation": name, "median_s": med, "min_s": mn, "ratio_to_relu": med / t_ours,
                          "cpu_s": CPU["last"], "cpu_ratio_to_relu": CPU["last"] / cpu_relu, **err})

    for r in rows:
        r["ratio_to_ours"] = r["median_s"] / t_ours
        r["ratio_to_ours_min"] = r["min_s"] / rows[0]["min_s"]

    # table
    print()
    hdr = f"{'route':<46} {'median s':>10} {'min s':>10} {'ratio':>8}   {'max rel diff vs ours (nngp / ntk)'}"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        agree = "-" if r["key"] == "ours" else f"{r['nngp_rel']:.1e} / {r['ntk_rel']:.1e}"
        print(f"{r['route']:<46} {r['median_s']:>10.4f} {r['min_s']:>10.4f} "
              f"{r['ratio_to_ours']:>7.2f}x   {agree}")
    print("ratio = median(route) / median(ours); > 1 means ours is faster.")
    lam = rows[1]
    print(f"lambdify: one-off sympy build+lambdify {lam['build_s']:.3f} s (not timed above); "
          f"correlation clipped to [-1, 1] (np.clip) so arccos/sqrt give no NaN.")
    for r in rows:
        if r["key"] == "nt":
            print(f"neural-tangents: first jitted call (trace+compile+run) {r['compile_s']:.3f} s, "
                  f"subprocess wall {r['subprocess_wall_s']:.1f} s (not timed above).")
    if nt_note:
        print(f"neural-tangents: {nt_note}")
    if numerical:
        print()
        print(f"{'activation (Mehler route)':<28} {'median s':>10} {'min s':>10} {'x relu':>8} {'cpu s':>7} "
              f"{'cpu x relu':>10}   max rel err vs reference (nngp / ntk) on {a.sample}+2 pairs")
        print(f"{'relu (closed form)':<28} {t_ours:>10.4f} {rows[0]['min_s']:>10.4f} {1.0:>7.2f}x {cpu_relu:>7.3f} "
              f"{1.0:>9.2f}x")
        for r in numerical:
            mp = f"; mpmath ({a.mp_sample}+1 pairs) {r['mp_nngp_err']:.1e} / {r['mp_ntk_err']:.1e}" if a.mp_sample else ""
            print(f"{r['activation']:<28} {r['median_s']:>10.4f} {r['min_s']:>10.4f} {r['ratio_to_relu']:>7.2f}x "
                  f"{r['cpu_s']:>7.3f} {r['cpu_ratio_to_relu']:>9.2f}x   {r['nngp_err']:.1e} / {r['ntk_err']:.1e}{mp}")
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}; cpu = median process CPU time (all threads)")

    result = {
        "benchmark": "nngp_ntk_relu",
        "n": a.n, "depth": a.depth, "dim": a.dim, "repeats": a.repeats,
        "W_std": W_STD, "b_std": B_STD, "seed": SEED, "dtype": "float64",
        "python": platform.python_version(), "numpy": np.__version__,
        "sympy": sympy.__version__, "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "routes": {r["key"]: {k: v for k, v in r.items() if k != "key"} for r in rows},
        "nt_note": nt_note,
        "numerical": numerical,
    }
    line = json.dumps(result)
    print(line)
    if a.json:
        with open(a.json, "w") as f:
            f.write(line + "\n")
    return result


if __name__ == "__main__":
    main()
