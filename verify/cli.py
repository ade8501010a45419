"""The ``deeplimits`` command line.

``list``, ``show``, ``eval``, ``export-latex`` and ``codegen``.  Bad input
(an unknown id, a parameter outside its domain) prints one line to stderr and
exits with status 2; ``codegen --check`` exits with 1 and names the stale
files when the generated code and the catalog disagree.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

__all__ = ["main"]


def _record_rows() -> list[dict]:
    """Metadata of every catalog record, read from its generated module (no derivation runs)."""
    import importlib

    from derivations import catalog
    from numerics.generated import MODULES

    rows = []
    for e in catalog.entries():
        module = importlib.import_module(f"numerics.generated.{MODULES[e.id]}")
        meta = module.RECORD
        rows.append({"id": e.id, "title": meta["title"], "source": meta["source"],
                     "architecture": meta.get("architecture", ""), "parameters": list(module.PARAMETERS)})
    return rows


def _cmd_list(args) -> int:
    rows = _record_rows()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["id"]) for r in rows)
    pad = " " * width
    for r in rows:
        print(f"{r['id']:<{width}}  {r['title']}\n{pad}  source: {r['source']}")
        if r["architecture"]:
            print(f"{pad}  architecture: {r['architecture']}")
        print(f"{pad}  parameters: {', '.join(r['parameters'])}")
    return 0


def _cmd_show(args) -> int:
    from derivations import catalog, custom_activation
    from derivations.core.codegen import emit_module

    if (args.id is None) == (args.expr is None):
        raise ValueError("show needs exactly one of: a record ID, or --expr EXPRESSION (a SymPy expression of x)")
    if args.expr is not None:
        from derivations.core.safe_parse import parse_activation

        rec = custom_activation(parse_activation(args.expr, what="--expr"))  # never evaluated as Python
    else:
        rec = catalog.get(args.id)
    if args.json:
        print(json.dumps(rec.summary(), indent=2))
    elif args.latex:
        for name in rec.expressions:
            print(f"% {name}\n{rec.latex(name)}")
    elif args.python:
        print(emit_module(rec))
    else:
        print(f"{rec.id}: {rec.title}\nsource: {rec.source}\nderivation: {rec.derivation.method.value}")
        if rec.architecture:
            print(f"architecture: {rec.architecture}")
        for step in rec.derivation.steps:
            print(f"  - {step}")
        if rec.derivation.checks:
            print(f"checks: {', '.join(rec.derivation.checks)}")
        for a in rec.assumptions:
            print(f"assumes: {a}")
        print("parameters:")
        for p in rec.parameters:
            print(f"  {p.name} in {p.domain.describe()}: {p.description}")
        for name, expr in rec.expressions.items():
            args_ = ", ".join(p.name for p in rec.args_of(name))
            print(f"{name}({args_}) = {expr}")
    return 0


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


def _cmd_eval(args) -> int:
    from numerics.generated import MODULES
    from numerics.core.validation import check_covariance, check_in_domain

    if args.id not in MODULES:
        raise ValueError(f"unknown record id {args.id!r}; `deeplimits list` shows the known ids")
    module = importlib.import_module(f"numerics.generated.{MODULES[args.id]}")
    params = _parse_params(args.param)
    names = [n for n in module.SIGNATURES if n != "dual_and_derivative"] if args.function is None else [args.function]
    unknown = [n for n in names if n not in module.SIGNATURES]
    if unknown:
        raise ValueError(f"record {args.id!r} has no function {unknown[0]!r}; it has {', '.join(module.SIGNATURES)}")
    results = {}
    for name in names:
        sig = module.SIGNATURES[name]
        needed = [p for p in sig if module.PARAMETERS[p]["default"] is None]
        if args.function is None and any(p not in params for p in needed):
            continue  # evaluate only the functions whose arguments were given
        missing = [p for p in needed if p not in params]
        if missing:
            raise ValueError(f"{args.id}.{name} needs --param {missing[0]}=VALUE (arguments: {', '.join(sig)})")
        values = {p: params.get(p, module.PARAMETERS[p]["default"]) for p in sig}
        for p, v in values.items():
            check_in_domain(p, v, module.PARAMETERS[p]["domain"])
        if {"q1", "q2", "c"} <= set(values):
            check_covariance(values["q1"], values["q2"], values["c"])
        results[name] = getattr(module, name)(**values)
    extra = sorted(set(params) - {p for n in names for p in module.SIGNATURES[n]})
    if extra:
        raise ValueError(f"record {args.id!r} has no parameter {extra[0]!r}")
    if not results:
        raise ValueError(f"no function of {args.id!r} has all its arguments; give --param for one of: "
                         + "; ".join(f"{n}({', '.join(s)})" for n, s in module.SIGNATURES.items()))
    if args.json:
        values = {k: ([float(a) for a in v] if isinstance(v, tuple) else float(v)) for k, v in results.items()}
        print(json.dumps({"id": args.id, "params": params, "values": values}))
    else:
        for k, v in results.items():
            print(f"{k} = {tuple(float(a) for a in v) if isinstance(v, tuple) else float(v)!r}")
    return 0


def _cmd_export(args) -> int:
    from derivations import catalog
    from verify.latex_export import latex_document

    ids = args.ids or catalog.ids()
    records = [catalog.get(i) for i in ids]
    text = latex_document(records)
    with open(args.output, "w") as fh:
        fh.write(text)
    print(f"wrote {args.output}: {len(records)} records")
    return 0


def _cmd_codegen(args) -> int:
    from derivations.core.codegen import render_catalog, stale_files, write_files

    files = render_catalog()  # records derived in worker processes
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


def _cmd_verify(args) -> int:
    from verify.claims import CLAIMS, get_claim
    from verify.claims import check
    from verify.report import table, to_json, write_report

    claims = [get_claim(i) for i in args.ids] if args.ids else list(CLAIMS.values())
    results = []
    for k, claim in enumerate(claims, 1):
        print(f"[{k}/{len(claims)}] {claim.id} ...", end="", file=sys.stderr, flush=True)
        res = check(claim, profile=args.profile)
        print(f" {'pass' if res.passed else 'FAIL'} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        results.append(res)
    print(table(results))
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(to_json(results))
    if args.report:
        path = write_report(results, args.report)
        print(f"report: {path}")
    return 0 if all(r.passed for r in results) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deeplimits", description="Derived limits of wide and deep networks: inspect, export, verify.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list the records: ids, titles, sources, parameter names")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_list)
    p = sub.add_parser("show", help="show one record, or derive and show the dual of your activation (--expr)")
    p.add_argument("id", nargs="?", help="record id (see `deeplimits list`)")
    p.add_argument("--expr", help='an activation as a SymPy expression of x, e.g. "x*erf(x)"')
    g = p.add_mutually_exclusive_group()
    g.add_argument("--latex", action="store_true", help="print the LaTeX of each expression")
    g.add_argument("--python", action="store_true", help="print the generated NumPy module")
    g.add_argument("--json", action="store_true", help="print the record as JSON")
    p.set_defaults(func=_cmd_show)
    p = sub.add_parser("eval", help="evaluate a record's generated functions")
    p.add_argument("id")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="an argument (repeatable)")
    p.add_argument("--function", help="evaluate only this function (default: every function whose arguments are given)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_eval)
    p = sub.add_parser("export-latex", help="write a LaTeX document of records (default: all)")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FILE.tex")
    p.set_defaults(func=_cmd_export)
    p = sub.add_parser("verify", help="check claims against finite-network simulations (exit 1 if any fails)")
    p.add_argument("ids", nargs="*", metavar="ID", help="claim ids (default: all)")
    p.add_argument("--profile", choices=("quick", "thorough"), default="quick")
    p.add_argument("--json", metavar="FILE", help="write per-claim results as JSON")
    p.add_argument("--report", metavar="DIR", help="write a Markdown report with formulas and plots")
    p.set_defaults(func=_cmd_verify)
    p = sub.add_parser("codegen", help="regenerate numerics/generated from the catalog")
    p.add_argument("--check", action="store_true", help="exit 1 and name the stale files if the generated code is out of date")
    p.set_defaults(func=_cmd_codegen)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `deeplimits list | head`
        sys.stderr.close()
        return 0
    except ValueError as exc:
        print(f"deeplimits {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
