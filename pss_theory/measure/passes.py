"""The one pass engine: every read of a table, split into row spans, feeding pluggable accumulators.

A pass reads the rows of E once from a ``Source`` (the rows a PSS reads, or the table's own for a pass
without a PSS), in blocks of ``block_rows`` rows, and hands them on in fixed *tiles* (``tables.tiles``:
fixed by the PSS, n and d, never by the blocks).  Each tile is handed, as float64 too and with its row
norms ||E_i||, to every ``Accumulator`` of the pass; each accumulator keeps what it needs of it (M = S E,
the Gram E^T E, the row norms and their file, per-row read-back results, a check's own sums).

The tiles are grouped into spans of whole tiles (``cluster.row_spans``: fixed by n and the tile, never
by the blocks or the workers).  A span is run by ``run_span`` here or as a task on a ``cluster.Pool``;
it adds its tiles in row order, and what it returns is merged here in span order (``Accumulator.merge``).
So every sum is taken in one fixed order, and the numbers are the same to the bit whatever the block
size, where the spans ran or on how many workers.  Progress: ``progress(rows_done)`` after each tile
(here) or each merged span (with a pool).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..backend import matmul
from ..tables import as_table, check_finite
from ..tables import tiles as T
from . import cluster


def row_norms(xp, b64):
    """||x_i|| of each row of a float64 block: one formula for every per-row norm of the passes, so they
    agree to the bit.  ``einsum`` sums each row in one sweep without the n x d square that
    ``(b * b).sum(axis=1)`` or ``linalg.norm`` first writes (measured 4.7x faster at d = 128)."""
    return xp.sqrt(xp.einsum("ij,ij->i", b64, b64))


@dataclass
class PssBlocks:
    """The tiles ``S.tiles`` reads of E: rounded to the PSS's compute dtype, on its backend."""

    S: object
    E: object
    block_rows: int | None = None

    def __post_init__(self):
        self.E = as_table(self.E)  # once: a bare array would be wrapped (and a float64 one scanned) in every span

    @property
    def starts(self):
        return self.S.tile_starts(self.E.d)

    @property
    def backend(self):
        return self.S.backend

    def own(self) -> PssBlocks:
        # a copy of the PSS of its own: the dense families reuse a buffer, and spans may share a process
        return PssBlocks(self.S.with_dtype(self.S.dtype), self.E, self.block_rows)

    def tiles(self, span):
        return self.S.tiles(self.E, self.block_rows, span=span)


@dataclass
class TableBlocks:
    """The table's own rows on ``backend`` in ``dtype``, read ``block_rows`` at a time, in tiles of
    ``tables.tiles.TABLE_TILE_ROWS`` (fewer for a wide table): a pass that needs no PSS, the planner's."""

    table: object
    backend: object
    block_rows: int
    dtype: str = "float64"

    @property
    def tile(self) -> int:
        return T.tile_rows(T.TABLE_TILE_ROWS, self.table.d)

    @property
    def starts(self):
        return T.tile_starts(self.table.n, self.tile)

    def own(self) -> TableBlocks:
        return self

    def tiles(self, span):
        xp = self.backend.xp
        return T.read_tiles(lambda a, b: self.table.block(a, b, xp).astype(self.dtype, copy=False), span,
                            self.block_rows, self.tile, xp)


class Accumulator:
    """What one pass builds.  ``open`` (on the worker, once per span) makes the span's state, ``add``
    folds one tile into it (in row order), ``close`` returns the span's part (what travels back from a task) and
    ``merge`` (here, in span order) folds that part into the result.  What travels to a worker with
    the accumulator is only ``span_fields`` (never a sink or a result being merged)."""

    span_fields: tuple[str, ...] = ()

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.span_fields}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def open(self, source, start: int, stop: int):
        return None

    def add(self, state, b0: int, b1: int, block, b64, norms):
        raise NotImplementedError

    def close(self, state):
        return state

    def merge(self, part, start: int, stop: int) -> None:
        raise NotImplementedError


