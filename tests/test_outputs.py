"""Results keyed to their inputs, and hostile output folders, records, disks and signals: each answered by
one `error:` line and exit code 2 (or `terminated` and 143), never by reused numbers of another table, a
traceback, a duplicated record or a message glued to a progress bar."""
import errno
import fcntl
import json
import os
import resource
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import run_command as run
from hypothesis import given, settings
from hypothesis import strategies as st

from pss_theory import records
from pss_theory.errors import InputError
from pss_theory.records import RecordLog
from verify import cli, theorem6, theorem7

SMALL7 = ["--k", "64", "--coherence-pairs", "2000", "--no-figures"]
T6 = ["--n", "3000", "--d", "8", "--k", "64", "--trials", "2", "--no-figures"]


def summary(out):
    with open(os.path.join(out, "summary.json")) as fh:
        return json.load(fh)


def one_error_line(code, err, match):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    assert match in err, err


# ---- A: results keyed to the table's content ------------------------------------------------------


def test_another_table_under_the_same_name_is_measured_not_reused(tmp_path, capsys):
    path, out = tmp_path / "e.npy", str(tmp_path / "out")
    rng = np.random.default_rng(0)
    first_table = rng.standard_normal((3000, 8))
    second_table = rng.standard_normal((3000, 8)) * np.linspace(1.0, 5.0, 8)
    argv = ["--table", str(path), *SMALL7, "--quiet"]
    np.save(path, first_table)
    assert run(theorem7, argv + ["--out", out], capsys)[0] == 0
    first = summary(out)["stats"]["gaussian"]
    np.save(path, second_table)
    assert run(theorem7, argv + ["--out", out], capsys)[0] == 0
    second = summary(out)["stats"]["gaussian"]
    assert run(theorem7, argv + ["--out", str(tmp_path / "fresh")], capsys)[0] == 0
    fresh = summary(str(tmp_path / "fresh"))["stats"]["gaussian"]
    assert second["eps_i"] != first["eps_i"] and second["sigma_max"] != first["sigma_max"]
    assert second["eps_i"] == fresh["eps_i"] and second["sigma_max"] == fresh["sigma_max"]
    with open(os.path.join(out, "records.jsonl")) as fh:
        assert len(fh.read().splitlines()) == 2  # one cell per table content


def test_a_rerun_says_which_cells_it_reuses(tmp_path, capsys):
    out = str(tmp_path / "out")
    assert run(theorem6, T6 + ["--out", out, "--quiet"], capsys)[0] == 0
    code, _, err = run(theorem6, T6 + ["--out", out], capsys)
    assert code == 0
    assert f"reusing 2 of 2 cells from {out}/records.jsonl (same table content and options)" in err
    code, _, err = run(theorem6, T6[:-3] + ["--trials", "3", "--no-figures", "--out", out], capsys)
    assert "reusing 2 of 3 cells" in err
    assert "reusing" not in run(theorem6, T6 + ["--out", out, "--quiet"], capsys)[2]


# ---- H: output folders -------------------------------------------------------------------------------


def test_a_dangling_symlink_as_out(tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    one_error_line(*run(theorem6, T6 + ["--out", str(link)], capsys)[::2], "symbolic link")
    assert not (tmp_path / "nowhere").exists() and not os.path.exists(link)


def test_summary_json_that_is_a_folder_fails_before_work(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "summary.json").mkdir(parents=True)
    one_error_line(*run(theorem6, T6 + ["--out", str(out)], capsys)[::2], "summary.json")
    assert sorted(os.listdir(out)) == ["summary.json"]


@pytest.mark.parametrize("junk", [b"null\n", b"[1, 2]\n", b"5\n", b'"text"\n', b"\xff\xfe{}\n", b"NaN\n"])
def test_records_that_are_not_objects_end_the_good_prefix(tmp_path, junk):
    path = tmp_path / "records.jsonl"
    good = b'{"a": 1}\n{"a": 2}\n'
    path.write_bytes(good + junk + b'{"a": 3}\n')
    log = RecordLog(str(path), ["a"])
    assert [r["a"] for r in log.records] == [1, 2]
    assert path.read_bytes() == good
    assert log.done({"a": 2}) and not log.done({"a": 3})


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=6)
JUNK = st.one_of(JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
                 st.binary(min_size=1).filter(lambda b: b"\n" not in b and b"\r" not in b))


