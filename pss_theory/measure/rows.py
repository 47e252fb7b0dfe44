"""Per-row results in memory independent of n: row-aligned arrays on disk and mergeable summaries.

Theorems 7 and 4 measure a handful of numbers on each of the n rows (rho_i, eps_i, eta_i, ...).  Pass 2
writes them block by block into ``RowArrays``: one float64 ``<name>.npy`` file per quantity, row i at
position i, written with ``os.pwrite`` at the block's offset (blocks may arrive in any order, from any
process that can reach the folder) and read back with ``os.pread`` a fixed chunk at a time.  Neither
maps the files, so the page cache holds them, not the process: peak memory is O(chunk), whatever n.

What the checks report is computed from those files in bounded memory, with the accuracy stated:

- counts, minima, maxima, top-K rows and fixed-edge histograms: exact, and mergeable exactly
  (``Extremes``, ``TopRows``, ``Histogram``: the partial results of any split of the rows, merged in
  any order, equal the result on all rows);
- means and standard deviations (``Moments``, Chan et al.'s pairwise update): exact to rounding
  (relative error a few ulp times log of the number of chunks); the checks read the files in chunks
  of ``CHUNK_ROWS`` rows, so a run gives the same bits whatever its ``block_rows``;
- quantiles and medians (``order_statistics``): exact, the very values numpy's ``quantile`` and
  ``median`` return on the whole array, found by a radix selection over the order-preserving 64-bit
  keys of the floats: each read of the files counts the rows of every query in 2^16 buckets of the
  next 16 bits of the key below the bucket known to hold the wanted rank, until that bucket holds at
  most ``COLLECT`` rows, which are then read and partitioned.  A query costs 2 to 5 reads of the
  files, and all queries of one call share the reads.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

CHUNK_ROWS = 1 << 18  # rows per read of the files: fixed, so summaries do not depend on the pass's blocks
COLLECT = 1 << 16  # a bucket with at most this many rows is read into memory and partitioned (all queries
# of a call collect at once: tens of queries x COLLECT x 8 bytes is the selection's memory)
DTYPE = np.dtype(np.float64)
_BUCKET_BITS = 16
_SIGN = np.uint64(1 << 63)


class RowArrays:
    """Row-aligned float64 arrays ``<folder>/<name>.npy`` (n rows each) written block by block.

    ``RowArrays.temporary(n, names)`` makes them in a temporary folder that ``close`` removes;
    ``RowArrays(folder, n, names)`` writes them in ``folder`` (created), where they stay as standard
    .npy files (``numpy.load(path, mmap_mode="r")`` reads them).
    """

    def __init__(self, folder: str, n: int, names, *, temporary: bool = False):
        self.folder, self.n, self.names, self.temporary = folder, int(n), tuple(names), temporary
        made = not os.path.isdir(folder)
        os.makedirs(folder, exist_ok=True)
        self._fd, self._offset = {}, {}
        try:
            for name in self.names:
                path = self.path(name)
                with open(path, "wb") as f:
                    np.lib.format.write_array_header_1_0(f, {"descr": np.lib.format.dtype_to_descr(DTYPE),
                                                             "fortran_order": False, "shape": (self.n,)})
                    self._offset[name] = f.tell()
                    f.truncate(self._offset[name] + self.n * DTYPE.itemsize)  # sparse until written
                self._fd[name] = os.open(path, os.O_RDWR)
        except OSError as exc:  # e.g. a file-size limit: leave nothing behind, name the file
            self.temporary = self.temporary or made
            self.close()
            raise OSError(exc.errno, exc.strerror, path) from None

    @classmethod
    def temporary(cls, n: int, names, parent: str | None = None) -> RowArrays:
        return cls(tempfile.mkdtemp(prefix="pss-rows-", dir=parent), n, names, temporary=True)

    def path(self, name: str) -> str:
        return os.path.join(self.folder, f"{name}.npy")

    def write(self, start: int, arrays: dict) -> None:
        """Rows start.. of the arrays named in ``self.names`` that ``arrays`` holds (other keys are ignored; a
        file can be written after the others, e.g. from them)."""
        for name in self.names:
            if name not in arrays:
                continue
            data = np.ascontiguousarray(arrays[name], dtype=DTYPE)
            if start < 0 or start + data.size > self.n:
                raise ValueError(f"rows {start}..{start + data.size - 1} are outside 0..{self.n - 1}")
            raw = data.tobytes()
            try:
                written = os.pwrite(self._fd[name], raw, self._offset[name] + start * DTYPE.itemsize)
            except OSError as exc:  # a full disk names the file (the command says it in one line)
                raise OSError(exc.errno, exc.strerror, self.path(name)) from None
            if written != len(raw):
                raise OSError(errno.ENOSPC, f"short write at rows {start}..{start + data.size - 1}", self.path(name))

    def read(self, name: str, start: int, stop: int) -> np.ndarray:
        size = (stop - start) * DTYPE.itemsize
        raw = os.pread(self._fd[name], size, self._offset[name] + start * DTYPE.itemsize)
        if len(raw) != size:
            raise OSError(f"{self.path(name)}: short read at rows {start}..{stop - 1}")
        return np.frombuffer(raw, dtype=DTYPE)

    def chunks(self, names, chunk_rows: int | None = None):
        """(start, stop, {name: rows start..stop-1 of each file named, "row": their indices}) over all rows."""
        chunk_rows = chunk_rows or CHUNK_ROWS
        for start in range(0, self.n, chunk_rows):
            stop = min(self.n, start + chunk_rows)
            cols = {name: self.read(name, start, stop) for name in names if name != "row"}
            cols["row"] = np.arange(start, stop, dtype=np.int64)
            yield start, stop, cols

    def gather(self, name: str, rows: np.ndarray) -> np.ndarray:
        """The entries at ``rows`` (any order), reading only the chunks that hold them."""
        rows = np.asarray(rows, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        out = np.empty(rows.size)
        sorted_rows = rows[order]
        chunk = sorted_rows // CHUNK_ROWS
        for c in np.unique(chunk):
            at = order[chunk == c]
            start = int(c) * CHUNK_ROWS
            block = self.read(name, start, min(self.n, start + CHUNK_ROWS))
            out[at] = block[rows[at] - start]
        return out

    def close(self) -> None:
        for fd in self._fd.values():
            os.close(fd)
        self._fd = {}
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- mergeable summaries: ``add`` a chunk, ``merge`` another partial; exact unless said otherwise ----

@dataclass
class Extremes:
    """Count, min and max of the values added (exact)."""

    count: int = 0
    min: float = np.inf
    max: float = -np.inf

    def add(self, x) -> Extremes:
        x = np.asarray(x, dtype=np.float64)
        if x.size:
            self.count += int(x.size)
            self.min, self.max = min(self.min, float(x.min())), max(self.max, float(x.max()))
        return self

    def merge(self, other: Extremes) -> Extremes:
        return Extremes(self.count + other.count, min(self.min, other.min), max(self.max, other.max))


@dataclass
class Moments:
    """Count, mean and sum of squared deviations M2 of the values added, merged by Chan, Golub and
    LeVeque's pairwise update (1979): exact to rounding, numerically stable."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, x) -> Moments:
        x = np.asarray(x, dtype=np.float64)
        if x.size:
            mean = float(x.mean())
            merged = self.merge(Moments(int(x.size), mean, float(((x - mean) ** 2).sum())))
            self.count, self.mean, self.m2 = merged.count, merged.mean, merged.m2
        return self

    def merge(self, other: Moments) -> Moments:
        if other.count == 0:
            return Moments(self.count, self.mean, self.m2)
        if self.count == 0:
            return Moments(other.count, other.mean, other.m2)
        n = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * other.count / n
        return Moments(n, mean, self.m2 + other.m2 + delta * delta * self.count * other.count / n)

    @property
    def std(self) -> float:
        """Population standard deviation (numpy's ``std`` with ddof 0)."""
        return float(np.sqrt(self.m2 / self.count)) if self.count else float("nan")


