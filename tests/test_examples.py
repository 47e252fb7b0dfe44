"""The examples users start from: every command's --help shows examples that parse as given, and every
script in examples/ runs to the end (CI runs this file with the default suite)."""
import os
import shlex
import subprocess
import sys

import pytest

from pss_theory import checks
from verify import __main__ as report
from verify import runner

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = sorted(f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".py"))


@pytest.mark.parametrize("name", sorted(checks.CHECKS))
def test_every_command_s_help_has_examples_that_parse(name, capsys):
    check = checks.get(name)
    parser = runner.parser(check)
    assert check.examples
    for args, _ in check.examples:
        parser.parse_args(shlex.split(args))  # a flag that does not exist is a UsageError
    text = parser.format_help()
    assert "examples:" in text and all(f"python -m verify.{name} {args}" in text for args, _ in check.examples)


def test_the_report_s_help_has_examples_that_parse():
    parser = report.parser()
    for args, _ in report.EXAMPLES:
        parser.parse_args(shlex.split(args))
    assert "examples:\n  python -m verify\n" in parser.format_help()


def test_there_are_example_scripts():
    assert {"your_own_table.py", "compare_families.py", "plan_k.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_example_script_runs(script, tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script)], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": ROOT}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() and not proc.stderr.strip()
    assert os.listdir(tmp_path) == []  # an example leaves nothing behind where it runs