class Sum(Accumulator):
    """The sum of a per-span array over the pass: the first span's own array, the others added into it
    in span order (``total``; None for a pass of no rows)."""

    total = None

    def merge(self, part, start, stop):
        if part is None:
            return
        if self.total is None:
            self.total = part
        else:
            self.total += part


class SketchSum(Sum):
    """The unscaled M = sum over tiles of S[:, t] E_t (``S.accumulate``); ``S.finish`` scales it."""

    def open(self, source, start, stop):
        return {"S": source.S, "M": None}

    def add(self, state, b0, b1, block, b64, norms):
        if state["M"] is None:
            state["M"] = state["S"].zeros_accumulator(block.shape[1])
        state["S"].accumulate(state["M"], b0, block)

    def close(self, state):
        return state["M"]


class Gram(Sum):
    """E^T E in float64 (from the rows as the source rounds them), on the source's backend."""

    def open(self, source, start, stop):
        return {"xp": source.backend.xp, "G": None}

    def add(self, state, b0, b1, block, b64, norms):
        if state["G"] is None:
            state["G"] = state["xp"].zeros((b64.shape[1], b64.shape[1]), dtype=state["xp"].float64)
        state["G"] += matmul(b64.T, b64)

    def close(self, state):
        return state["G"]


class RowNorms(Accumulator):
    """Counts of all-zero rows, the largest ||E_i||, the sum of ||E_i||^2 (tile by tile) and, with a
    ``sink(start, norms)``, every ||E_i|| handed on in row order (a row file: nothing n long held here)."""

    span_fields = ("keep",)

    def __init__(self, sink=None):
        self.sink = sink
        self.keep = sink is not None
        self.zero_rows = 0
        self.largest = 0.0
        self.sum_sq = 0.0

    def open(self, source, start, stop):
        return {"zero": 0, "largest": 0.0, "sum_sq": 0.0, "norms": [] if self.keep else None}

    def add(self, state, b0, b1, block, b64, norms):
        state["zero"] += int((norms == 0).sum())
        state["largest"] = max(state["largest"], float(norms.max()))
        state["sum_sq"] += float((norms**2).sum())
        if state["norms"] is not None:
            state["norms"].append(norms)

    def merge(self, part, start, stop):
        self.zero_rows += part["zero"]
        self.largest = max(self.largest, part["largest"])
        self.sum_sq += part["sum_sq"]
        at = start
        for norms in part["norms"] or ():
            self.sink(at, norms)
            at += norms.size


def run(source, accumulators, *, pool=None, progress=None, max_span_rows: int | None = None):
    """One pass over ``source`` feeding ``accumulators`` (merged in span order); returns them.  At most
    ``max_span_rows`` rows per span when given (a span's results are held here until merged)."""
    spans = cluster.row_spans(source.starts, max_span_rows)
    for (start, stop), parts in zip(spans, cluster.map_spans(pool, run_span, spans, source, accumulators,
                                                             progress=progress)):
        for acc, part in zip(accumulators, parts):
            acc.merge(part, start, stop)
        del parts  # before the next span is merged: one span's results alive at a time
    return accumulators


def run_span(start: int, stop: int, source, accumulators, progress=None):
    """The tiles of rows start..stop-1 through every accumulator: their parts, in order."""
    source = source.own()
    xp, host = source.backend.xp, source.backend.to_host
    states = [acc.open(source, start, stop) for acc in accumulators]
    name = getattr(getattr(source, "E", getattr(source, "table", None)), "name", "E")
    for b0, b1, block in source.tiles((start, stop)):
        b64 = block.astype(xp.float64)
        norms = host(row_norms(xp, b64))
        check_finite(norms, f"rows {b0}..{b1 - 1}", name)
        for acc, state in zip(accumulators, states):
            acc.add(state, b0, b1, block, b64, norms)
        del block, b64  # before the next tile is made: else both stay alive while it is generated or read
        if progress is not None:
            progress(b1)
    return [acc.close(state) for acc, state in zip(accumulators, states)]
