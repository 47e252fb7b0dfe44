"""Running cells (one sketch draw on one table) and collecting their records, resumably."""
from __future__ import annotations

import json
import time

import numpy as np

from .. import rng
from ..records import RecordLog, dumps

#: the Philox key of trial ``trial``'s sketch (``rng.sketch_key``), recorded as ``sketch_seed``
trial_seed = rng.sketch_key


def log_k_grid(lo: float, hi: float, points: int) -> list[int]:
    """``points`` integers log-spaced from lo to hi (duplicates removed)."""
    if hi <= lo:
        return [int(round(lo))]
    return sorted({int(round(x)) for x in np.geomspace(lo, hi, points)})


def run_cells(cells: list[dict], compute, log: RecordLog | None, key_fields, valid=lambda record: True) -> list[dict]:
    """Records for ``cells`` in order: those in ``log`` are reused, the rest computed and appended.

    ``compute(cell)`` returns the measured fields of one cell; the record is the cell plus those
    fields plus ``seconds``, returned as records.jsonl holds it (plain JSON values) whether computed now or
    reused.  A stored record that ``valid`` rejects (a field missing, edited or of the wrong type) is
    measured again and the new record appended; the latest record of a cell is the one used.  With ``log``
    None nothing is written.
    """
    out = []
    for cell in cells:
        if log is not None and log.done(cell):
            stored = log.latest(cell)
            if valid(stored):
                out.append(stored)
                continue
        t0 = time.perf_counter()
        record = {**cell, **compute(cell)}
        record["seconds"] = round(time.perf_counter() - t0, 3)
        if log is not None:
            log.append(record)
        out.append(json.loads(dumps(record)))
    return out
