"""The ``deeplimits`` command line.

``list``, ``show``, ``eval``, ``export-latex``, ``verify`` and ``codegen``.
Bad input (an unknown id, a parameter outside its domain, an unknown option, a
missing argument) prints one line to stderr and exits with status 2;
``codegen --check`` exits with 1 and names the stale files when the generated
code and the catalog disagree.

It answers at once: nothing heavy is imported to parse the command line, and
SymPy only when a record is really derived.  ``show`` and ``export-latex`` are
served from a cache (:mod:`verify.record_cache`) that is trusted only while the
derivation sources are unchanged and the record's digest equals its generated
module's; commands that take more than a few seconds report progress on stderr
with an estimate of the time left (:mod:`verify.progress`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

__all__ = ["build_parser", "main", "package_version"]

#: ``verify.core.claim.PROFILES`` by name, spelled out so that parsing imports no harness (a test keeps them equal).
_PROFILE_NAMES = ("smoke", "quick", "thorough")

#: The pair and diagonal Gaussian expectations of an activation, by their arguments.
_DUAL_FUNCTIONS = {"dual": ("q1", "q2", "c"), "dual_derivative": ("q1", "q2", "c"),
                   "dual_and_derivative": ("q1", "q2", "c"), "variance": ("q",), "derivative_variance": ("q",)}


def package_version() -> str:
    """The installed version of deeplimits (package metadata), else the one in ``pyproject.toml``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("deeplimits")
    except PackageNotFoundError:
        pass
    import re
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
    except OSError:
        match = None
    return match.group(1) if match else "unknown"


# -- generated modules: metadata without SymPy ---------------------------------
def _modules() -> dict[str, str]:
    from numerics.generated import MODULES  # a plain dict: no NumPy

    return MODULES


def _known_id(record_id: str) -> str:
    modules = _modules()
    if record_id not in modules:
        raise ValueError(f"unknown record id {record_id!r}; `deeplimits list` shows the {len(modules)} known ids")
    return record_id


