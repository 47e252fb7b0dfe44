"""The registry of checks: every module of this package that defines ``CHECK = <Check>()``.

The command line (``python -m verify.<name>``) and the report (``python -m verify``) iterate this
registry, in the order of each check's ``order``; ``run_check`` is the Python entry point and returns
the same ``Summary`` as the command with the same options.  To add a check, write its module here and
give it an appendix marker (see docs/design.md): nothing else lists it.
"""
from __future__ import annotations

import importlib
import pkgutil

from .. import validate
from ..claims import Claim
from ..errors import InputError
from ..summary import Summary
from .base import Check, Plan, option, run


def _discover() -> dict[str, Check]:
    found = [getattr(importlib.import_module(f"{__name__}.{m.name}"), "CHECK", None)
             for m in pkgutil.iter_modules(__path__)]
    return {c.name: c for c in sorted((c for c in found if isinstance(c, Check)), key=lambda c: c.order)}


#: every check by name, in report order
CHECKS: dict[str, Check] = _discover()


def get(name: str) -> Check:
    try:
        return CHECKS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown check {name!r}: expected one of {', '.join(CHECKS)}") from None


def run_check(name: str, dask=None, **options) -> Summary:
    """Run the check ``name`` and return its Summary (nothing is written).

    ``options`` are the fields of the check's ``Options`` (the command line's flags with ``_`` for ``-``),
    e.g. ``run_check("theorem7", table=E, family="gaussian", k=1024, seed=0)``.  ``dask`` (``--dask``):
    where its cells, or a cell's row spans, run: ``local``, ``local:N``, ``tcp://host:port``, a
    ``dask.distributed.Client`` or a ``concurrent.futures.Executor`` (None: in this process).
    """
    dask = validate.dask_address(dask)
    check = get(name)
    plan = check.plan(check.options(**options))
    return run(check, plan, dask=dask)[0]


__all__ = ["CHECKS", "Check", "Claim", "Plan", "Summary", "get", "option", "run", "run_check"]
