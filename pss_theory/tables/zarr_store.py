"""A 2-D zarr array as a table, read chunk by chunk from its store."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import InputError
from .arrays import ArrayTable
from .checks import TableError, _check_shape
from .files import _pick


@dataclass(frozen=True, eq=False)
class ZarrTable(ArrayTable):
    """A 2-D zarr array: a local store (``x.zarr``) or any URL fsspec opens (``s3://bucket/x.zarr``); ``key``
    names the array inside a group.  Rows are read chunk by chunk from the store, never all at once."""

    source: str = ""
    key: str | None = None

    def __post_init__(self):
        _check_shape(self.name, self.array.shape, self.array.dtype)

    @classmethod
    def open(cls, source: str, key: str | None = None) -> ZarrTable:
        try:
            import zarr  # noqa: PLC0415  (optional dependency: the [dask] extra)
        except ImportError:
            raise InputError(f"{source}: reading a zarr store needs zarr, which is not installed: "
                             "pip install 'pss-theory[dask]'") from None
        try:
            node = zarr.open(source, mode="r")
        except FileNotFoundError:
            raise FileNotFoundError(f"zarr store not found: {source}") from None
        except Exception as exc:  # zarr and fsspec raise many kinds for a store they cannot read
            raise TableError(f"cannot open zarr store {source}: {type(exc).__name__}: {str(exc)[:160]}") from None
        if hasattr(node, "array_keys"):
            key = _pick(source, key, sorted(node.array_keys()))
            node = node[key]
        elif key is not None:
            raise TableError(f"{source}: a zarr array holds one array; --key applies to a zarr group")
        return cls(node, name=os.path.basename(source.rstrip("/")) or source, source=source, key=key)

    def _read(self, rows):
        return self.array[rows] if isinstance(rows, slice) else self.array.oindex[rows]

    def describe(self) -> dict:
        return {**super().describe(), "kind": "zarr", "name": self.source + (f"/{self.key}" if self.key else "")}
