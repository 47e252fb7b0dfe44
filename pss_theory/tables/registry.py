"""The table sources a path can name, in the order ``resolve`` tries them: each says what it reads, how a
path is recognised as one (``can_open``), how it is opened, whether ``key`` names an array inside it and
which optional extra it needs.  The ``--table`` and ``--key`` help and the errors for a path no source
reads are written from this list, so a new format is one entry here and one module.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from .checks import TableError
from .files import load_npy, load_npz, load_safetensors
from .generated import KINDS
from .shards import ShardTable
from .zarr_store import ZarrTable


@dataclass(frozen=True)
class Source:
    """One kind of path a table can be read from."""

    name: str
    #: what it is, as help and errors name it ("a .npz file")
    what: str
    #: file name endings it is recognised by (lower case), empty for one recognised otherwise
    suffixes: tuple[str, ...]
    #: whether ``key`` names an array inside it, and what such a key names
    key: str | None
    #: the optional-dependency extra it needs (``pip install 'pss-theory[EXTRA]'``), or None
    extra: str | None
    #: whether it is one regular file (what ``load_table`` opens)
    file: bool
    can_open: Callable[[str], bool]
    open: Callable[[str, str | None], object]


def _suffix(path: str) -> str:
    return os.path.splitext(path.rstrip("/"))[1].lower()


def is_zarr(path: str) -> bool:
    """A zarr store by its name (x.zarr), by a URL (s3://bucket/x.zarr, any fsspec protocol) or by the
    metadata it holds (v3 zarr.json, v2 .zarray/.zgroup)."""
    return "://" in path or _suffix(path) == ".zarr" or any(
        os.path.exists(os.path.join(path, meta)) for meta in ("zarr.json", ".zarray", ".zgroup"))


def _file(suffix: str) -> Callable[[str], bool]:
    return lambda path: _suffix(path) == suffix


SOURCES: tuple[Source, ...] = (
    Source("zarr", "a zarr store (x.zarr, or a URL such as s3://b/x.zarr)", (".zarr",), "an array in a zarr group",
           "dask", False, is_zarr, ZarrTable.open),
    Source("shards", "a folder of .npy shards", (), None, None, False, os.path.isdir,
           lambda path, key: ShardTable.open(path)),
    Source("npy", "a .npy file", (".npy",), None, None, True, _file(".npy"), lambda path, key: load_npy(path)),
    Source("npz", "a .npz file", (".npz",), "an array in a .npz file", None, True, _file(".npz"), load_npz),
    Source("safetensors", "a .safetensors file", (".safetensors",), "a tensor in a .safetensors file", None, True,
           _file(".safetensors"), load_safetensors),
)


def find(path: str, *, files_only: bool = False) -> Source | None:
    """The first source that reads ``path`` (among the single-file ones with ``files_only``), or None."""
    return next((source for source in SOURCES if source.can_open(path) and (source.file or not files_only)), None)


def _what(source: Source) -> str:
    return source.what + (f" (needs the [{source.extra}] extra)" if source.extra else "")


def _listed(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def sources_text(*, files_only: bool = False) -> str:
    """The sources a path can name, for help and errors: "a zarr store (...), ..., a .npz file or a
    .safetensors file"."""
    return _listed([_what(source) for source in SOURCES if source.file or not files_only])


def table_help() -> str:
    """The ``--table`` help: the generated kinds, then every source."""
    return f"a generated kind ({', '.join(KINDS)}), {sources_text()}"


def key_help() -> str:
    """The ``--key`` help: what a key names, in each source that holds several arrays."""
    return "the name of " + _listed([source.key for source in SOURCES if source.key])


def one_table(path: str, source: Source) -> TableError:
    """The error for a key given to a source that holds one table."""
    return TableError(f"{path}: {source.what} holds one table; --key applies to "
                      + _listed([source.what for source in SOURCES if source.key]))
