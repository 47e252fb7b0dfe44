"""Exact order statistics of the per-row files: the very values numpy's ``quantile`` and ``median``
return on the whole array, in memory independent of n.

A radix selection over the order-preserving 64-bit keys of the floats: each read of the files counts the
rows of every query in 2^16 buckets of the next 16 bits of the key below the bucket known to hold the
wanted rank, until that bucket holds at most ``COLLECT`` rows, which are then read and partitioned.  A
query costs 2 to 5 reads of the files, and all queries of one call share the reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: the files are read through their ``chunks``
    from .rows import RowArrays

COLLECT = 1 << 16  # a bucket with at most this many rows is read into memory and partitioned (all queries
# of a call collect at once: tens of queries x COLLECT x 8 bytes is the selection's memory)
_BUCKET_BITS = 16
_SIGN = np.uint64(1 << 63)


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