@dataclass
class TopRows:
    """The ``size`` rows of largest value (ties: smaller row first), with payload columns (exact)."""

    size: int
    value: np.ndarray = field(default_factory=lambda: np.empty(0))
    row: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    payload: dict = field(default_factory=dict)

    def _keep(self, value, row, payload) -> TopRows:
        order = np.lexsort((row, -value))[: self.size]
        return TopRows(self.size, value[order], row[order], {k: v[order] for k, v in payload.items()})

    def add(self, value, row, **payload) -> TopRows:
        value, row = np.asarray(value, dtype=np.float64), np.asarray(row, dtype=np.int64)
        if value.size > self.size:  # keep only candidates: the block's own top rows
            cut = np.argpartition(-value, self.size - 1)[: self.size]
            threshold = value[cut].min()
            pick = value >= threshold  # every row tied at the threshold stays a candidate
            value, row, payload = value[pick], row[pick], {k: np.asarray(v)[pick] for k, v in payload.items()}
        merged = self.merge(TopRows(self.size, value, row, {k: np.asarray(v, dtype=np.float64)
                                                            for k, v in payload.items()}))
        self.value, self.row, self.payload = merged.value, merged.row, merged.payload
        return self

    def merge(self, other: TopRows) -> TopRows:
        names = set(self.payload) | set(other.payload)
        if self.row.size and other.row.size and set(self.payload) != set(other.payload):
            raise ValueError("merging TopRows with different payload columns")
        payload = {k: np.concatenate([self.payload.get(k, np.empty(0)), other.payload.get(k, np.empty(0))])
                   for k in names}
        return self._keep(np.concatenate([self.value, other.value]), np.concatenate([self.row, other.row]), payload)