@given(prefix=st.lists(st.integers(0, 10**6), max_size=5, unique=True), junk=JUNK,
       rest=st.lists(st.integers(0, 10**6), max_size=3))
@settings(max_examples=80)
def test_any_junk_line_keeps_the_valid_prefix(tmp_path_factory, prefix, junk, rest):
    """Whatever the first bad line is, the records before it are kept and the file is cut there."""
    path = tmp_path_factory.mktemp("log") / "records.jsonl"
    good = b"".join(json.dumps({"a": a}).encode() + b"\n" for a in prefix)
    try:
        parsed = json.loads(junk.decode("utf-8"))
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return  # that junk is a record
    path.write_bytes(good + junk + b"\n" + b"".join(json.dumps({"a": a}).encode() + b"\n" for a in rest))
    log = RecordLog(str(path), ["a"])
    assert [r["a"] for r in log.records] == prefix
    assert path.read_bytes() == good


# ---- H: full disks and file-size limits -----------------------------------------------------------


def test_a_full_disk_is_one_line_and_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    real_fsync = os.fsync
    calls = []

    def full(fd):
        calls.append(fd)
        if len(calls) > 2:  # the records fit; summary.json does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(records.os, "fsync", full)
    code, _, err = run(theorem6, T6 + ["--out", str(out)], capsys)
    one_error_line(code, err, "No space left on device")
    assert "summary.json" in err
    assert sorted(os.listdir(out)) == ["records.jsonl"]  # the finished cells are kept for a rerun


def test_write_atomic_removes_its_temporary_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))

    monkeypatch.setattr(records.os, "fsync", full)
    with pytest.raises(OSError) as info:
        records.write_atomic(str(tmp_path / "x.json"), "{}")
    assert info.value.filename == str(tmp_path / "x.json")
    assert os.listdir(tmp_path) == []


def test_a_failed_append_leaves_no_torn_line(tmp_path, monkeypatch):
    path = tmp_path / "records.jsonl"
    log = RecordLog(str(path), ["a"])
    log.append({"a": 1})
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(records.os, "fsync", full)
    with pytest.raises(OSError):
        log.append({"a": 2, "x": "y" * 1000})
    assert path.read_bytes() == before and not log.done({"a": 2})


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


def test_a_file_size_limit_is_one_line_exit_2(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "verify.theorem7", "--n", "3000", "--d", "8", *SMALL7, "--quiet",
                           "--out", str(out)], capture_output=True, text=True, preexec_fn=_limit_file_size,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    one_error_line(proc.returncode, proc.stderr, "File too large")
    assert not out.exists()  # the one record did not fit: nothing is left


# ---- H: two runs, one folder -------------------------------------------------------------------------


