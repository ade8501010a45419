"""The command line answers at once and in one line: version, usage errors, cached `show`,
numerical duals in `eval`, output that fits the terminal, progress of long commands."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate

from verify import record_cache
from verify.cli import main, package_version
from verify.progress import Progress
from verify.terminal import tex_to_unicode

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets its own empty cache directory (never the user's)."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("DEEPLIMITS_CACHE_DIR", str(directory))
    monkeypatch.delenv("DEEPLIMITS_NO_CACHE", raising=False)
    return directory


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


# -- version and usage errors -----------------------------------------------------
def _pyproject_version() -> str:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_version_is_the_package_version(capsys):
    from importlib.metadata import version

    rc, out, err = run_cli(capsys, "--version")
    assert rc == 0 and err == "" and out == f"deeplimits {version('deeplimits')}\n"


def test_version_falls_back_to_pyproject(monkeypatch):
    import importlib.metadata as md

    def missing(name):
        raise md.PackageNotFoundError(name)

    monkeypatch.setattr(md, "version", missing)
    assert package_version() == _pyproject_version()


@pytest.mark.parametrize(
    "argv, match",
    [
        ((), "the following arguments are required: COMMAND"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("list", "--bogus"), "unrecognized arguments: --bogus"),
        (("eval",), "the following arguments are required: id"),
        (("export-latex", "dual.relu"), "the following arguments are required: -o/--output"),
        (("verify", "--profile", "slow"), "invalid choice: 'slow'"),
        (("show", "dual.relu", "--json", "--latex"), "not allowed with argument"),
        (("eval", "dual.relu", "--param"), "expected one argument"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv, match):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and out == "" and err.count("\n") == 1 and match in err and err.startswith("deeplimits")


def test_console_script_usage_error_is_one_line():
    res = subprocess.run([sys.executable, "-m", "verify.cli", "show", "--nope"], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 2 and res.stdout == "" and res.stderr.count("\n") == 1, res.stderr


def test_help_and_version_import_nothing_heavy():
    """`--help` must not load SymPy, SciPy, NumPy or hypothesis (that is what made it take seconds)."""
    code = ("import sys, contextlib, io\nfrom verify.cli import main\n"
            "for argv in (['--help'], ['--version'], ['show', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        assert main(argv) == 0, argv\n"
            "heavy = sorted({'sympy', 'scipy', 'numpy', 'hypothesis', 'matplotlib'} & set(sys.modules))\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- show: from the cache, equal to a fresh derivation ------------------------------
def test_show_from_cache_equals_fresh_derivation(capsys, private_cache):
    rc, first, err = run_cli(capsys, "show", "dual.gelu", "--json")
    assert rc == 0 and "deriving dual.gelu" in err  # nothing cached yet
    rc, cached, err = run_cli(capsys, "show", "dual.gelu", "--json")
    assert rc == 0 and err == ""  # served from the cache: no derivation
    rc, fresh, err = run_cli(capsys, "show", "dual.gelu", "--json", "--no-cache")
    assert rc == 0 and "deriving dual.gelu" in err
    assert json.loads(cached) == json.loads(fresh) == json.loads(first)
    from derivations import catalog

    assert json.loads(cached) == json.loads(json.dumps(catalog.get("dual.gelu").summary()))
    # the LaTeX and the generated module from the cache equal the committed ones
    rc, tex, _ = run_cli(capsys, "show", "dual.gelu", "--latex")
    assert rc == 0 and f"% dual\n{catalog.get('dual.gelu').latex('dual')}\n" in tex
    for _ in range(2):  # derive, then from the cache
        rc, python, _ = run_cli(capsys, "show", "dual.gelu", "--python")
        assert rc == 0 and python == (ROOT / "numerics" / "generated" / "dual_gelu.py").read_text()


def test_show_from_cache_does_not_import_sympy(private_cache):
    env = {**os.environ, "DEEPLIMITS_CACHE_DIR": str(private_cache), "COLUMNS": "80"}
    code = ("import sys, contextlib, io\nfrom verify.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['show', 'dual.relu']) == 0\n"
            "print('sympy' in sys.modules)\n")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "True" and "deriving dual.relu" in first.stderr
    assert second.stdout.strip() == "False" and second.stderr == ""


def test_a_tampered_cache_entry_is_not_trusted(capsys, private_cache):
    assert main(["show", "dual.relu", "--json"]) == 0
    truth = json.loads(capsys.readouterr().out)
    (entry,) = private_cache.glob("show/*/*.json")
    data = json.loads(entry.read_text())
    data["payload"]["summary"]["title"] = "something else"
    entry.write_text(json.dumps(data))
    rc, out, err = run_cli(capsys, "show", "dual.relu", "--json")
    assert rc == 0 and json.loads(out) == truth and "deriving dual.relu" in err


def test_record_cache_checks_digest_fingerprint_and_payload(private_cache):
    fp = record_cache.source_fingerprint()
    assert re.fullmatch(r"[0-9a-f]{16}", fp)
    path = record_cache.store("show", "dual.x", {"a": [1, 2.5, float("inf")]}, fingerprint=fp, digest="abc")
    assert path is not None and path.is_relative_to(private_cache)
    assert record_cache.load("show", "dual.x", fingerprint=fp, digest="abc") == {"a": [1, 2.5, float("inf")]}
    assert record_cache.load("show", "dual.x", fingerprint=fp, digest="abd") is None  # other record digest
    assert record_cache.load("show", "dual.x", fingerprint="0" * 16, digest="abc") is None  # sources changed
    assert record_cache.load("show", "dual.y", fingerprint=fp, digest="abc") is None
    # an extra file changes the fingerprint
    assert record_cache.source_fingerprint(ROOT / "pyproject.toml") != fp
    with pytest.raises(ValueError, match="fingerprint="):
        record_cache.load("show", "dual.x", fingerprint="../../etc", digest="abc")


def test_record_cache_is_skipped_when_unwritable(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DEEPLIMITS_CACHE_DIR", str(blocker / "cache"))
    fp = record_cache.source_fingerprint()
    assert record_cache.store("show", "k", {"x": 1}, fingerprint=fp, digest="d") is None
    assert record_cache.load("show", "k", fingerprint=fp, digest="d") is None
    rc, out, _ = run_cli(capsys, "show", "dual.relu")
    assert rc == 0 and out.startswith("dual.relu: ")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # writable by others: entries there could be planted
    monkeypatch.setenv("DEEPLIMITS_CACHE_DIR", str(shared))
    assert record_cache.store("show", "k", {"x": 1}, fingerprint=fp, digest="d") is None


def test_export_latex_from_cache_equals_fresh(capsys, tmp_path):
    outs = []
    for extra in ((), (), ("--no-cache",)):
        path = tmp_path / f"doc{len(outs)}.tex"
        rc, out, err = run_cli(capsys, "export-latex", "dual.relu", "kernel.fc", "-o", str(path), *extra)
        assert rc == 0 and out == f"wrote {path}: 2 records\n"
        outs.append((path.read_text(), err))
    assert outs[0][0] == outs[1][0] == outs[2][0]
    assert "deriving records" in outs[0][1] and outs[1][1] == "" and "deriving records" in outs[2][1]


# -- eval: every record, numerical duals by quadrature, defaults echoed ----------------
def _reference_pair(phi, q1, q2, c):
    """E[phi(u) phi(v)] by nested adaptive QUADPACK, conditioning on v (numerics conditions on u)."""
    a, b = c / np.sqrt(q2), np.sqrt(q1 - c * c / q2)
    pdf = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    def inner(w1):
        return integrate.quad(lambda w2: pdf(w2) * phi(a * w1 + b * w2), -12, 12, points=[-a * w1 / b],
                              epsabs=1e-14, epsrel=1e-13, limit=200)[0]

    return integrate.quad(lambda w1: pdf(w1) * phi(np.sqrt(q2) * w1) * inner(w1), -12, 12, points=[0.0],
                          epsabs=1e-14, epsrel=1e-13, limit=200)[0]


# numerics.core.quadrature states ~1e-12 relative accuracy; QUADPACK is asked for 1e-13.
# 1e-10 leaves two orders of magnitude for both rules' error estimates.
QUADRATURE_REL = 1e-10


@pytest.mark.parametrize(
    "name, phi, defaults",
    [
        ("tanh", np.tanh, ""),
        ("softplus", lambda x: np.logaddexp(0.0, x), ""),
        ("silu", lambda x: x / (1 + np.exp(-x)), ""),
        ("elu", lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))), "alpha=1.0"),
    ],
)
def test_eval_numerical_duals_against_independent_quadrature(capsys, name, phi, defaults):
    q1, q2, c = 0.7, 1.3, 0.5
    rc, out, err = run_cli(capsys, "eval", f"dual.{name}", "--param", f"q1={q1}", "--param", f"q2={q2}",
                           "--param", f"c={c}")
    assert rc == 0 and err == ""
    values = dict(re.findall(r"^(\w+) = (\S+)$", out, re.MULTILINE))
    assert float(values["dual"]) == pytest.approx(_reference_pair(phi, q1, q2, c), rel=QUADRATURE_REL)
    assert "dual_derivative" in values and "by Gaussian quadrature (no closed form): dual, dual_derivative" in out
    assert (f"defaults used: {defaults}\n" in out) if defaults else "defaults used" not in out
    rc, out, _ = run_cli(capsys, "eval", f"dual.{name}", "--param", "q=0.9", "--json")
    data = json.loads(out)
    want = integrate.quad(lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * phi(np.sqrt(0.9) * z) ** 2, -12, 12,
                          points=[0.0], epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    assert rc == 0 and data["values"]["variance"] == pytest.approx(want, rel=QUADRATURE_REL)
    assert data["defaults"] == ({"alpha": 1.0} if defaults else {})


def test_eval_echoes_defaults_of_closed_forms(capsys):
    rc, out, _ = run_cli(capsys, "eval", "dual.erf", "--param", "q1=1", "--param", "q2=1", "--param", "c=0.5",
                         "--param", "b=2")
    assert rc == 0 and "defaults used: a=1.0, shift=0.0\n" in out and "quadrature" not in out
    rc, out, _ = run_cli(capsys, "eval", "dual.relu", "--param", "x=-1.5")
    assert rc == 0 and out == "phi = 0.0\nphi_prime = 0.0\n"


@pytest.mark.parametrize(
    "argv, match",
    [
        (("eval", "dual.tanh", "--param", "q1=1", "--param", "q2=1", "--param", "c=2"), "c=2.0 is outside"),
        (("eval", "dual.elu", "--param", "q=1", "--param", "alpha=-1"), "alpha=-1.0 is outside the allowed range"),
        (("eval", "dual.tanh", "--param", "zz=1"), "has no parameter 'zz'"),
        (("eval", "dual.nope", "--param", "x=1"), "unknown record id 'dual.nope'"),
    ],
)
def test_eval_bad_input_is_one_line(capsys, argv, match):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and out == "" and err.count("\n") == 1 and match in err


def test_every_listed_record_evaluates_from_the_command_line(capsys):
    """Each catalog record: give every parameter a typical value; some function must evaluate to a finite number."""
    import importlib

    from numerics.generated import MODULES

    for rid, mod_name in MODULES.items():
        module = importlib.import_module(f"numerics.generated.{mod_name}")
        sig = next(iter(module.SIGNATURES.values()))
        params = []
        for p in sig:
            meta = module.PARAMETERS[p]
            if meta["default"] is not None:
                continue
            if "choices" in meta["domain"]:
                value = meta["domain"]["choices"][0]
            else:
                lo, hi = meta["typical"]
                value = min(max(lo, 0.5), hi)
            params += ["--param", f"{p}={value}"]
        fname = next(iter(module.SIGNATURES))
        rc, out, err = run_cli(capsys, "eval", rid, "--function", fname, *params, "--json")
        assert rc == 0, (rid, err)
        value = json.loads(out)["values"][fname]
        assert np.all(np.isfinite(value)), (rid, value)


# -- output that fits the terminal ---------------------------------------------------
@pytest.mark.parametrize("argv", [("list",), ("show", "dual.gelu"), ("show", "log_gaussian.resnet_standard")])
def test_plain_output_fits_the_terminal_width(capsys, monkeypatch, argv):
    monkeypatch.setenv("COLUMNS", "60")
    rc, out, _ = run_cli(capsys, *argv)
    lines = out.splitlines()
    assert rc == 0 and len(lines) > 5
    assert max(len(line) for line in lines) <= 60, max(lines, key=len)
    if argv[0] == "show":
        assert "$" not in out and "\\" not in out  # inline LaTeX is shown as Unicode


def test_show_reads_latex_as_unicode(capsys):
    rc, out, _ = run_cli(capsys, "show", "dual.gelu")
    assert rc == 0 and "φ⁽²⁾(x)" in out and "q₁" in out
    rc, out, _ = run_cli(capsys, "show", "dual.gelu", "--latex")
    assert rc == 0 and "\\left(" in out  # --latex still prints LaTeX


@pytest.mark.parametrize(
    "tex, text",
    [
        (r"$\frac{a}{b+c}$", "a/(b+c)"),
        (r"$\sqrt{q_1 q_2}$", "√(q₁ q₂)"),
        (r"$e^{-x^{2}/2}$", "e^(-x²/2)"),
        (r"$\mathcal{N}(0, \sigma^2)$ and $\mathbb{R}$", "𝒩(0, σ²) and ℝ"),
        (r"$\ln x \le \infty$", "ln x ≤ ∞"),
        ("costs $5 only", "costs $5 only"),  # an unmatched dollar is text
    ],
)
def test_tex_to_unicode(tex, text):
    assert tex_to_unicode(tex) == text


# -- progress ----------------------------------------------------------------------
def test_progress_lines_carry_an_estimate():
    stream = io.StringIO()
    bar = Progress(4, label="work", unit="record", stream=stream, interval=0.0)
    for _ in range(4):
        bar.update()
    bar.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("work: 0/4 records") and lines[-1].startswith("work: 4/4 records")
    assert all("left" in line for line in lines[1:-1]) and "left" not in lines[-1]
    with pytest.raises(ValueError, match="total=-1"):
        Progress(-1, label="x")


def test_claim_check_reports_progress_per_example():
    from verify.claims import check, get_claim

    calls = []
    res = check(get_claim("claim.price_identity"), progress=lambda done, planned: calls.append((done, planned)))
    planned = calls[0][1]
    assert res.passed and calls[0] == (0, planned) and planned >= 2
    assert [d for d, _ in calls] == list(range(len(calls))) and calls[-1][0] == len(res.examples)
    with pytest.raises(ValueError, match="progress="):
        check(get_claim("claim.price_identity"), progress="yes")


def test_verify_profiles_are_the_harness_profiles():
    from verify.cli import _PROFILE_NAMES
    from verify.core.claim import PROFILES

    assert set(_PROFILE_NAMES) == set(PROFILES)


def test_verify_shows_progress_inside_a_claim(capsys):
    rc, out, err = run_cli(capsys, "verify", "claim.price_identity")
    assert rc == 0 and "claim.price_identity" in out
    assert re.search(r"^\[1/1\] claim\.price_identity: 0/\d+ examples", err, re.MULTILINE)
    assert re.search(r"^\[1/1\] claim\.price_identity: pass \(", err, re.MULTILINE)