@dataclass
class Histogram:
    """Counts over fixed bin edges (1-D: ``edges``; 2-D: ``edges`` and ``y_edges``), as numpy's
    ``histogram`` / ``histogram2d`` count them (exact; the last bin is closed)."""

    edges: np.ndarray
    y_edges: np.ndarray | None = None
    counts: np.ndarray | None = None

    def __post_init__(self):
        if self.counts is None:
            shape = (self.edges.size - 1,) if self.y_edges is None else (self.edges.size - 1, self.y_edges.size - 1)
            self.counts = np.zeros(shape, dtype=np.int64)

    def add(self, x, y=None) -> Histogram:
        if self.y_edges is None:
            self.counts += np.histogram(x, self.edges)[0].astype(np.int64)
        else:
            self.counts += np.histogram2d(x, y, [self.edges, self.y_edges])[0].astype(np.int64)
        return self

    def merge(self, other: Histogram) -> Histogram:
        return Histogram(self.edges, self.y_edges, self.counts + other.counts)


def merge_partials(a: dict, b: dict) -> dict:
    """Two partial summaries (dicts of counts and of the summaries above, same keys) merged."""
    return {k: a[k] + b[k] if isinstance(a[k], int) else a[k].merge(b[k]) for k in a}


def fold(arrays: RowArrays, names, summarize) -> dict:
    """``summarize(cols)`` of each chunk of the files (the columns ``names`` and ``row``), merged in row
    order: one read."""
    total = None
    for _, _, cols in arrays.chunks(names):
        part = summarize(cols)
        total = part if total is None else merge_partials(total, part)
    return total


# ---- exact order statistics from the files ----

def float_keys(x: np.ndarray) -> np.ndarray:
    """uint64 keys in the order of the floats: sign bit flipped for x >= 0, all bits for x < 0."""
    bits = np.ascontiguousarray(x, dtype=np.float64).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def key_floats(keys: np.ndarray) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.uint64)
    return np.where(keys & _SIGN, keys & ~_SIGN, ~keys).view(np.float64)


@dataclass
class Query:
    """Order statistics of the finite values of one column over the rows ``where`` selects.

    ``column``: a file's name, or a function of the chunk's columns (a dict) giving one value a row;
    ``where``: a function of the chunk's columns giving a boolean mask, or None for every row;
    ``needs``: the files those functions read (``row``, the row index, is always there);
    ``ranks(count)``: the 0-based ranks wanted once the number of values is known."""

    column: object
    ranks: object
    where: object = None
    needs: tuple = ()

    def values(self, cols) -> np.ndarray:
        x = cols[self.column] if isinstance(self.column, str) else self.column(cols)
        return x if self.where is None else x[self.where(cols)]

    def names(self) -> set:
        return set(self.needs) | ({self.column} if isinstance(self.column, str) else set())


@dataclass
class Found:
    """One order statistic: its value, how many values are below it and how many equal it."""

    value: float
    below: int
    equal: int


@dataclass
class _Search:
    query: int
    rank: int  # within the values under ``prefix``
    below: int  # values below the bucket ``prefix``
    bits: int = 0
    prefix: int = 0
    count: int = 0  # values under ``prefix``
    found: Found | None = None


def order_statistics(arrays: RowArrays, queries: list[Query]) -> list[tuple[int, list[Found]]]:
    """For each query: (number of finite values, [Found for each wanted rank]).  Exact; the reads of the
    files are shared by all queries (see the module docstring)."""
    needs = sorted(set().union(*(q.names() for q in queries)) - {"row"}) + ["row"]
    level0 = [np.zeros(1 << _BUCKET_BITS, dtype=np.int64) for _ in queries]
    for _, _, cols in arrays.chunks(needs):
        for qi, q in enumerate(queries):
            level0[qi] += _bucket_counts(_query_keys(q, cols), 0, 0)
    totals = [int(h.sum()) for h in level0]
    searches = []
    for qi, q in enumerate(queries):
        for r in q.ranks(totals[qi]):
            s = _Search(qi, int(r), 0)
            _descend(s, level0[qi])
            searches.append(s)
    while any(s.found is None for s in searches):
        _refine([s for s in searches if s.found is None], queries, arrays, needs)
    out = []
    for qi in range(len(queries)):
        out.append((totals[qi], [s.found for s in searches if s.query == qi]))
    return out


