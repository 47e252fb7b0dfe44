"""A 2-D Dask array as a table, each block computed where it is read."""
from __future__ import annotations

from dataclasses import dataclass

from .arrays import ArrayTable


@dataclass(frozen=True, eq=False)
class DaskTable(ArrayTable):
    """A 2-D Dask array (chunks of NumPy or CuPy arrays); a block is computed where it is read, with
    Dask's synchronous scheduler (inside a worker's task, no second scheduler is asked)."""

    def _read(self, rows):
        return self.array[rows].compute(scheduler="sync")

    def describe(self) -> dict:
        return {**super().describe(), "kind": "dask"}