def _generated_digest(record_id: str) -> str:
    """``RECORD["digest"]`` of the record's generated module, read from its text (no import, no NumPy)."""
    import importlib.util
    import re
    from pathlib import Path

    spec = importlib.util.find_spec(f"numerics.generated.{_modules()[record_id]}")
    try:
        text = Path(spec.origin).read_text(encoding="utf-8")
    except (AttributeError, TypeError, OSError):
        return ""
    match = re.search(r'^RECORD = \{.*?"digest": "([0-9a-f]+)"', text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def _generated_module(record_id: str):
    return importlib.import_module(f"numerics.generated.{_modules()[_known_id(record_id)]}")


# -- list ------------------------------------------------------------------------
def _record_rows() -> list[dict]:
    """Metadata of every catalog record, read from its generated module (no derivation runs)."""
    rows = []
    for rid in _modules():
        module = _generated_module(rid)
        meta = module.RECORD
        rows.append({"id": rid, "title": meta["title"], "source": meta["source"],
                     "architecture": meta.get("architecture", ""), "parameters": list(module.PARAMETERS)})
    return rows


def _cmd_list(args) -> int:
    from verify.terminal import prose, terminal_width

    rows = _record_rows()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = terminal_width()
    id_width = max(len(r["id"]) for r in rows)
    aligned = id_width + 2 <= width // 2
    for r in rows:
        if aligned:
            lines = prose(r["title"], width=width, first=f"{r['id']:<{id_width}}  ", indent=" " * (id_width + 2))
        else:
            lines = [r["id"], *prose(r["title"], width=width, first="  ", indent="  ")]
        for label in ("source", "architecture"):
            if r[label]:
                lines += prose(r[label], width=width, first=f"    {label}: ", indent="      ")
        lines += prose(", ".join(r["parameters"]), width=width, first="    parameters: ", indent="      ")
        print("\n".join(lines))
    return 0


# -- show --------------------------------------------------------------------------
def _show_payload(rec) -> dict:
    """Everything ``show`` prints, as plain data (what the cache stores)."""
    return {"summary": rec.summary(),
            "domains": {p.name: p.domain.describe() for p in rec.parameters},
            "arguments": {name: [p.name for p in rec.args_of(name)] for name in rec.expressions}}


def _derive(record_id: str, *, why: str = ""):
    from derivations import catalog
    from verify.progress import Announce
    from verify.record_cache import last_seconds, remember_seconds

    status = Announce(f"deriving {record_id}{why}", estimate=last_seconds(record_id))
    try:
        rec = catalog.get(record_id)
    except BaseException:
        status.done("failed")
        raise
    remember_seconds(record_id, status.done())
    return rec


def _cached(kind: str, record_id: str, make, *, use_cache: bool):
    """``make(record)`` for a catalog record, from the cache when a trusted entry exists (see module docstring)."""
    from verify.record_cache import load, source_fingerprint, store

    digest = _generated_digest(record_id)
    fingerprint = source_fingerprint()
    if use_cache and digest:
        hit = load(kind, record_id, fingerprint=fingerprint, digest=digest)
        if hit is not None:
            return hit
    rec = _derive(record_id, why=" (not in the cache yet)" if use_cache else "")
    value = make(rec)
    if rec.digest() != digest:
        print(f"note: numerics/generated/{_modules()[record_id]}.py is out of date (run `deeplimits codegen`); "
              "not cached", file=sys.stderr)
    elif use_cache:
        store(kind, record_id, value, fingerprint=fingerprint, digest=digest)
    return value


def _cmd_show(args) -> int:
    if (args.id is None) == (args.expr is None):
        raise ValueError("show needs exactly one of: a record ID, or --expr EXPRESSION (a SymPy expression of x)")
    if args.expr is not None:
        from derivations.core.safe_parse import parse_activation

        phi = parse_activation(args.expr, what="--expr")  # never evaluated as Python
        from derivations.core.codegen import emit_module
        from derivations.dual.duals import custom_activation
        from verify.progress import Announce

        status = Announce(f"deriving the dual of {args.expr}")
        try:
            rec = custom_activation(phi)
        except BaseException:
            status.done("failed")
            raise
        status.done()
        payload = _show_payload(rec)
        python = emit_module(rec) if args.python else ""
    else:
        _known_id(args.id)
        use_cache = not args.no_cache
        if args.python:
            from derivations.core.codegen import emit_module

            python, payload = _cached("python", args.id, emit_module, use_cache=use_cache), None
        else:
            payload = _cached("show", args.id, _show_payload, use_cache=use_cache)
    if args.python:
        print(python, end="" if python.endswith("\n") else "\n")
    elif args.json:
        print(json.dumps(payload["summary"], indent=2))
    elif args.latex:
        for name, tex in payload["summary"]["latex"].items():
            print(f"% {name}\n{tex}")
    else:
        print("\n".join(_show_lines(payload)))
    return 0


def _show_lines(payload: dict) -> list[str]:
    """The plain-terminal view of a record: fits the width, maths as Unicode."""
    from verify.terminal import prose, terminal_width, wrap

    s, width = payload["summary"], terminal_width()
    lines = prose(s["title"], width=width, first=f"{s['id']}: ", indent="  ")
    lines += prose(s["source"], width=width, first="source: ", indent="  ")
    lines += prose(s["derivation"]["method"], width=width, first="derivation: ", indent="  ")
    if s["architecture"]:
        lines += prose(s["architecture"], width=width, first="architecture: ", indent="  ")
    for step in s["derivation"]["steps"]:
        lines += prose(step, width=width, first="  - ", indent="    ")
    if s["derivation"]["checks"]:
        lines += prose(", ".join(s["derivation"]["checks"]), width=width, first="checks: ", indent="  ")
    for a in s["assumptions"]:
        lines += prose(a, width=width, first="assumes: ", indent="  ")
    if s["notes"]:
        lines += prose(s["notes"], width=width, first="notes: ", indent="  ")
    lines.append("parameters:")
    for p in s["parameters"]:
        lines += prose(p["description"], width=width, first=f"  {p['name']} in {payload['domains'][p['name']]}: ",
                       indent="      ")
    for name, expr in s["expressions"].items():
        lines += wrap(f"{name}({', '.join(payload['arguments'][name])}) = {expr}", width=width, indent="    ")
    return lines


# -- eval --------------------------------------------------------------------------
def _parse_params(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--param {item!r} must look like NAME=VALUE")
        name, value = item.split("=", 1)
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--param {name}={value!r}: the value must be a number") from None
    return out


def _evaluators(record_id: str, module) -> tuple[dict, dict[str, str]]:
    """``name -> (arguments, callable(**values))`` for a record, and ``name -> how`` for the non-generated ones.

    A ``dual.*`` record also gets the Gaussian expectations of its activation
    (:class:`numerics.dual.activations.Activation`): generated closed forms where
    they were derived, quadrature otherwise.
    """
    table = {name: (tuple(sig), getattr(module, name)) for name, sig in module.SIGNATURES.items()}
    how: dict[str, str] = {}
    if record_id.startswith("dual."):
        from numerics.dual.activations import activation

        own = tuple(p for p in module.SIGNATURES["phi"] if p != "x")
        for name, pair in _DUAL_FUNCTIONS.items():
            if name in table:
                continue

            def call(_name=name, _pair=pair, **values):
                act = activation(record_id.split(".", 1)[1], **{p: values[p] for p in own})
                return getattr(act, _name)(*(values[p] for p in _pair))

            table[name] = (pair + own, call)
            how[name] = "Gaussian quadrature (no closed form)"
    return table, how


def _cmd_eval(args) -> int:
    from numerics.core.records import bind_arguments

    module = _generated_module(args.id)
    params = _parse_params(args.param)
    table, how = _evaluators(args.id, module)
    names = [n for n in table if n != "dual_and_derivative"] if args.function is None else [args.function]
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"record {args.id!r} has no function {unknown[0]!r}; it has {', '.join(table)}")
    extra = sorted(set(params) - {p for n in names for p in table[n][0]})
    if extra:
        raise ValueError(f"record {args.id!r} has no parameter {extra[0]!r}; its functions take "
                         + "; ".join(f"{n}({', '.join(table[n][0])})" for n in names))
    results, defaults = {}, {}
    for name in names:
        sig, fn = table[name]
        needed = [p for p in sig if module.PARAMETERS[p]["default"] is None]
        if args.function is None and any(p not in params for p in needed):
            continue  # evaluate only the functions whose arguments were given
        values = bind_arguments(f"{args.id}.{name}", sig, module.PARAMETERS, params)
        defaults.update({p: float(values[p]) for p in sig if p not in params})
        results[name] = fn(**values)
    if not results:
        raise ValueError(f"no function of {args.id!r} has all its arguments; give --param for one of: "
                         + "; ".join(f"{n}({', '.join(s)})" for n, (s, _) in table.items()))
    values = {k: ([float(a) for a in v] if isinstance(v, tuple) else float(v)) for k, v in results.items()}
    routes = {k: how[k] for k in results if k in how}
    if args.json:
        print(json.dumps({"id": args.id, "params": params, "defaults": defaults, "values": values,
                          "routes": routes}))
        return 0
    for k, v in values.items():
        print(f"{k} = {tuple(v) if isinstance(v, list) else v!r}")
    if defaults:
        print("defaults used: " + ", ".join(f"{p}={v!r}" for p, v in defaults.items()))
    for route in sorted(set(routes.values())):
        print(f"by {route}: " + ", ".join(k for k, r in routes.items() if r == route))
    return 0


# -- export-latex ------------------------------------------------------------------
def _cmd_export(args) -> int:
    from pathlib import Path

    from verify.record_cache import load, source_fingerprint, store

    ids = [_known_id(i) for i in args.ids] if args.ids else list(_modules())
    digests = [_generated_digest(i) for i in ids]
    here = Path(__file__).resolve().parent
    fingerprint = source_fingerprint(here / "latex_export.py", here / "latex_prose.py")
    key, digest = "\n".join(ids), ",".join(digests)
    text = None if args.no_cache or not all(digests) else load("latex", key, fingerprint=fingerprint, digest=digest)
    if text is None:
        text, fresh = _typeset(ids)
        if not args.no_cache and fresh == digests:
            store("latex", key, text, fingerprint=fingerprint, digest=digest)
    with open(args.output, "w") as fh:
        fh.write(text)
    print(f"wrote {args.output}: {len(ids)} records")
    return 0


def _typeset(ids: list[str]) -> tuple[str, list[str]]:
    """The LaTeX document of ``ids``, deriving each record (with progress); and the records' digests."""
    from derivations import catalog
    from verify.latex_export import latex_document
    from verify.progress import Announce, Progress
    from verify.record_cache import last_seconds, remember_seconds

    known = [last_seconds(i) for i in ids]
    estimate = sum(known) if all(k is not None for k in known) else None
    records = []
    with Progress(len(ids), label="deriving records", unit="record", estimate=estimate) as bar:
        for rid in ids:
            bar.update(0, note=rid)
            records.append(catalog.get(rid))
            bar.update(note=rid)
    status = Announce(f"typesetting {len(records)} record(s)", estimate=last_seconds("latex:" + ",".join(ids)))
    text = latex_document(records)
    remember_seconds("latex:" + ",".join(ids), status.done())
    return text, [r.digest() for r in records]


# -- codegen -------------------------------------------------------------------------
def _emit_one(record_id: str) -> str:
    """The generated module of one record (run in a worker process)."""
    from derivations.catalog import get
    from derivations.core.codegen import emit_module

    return emit_module(get(record_id))


def _render_with_progress(label: str) -> dict[str, str]:
    """Every generated file, as :func:`derivations.core.codegen.render_catalog` renders it, with progress per record."""
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from derivations.catalog import ids as catalog_ids
    from derivations.core.codegen import _index_of_ids, module_name
    from verify.progress import Progress

    ids = catalog_ids()
    workers = max(1, min(os.cpu_count() or 1, 8, len(ids)))
    texts: dict[str, str] = {}
    with Progress(len(ids), label=label, unit="record") as bar:
        if workers == 1:
            for rid in ids:
                texts[rid] = _emit_one(rid)
                bar.update(note=rid)
        else:
            with ProcessPoolExecutor(workers) as pool:
                futures = {pool.submit(_emit_one, rid): rid for rid in ids}
                for future in as_completed(futures):
                    texts[futures[future]] = future.result()
                    bar.update(note=futures[future])
    files = {f"{module_name(i)}.py": texts[i] for i in ids}
    files["__init__.py"] = _index_of_ids(ids)
    return files


def _cmd_codegen(args) -> int:
    from derivations.core.codegen import stale_files, write_files

    files = _render_with_progress("codegen --check: deriving" if args.check else "codegen: deriving")
    if args.check:
        stale = stale_files(files)
        if stale:
            print("stale generated files (run `deeplimits codegen`): " + ", ".join(stale), file=sys.stderr)
            return 1
        print(f"generated code is up to date ({len(files) - 1} records)")
        return 0
    changed = write_files(files)
    print(f"regenerated {len(changed)} file(s)" + (": " + ", ".join(changed) if changed else ""))
    return 0


# -- verify --------------------------------------------------------------------------
def _cmd_verify(args) -> int:
    from verify.claims import CLAIMS, check, get_claim
    from verify.progress import Progress
    from verify.record_cache import last_seconds, remember_seconds
    from verify.report import table, to_json, write_report

    if args.claims:
        from verify.core.loading import load_claims

        available, sources = {}, {}
        for path in args.claims:
            for c in load_claims(path):
                if c.id in available and available[c.id] is not c:
                    raise ValueError(f"claim id {c.id!r} is declared by more than one --claims file")
                available[c.id], sources[c.id] = c, path
    else:
        available, sources = dict(CLAIMS), {}
    unknown = [i for i in args.ids if i not in available]
    if unknown:
        if not args.claims:
            get_claim(unknown[0])  # the shipped catalog's one-line error
        raise ValueError(f"unknown claim {unknown[0]!r}; the --claims file(s) declare: {', '.join(available)}")
    claims = [available[i] for i in args.ids] if args.ids else list(available.values())
    if args.list:
        return _list_claims(claims, args.profile)
    if args.mutants:
        print(f"seed: {args.seed} (rerun with --seed {args.seed})", file=sys.stderr)
        from verify.mutants.cli import run_mutants
        from verify.parallel import default_workers

        return run_mutants(claims, profile=args.profile, seed=args.seed, json_path=args.json,
                           report_dir=args.report, workers=default_workers() if args.workers is None else args.workers,
                           scheduler=args.scheduler, sources=sources)
    print(f"seed: {args.seed} (rerun with --seed {args.seed}; another seed draws other examples)", file=sys.stderr)
    from verify.parallel import default_workers

    workers = default_workers() if args.workers is None else args.workers
    parallel = args.scheduler is not None or (workers > 1 and len(claims) > 1)  # else serial, in this process
    results = _verify_in_parallel(claims, sources, args, workers) if parallel else []
    for k, claim in enumerate(() if parallel else claims, 1):
        label = f"[{k}/{len(claims)}] {claim.id}"
        timing_key = f"claim:{claim.id}:{args.profile}"
        bar: list[Progress] = []

        def on_example(done: int, planned: int, _label=label, _key=timing_key, _bar=bar) -> None:
            if not _bar:
                _bar.append(Progress(planned, label=_label, unit="example", estimate=last_seconds(_key)))
            elif done > planned:
                _bar[0].update(note="shrinking a counterexample")
            else:
                _bar[0].update()

        try:
            res = check(claim, profile=args.profile, progress=on_example, seed=args.seed)
        finally:
            if bar:
                bar[0].close()
        remember_seconds(timing_key, res.seconds)
        print(f"{label}: {'pass' if res.passed else 'FAIL'} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        results.append(res)
    print(table(results))
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(to_json(results))
    if args.report:
        path = write_report(results, args.report)
        print(f"report: {path}")
    return 0 if all(r.passed for r in results) else 1


def _verify_in_parallel(claims, sources: dict, args, workers: int) -> list:
    """The claims checked by :func:`verify.parallel.run_claims`, one line on stderr per finished claim."""
    from verify.parallel import run_claims
    from verify.progress import format_seconds
    from verify.record_cache import last_seconds, remember_seconds

    def seconds(c) -> float | None:
        known = last_seconds(f"claim:{c.id}:{args.profile}")
        return MEASURED_QUICK_SECONDS.get(c.id) if known is None and args.profile == "quick" else known

    estimates = {c.id: seconds(c) or 0.0 for c in claims}
    where = (f"the dask cluster at {args.scheduler}" if args.scheduler is not None
             else f"{min(workers, len(claims))} worker processes")
    print(f"checking {len(claims)} claims on {where} (serial estimate {format_seconds(sum(estimates.values()))})",
          file=sys.stderr, flush=True)
    finished = []

    def on_done(index: int, res) -> None:
        finished.append(index)
        remember_seconds(f"claim:{res.claim.id}:{args.profile}", res.seconds)
        print(f"[{len(finished)}/{len(claims)}] {res.claim.id}: {'pass' if res.passed else 'FAIL'} "
              f"({res.seconds:.1f} s)", file=sys.stderr, flush=True)

    return run_claims(claims, profile=args.profile, seed=args.seed, workers=workers, scheduler=args.scheduler,
                      sources=sources, estimates=estimates, on_done=on_done)


#: Seconds each shipped claim took in the quick profile on the project's 2-core machine (the final run of
#: 2026-12-03, third session: 35 claims, 2 workers, 2 min 22 s wall, quiet machine), shown by ``verify --list``
#: until this machine has timed the claim itself.
MEASURED_QUICK_SECONDS = {
    "claim.dual_closed_forms": 1.9,
    "claim.nngp_depth1": 1.1,
    "claim.nngp_deep": 2.5,
    "claim.ntk": 25.3,
    "claim.price_identity": 1.1,
    "claim.hanin_nica_exact": 9.6,
    "claim.log_gaussian": 15.6,
    "claim.gaussian_falsified": 3.1,
    "claim.hypoactivation": 15.6,
    "claim.covariance_sde": 12.8,
    "claim.resnet_sde_weak": 8.4,
    "claim.resnet_norm_gbm": 11.1,
    "claim.doubly_infinite_kernels": 12.0,
    "claim.jacobian_law": 11.3,
    "claim.affine_functions": 13.5,
    "claim.width_first_ode": 15.0,
    "claim.conv_resnet": 4.9,
    "claim.conv_resnet_sde": 4.8,
    "claim.propagation_slopes": 1.5,
    "claim.propagation_depth_scales": 7.4,
    "claim.critical_line": 3.5,
    "claim.readout_training": 6.2,
    "claim.ntk_training": 7.1,
    "claim.stability_threshold": 8.8,
    "claim.scaling_regimes_diffusive": 3.0,
    "claim.scaling_regimes_forward": 5.1,
    "claim.scaling_regimes_backward": 7.0,
    "claim.scaling_regimes_estimators": 7.9,
    "claim.scaling_regimes_estimator_intervals": 3.5,
    "claim.scaling_regimes_gd_linear": 3.8,
    "claim.catapult_lazy": 2.4,
    "claim.catapult_spike": 3.5,
    "claim.catapult_divergent": 2.0,
    "claim.catapult_two_layer": 13.3,
    "claim.mean_field_risk_curve": 19.4,
}


def _list_claims(claims, profile: str) -> int:
    from verify.record_cache import last_seconds

    width = max(len(c.id) for c in claims)
    total = 0.0
    for c in claims:
        seconds = last_seconds(f"claim:{c.id}:{profile}")
        where = "last run here"
        if seconds is None and profile == "quick":
            seconds, where = MEASURED_QUICK_SECONDS.get(c.id), "measured on 2 cores"
        total += seconds or 0.0
        when = f"{seconds:6.1f} s ({where})" if seconds is not None else "   not timed yet"
        print(f"{c.id:<{width}}  {when}  {c.title}")
    print(f"{len(claims)} claims, about {total:.0f} s in the {profile} profile where timed")
    return 0


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--workers {text!r} must be an integer >= 1") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--workers {value} must be >= 1 (1 runs the claims one after another)")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed {text!r} must be an integer in [0, 2**32)") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"--seed {value} must be in [0, 2**32)")
    return value


# -- the parser --------------------------------------------------------------------
from .phase_cli import add_phase_parser  # noqa: E402  (deeplimits phase)
from .regime_cli import add_regime_parser  # noqa: E402  (deeplimits regime)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2 (the project's standard)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see `{self.prog} --help`)\n")


class _Version(argparse.Action):
    """``--version``: the version is looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"deeplimits {package_version()}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="deeplimits",
                     description="Derived limits of wide and deep networks: inspect, export, verify.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="list the records: ids, titles, sources, parameter names")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_list)
    p = sub.add_parser("show", help="show one record, or derive and show the dual of your activation (--expr)")
    p.add_argument("id", nargs="?", help="record id (see `deeplimits list`)")
    p.add_argument("--expr", help='an activation as a SymPy expression of x, e.g. "x*erf(x)"')
    p.add_argument("--no-cache", action="store_true",
                   help="derive afresh; neither read nor write the cache (default: use it)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--latex", action="store_true", help="print the LaTeX of each expression")
    g.add_argument("--python", action="store_true", help="print the generated NumPy module")
    g.add_argument("--json", action="store_true", help="print the record as JSON")
    p.set_defaults(func=_cmd_show)
    p = sub.add_parser("eval", help="evaluate a record's functions (numerical duals by quadrature)")
    p.add_argument("id")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="an argument (repeatable)")
    p.add_argument("--function", help="evaluate only this function (default: every function whose arguments are given)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_eval)
    p = sub.add_parser("export-latex", help="write a LaTeX document of records (default: all)")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FILE.tex")
    p.add_argument("--no-cache", action="store_true",
                   help="derive and typeset afresh; neither read nor write the cache (default: use it)")
    p.set_defaults(func=_cmd_export)
    p = sub.add_parser("verify", help="check claims against finite-network simulations (exit 1 if any fails)")
    p.add_argument("ids", nargs="*", metavar="ID", help="claim ids (default: all)")
    p.add_argument("--profile", choices=_PROFILE_NAMES, default="quick",
                   help="how hard to look: smoke (pinned examples only), quick (default), "
                        "or thorough (more examples and samples)")
    p.add_argument("--json", metavar="FILE", help="write per-claim results as JSON")
    p.add_argument("--report", metavar="DIR", help="write a Markdown report with formulas and plots")
    p.add_argument("--claims", metavar="FILE", action="append", default=[],
                   help="check the claims declared in this Python file (your own theorems; repeatable) "
                        "instead of the shipped ones; the file is run as Python")
    p.add_argument("--list", action="store_true", help="list the claims with their expected times, run nothing")
    p.add_argument("--mutants", action="store_true",
                   help="mutation testing: run each claim against mutants of its prediction (x1.05, x0.95; "
                        "x1.03, x0.97 when thorough; terms dropped, signs flipped, exponents changed in the "
                        "records it cites) and report the score and the survivors; --json and --report then write "
                        "the mutation report (exit 1 if any error, a scale mutant survives or under 95%% are killed); "
                        "--workers/--scheduler run one claim per worker, with the serial run's results")
    p.add_argument("--seed", type=_seed, default=0,
                   help="which run: 0 (default) is the reproducible run of record; another integer draws "
                        "other examples and simulation seeds, reproducibly")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=_workers, metavar="N",
                   help="check claims in N local processes (default: this machine's cores; 1: one after another); "
                        "the results equal a serial run's")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="check claims on a running dask.distributed cluster (e.g. tcp://host:8786; "
                        "needs the optional extra: pip install 'deeplimits[dask]')")
    p.set_defaults(func=_cmd_verify)
    p = sub.add_parser("codegen", help="regenerate numerics/generated from the catalog")
    p.add_argument("--check", action="store_true", help="exit 1 and name the stale files if the generated code is out of date")
    p.set_defaults(func=_cmd_codegen)
    add_phase_parser(sub)
    add_regime_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (one line, status 2)
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `deeplimits list | head`
        sys.stderr.close()
        return 0
    except ValueError as exc:
        print(f"deeplimits {args.command}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
