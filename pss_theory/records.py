"""Results on disk: summary.json written atomically, records.jsonl appended one durable line a cell.

A sweep that is killed at any point and rerun with the same arguments resumes: ``RecordLog`` reads
the records already written (dropping a torn last line), skips their cells, and appends the rest,
each line flushed and fsynced, so every cell ends up exactly once.  A write that fails (a full disk,
a file-size limit) leaves no temporary file and no partial line behind, and its OSError names the file.
"""
from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Iterable

import numpy as np
import scipy

from .version import __version__


def jsonable(x):
    """Plain JSON values: numpy scalars and arrays become numbers and lists; inf and nan become None."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


#: joins the names of nested fields in a flat record ("eps_i.p50"), as ``pandas.json_normalize`` does
SEP = "."


def flatten(values: dict, prefix: str = "") -> dict:
    """Nested dicts as one level, keys joined by ``SEP`` (``{"eps_i": {"p50": x}}`` -> ``{"eps_i.p50": x}``):
    one column per quantity in records.jsonl.  Lists and empty dicts are values of their own."""
    out = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + SEP))
        else:
            out[name] = value
    return out


def unflatten(values: dict) -> dict:
    """The inverse of ``flatten``."""
    out: dict = {}
    for key, value in values.items():
        *parents, last = key.split(SEP)
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def columns(rows: list[dict]) -> dict[str, list]:
    """A table of rows (dicts with the same keys) as one list per key: how a record holds a small table of
    its own (``by_rho_decile.eps_max``), so that no column of records.jsonl holds objects.  ``rows`` is
    the inverse (an empty table has no columns)."""
    return {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}


def rows(columns: dict[str, list]) -> list[dict]:
    """The rows of a table held as ``columns``."""
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*columns.values())]


def flat_record(record: dict) -> dict:
    """A record as records.jsonl holds it: plain JSON values, every dict spread over prefixed columns
    (``params.s``, ``table.kind``: ``pandas.read_json(..., lines=True)`` gets no column of dicts) and an
    empty dict (a family's default parameters) left out, as pandas reads a missing column as NaN."""
    return {c: v for c, v in flatten(jsonable(record)).items() if not (isinstance(v, dict) and not v)}


def dumps(obj) -> str:
    return json.dumps(jsonable(obj), sort_keys=True, allow_nan=False)


def _name_file(exc: BaseException, path: str) -> None:
    """Let an OSError of a write say which file it was writing (a failed write() names none)."""
    if isinstance(exc, OSError) and exc.filename is None:
        exc.filename = path


def write_atomic(path: str, text: str | bytes) -> None:
    """Write to a temporary file beside ``path``, fsync, then rename over it: ``path`` holds the old
    content or the new, never a part; on any failure the temporary file is removed."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~umask)  # mkstemp makes 0600; a result file should read like any other
            fh.write(text.encode() if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        _name_file(exc, path)
        raise


def write_json(path: str, obj) -> None:
    write_atomic(path, json.dumps(jsonable(obj), sort_keys=True, indent=2, allow_nan=False) + "\n")


class RecordLog:
    """records.jsonl under a folder: the cells done so far, and a durable append for each new one.

    Reading keeps the longest prefix of whole lines that are UTF-8 JSON objects and cuts the file
    there: a torn last line, a corrupt line, ``null``, a list or a number ends the prefix, and the
    cells after it are measured again.
    """

    def __init__(self, path: str, key_fields: Iterable[str]):
        self.path = path
        self.key_fields = tuple(key_fields)
        self.records: list[dict] = []
        if os.path.exists(path):
            with open(path, "rb") as fh:
                data = fh.read()
            good = 0
            for line in data.splitlines(keepends=True):
                if not line.endswith(b"\n"):
                    break  # a torn last line from a killed run
                try:
                    record = json.loads(line.decode("utf-8"))
                except ValueError:  # JSONDecodeError and UnicodeDecodeError
                    break
                if not isinstance(record, dict):
                    break
                self.records.append(record)
                good += len(line)
            if good != len(data):
                with open(path, "r+b") as fh:
                    fh.truncate(good)
        # the latest record of each key: a cell measured again after an edit is appended, not replaced
        self._latest = {self.key(r): r for r in self.records}

    def _field_of(self, column: str) -> str | None:
        """The key field a column belongs to (``table.kind`` and ``table`` to ``table``), or None."""
        return next((f for f in self.key_fields if column == f or column.startswith(f + SEP)), None)

    def key(self, record: dict) -> tuple:
        """The cell's identity: each key field's flat columns, the same whether ``record`` is a cell (its
        inputs nested), a line of this format (flat) or a line of the nested format before it.  Only the
        key's columns are read, not the measured ones."""
        by_field: dict[str, dict] = {f: {} for f in self.key_fields}
        for column, value in flat_record({c: v for c, v in record.items() if self._field_of(c)}).items():
            by_field[self._field_of(column)][column] = value
        return tuple(json.dumps(by_field[f], sort_keys=True) for f in self.key_fields)

    def done(self, cell: dict) -> bool:
        return self.key(cell) in self._latest

    def latest(self, cell: dict) -> dict:
        """The most recent record of ``cell`` (KeyError if it has none), its inputs as ``cell`` holds them
        (nested: ``params`` a dict again) and its measured columns as stored."""
        stored = self._latest[self.key(cell)]
        return json.loads(dumps({**{c: v for c, v in stored.items() if self._field_of(c) is None}, **cell}))

    def append(self, record: dict) -> None:
        """Append one record durably, flat (``flat_record``; the folder is created if missing).  If the write
        fails, the file is cut back to what it held before (removed if that was nothing) and the OSError
        names it."""
        line = dumps(flat_record(record)) + "\n"
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(fd).st_size
            try:
                rest = memoryview(line.encode())
                while rest:
                    rest = rest[os.write(fd, rest):]
                os.fsync(fd)
            except BaseException as exc:
                os.ftruncate(fd, size)
                if size == 0:
                    os.unlink(self.path)
                _name_file(exc, self.path)
                raise
        finally:
            os.close(fd)
        self.records.append(json.loads(line))
        self._latest[self.key(record)] = self.records[-1]


def environment(backend) -> dict:
    """What produced a result: package versions, backend and device, Python and platform."""
    return {
        "pss_theory": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backend": backend.name,
        "device": backend.describe(),
    }
