"""Command line of pss-theory: ``python -m verify`` (the report) and ``python -m verify.<check>``.

The commands parse arguments, call the library, print and write what it returns; they compute no
mathematics of their own.  ``verify.<check>`` is not a file per check: every name in the registry
``pss_theory.checks.CHECKS`` is served by the one generic command ``verify.runner``, through the
import hook below, so that registering a check is all it takes to get its command.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

_TEMPLATE = """\
import sys
from functools import partial

from verify import cli, runner

main = partial(runner.main, {name!r})
if __name__ == "__main__":
    sys.exit(cli.run(main))
"""


class _CheckCommands(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
    """Finds ``verify.<name>`` for every registered check that has no module file of its own."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != __name__ or not name or "." in name:
            return None
        if importlib.machinery.PathFinder.find_spec(fullname, __path__) is not None:
            return None  # a real module (runner, cli, ...) wins
        from pss_theory.checks import CHECKS  # noqa: PLC0415  (imported only when a command is looked up)

        if name not in CHECKS:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, origin=f"pss_theory.checks.CHECKS[{name!r}]")

    def get_source(self, fullname):
        return _TEMPLATE.format(name=fullname.partition(".")[2])

    def is_package(self, fullname):
        return False


sys.meta_path.append(_CheckCommands())
