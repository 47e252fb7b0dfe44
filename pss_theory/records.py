"""Results on disk: summary.json written atomically, records.jsonl appended one durable line a cell.

A sweep that is killed at any point and rerun with the same arguments resumes: ``RecordLog`` reads
the records already written (dropping a torn last line), skips their cells, and appends the rest,
each line flushed and fsynced, so every cell ends up exactly once.
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


def dumps(obj) -> str:
    return json.dumps(jsonable(obj), sort_keys=True, allow_nan=False)


def write_atomic(path: str, text: str | bytes) -> None:
    """Write to a temporary file beside ``path``, fsync, then rename over it."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a result file should read like any other
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode() if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: str, obj) -> None:
    write_atomic(path, json.dumps(jsonable(obj), sort_keys=True, indent=2, allow_nan=False) + "\n")


class RecordLog:
    """records.jsonl under a folder: the cells done so far, and a durable append for each new one."""

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
                    self.records.append(json.loads(line))
                except json.JSONDecodeError:
                    break
                good += len(line)
            if good != len(data):
                with open(path, "r+b") as fh:
                    fh.truncate(good)
        self._done = {self.key(r) for r in self.records}

    def key(self, record: dict) -> tuple:
        return tuple(json.dumps(jsonable(record.get(f)), sort_keys=True) for f in self.key_fields)

    def done(self, cell: dict) -> bool:
        return self.key(cell) in self._done

    def append(self, record: dict) -> None:
        """Append one record durably; the folder is created on the first record, not before."""
        line = dumps(record) + "\n"
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self.records.append(json.loads(line))
        self._done.add(self.key(record))


def environment(backend) -> dict:
    """What produced a result: package versions, backend and device, Python and platform."""
    import scipy

    from . import __version__

    return {
        "pss_theory": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backend": backend.name,
        "device": backend.describe(),
    }
