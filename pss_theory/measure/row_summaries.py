"""Mergeable summaries of per-row values: ``add`` a chunk, ``merge`` another partial.

Counts, minima, maxima, top-K rows and fixed-edge histograms are exact, and mergeable exactly
(``Extremes``, ``TopRows``, ``Histogram``: the partial results of any split of the rows, merged in any
order, equal the result on all rows); means and standard deviations (``Moments``, Chan et al.'s
pairwise update) are exact to rounding (relative error a few ulp times log of the number of chunks).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: the files are read through their ``chunks``
    from .rows import RowArrays


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
