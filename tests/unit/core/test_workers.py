"""Seeds and parallel verification: ``deeplimits verify --seed``, ``--workers N`` and ``--scheduler ADDRESS``.

A parallel run must give the same verdicts and numbers as a serial one: the JSON is compared whole,
apart from the seconds.  Cheap claims in the smoke profile keep these tests at a few seconds each;
most of that is the start of the worker interpreters.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap

import pytest

from verify.cli import main
from verify.parallel import default_workers, run_claims

#: Two cheap shipped claims (about 0.6 s of CPU together in the smoke profile; most of a parallel run is the
#: start of the worker interpreters, about 1.5 s of CPU each to import the claims).
CHEAP = ("claim.price_identity", "claim.nngp_depth1")

#: A user's theorem file with two cheap claims: E[X^2] = s^2 exactly, and one whose simulation raises.
THEOREMS = textwrap.dedent('''
    import numpy as np
    from verify.core import Exact, real, theorem

    def squares(p, *, n, seed):
        return np.random.default_rng(seed).normal(0.0, p["s"], size=n) ** 2

    def broken(p, *, n, seed):
        raise ValueError("this simulation is broken on purpose")

    MEAN_SQUARE = theorem(id="tiny.mean_square", title="E[X^2] = s^2 for X ~ N(0, s^2)",
                          parameters=[real("s", 0.5, 2.0)], examples=[{"s": 1.0}],
                          checks=[Exact("mean square", simulate=squares, predict=lambda p: p["s"] ** 2,
                                        samples=20_000)])
    MEAN_SQUARE_TWICE = theorem(id="tiny.mean_square_2s", title="E[(2X)^2] = 4 s^2",
                                parameters=[real("s", 0.5, 2.0)], examples=[{"s": 1.5}],
                                checks=[Exact("mean square", simulate=lambda p, *, n, seed: 4 * squares(p, n=n, seed=seed),
                                              predict=lambda p: 4 * p["s"] ** 2, samples=20_000)])
    BROKEN = theorem(id="tiny.broken", title="a simulation that raises", parameters=[real("s", 0.5, 2.0)],
                     examples=[{"s": 1.0}], checks=[Exact("x", simulate=broken, predict=lambda p: 1.0)])
''')


def _without_seconds(data):
    if isinstance(data, dict):
        return {k: _without_seconds(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_without_seconds(v) for v in data]
    return data


def _verify_json(capsys, tmp_path, name: str, *argv: str) -> tuple[int, dict, str]:
    path = tmp_path / f"{name}.json"
    rc = main(["verify", *argv, "--json", str(path)])
    err = capsys.readouterr().err
    return rc, json.loads(path.read_text()), err


@pytest.fixture(scope="module")
def serial_cheap(tmp_path_factory) -> dict:
    """The JSON of a serial smoke run of :data:`CHEAP` at seed 3 (shared: the runs compared with it differ)."""
    path = tmp_path_factory.mktemp("serial") / "serial.json"
    assert main(["verify", *CHEAP, "--profile", "smoke", "--seed", "3", "--workers", "1", "--json", str(path)]) == 0
    return json.loads(path.read_text())


@pytest.fixture
def theorems(tmp_path):
    path = tmp_path / "my_theorems.py"
    path.write_text(THEOREMS)
    return path


# -- seeds ---------------------------------------------------------------------------
def test_the_seed_is_printed_first_and_stored_in_the_json(capsys, tmp_path):
    """(That the same seed reproduces a run: the parallel runs below equal a serial one at seed 3.)"""
    rc, data, err = _verify_json(capsys, tmp_path, "s0", "claim.nngp_depth1", "--profile", "smoke")
    assert rc == 0 and err.splitlines()[0].startswith("seed: 0 (rerun with --seed 0")
    assert [c["seed"] for c in data["claims"]] == [0]
    rc, other, err = _verify_json(capsys, tmp_path, "s7", "claim.nngp_depth1", "--profile", "smoke", "--seed", "7")
    assert rc == 0 and err.splitlines()[0].startswith("seed: 7 (rerun with --seed 7")
    assert other["claims"][0]["seed"] == 7
    # another seed simulates other networks: the statistic moves
    assert other["claims"][0]["statistic"] != data["claims"][0]["statistic"]


# -- workers ---------------------------------------------------------------------------
def test_two_workers_give_the_serial_json(capsys, tmp_path, serial_cheap):
    rc, parallel, err = _verify_json(capsys, tmp_path, "w2", *CHEAP, "--profile", "smoke", "--seed", "3",
                                     "--workers", "2")
    assert rc == 0 and [c["claim"] for c in parallel["claims"]] == list(CHEAP)  # the order given, not finished
    assert _without_seconds(parallel) == _without_seconds(serial_cheap)
    assert [c["seed"] for c in parallel["claims"]] == [3, 3]
    assert "checking 2 claims on 2 worker processes" in err
    finished = [line for line in err.splitlines() if line.startswith("[")]
    assert len(finished) == 2 and all(line.endswith(" s)") and ": pass (" in line for line in finished)


def test_workers_reload_a_claims_file_by_path(capsys, tmp_path, theorems):
    argv = ("tiny.mean_square", "tiny.mean_square_2s", "--claims", str(theorems), "--profile", "smoke")
    rc1, serial, _ = _verify_json(capsys, tmp_path, "f1", *argv, "--workers", "1")
    rc2, parallel, _ = _verify_json(capsys, tmp_path, "f2", *argv, "--workers", "2")
    assert rc1 == rc2 == 0 and [c["claim"] for c in serial["claims"]] == ["tiny.mean_square", "tiny.mean_square_2s"]
    assert _without_seconds(parallel) == _without_seconds(serial)


def test_a_claim_that_raises_in_a_worker_is_a_one_line_error(capsys, theorems):
    from verify.core.loading import load_claims

    broken = [c for c in load_claims(theorems) if c.id == "tiny.broken"]
    with pytest.raises(ValueError, match="broken on purpose"):
        run_claims(broken, profile="smoke", workers=1, sources={"tiny.broken": str(theorems)})
    rc = main(["verify", "tiny.broken", "tiny.mean_square", "--claims", str(theorems), "--profile", "smoke",
               "--workers", "2"])  # the other worker is stopped, the error is one line
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("deeplimits verify: error:")]
    assert rc == 2 and errors == ["deeplimits verify: error: this simulation is broken on purpose"], err


def test_default_workers_are_this_machines_cores():
    assert default_workers() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_worker_counts_are_one_line_errors(capsys, value):
    assert main(["verify", "claim.nngp_depth1", "--workers", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--workers" in err


@pytest.mark.parametrize("options, message", [
    ({"workers": 0}, "workers=0 must be an integer >= 1"),
    ({"workers": True}, "workers=True must be an integer >= 1"),
    ({"scheduler": " "}, "scheduler=' ' must be the address"),
    ({"on_done": 3}, "on_done=3 must be a callable"),
    ({"job": "shrink"}, "job='shrink' must be one of"),
])
def test_run_claims_validates_its_options(options, message):
    from verify.claims import CLAIMS

    with pytest.raises(ValueError, match=message):
        run_claims([CLAIMS["claim.nngp_depth1"]], **options)


def test_a_claim_no_worker_can_find_is_refused():
    from verify.claims import CLAIMS

    planted = CLAIMS["claim.nngp_depth1"].with_prediction(lambda p: {})
    with pytest.raises(ValueError, match=r"claim\.nngp_depth1\[planted\].*workers=1"):
        run_claims([planted], workers=2)


# -- dask ---------------------------------------------------------------------------
def test_scheduler_without_dask_is_a_one_line_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    rc = main(["verify", *CHEAP[:2], "--scheduler", "tcp://127.0.0.1:8786"])
    err = capsys.readouterr().err.splitlines()
    assert rc == 2 and err[-1] == ("deeplimits verify: error: --scheduler needs dask.distributed, which is not "
                                   "installed: pip install 'deeplimits[dask]'")


def test_workers_and_scheduler_exclude_each_other(capsys):
    assert main(["verify", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_local_dask_cluster_gives_the_serial_json(capsys, tmp_path, serial_cheap):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        rc, remote, err = _verify_json(capsys, tmp_path, "d2", *CHEAP, "--profile", "smoke", "--seed", "3",
                                       "--scheduler", cluster.scheduler_address)
    assert rc == 0 and f"on the dask cluster at {cluster.scheduler_address}" in err
    assert _without_seconds(remote) == _without_seconds(serial_cheap)


def test_the_examples_do_not_depend_on_what_the_process_imported(tmp_path, theorems, monkeypatch):
    """Hypothesis draws, now and then, a constant found in the source of the local modules imported so far;
    a claim's examples must not depend on them (else a claim alone, in a full run or in a worker differ)."""
    import importlib

    from verify.core import check, load_claims
    from verify.core.claim import Profile

    claim = next(c for c in load_claims(theorems) if c.id == "tiny.mean_square")
    many = Profile("many", max_examples=30, sample_scale=0.5)
    before = [(p, s) for p, s, _ in check(claim, profile=many).examples]
    module = tmp_path / "lots_of_constants.py"
    module.write_text(f"INTEGERS = {[1_000_003 + 7 * i for i in range(200)]!r}\n"
                      f"FLOATS = {[0.5 + i / 137 for i in range(200)]!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "lots_of_constants", importlib.import_module("lots_of_constants"))
    after = [(p, s) for p, s, _ in check(claim, profile=many).examples]
    assert len(before) == 31 and after == before
