"""Figures drawn from records and summaries only: nothing here measures or bounds anything.

Every figure is laid out the same way: legends outside the axes, to their right, so that they hide
no data, no bound and no note; notes (a vacuous bound, a value off the chart) in red and the footer
(sizes, family, the table's name, seed) below the axes; log axes with decimal tick labels (0.6, not
6 x 10^-1); several families told apart by marker and a small horizontal offset as well as colour;
compression n / k as a second axis over every k axis.  The E.1 figures draw the paper's own numbers
(``e1.paper``, its Tables 5-17) beside ours.
"""
import importlib
import pkgutil

import matplotlib

# before any pyplot import (the modules below): no display is needed, and SVG ids are fixed so a rerun
# writes the same bytes
matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "pss-theory"

from .layout import decimal_ticks, style  # noqa: E402


def _discover() -> dict:
    modules = (importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__))
    return {mod.CHECK_NAME: mod.draw for mod in modules if isinstance(getattr(mod, "CHECK_NAME", None), str)}


#: each check's figures: ``draw(summary, records, folder)`` returns the paths it wrote; every module here
#: that names its check in ``CHECK_NAME`` (one per check that draws)
DRAWERS = _discover()


def draw(check: str, summary, records: list[dict], folder: str) -> list[str]:
    """The figures of ``check``'s run (its Summary and records) in ``folder``: their paths, none for a
    check that draws none (the planner)."""
    drawer = DRAWERS.get(check)
    return drawer(summary, records, folder) if drawer else []


__all__ = ["DRAWERS", "decimal_ticks", "draw", "style"]
