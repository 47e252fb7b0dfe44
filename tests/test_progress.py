"""Progress on stderr: one tqdm line per stage of the library's work, fitting the terminal, with adaptive
units; nothing at all when stderr is not a terminal or with --quiet."""
import io
import os
import pty
import select
import sys

import numpy as np
import pytest

from pss_theory import checks
from verify import cli


class Terminal(io.StringIO):
    """stderr as a terminal (isatty) of the width COLUMNS says."""

    def isatty(self):
        return True


def screen(text: str) -> list[str]:
    """The lines a terminal shows at the end: each line is what its last carriage return left."""
    return [line.split("\r")[-1] for line in text.split("\n") if line.split("\r")[-1]]


def drawn(text: str) -> list[str]:
    """Every state a line was drawn in (each carriage return redraws the line)."""
    return [part for line in text.split("\n") for part in line.split("\r") if part]


def run_theorem7(stream, enabled=True):
    check = checks.get("theorem7")
    E = np.random.default_rng(0).standard_normal((3000, 8))
    plan = check.plan(check.options(table=E, family="gaussian", k=64, block_rows=100, coherence_pairs=5000))
    with cli.StageBars("theorem7", enabled, stream) as bars:
        checks.run(check, plan, None, bars)


@pytest.mark.parametrize("width", [80, 50])
def test_one_line_per_stage_that_fits_the_terminal(monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    out = Terminal()
    run_theorem7(out)
    text = out.getvalue()
    assert all(len(line) < width for line in drawn(text)), max(drawn(text), key=len)
    lines = screen(text)
    assert [line.split(":")[0] for line in lines] == ["theorem7 pass 1", "theorem7 pass 2", "theorem7 coherence"]
    assert all("100%" in line for line in lines)  # each stage ends at 100 %, on its own line, once
    assert sum("100%" in line for line in lines) == 3
    assert "3.00k/3.00k" in lines[0] and ("rows/s" in lines[0] or width < 60)  # adaptive units, not 0.00M


def test_adaptive_units_and_an_eta():
    out = Terminal()
    bars = cli.StageBars("theorem7", True, out)
    bars("pass 1", 4_400, 1_000_000, "rows")
    bars("pass 1", 500_000, 1_000_000, "rows")
    bars.close()
    last = screen(out.getvalue())[-1]
    assert "500k/1.00M" in last and "rows/s" in last and "<" in last  # elapsed<remaining


def test_silent_when_not_a_terminal_or_quiet(monkeypatch):
    plain = io.StringIO()
    run_theorem7(plain)
    assert plain.getvalue() == ""
    quiet = Terminal()
    run_theorem7(quiet, enabled=False)
    assert quiet.getvalue() == ""


def test_several_cells_are_one_line_over_the_cells(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = Terminal()
    check = checks.get("theorem6")
    plan = check.plan(check.options(table="gaussian", n=2000, d=4, k=32, trials=3, block_rows=100))
    with cli.StageBars("theorem6", True, out) as bars:
        checks.run(check, plan, None, bars)
    lines = screen(out.getvalue())
    assert len(lines) == 1 and lines[0].startswith("theorem6 cells: 100%") and "6.00k/6.00k" in lines[0]


def test_the_library_reports_stages_without_printing(capsys):
    seen = []
    E = np.random.default_rng(0).standard_normal((500, 4))
    check = checks.get("theorem4")
    plan = check.plan(check.options(table=E, family="gaussian", k=32, pairs=1000, top=20, rho=0.01))
    checks.run(check, plan, None, lambda *report: seen.append(report))
    stages = list(dict.fromkeys(s for s, *_ in seen))
    assert stages == ["pass 1", "pass 2", "pairs", "top pairs"]
    assert seen[-1] == ("top pairs", 1, 1, "step")
    assert capsys.readouterr() == ("", "")


def read_available(fd: int) -> str:
    """Everything written to a pseudo-terminal so far: one read returns what the kernel has passed on
    at that moment, which on a loaded machine can be part of it."""
    out = b""
    while select.select([fd], [], [], 0.5)[0]:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        out += chunk
    return out.decode()


def test_a_terminal_that_reports_no_size_still_shows_the_bars(monkeypatch):
    """A pseudo-terminal without a window reports 0 x 0 (script, some container shells): the bar is
    still drawn, 80 columns wide."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as stream:
        assert tuple(os.get_terminal_size(slave)) == (0, 0)
        monkeypatch.setattr(sys, "stderr", stream)  # tqdm sizes its bar from the screen only for sys.stderr
        with cli.StageBars("theorem7", True) as bars:
            bars("pass 1", 10, 10, "rows")
        stream.flush()
        out = read_available(master)
    os.close(master)
    lines = drawn(out.replace("\r\n", "\n"))
    assert any(line.startswith("theorem7 pass 1: 100%") for line in lines), out
    assert max(len(line) for line in lines) < 80
