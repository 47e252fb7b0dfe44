"""The table a check runs on, from what the command line or a caller names."""
from __future__ import annotations

import os

from ..errors import InputError
from .checks import TableError
from .files import load_table
from .generated import KINDS, table
from .held import as_table
from .shards import ShardTable
from .zarr_store import ZarrTable


def _is_zarr(path: str) -> bool:
    """A zarr store by its name (x.zarr) or by the metadata it holds (v3 zarr.json, v2 .zarray/.zgroup)."""
    return path.rstrip("/").lower().endswith(".zarr") or any(
        os.path.exists(os.path.join(path, meta)) for meta in ("zarr.json", ".zarray", ".zgroup"))


def resolve(spec, *, n: int | None = None, d: int | None = None, key: str | None = None, seed: int = 0,
            default_n: int = 10**6, default_d: int = 128):
    """The table a check runs on: a generated kind (``n`` x ``d``, defaults ``default_n`` x ``default_d``),
    a .npy/.npz/.safetensors path (``n``/``d``, when given, must match its shape), a zarr store (a path
    ending .zarr, a folder holding zarr metadata, or a URL such as s3://bucket/x.zarr), a folder of .npy
    shards, or an array or table object given directly (its shape is its own)."""
    if not isinstance(spec, (str, os.PathLike)):
        t = as_table(spec)
    elif "://" in os.fspath(spec) or _is_zarr(os.fspath(spec)):
        t = ZarrTable.open(os.fspath(spec), key)
    elif os.path.isdir(spec):
        if key is not None:
            raise TableError(f"{spec}: a folder of .npy shards holds one table; --key applies to .npz, .safetensors "
                             "and zarr groups")
        t = ShardTable.open(os.fspath(spec))
    elif spec in KINDS:
        return table(spec, n=n or default_n, d=d or default_d, seed=seed)
    elif os.path.splitext(os.fspath(spec))[1].lower() not in (".npy", ".npz", ".safetensors") and not os.path.exists(spec):
        raise InputError(f"unknown table {spec!r}: expected one of {', '.join(KINDS)} "
                         "or a path to a .npy, .npz or .safetensors file, a zarr store or a folder of .npy shards")
    else:
        t = load_table(spec, key=key)
    for name, given in (("n", n), ("d", d)):
        if given is not None and given != getattr(t, name):
            raise InputError(f"--{name} {given} conflicts with the table, which has {name} = {getattr(t, name)}")
    return t
