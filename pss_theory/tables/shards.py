"""A folder of .npy files, each a block of rows of one table."""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

import numpy as np

from .arrays import ArrayTable
from .checks import TableError, _check_shape


def _natural(name: str):
    """A sort key that puts part-2.npy before part-10.npy."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


class Shards:
    """The row-wise concatenation of memory-mapped .npy files, sliced like an array (rows only)."""

    ndim = 2

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.parts = [np.load(p, mmap_mode="r", allow_pickle=False) for p in paths]
        self.offsets = np.cumsum([0] + [p.shape[0] for p in self.parts])
        self.shape = (int(self.offsets[-1]), self.parts[0].shape[1])
        self.dtype = self.parts[0].dtype

    def __getitem__(self, rows):
        if isinstance(rows, slice):
            start, stop, _ = rows.indices(self.shape[0])
            pieces = [p[max(start - a, 0) : max(min(stop - a, p.shape[0]), 0)]
                      for p, a in zip(self.parts, self.offsets[:-1]) if a < stop and a + p.shape[0] > start]
            return np.concatenate(pieces) if len(pieces) != 1 else np.asarray(pieces[0])
        rows = np.asarray(rows, dtype=np.int64)
        part = np.searchsorted(self.offsets, rows, side="right") - 1
        out = np.empty((rows.size, self.shape[1]), dtype=self.dtype)
        for i in np.unique(part):
            at = part == i
            out[at] = self.parts[i][rows[at] - self.offsets[i]]
        return out

    def __reduce__(self):
        return Shards, (self.paths,)


@dataclass(frozen=True, eq=False)
class ShardTable(ArrayTable):
    """A folder of .npy files, each a block of rows of one table (in natural name order: part-2 before
    part-10), all of the same width and dtype; each is memory-mapped, none read whole."""

    @classmethod
    def open(cls, folder: str) -> ShardTable:
        names = sorted((f for f in os.listdir(folder) if f.lower().endswith(".npy")), key=_natural)
        if not names:
            raise TableError(f"table path is a directory with no .npy shards and no zarr metadata: {folder}")
        paths = [os.path.join(folder, f) for f in names]
        for path in paths:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise TableError(f"table shard {path} is not a regular file")
        try:
            shards = Shards(paths)
        except (ValueError, OSError, EOFError) as exc:
            raise TableError(f"cannot read table shard in {folder}: {exc}") from None
        first = shards.parts[0]
        for path, part in zip(paths, shards.parts):
            _check_shape(path, part.shape, part.dtype)
            if part.shape[1] != first.shape[1]:
                raise TableError(f"{path} has {part.shape[1]} columns but {paths[0]} has {first.shape[1]}: the shards "
                                 "of a table must all have the same width d")
            if part.dtype != first.dtype:
                raise TableError(f"{path} has dtype {part.dtype} but {paths[0]} has {first.dtype}: the shards of a "
                                 "table must all have the same dtype")
        return cls(shards, name=os.path.basename(os.path.normpath(folder)))

    def describe(self) -> dict:
        return {**super().describe(), "kind": "shards", "shards": len(self.array.paths)}
