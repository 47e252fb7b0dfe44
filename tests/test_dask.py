"""Cells on Dask (``--dask`` / ``dask=``): the same records and numbers as in one process, each cell
recorded exactly once whatever happens to the workers, and one clear line for what a user can get wrong.

The cluster tests share one LocalCluster of 2 single-threaded worker processes (``dask_client`` in
conftest.py) and are marked ``dask``: ``python -m pytest -m dask`` runs them alone (with the report on
Dask, also marked ``slow`` and left out of the default suite).
"""
import concurrent.futures
import importlib.util
import json
import multiprocessing
import os
import signal

import numpy as np
import pytest

from pss_theory import checks, validate
from pss_theory.errors import InputError
from pss_theory.measure import cluster
from pss_theory.measure.cells import run_cells
from pss_theory.records import RecordLog
from tests.conftest import run_command

SWEEP = dict(n=3000, d=8, sweep=True, k_points=3, trials=2, family=["gaussian", "countsketch"])
#: relative tolerance of a fitted method's numbers on a worker against here: the methods' own fits (SVD,
#: k-means, least squares through LAPACK) are not summed in a fixed order.  The checks' own numbers are
#: compared to the bit (``backend.matmul`` fixes every product's order whatever the thread count).
RTOL = 1e-6


def measured(summary) -> np.ndarray:
    return np.array([summary.stats[name] for name in ("eps_macro_norm", "eps_macro_inner", "lambda_min")])


@pytest.mark.dask
def test_sweep_on_dask_equals_one_process(dask_client):
    here = checks.run_check("theorem6", **SWEEP)
    there = checks.run_check("theorem6", **SWEEP, dask=dask_client)
    assert there.stats["k"] == here.stats["k"] and there.stats["family"] == here.stats["family"]
    np.testing.assert_array_equal(measured(there), measured(here))
    assert [c["status"] for c in there.claims] == [c["status"] for c in here.claims]


@pytest.mark.dask
def test_compare_on_dask_equals_one_process(dask_client):
    """Each worker reads the table itself (the held copy does not travel) and fits the same methods."""
    options = dict(n=3000, d=8, compression=[5, 50], method=["pq", "tt", "hashing:signed:fit=lsq"], pairs=500, top=20)
    here, there = checks.run_check("compare", **options), checks.run_check("compare", **options, dask=dask_client)
    for a, b in zip(here["cells"], there["cells"]):
        assert (a["method"], a["compression"], a["reached"]) == (b["method"], b["compression"], b["reached"])
        if a["reached"]:
            assert a["memory_bytes"] == b["memory_bytes"]
            np.testing.assert_allclose([a["eps_i"]["p50"], a["eps_macro"], a["pairs_top"]["max"]],
                                       [b["eps_i"]["p50"], b["eps_macro"], b["pairs_top"]["max"]], rtol=RTOL)


def test_an_executor_runs_the_cells_too():
    """A concurrent.futures Executor is taken the same way as a Client (no Dask needed); its processes are
    spawned, not forked (a fork of a process running Dask's threads can deadlock)."""
    here = checks.run_check("theorem6", **SWEEP)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = checks.run_check("theorem6", **SWEEP, dask=pool)
    np.testing.assert_array_equal(measured(there), measured(here))


def test_progress_advances_per_finished_cell():
    check = checks.get("theorem6")
    plan = check.plan(check.options(**SWEEP))
    seen = []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        checks.run(check, plan, None, lambda *report: seen.append(report), dask=pool)
    total = len(plan.cells) * plan.table.n
    assert {stage for stage, *_ in seen} == {"cells"} and {t for _, _, t, _ in seen} == {total}
    done = [d for _, d, _, _ in seen]
    assert done == sorted(done) and done[-1] == total and len(done) == len(plan.cells)


def test_spans_in_flight_are_bounded_whatever_n():
    """``map_spans`` submits at most AHEAD tasks per worker beyond the span being merged: a pass over a huge
    table never has all its span results waiting at once (which would hold n rows of results)."""
    submitted, merged = [], []

    def span(start, stop):
        return start

    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        pool = cluster.Pool(executor)
        real_submit = pool.submit
        pool.submit = lambda fn, *args: submitted.append(args[0]) or real_submit(fn, *args)
        ahead = cluster.AHEAD * pool.workers
        spans = [(i, i + 1) for i in range(10 * ahead)]
        for start in cluster.map_spans(pool, span, spans):
            merged.append(start)
            assert len(submitted) == min(len(spans), ahead + len(merged))
    assert merged == list(range(len(spans))) and submitted == merged


