"""Running cells (one sketch draw on one table) and collecting their records, resumably."""
from __future__ import annotations

import json
import time

import numpy as np

from .. import rng
from ..records import RecordLog, dumps, flat_record

#: the Philox key of trial ``trial``'s sketch (``rng.sketch_key``), recorded as ``sketch_seed``
trial_seed = rng.sketch_key


def log_k_grid(lo: float, hi: float, points: int) -> list[int]:
    """``points`` integers log-spaced from lo to hi (duplicates removed)."""
    if hi <= lo:
        return [int(round(lo))]
    return sorted({int(round(x)) for x in np.geomspace(lo, hi, points)})


def run_cells(cells: list[dict], compute, log: RecordLog | None, key_fields, valid=lambda record: True, *,
              pool=None, task=None, task_args=(), finished=None) -> list[dict]:
    """Records for ``cells`` in order: those in ``log`` are reused, the rest computed and appended.

    ``compute(cell)`` returns the measured fields of one cell; the record is the cell plus those
    fields plus ``seconds``, returned with its measured part as records.jsonl holds it (plain JSON values,
    flat: ``records.flat_record``) and the cell's inputs as the cell holds them, whether computed now or
    reused.  A stored record that ``valid`` rejects (a field missing, edited or of the wrong type) is
    measured again and the new record appended; the latest record of a cell is the one used.  With ``log``
    None nothing is written.

    With a ``pool`` (``cluster.Pool``) and two or more cells to compute, each runs on it as the task
    ``task(cell, *task_args)`` (picklable; ``compute`` is not used; ``task_args``, a plan and its table, are
    sent to the workers once, not with each cell), and this process appends each record as its cell
    finishes, in the order they finish, calling ``finished(cell)`` after each.  One cell left runs here
    through ``compute`` (its passes may use the pool for their row spans).
    """
    out = [None] * len(cells)
    todo = []
    for i, cell in enumerate(cells):
        if log is not None and log.done(cell):
            stored = log.latest(cell)
            if valid(stored):
                out[i] = stored
                continue
        todo.append(i)

    def keep(i, fields, seconds):
        record = {**cells[i], **fields, "seconds": round(seconds, 3)}
        if log is not None:
            log.append(record)
        # the measured part as a reused record has it (flat), the cell's inputs as the cell holds them
        out[i] = json.loads(dumps({**flat_record(fields), **cells[i], "seconds": round(seconds, 3)}))

    if pool is None or len(todo) < 2:
        for i in todo:
            t0 = time.perf_counter()
            fields = compute(cells[i])
            keep(i, fields, time.perf_counter() - t0)
        return out
    shared = [pool.share(a) for a in task_args]
    futures = {pool.submit(timed, task, cells[i], *shared): i for i in todo}
    try:
        for future in pool.as_completed(list(futures)):
            i = futures[future]
            keep(i, *pool.result(future, f"the cell {dumps(cells[i])[:200]}"))
            if finished is not None:
                finished(cells[i])
    finally:
        pool.cancel(futures)
    return out


def timed(task, cell: dict, *args) -> tuple[dict, float]:
    """``task(cell, *args)`` and the seconds it took where it ran."""
    t0 = time.perf_counter()
    fields = task(cell, *args)
    return fields, time.perf_counter() - t0
