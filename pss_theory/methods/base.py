"""What every PSS method fitted from a table shares: its budget, its memory counted in bytes, its read-back.

A method is fitted to a table E (n x d) within a memory budget of ``budget_bytes`` = 4 n d / compression
(the table held as float32 is the reference: compression 10 leaves a tenth of its bytes).  A ``Fitted``
holds what the method stores and nothing else: its float arrays (counted at their ``nbytes``), its codes
(counted packed, ``code_bits`` bits in all), and the seeds of its hashes (8 bytes each); ``read(idx)``
computes Mhat for rows ``idx`` from those alone.  A budget the method cannot meet raises ``Unreachable``
with the compressions it can reach, which the compare check reports as n/a, never as an error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse

TABLE_ENTRY_BYTES = 4  # the reference: the table as float32
SEED_BYTES = 8  # one uint64 seed keys every hash a method draws


def budget_bytes(n: int, d: int, compression: float) -> float:
    """The memory a method may use at ``compression``: 4 n d / compression bytes."""
    return TABLE_ENTRY_BYTES * n * d / compression


class Unreachable(Exception):
    """A budget the method cannot meet: ``lo``..``hi`` are the compressions it reaches on this table."""

    def __init__(self, reason: str, lo: float, hi: float):
        super().__init__(reason)
        self.reason, self.lo, self.hi = reason, float(lo), float(hi)


@dataclass
class Fitted:
    """A fitted method: ``arrays`` (float32 arrays it stores), ``codes`` (integer codes, counted at
    ``code_bits`` packed bits), ``seeds`` (hash seeds held), and what fitting cost: ``passes`` over E and
    the relative squared residual ``history`` after each pass or sweep that changes the fit."""

    method: str
    n: int
    d: int
    arrays: dict
    codes: np.ndarray | None = None
    code_bits: int = 0
    seeds: int = 0
    passes: int = 0
    history: list = field(default_factory=list)
    config: dict = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        """Bytes stored: the arrays' nbytes, the codes packed to whole bytes, and 8 per seed."""
        return int(sum(a.nbytes for a in self.arrays.values()) + math.ceil(self.code_bits / 8) + SEED_BYTES * self.seeds)

    @property
    def compression(self) -> float:
        """4 n d / nbytes: the compression actually reached."""
        return TABLE_ENTRY_BYTES * self.n * self.d / self.nbytes

    def read(self, idx) -> np.ndarray:
        """Mhat for rows ``idx`` (a range or an int array): (len(idx), d) float64."""
        raise NotImplementedError


def as_rows(idx) -> np.ndarray:
    """Row ids as an int64 array."""
    if isinstance(idx, range):
        return np.arange(idx.start, idx.stop, dtype=np.int64)
    return np.asarray(idx, dtype=np.int64)


class Method:
    """A PSS method: ``name``, ``params`` (``families.Param``: the same ``name:key=value`` grammar as the
    families), ``sources`` (keys of ``theory.SOURCES``), ``rule`` (how the budget sets its sizes, one line),
    and ``fit(table, budget, seed, **params) -> Fitted``."""

    name: str
    params: tuple = ()
    sources: tuple = ()
    rule: str = ""
    reads: int = 1  # passes over E a fit makes (the time guard's estimate)

    def fit(self, table, budget: float, seed: int, **params) -> Fitted:
        raise NotImplementedError

    def working_bytes(self, n: int, d: int, budget: float, block_rows: int) -> float:
        """The most a fit holds at once (what it stores, its float64 accumulators, its block work): the
        compare check checks it against the free memory before any work."""
        return 2.0 * budget


def group_sums(group: np.ndarray, values: np.ndarray, groups: int, weights: np.ndarray | None = None) -> np.ndarray:
    """(groups, columns): the sum of the rows of ``values`` (times ``weights``) in each group, as one sparse
    product (numpy's ``add.at`` is unbuffered and an order of magnitude slower)."""
    w = np.ones(group.size) if weights is None else weights
    U = scipy.sparse.csr_matrix((w, (group, np.arange(group.size))), shape=(groups, group.size))
    return U @ values