@pytest.mark.dask
def test_save_rows_with_cells_on_workers_writes_each_family(dask_client, tmp_path, capsys):
    """Theorem 7's cells measured on worker processes: --save-rows writes rows_<family>.npz for each, equal
    to the run without Dask (it wrote none: the worker's copy of the plan kept the folders); to the bit for
    these two families, whose products involve no BLAS."""
    from verify import runner

    def command(out, *extra):
        argv = ["--n", "3000", "--d", "8", "--k", "64", "--family", "countsketch,osnap", "--save-rows",
                "--coherence-pairs", "100", "--no-figures", "--quiet", "--out", str(out), *extra]
        return run_command(type("M", (), {"main": staticmethod(lambda a: runner.main("theorem7", a))}), argv, capsys)

    assert command(tmp_path / "here")[0] == 0
    assert command(tmp_path / "dask", "--dask", dask_client.scheduler.address)[0] == 0
    for family in ("countsketch", "osnap"):
        here, there = np.load(tmp_path / "here" / f"rows_{family}.npz"), np.load(tmp_path / "dask" / f"rows_{family}.npz")
        assert set(there.files) == {"eps_i", "rho_i", "eps_cert_i"}
        for name in there.files:
            np.testing.assert_array_equal(there[name], here[name])


def test_the_timing_study_keeps_its_cells_in_this_process(capsys, tmp_path):
    """E.1's timed cells never go to a cluster (side by side they would time each other): with ``dask`` given
    they run here, and the command says so."""
    from verify import runner

    class Refuses(concurrent.futures.Executor):
        def submit(self, fn, *args, **kwargs):
            raise AssertionError("a timing cell was sent to the cluster")

    summary = checks.run_check("robez_timing", smoke=True, dask=Refuses())
    assert summary["stats"]
    plan = checks.get("robez_timing").plan(checks.get("robez_timing").options(smoke=True))
    assert len(plan.cells) > 1  # several cells: with a usable pool they would have been tasks
    with pytest.raises(AssertionError, match="sent to the cluster"):
        checks.run_check("theorem6", n=300, d=4, sweep=True, k_points=2, trials=1, dask=Refuses())
    main = type("M", (), {"main": staticmethod(lambda a: runner.main("robez_timing", a))})
    code, _, err = run_command(main, ["--smoke", "--dask", "local:1", "--no-figures", "--out", str(tmp_path / "e1")],
                               capsys)
    assert code == 0 and "not on the Dask cluster" in err
    code, _, err = run_command(main, ["--smoke", "--dask", "local:1", "--no-figures", "--quiet", "--out",
                                      str(tmp_path / "e1q")], capsys)
    assert code == 0 and "not on the Dask cluster" in err  # a warning: said with --quiet too


@pytest.mark.dask
def test_command_on_dask_resumes_and_records_each_cell_once(dask_client, tmp_path, capsys):
    """Records appended as cells finish on the workers; cut short (as an interruption leaves them) and
    run again, the run measures only what is missing; the records equal those of a run without Dask."""
    from verify import runner

    def command(out, *extra):
        argv = ["--n", "3000", "--d", "8", "--sweep", "--k-points", "3", "--trials", "2", "--family",
                "gaussian,countsketch", "--no-figures", "--quiet", "--out", str(out), *extra]
        return run_command(type("M", (), {"main": staticmethod(lambda a: runner.main("theorem6", a))}), argv, capsys)

    address = dask_client.scheduler.address
    assert command(tmp_path / "dask", "--dask", address)[0] == 0
    path = tmp_path / "dask" / "records.jsonl"
    lines = path.read_text().splitlines()
    assert len(lines) == 12
    path.write_text("\n".join(lines[:5]) + "\n")
    assert command(tmp_path / "dask", "--dask", address)[0] == 0
    assert command(tmp_path / "here")[0] == 0

    def cells(folder):
        records = [json.loads(line) for line in (folder / "records.jsonl").read_text().splitlines()]
        return {(r["family"], r["k"], r["trial"]): r["eps_macro_norm"] for r in records}, len(records)

    (there, count), (here, _) = cells(tmp_path / "dask"), cells(tmp_path / "here")
    assert count == 12 and there.keys() == here.keys()
    assert [there[key] for key in here] == list(here.values())


