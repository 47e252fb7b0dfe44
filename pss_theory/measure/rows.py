"""Per-row results in memory independent of n: row-aligned arrays on disk.

Theorems 7 and 4 measure a handful of numbers on each of the n rows (rho_i, eps_i, eta_i, ...).  Pass 2
writes them block by block into ``RowArrays``: one float64 ``<name>.npy`` file per quantity, row i at
position i, written with ``os.pwrite`` at the block's offset (blocks may arrive in any order, from any
process that can reach the folder) and read back with ``os.pread`` a fixed chunk at a time.  Neither
maps the files, so the page cache holds them, not the process: peak memory is O(chunk), whatever n.

What the checks report is computed from those files in bounded memory, with the accuracy stated:
mergeable summaries in ``row_summaries`` (exact counts, extremes, top rows and histograms; moments to
rounding) and exact quantiles and medians in ``order_stats``.  The files are read in chunks of
``CHUNK_ROWS`` rows, so a run gives the same bits whatever its ``block_rows``.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from contextlib import contextmanager

import numpy as np

from ..errors import InputError

CHUNK_ROWS = 1 << 18  # rows per read of the files: fixed, so summaries do not depend on the pass's blocks
DTYPE = np.dtype(np.float64)


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
