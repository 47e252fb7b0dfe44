"""How the library says how far it has come without printing anything.

A caller passes ``progress(stage, done, total, unit)``: ``stage`` names a step of the work ("pass 1",
"pass 2", "coherence", "pairs", or a run's cells), ``done`` of ``total`` units of it (``unit``: rows,
steps, cells) are finished.  A report names its stage and its total, so a caller can show one line
per stage and never leaves a finished stage on screen while the next one runs.  Whoever shows the
reports owns the display (the command line uses tqdm); the library only calls the callback.
"""
from __future__ import annotations

import contextlib


def stage(progress, name: str, total: int, unit: str = "rows"):
    """``update(done)`` reporting ``done`` of ``total`` units of the stage ``name`` to ``progress``; None
    when ``progress`` is None (the functions that take an ``update`` skip it then)."""
    if progress is None:
        return None

    def update(done: int) -> None:
        progress(name, done, total, unit)

    return update


@contextlib.contextmanager
def step(progress, name: str):
    """A stage of one indivisible step (column coherence, a sample of pairs): reported as 0 of 1 when
    the block starts, 1 of 1 when it ends."""
    update = stage(progress, name, 1, "step")
    if update:
        update(0)
    yield
    if update:
        update(1)