def _cells(count):
    return [{"cell": i} for i in range(count)]


@pytest.mark.dask
def test_a_worker_killed_mid_cell_is_retried_and_the_cell_recorded_once(dask_client, tmp_path):
    marker = str(tmp_path / "killed")

    def task(cell):  # a closure: sent to the workers by value
        if cell["cell"] == 2 and not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)  # the worker process dies in the middle of this cell
        return {"value": cell["cell"] ** 2, "pid": os.getpid()}

    log = RecordLog(str(tmp_path / "records.jsonl"), ["cell"])
    records = run_cells(_cells(5), None, log, ["cell"], pool=cluster.Pool(dask_client), task=task)
    assert os.path.exists(marker)
    assert [r["value"] for r in records] == [0, 1, 4, 9, 16]
    written = [json.loads(line)["cell"] for line in (tmp_path / "records.jsonl").read_text().splitlines()]
    assert sorted(written) == [0, 1, 2, 3, 4]


@pytest.mark.dask
def test_a_cell_whose_workers_keep_dying_is_reported_not_recorded(dask_client, tmp_path):
    scheduler = dask_client.cluster.scheduler
    allowed, scheduler.allowed_failures = scheduler.allowed_failures, 0
    try:
        def task(cell):
            if cell["cell"] == 1:
                os.kill(os.getpid(), signal.SIGKILL)
            return {"value": cell["cell"]}

        log = RecordLog(str(tmp_path / "records.jsonl"), ["cell"])
        with pytest.raises(cluster.ClusterError, match="died each time"):
            run_cells(_cells(3), None, log, ["cell"], pool=cluster.Pool(dask_client), task=task)
    finally:
        scheduler.allowed_failures = allowed
    # the cells that finished before the failure are kept; the failure may come before any other cell
    # finished (their tasks were on the killed worker, or queued), and then the log was never created
    path = tmp_path / "records.jsonl"
    written = [json.loads(line)["cell"] for line in path.read_text().splitlines()] if path.exists() else []
    assert 1 not in written and len(written) == len(set(written))


@pytest.mark.dask
def test_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from verify import runner

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    out = tmp_path / "out"
    module = type("M", (), {"main": staticmethod(lambda a: runner.main("theorem6", a))})
    code, _, err = run_command(module, ["--n", "2000", "--d", "8", "--dask", "tcp://127.0.0.1:9", "--out", str(out),
                                        "--no-figures"], capsys)
    assert code == 2 and err.strip().splitlines() == [err.strip()]
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert not out.exists()


@pytest.mark.parametrize("text, message", [("foo", "expected local, local:N"), ("local:0", "positive whole number"),
                                           ("local:x", "positive whole number"), ("tcp://", "expected local")])
def test_bad_addresses(text, message):
    with pytest.raises(InputError, match=message):
        validate.dask_address(text)


def test_dask_not_installed_is_one_line(monkeypatch, tmp_path, capsys):
    from verify import runner

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    module = type("M", (), {"main": staticmethod(lambda a: runner.main("theorem6", a))})
    code, _, err = run_command(module, ["--dask", "local", "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "pip install 'pss-theory[dask]'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.dask
@pytest.mark.slow
def test_report_on_dask(dask_client, tmp_path):
    """python -m verify --dask ADDRESS: every check on the one cluster, the numbers of a run here."""
    import shutil
    import subprocess
    import sys

    from tests.test_report import ROOT

    shutil.copy(os.path.join(ROOT, "paper_appendix.md"), tmp_path / "paper_appendix.md")
    proc = subprocess.run([sys.executable, "-m", "verify", "--scale", "smoke", "--quiet", "--dask",
                           dask_client.scheduler.address], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": ROOT})
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(tmp_path / "results" / "theorem6" / "summary.json") as fh:
        there = json.load(fh)
    here = checks.run_check("theorem6", **checks.get("theorem6").scales["smoke"])
    assert there["stats"]["eps_macro_norm"] == here.stats["eps_macro_norm"]
    for name in ("theorem7", "theorem4", "robez_timing"):
        assert (tmp_path / "results" / name / "summary.json").exists()
