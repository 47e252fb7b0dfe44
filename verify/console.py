"""The ``pss-theory`` console script (``[project.scripts]``), one name for every command:
``pss-theory`` is ``python -m verify`` (the report) and ``pss-theory CHECK ...`` is
``python -m verify.CHECK ...`` for every registered check (``pss-theory theorem7 --help``)."""
from __future__ import annotations

import sys
from functools import partial

from pss_theory.checks import CHECKS

from . import __main__ as report
from . import cli, runner


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in CHECKS:
        return cli.run(partial(runner.main, argv[0]), argv[1:])
    return cli.run(report.main, argv)