def _query_keys(q: Query, cols) -> np.ndarray:
    x = np.asarray(q.values(cols), dtype=np.float64)
    return float_keys(x[np.isfinite(x)])


def _bucket_counts(keys: np.ndarray, bits: int, prefix: int) -> np.ndarray:
    if bits:
        keys = keys[(keys >> np.uint64(64 - bits)) == np.uint64(prefix)]
    shift = np.uint64(64 - bits - _BUCKET_BITS)
    return np.bincount(((keys >> shift) & np.uint64((1 << _BUCKET_BITS) - 1)).astype(np.intp),
                       minlength=1 << _BUCKET_BITS)


def _descend(s: _Search, counts: np.ndarray) -> None:
    """Move ``s`` into the bucket of ``counts`` (the next 16 bits under its prefix) holding its rank."""
    cum = np.cumsum(counts)
    j = int(np.searchsorted(cum, s.rank, side="right"))
    before = int(cum[j - 1]) if j else 0
    s.rank -= before
    s.below += before
    s.prefix = (s.prefix << _BUCKET_BITS) | j
    s.bits += _BUCKET_BITS
    s.count = int(counts[j])
    if s.bits == 64:  # every value in the bucket has this key
        s.found = Found(float(key_floats(np.array([s.prefix], dtype=np.uint64))[0]), s.below, s.count)


def _refine(searches: list[_Search], queries: list[Query], arrays: RowArrays, needs) -> None:
    """One read of the files: collect the rows of small buckets, count the next 16 bits of large ones."""
    collect = {(s.query, s.bits, s.prefix) for s in searches if s.count <= COLLECT}
    count = {(s.query, s.bits, s.prefix) for s in searches if s.count > COLLECT}
    held = {key: [] for key in collect}
    counts = {key: np.zeros(1 << _BUCKET_BITS, dtype=np.int64) for key in count}
    by_query = {}
    for key in collect | count:
        by_query.setdefault(key[0], []).append(key)
    for _, _, cols in arrays.chunks(needs):
        for qi, keys_wanted in by_query.items():
            keys = _query_keys(queries[qi], cols)
            for key in keys_wanted:
                _, bits, prefix = key
                if key in held:
                    held[key].append(keys[(keys >> np.uint64(64 - bits)) == np.uint64(prefix)])
                else:
                    counts[key] += _bucket_counts(keys, bits, prefix)
    for s in searches:
        key = (s.query, s.bits, s.prefix)
        if key in held:
            values = np.sort(key_floats(np.concatenate(held[key])))
            v = values[s.rank]
            lo, hi = np.searchsorted(values, v, "left"), np.searchsorted(values, v, "right")
            s.found = Found(float(v), s.below + int(lo), int(hi - lo))
        else:
            _descend(s, counts[key])


# ---- numpy's quantile and median from order statistics ----

def quantile_ranks(count: int, qs) -> list[int]:
    """The 0-based ranks numpy's linear ``quantile`` reads for each q (two per q, clamped)."""
    out = []
    for q in qs:
        lo, hi, _ = _quantile_position(count, q)
        out += [lo, hi]
    return out


def quantile_values(count: int, qs, found: list[Found]) -> list[float]:
    """numpy.quantile(x, qs) (method "linear") from the order statistics at ``quantile_ranks``."""
    out = []
    for i, q in enumerate(qs):
        _, _, gamma = _quantile_position(count, q)
        a, b = np.float64(found[2 * i].value), np.float64(found[2 * i + 1].value)
        diff = b - a
        out.append(float(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma))
    return out


def _quantile_position(count: int, q: float) -> tuple[int, int, np.float64]:
    # numpy's virtual index (n - 1) q of method "linear", _get_gamma and _get_indexes, to the bit
    q = np.float64(q)
    virtual = (count - 1) * q
    prev = np.floor(virtual)
    gamma = virtual - prev
    if virtual >= count - 1:
        return count - 1, count - 1, gamma
    if virtual < 0:
        return 0, 0, gamma
    return int(prev), int(prev) + 1, gamma


