"""Embedding tables E (n x d): generated block by block from a seed, or loaded from a file.

A table is anything with ``n``, ``d`` and ``block(start, stop, xp)`` returning rows start..stop-1
as a float array on the backend of ``xp``.  Generated tables hold no rows: row i is a pure function
of (seed, i), so a 1e8 x 128 table streams through in blocks without a 51 GB array anywhere.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from . import rng
from .backend import to_host
from .errors import InputError

KINDS = ("gaussian", "lowrank", "zipf")


class TableError(InputError):
    """A table that cannot be used (wrong shape, type, or non-finite values)."""


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) <= 0:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class GeneratedTable:
    """A synthetic table defined by (kind, n, d, seed, params); see ``table``."""

    kind: str
    n: int
    d: int
    seed: int = 0
    rank: int = 0
    decay: float = 1.0
    noise: float = 0.1
    alpha: float = 0.5
    _basis: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.kind

    def describe(self) -> dict:
        out = {"kind": self.kind, "n": self.n, "d": self.d, "seed": self.seed}
        if self.kind != "gaussian":
            out.update(rank=self.rank, decay=self.decay, noise=self.noise)
        if self.kind == "zipf":
            out["alpha"] = self.alpha
        return out

    @staticmethod
    def _normals(stream, rows, count: int, xp):
        """Normals of the given rows of ``stream`` (a range runs on all CPU cores)."""
        width = (count + 1) // 2
        if isinstance(rows, range):
            out = xp.empty((len(rows), count), dtype=xp.float32)
            rng.fill_rows(stream, rows.start, rows.stop, width, rng.normals, out, xp)
            return out
        return rng.normals(xp, stream.rows_at(rows, width, xp), count)

    def _core(self, rows, xp):
        """Rows of the low-rank core G diag(s) V^T + noise * Z for the given row ids.

        The product is taken in float64 and rounded once, so a row's value does not depend on the
        block it is generated in.
        """
        g = self._normals(rng.Stream(self.seed, rng.TAG_TABLE), rows, self.rank, xp)
        out = (g.astype(xp.float64) @ xp.asarray(self._basis)).astype(xp.float32)
        out += xp.float32(self.noise) * self._normals(rng.Stream(self.seed, rng.TAG_TABLE_NOISE), rows, self.d, xp)
        return out

    def _rows(self, rows, xp):
        if self.kind == "gaussian":
            return self._normals(rng.Stream(self.seed, rng.TAG_TABLE), rows, self.d, xp)
        out = self._core(rows, xp)
        if self.kind == "zipf":
            ids = xp.arange(rows.start, rows.stop) if isinstance(rows, range) else xp.asarray(rows)
            target = (ids.astype(xp.float64) + 1.0) ** (-self.alpha)
            norms = xp.sqrt((out.astype(xp.float64) ** 2).sum(axis=1))
            out *= (target / norms).astype(xp.float32)[:, None]
        return out

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1 as float32."""
        return self._rows(range(start, stop), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids."""
        return self._rows(xp.asarray(idx, dtype=xp.int64), xp)


def table(kind: str, *, n: int, d: int, seed: int = 0, rank: int | None = None, decay: float = 1.0,
          noise: float = 0.1, alpha: float = 0.5) -> GeneratedTable:
    """A synthetic n x d table, generated block by block from ``seed``.

    - ``gaussian``: iid N(0, 1) entries.
    - ``lowrank``: E_i = g_i diag(s) V^T + noise z_i with g_i, z_i iid N(0, I), V (d x rank) orthonormal
      from the seed, s_j = (j + 1)^-decay; default rank = max(1, d // 4).
    - ``zipf``: the ``lowrank`` row directions rescaled so that ||E_i|| = (i + 1)^-alpha: row norms follow
      a Zipf law over row ids, as in trained tables whose frequent (low) ids carry large norms.
    """
    if kind not in KINDS:
        raise InputError(f"unknown table kind {kind!r}: expected one of {', '.join(KINDS)} or a .npy/.npz/.safetensors path")
    n, d = _positive_int("n", n), _positive_int("d", d)
    seed = rng._check_seed(seed)
    if kind == "gaussian":
        return GeneratedTable(kind, n, d, seed)
    rank = max(1, d // 4) if rank is None else _positive_int("rank", rank)
    if rank > d:
        raise InputError(f"rank must be at most d = {d}, got {rank}")
    if not (np.isfinite(noise) and noise >= 0 and np.isfinite(decay) and decay >= 0 and np.isfinite(alpha) and alpha >= 0):
        raise InputError("noise, decay and alpha must be finite and non-negative")
    gauss = rng.normals(np, rng.Stream(seed, rng.TAG_TABLE_BASIS).rows(0, d, (rank + 1) // 2), rank).astype(np.float64)
    v, _ = np.linalg.qr(gauss)
    s = (np.arange(1, rank + 1, dtype=np.float64)) ** (-decay)
    basis = s[:, None] * v.T  # diag(s) V^T, rank x d
    return GeneratedTable(kind, n, d, seed, rank, float(decay), float(noise), float(alpha), basis)


@dataclass(frozen=True)
class ArrayTable:
    """An in-memory or memory-mapped 2-D float array (shape and dtype checked when wrapped)."""

    array: np.ndarray
    name: str = "array"

    def __post_init__(self):
        a = self.array
        if getattr(a, "ndim", None) != 2:
            raise TableError(f"table must be a 2-D array (n rows x d columns), got shape {getattr(a, 'shape', None)}")
        if not np.issubdtype(a.dtype, np.floating):
            raise TableError(f"table must hold real floating-point values, got dtype {a.dtype}")
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise TableError(f"table is empty: shape {a.shape}")

    @property
    def n(self) -> int:
        return self.array.shape[0]

    @property
    def d(self) -> int:
        return self.array.shape[1]

    def describe(self) -> dict:
        return {"kind": "file" if self.name != "array" else "array", "name": self.name, "n": self.n, "d": self.d,
                "dtype": str(self.array.dtype)}

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1.  Not scanned for NaN/Inf here: that would be a second read of every row;
        the passes that read them check what they compute (``check_finite``)."""
        return xp.asarray(self.array[start:stop])

    def rows(self, idx, xp=np):
        host = to_host(idx)
        rows = xp.asarray(self.array[host])
        check_finite(rows, "sampled rows", self.name, xp)
        return rows


def check_finite(values, where: str, name: str = "table", xp=np) -> None:
    """TableError when ``values`` (rows of a table, or anything computed from every entry of them) has
    NaN or Inf: a non-finite entry makes any sum over it non-finite."""
    if not bool(xp.isfinite(values).all()):
        raise TableError(f"table {name} has NaN or Inf values ({where})")


def as_table(E):
    """A table object for an ndarray (or memmap) or something already a table."""
    if hasattr(E, "block") and hasattr(E, "n") and hasattr(E, "d"):
        return E
    if hasattr(E, "__cuda_array_interface__"):
        return ArrayTable(E)
    return ArrayTable(np.asarray(E) if not isinstance(E, np.ndarray) else E)


_SAFETENSORS_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64}


def _load_safetensors(path: str, key: str | None) -> np.ndarray:
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise TableError(f"{path}: not a safetensors file (too short)")
        size = int.from_bytes(head, "little")
        if size <= 0 or size > os.path.getsize(path) - 8:
            raise TableError(f"{path}: not a safetensors file (bad header length)")
        try:
            header = json.loads(fh.read(size))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TableError(f"{path}: malformed safetensors header ({exc})") from None
    tensors = {k: v for k, v in header.items() if k != "__metadata__"}
    name = _pick(path, key, list(tensors))
    info = tensors[name]
    if info.get("dtype") not in _SAFETENSORS_DTYPES:
        raise TableError(f"{path}: tensor {name!r} has dtype {info.get('dtype')}; expected one of F16, F32, F64")
    dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]])
    begin, end = info["data_offsets"]
    shape = tuple(info["shape"])
    if end - begin != dtype.itemsize * int(np.prod(shape)) or 8 + size + end > os.path.getsize(path):
        raise TableError(f"{path}: tensor {name!r} is truncated or its offsets are inconsistent")
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + size + begin, shape=shape)


