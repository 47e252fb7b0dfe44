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