def median_ranks(count: int) -> list[int]:
    return [(count - 1) // 2, count // 2]


def median_value(found: list[Found]) -> float:
    """numpy.median from the two middle order statistics (the same one for an odd count)."""
    a, b = found
    return float((np.float64(a.value) + np.float64(b.value)) / 2)


# ---- rows by rank, and rows by position among those that qualify ----

@dataclass
class RankBound:
    """The row at one rank of the order by (value, row index): ties in value go to the smaller row."""

    value: float
    row: int | None  # None: no other row has this value

    def at_or_after(self, x, row):
        if self.row is None:
            return x >= self.value
        return (x > self.value) | ((x == self.value) & (row >= self.row))

    def at_or_before(self, x, row):
        if self.row is None:
            return x <= self.value
        return (x < self.value) | ((x == self.value) & (row <= self.row))


def rank_bounds(arrays: RowArrays, query: Query) -> tuple[int, list[RankBound]]:
    """(count, the (value, row) at each rank ``query.ranks(count)``) in the order by (value, row index).
    Exact; rows tied in value at a bound cost one more selection, over their row indices."""
    (count, found), = order_statistics(arrays, [query])
    ranks = list(query.ranks(count))
    out = [RankBound(f.value, None) for f in found]
    ties = [(i, f, r) for i, (f, r) in enumerate(zip(found, ranks)) if f.equal > 1]
    if ties:
        tied = [Query(_row_column(query), (lambda m, t=r - f.below: [t]), _equal_to(query, f.value),
                      tuple(query.names())) for _, f, r in ties]
        for (i, f, _), (_, (row,)) in zip(ties, order_statistics(arrays, tied)):
            out[i] = RankBound(f.value, int(row.value))
    return count, out


def _row_column(query: Query):
    return lambda cols: cols["row"].astype(np.float64)


def _equal_to(query: Query, value: float):
    def where(cols):
        x = cols[query.column] if isinstance(query.column, str) else query.column(cols)
        inside = x == value
        return inside if query.where is None else inside & query.where(cols)
    return where


def rows_at(arrays: RowArrays, where, needs, positions: np.ndarray) -> np.ndarray:
    """The row index of the ``positions``-th (0-based, ascending) of the rows ``where(cols)`` selects, in
    row order: one read of the files, memory O(chunk + positions)."""
    positions = np.asarray(positions, dtype=np.int64)
    out = np.empty(positions.size, dtype=np.int64)
    seen = 0
    for _, _, cols in arrays.chunks(needs):
        ids = np.flatnonzero(where(cols)) + cols["row"][0] if cols["row"].size else np.empty(0, dtype=np.int64)
        lo, hi = np.searchsorted(positions, [seen, seen + ids.size])
        out[lo:hi] = ids[positions[lo:hi] - seen]
        seen += ids.size
    return out


@contextmanager
def row_arrays(folder: str | None, n: int, names):
    """``RowArrays`` for one run: in ``folder`` when given (written under ``folder``.partial and renamed to
    ``folder`` only when the block exits without an error, so a failed run leaves no partial files), else
    in a temporary folder removed on exit.  InputError, before anything is written, when the disk lacks
    the room for them."""
    need = float(n) * DTYPE.itemsize * len(names)
    parent = os.path.dirname(os.path.abspath(folder)) if folder else tempfile.gettempdir()
    while not os.path.isdir(parent):  # a cell's folder (OUT/rows/<family>) before OUT/rows exists
        parent = os.path.dirname(parent)
    free = shutil.disk_usage(parent).free
    if need > free:
        raise InputError(f"the per-row files need about {need / 2**30:.1f} GiB ({len(names)} float64 arrays of n = "
                         f"{n:,} rows) but {parent} has {free / 2**30:.1f} GiB free")
    if folder is None:
        arrays = RowArrays.temporary(n, names)
        try:
            yield arrays
        finally:
            arrays.close()
        return
    partial = os.path.abspath(folder).rstrip(os.sep) + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        arrays = RowArrays(partial, n, names)
    except BaseException:
        _remove_made(os.path.dirname(partial), parent)
        raise
    try:
        yield arrays
    except BaseException:
        arrays.close()
        shutil.rmtree(partial, ignore_errors=True)
        _remove_made(os.path.dirname(partial), parent)
        raise
    arrays.close()
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    arrays.folder = folder


def _remove_made(path: str, existed: str) -> None:
    """Remove the empty folders from ``path`` up to ``existed`` (excluded, it was there before): a failed
    cell leaves no OUT/rows behind."""
    while path != existed and path.startswith(existed) and os.path.isdir(path) and not os.listdir(path):
        os.rmdir(path)
        path = os.path.dirname(path)