def _pick(path: str, key: str | None, names: list[str]) -> str:
    if key is not None:
        if key not in names:
            raise TableError(f"{path}: no array named {key!r}; it holds {', '.join(names) or 'nothing'}")
        return key
    if len(names) != 1:
        raise TableError(f"{path}: holds {len(names)} arrays ({', '.join(names)}); name one with key=")
    return names[0]


def load_table(path: str, key: str | None = None) -> ArrayTable:
    """Load a table from .npy (memory-mapped), .npz or .safetensors (``key`` names the tensor)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"table file not found: {path}")
    if os.path.isdir(path):
        raise TableError(f"table path is a directory, expected a .npy, .npz or .safetensors file: {path}")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npy":
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        elif ext == ".npz":
            with np.load(path, allow_pickle=False) as z:
                array = z[_pick(path, key, list(z.files))]
        elif ext == ".safetensors":
            array = _load_safetensors(path, key)
        else:
            raise TableError(f"unsupported table file {path}: expected .npy, .npz or .safetensors")
    except TableError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise TableError(f"cannot read table {path}: {exc}") from None
    return ArrayTable(array, name=os.path.basename(path))


def resolve(spec, *, n: int | None = None, d: int | None = None, key: str | None = None, seed: int = 0,
            default_n: int = 10**6, default_d: int = 128):
    """The table a check runs on: a generated kind (``n`` x ``d``, defaults ``default_n`` x ``default_d``),
    a .npy/.npz/.safetensors path (``n``/``d``, when given, must match its shape), or an array or table
    object given directly (its shape is its own)."""
    if not isinstance(spec, (str, os.PathLike)):
        t = as_table(spec)
    elif spec in KINDS:
        return table(spec, n=n or default_n, d=d or default_d, seed=seed)
    elif os.path.splitext(os.fspath(spec))[1].lower() not in (".npy", ".npz", ".safetensors") and not os.path.exists(spec):
        raise InputError(f"unknown table {spec!r}: expected one of {', '.join(KINDS)} "
                         "or a path to a .npy, .npz or .safetensors file")
    else:
        t = load_table(spec, key=key)
    for name, given in (("n", n), ("d", d)):
        if given is not None and given != getattr(t, name):
            raise InputError(f"--{name} {given} conflicts with the table, which has {name} = {getattr(t, name)}")
    return t
