"""python -m verify --scale smoke end to end: figures, appendix blocks, prose untouched, reruns idempotent;
a run other than the repository's own writes under --out and leaves the repository's appendix alone."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from verify import appendix

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = ["theorem6_eps_vs_k", "theorem6_failure_rate", "theorem7_eps_vs_rho", "theorem7_proof_steps",
           "theorem4_pairs", "robez_timing_vs_n", "robez_timing_vs_z"]


def verify(cwd, *extra):
    return subprocess.run([sys.executable, "-m", "verify", "--scale", "smoke", *extra], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ROOT})


def prose(text):
    """The appendix with every measured block's content removed."""
    return re.sub(r"(<!-- measured:\w+ -->).*?(<!-- /measured -->)", r"\1\2", text, flags=re.S)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("report")
    shutil.copy(os.path.join(ROOT, "paper_appendix.md"), cwd / "paper_appendix.md")
    original = (cwd / "paper_appendix.md").read_text()
    first = verify(cwd)
    return cwd, original, first


def test_report_writes_figures_results_and_appendix_under_out(report):
    cwd, original, proc = report
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in FIGURES:
        for ext in ("png", "svg"):
            assert (cwd / "results" / "figures" / f"{name}.{ext}").stat().st_size > 1000, name
    for step in ("theorem6", "theorem7", "theorem4", "robez_timing"):
        assert (cwd / "results" / step / "summary.json").exists()
    # a smoke run is not the repository's own: the repository's appendix and figures/ stay as they were
    assert (cwd / "paper_appendix.md").read_text() == original and not (cwd / "figures").exists()
    text = (cwd / "results" / "paper_appendix.md").read_text()
    assert prose(text) == prose(original)  # prose outside the markers byte-identical
    for name, start, end in appendix.blocks(text):
        assert "run `python -m verify` to fill" not in text[start:end], name
    assert "](figures/theorem7_eps_vs_rho.png)" in text
    assert "Report: `python -m verify --scale smoke`" in text and "k = None" not in text
    report_json = json.loads((cwd / "results" / "report.json").read_text())
    assert report_json["command"] == "python -m verify --scale smoke"
    assert "Part B (Eq. 16-18): eta_i <=" in proc.stdout and "holds" not in proc.stderr
    assert "%|" not in proc.stderr and "rows/s" not in proc.stderr  # stderr is not a terminal: no progress


def test_rerun_is_idempotent(report):
    cwd, _, _ = report
    before = (cwd / "results" / "paper_appendix.md").read_text()
    again = verify(cwd)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (cwd / "results" / "paper_appendix.md").read_text() == before


def test_an_explicit_appendix_is_updated_in_place(report):
    cwd, original, _ = report
    again = verify(cwd, "--appendix", "paper_appendix.md")
    assert again.returncode == 0, again.stderr[-2000:]
    text = (cwd / "paper_appendix.md").read_text()
    assert text != original and prose(text) == prose(original)
    assert "Report: `python -m verify --scale smoke --appendix paper_appendix.md`" in text
    assert (cwd / "figures" / "theorem7_eps_vs_rho.png").exists()


@pytest.mark.parametrize("breakage, match", [
    (lambda t: t.replace("<!-- /measured -->", "", 1), "opens inside"),
    (lambda t: t.replace("<!-- measured:theorem4 -->", "", 1), "without an opening"),
    (lambda t: t + "\n<!-- measured:theorem6 -->\nx\n<!-- /measured -->\n", "more than once"),
])
def test_broken_markers_exit_2_and_leave_the_file(tmp_path, breakage, match):
    text = breakage(open(os.path.join(ROOT, "paper_appendix.md")).read())
    (tmp_path / "a.md").write_text(text)
    proc = verify(tmp_path, "--appendix", "a.md")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and match in proc.stderr
    assert (tmp_path / "a.md").read_text() == text
    assert not (tmp_path / "results").exists() and not (tmp_path / "figures").exists()


def test_a_check_without_a_block_is_reported_and_the_other_blocks_written(tmp_path):
    """A new check runs before its block exists: the appendix says so instead of refusing to start."""
    text = re.sub(r"<!-- measured:theorem4 -->.*?<!-- /measured -->\n", "", open(os.path.join(ROOT, "paper_appendix.md"))
                  .read(), flags=re.S)
    (tmp_path / "a.md").write_text(text)
    read, missing = appendix.check(str(tmp_path / "a.md"), ["theorem6", "theorem4", "summary"])
    assert read == text and missing == ["theorem4"]
    written = appendix.replace(text, {"theorem6": "new six", "theorem4": "new four"})
    assert "new six" in written and "new four" not in written and prose(written) == prose(text)
    note = appendix.missing_note("a.md", "theorem4")
    assert "<!-- measured:theorem4 -->" in note and "\n" not in note


def test_unwritable_figures_folder(tmp_path):
    shutil.copy(os.path.join(ROOT, "paper_appendix.md"), tmp_path / "paper_appendix.md")
    (tmp_path / "blocker").write_text("a file where a folder should be")
    proc = verify(tmp_path, "--figures", "blocker/figs")
    assert proc.returncode == 2 and "not a folder" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_the_repository_s_own_run_is_the_default_one():
    from verify.__main__ import destinations, parser

    assert destinations(parser().parse_args([])) == ("paper_appendix.md", "paper_appendix.md", "figures")
    for argv in (["--scale", "smoke"], ["--table", "t.npy"], ["--seed", "3"]):
        assert destinations(parser().parse_args(argv + ["--out", "o"])) == (
            "paper_appendix.md", os.path.join("o", "paper_appendix.md"), os.path.join("o", "figures")), argv
