"""Killed at any point, a sweep resumes from its records: one record per cell, none lost, none torn."""
import json
import os
import signal
import subprocess
import sys
import time

from pss_theory.records import RecordLog

ARGS = ["-m", "verify.theorem6", "--n", "20000", "--d", "16", "--sweep", "--k-points", "4", "--trials", "3",
        "--quiet", "--figures"]
CELLS = 4 * 3


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return fh.read().splitlines()


def strip(record):
    return {k: v for k, v in record.items() if k != "seconds"}


def test_sigkill_mid_sweep_then_resume(tmp_path):
    out, figs = tmp_path / "run", tmp_path / "figs"
    path = out / "records.jsonl"
    proc = subprocess.Popen([sys.executable, *ARGS, str(figs), "--out", str(out)])
    deadline = time.time() + 120
    while len(lines(path)) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(lines(path))
    assert 0 < done_before < CELLS, "the kill should land mid-sweep"
    with open(path, "a") as fh:  # what a kill during a write leaves: a torn last line
        fh.write('{"family": "gaussian", "k": 3')
    subprocess.run([sys.executable, *ARGS, str(figs), "--out", str(out)], check=True)
    records = [json.loads(line) for line in lines(path)]
    keys = [(r["family"], r["k"], r["trial"]) for r in records]
    assert len(keys) == CELLS and len(set(keys)) == CELLS
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, *ARGS, str(tmp_path / "f2"), "--out", str(fresh)], check=True)
    expected = sorted((strip(json.loads(line)) for line in lines(fresh / "records.jsonl")), key=json.dumps)
    assert sorted((strip(r) for r in records), key=json.dumps) == expected
    with open(out / "summary.json") as fh:
        assert len(json.load(fh)["stats"]["eps_macro_norm"]) == CELLS


def test_record_log_drops_a_torn_line(tmp_path):
    path = tmp_path / "records.jsonl"
    log = RecordLog(str(path), ["a"])
    log.append({"a": 1, "x": 2})
    with open(path, "a") as fh:
        fh.write('{"a": 2, "x"')
    log2 = RecordLog(str(path), ["a"])
    assert [r["a"] for r in log2.records] == [1]
    assert log2.done({"a": 1}) and not log2.done({"a": 2})
    log2.append({"a": 2, "x": 3})
    assert [json.loads(line)["a"] for line in lines(path)] == [1, 2]


def test_record_log_stops_at_a_corrupt_complete_line(tmp_path):
    """A newline-terminated line that is not JSON ends the good prefix; what follows it is redone."""
    path = tmp_path / "records.jsonl"
    path.write_text('{"a": 1}\n{"a": 2, oops\n{"a": 3}\n')
    log = RecordLog(str(path), ["a"])
    assert [r["a"] for r in log.records] == [1]
    assert path.read_text() == '{"a": 1}\n'


def test_records_written_with_nested_inputs_are_still_reused(tmp_path):
    """records.jsonl spreads a cell's inputs over prefixed columns (``table.kind``); a file written before,
    with ``table`` and ``params`` as objects, identifies the same cells: its records are reused, not
    measured again, and read back with the measured values they hold."""
    from pss_theory import checks

    check = checks.get("theorem6")
    plan = check.plan(check.options(n=2000, d=8, k=[24, 48], trials=1, family="osnap:s=2"))
    log = RecordLog(str(tmp_path / "records.jsonl"), check.record_key)
    first = checks.run(check, plan, log)[1]
    flat = [json.loads(line) for line in lines(log.path)]
    assert all("table.kind" in r and "params.s" in r and "table" not in r for r in flat)
    nested = [{**{c: v for c, v in r.items() if not c.startswith(("table.", "params."))},
               "table": plan.cells[i]["table"], "params": {"s": 2}} for i, r in enumerate(flat)]
    assert [log.key(r) for r in nested] == [log.key(r) for r in flat] == [log.key(c) for c in plan.cells]
    (tmp_path / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in nested))
    again = RecordLog(str(tmp_path / "records.jsonl"), check.record_key)
    assert all(again.done(cell) for cell in plan.cells)
    second = checks.run(check, check.plan(check.options(n=2000, d=8, k=[24, 48], trials=1, family="osnap:s=2")),
                        again)[1]
    assert len(lines(again.path)) == len(nested)  # nothing measured again
    assert [strip(r) for r in second] == [strip(r) for r in first]