def test_a_second_run_on_a_locked_out_fails_at_once(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        t0 = time.perf_counter()
        one_error_line(*run(theorem6, T6 + ["--out", str(out)], capsys)[::2], f"another run is writing {out}")
        assert time.perf_counter() - t0 < 5
    assert not (out / "records.jsonl").exists()
    assert run(theorem6, T6 + ["--out", str(out), "--quiet"], capsys)[0] == 0


def test_two_concurrent_runs_never_duplicate_records(tmp_path):
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "verify.theorem6", "--n", "20000", "--d", "16", "--trials", "4", "--no-figures",
            "--quiet", "--out", str(out)]
    procs = [subprocess.Popen(argv, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(proc.wait(), proc.stderr.read()) for proc in procs]
    for proc in procs:
        proc.stderr.close()
    assert any(code == 0 for code, _ in results), results
    for code, err in results:
        assert code == 0 or (code == 2 and "another run is writing" in err), results
    with open(out / "records.jsonl") as fh:
        keys = [(r["family"], r["k"], r["trial"]) for r in map(json.loads, fh)]
    assert len(keys) == 4 and len(set(keys)) == 4


# ---- H: signals and the progress line ------------------------------------------------------------


def test_sigterm_ends_a_run_with_one_line_and_143(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "verify.theorem6", "--n", "200000", "--d", "32", "--trials", "50",
                             "--no-figures", "--quiet", "--out", str(out)], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    def one_record_done():
        # a line is visible before its append has returned (fsync), and an append that SIGTERM interrupts
        # is undone: wait for a second line, which starts only after the first append returned
        try:
            return (out / "records.jsonl").read_bytes().count(b"\n") >= 2
        except FileNotFoundError:
            return False

    while not one_record_done() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143 and err == "terminated\n", (proc.returncode, err)
    with open(out / "records.jsonl") as fh:
        assert all(json.loads(line) for line in fh)  # every record whole; a rerun resumes from them
    assert not [f for f in os.listdir(out) if f.startswith(".tmp-")]


def test_an_error_starts_on_its_own_line_after_a_progress_bar(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    def main(argv):
        progress = cli.StageBars("work", True)
        progress("pass 1", 40, 100, "rows")
        raise InputError("the table has NaN or Inf values")

    assert cli.run(main) == 2
    err = capsys.readouterr().err
    assert err.startswith("\rwork pass 1:") and err.endswith("\nerror: the table has NaN or Inf values\n")
    assert err.splitlines()[-1] == "error: the table has NaN or Inf values"


def test_a_relative_out_is_locked_and_released(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(theorem6, T6 + ["--out", "a/b", "--quiet"], capsys)[0] == 0
    assert sorted(os.listdir(tmp_path / "a" / "b")) == ["records.jsonl", "summary.json"]
    E = np.random.default_rng(0).standard_normal((3000, 8))
    E[2500, 3] = np.nan  # found in the first pass, after the folder is locked
    np.save(tmp_path / "nan.npy", E)
    code, _, err = run(theorem6, ["--table", "nan.npy", "--k", "64", "--out", "c/d"], capsys)
    one_error_line(code, err, "NaN or Inf")
    assert not (tmp_path / "c").exists()


# ---- C, F, G through the command line --------------------------------------------------------------


def _hostile_files(d):
    np.save(d / "e.npy", np.random.default_rng(0).standard_normal((3000, 8)))
    (d / "npy.npz").write_bytes((d / "e.npy").read_bytes())
    raw = json.dumps({"t": {"dtype": "F32", "shape": [4, 2], "data_offsets": [-16, 16]}}).encode()
    (d / "back.safetensors").write_bytes(len(raw).to_bytes(8, "little") + raw + bytes(64))
    (d / "list.safetensors").write_bytes(b"\x06" + bytes(7) + b"[1, 2]")


HOSTILE_CLI = [
    (theorem7, ["--table", "{d}/e.npy", "--key", "weight"], "a .npy file holds one table; --key applies"),
    (theorem6, ["--table", "{d}/npy.npz"], "not a zip archive"),
    (theorem6, ["--table", "{d}/back.safetensors"], "data_offsets [-16, 16]"),
    (theorem6, ["--table", "{d}/list.safetensors"], "header is a JSON list"),
    (theorem7, ["--family", "robez", "--n", "3000", "--d", "8", "--compression", "1e-300"], "at most 2^53"),
    (theorem7, ["--n", "9007199254740993", "--d", "4"], "n = '9007199254740993' is too large"),
]


@pytest.mark.parametrize("module, argv, match", HOSTILE_CLI, ids=[" ".join(a) for _, a, _ in HOSTILE_CLI])
def test_hostile_tables_on_the_command_line(tmp_path, capsys, module, argv, match):
    _hostile_files(tmp_path)
    out = tmp_path / "out"
    argv = [a.replace("{d}", str(tmp_path)) for a in argv] + ["--out", str(out)]
    one_error_line(*run(module, argv, capsys)[::2], match)
    assert not out.exists()


def test_a_fifo_as_table_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "x.npy")
    out = tmp_path / "out"
    try:
        proc = subprocess.run([sys.executable, "-m", "verify.theorem7", "--table", str(tmp_path / "x.npy"),
                               "--out", str(out)], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the command waited on a FIFO")
    one_error_line(proc.returncode, proc.stderr, "not a regular file")
    assert not out.exists()


def test_block_rows_beyond_n_runs(tmp_path, capsys):
    code, _, err = run(theorem7, ["--n", "3000", "--d", "8", *SMALL7, "--block-rows", "1e12", "--quiet",
                                  "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
