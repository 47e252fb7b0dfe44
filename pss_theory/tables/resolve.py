"""The table a check runs on, from what the command line or a caller names: a generated kind, a path one
of the ``registry``'s sources reads, or an object a caller holds."""
from __future__ import annotations

import os

from ..errors import InputError
from . import registry
from .arrays import ArrayTable
from .checks import TableError
from .generated import KINDS, table
from .held import as_table


def load_table(path, key: str | None = None) -> ArrayTable:
    """A table from one file, by its suffix: .npy (memory-mapped), .npz or .safetensors (``key`` names the
    array of the last two).  Only regular files are opened: a FIFO or a device named x.npy is refused, not
    waited on."""
    path = os.fspath(path)
    source = registry.find(path, files_only=True)
    if source is None:
        if not os.path.exists(path):
            raise FileNotFoundError(f"table file not found: {path}")
        what = "a directory, not a file" if os.path.isdir(path) else "not a supported table file"
        raise TableError(f"table path {path} is {what}: expected {registry.sources_text(files_only=True)}")
    if key is not None and source.key is None:
        raise registry.one_table(path, source)
    return source.open(path, key)


def resolve(spec, *, n: int | None = None, d: int | None = None, key: str | None = None, seed: int = 0,
            default_n: int = 10**6, default_d: int = 128):
    """The table a check runs on: an array or table object given directly (its shape is its own), a path
    the first of ``registry.SOURCES`` that recognises it reads (``n``/``d``, when given, must match its
    shape; ``key`` names an array inside it), else a generated kind (``n`` x ``d``, defaults
    ``default_n`` x ``default_d``)."""
    if not isinstance(spec, (str, os.PathLike)):
        t = as_table(spec)
    else:
        path = os.fspath(spec)
        source = registry.find(path)
        if source is None and path in KINDS:
            return table(path, n=n or default_n, d=d or default_d, seed=seed)
        if source is None:
            if not os.path.exists(path):
                raise InputError(f"unknown table {path!r}: expected one of {', '.join(KINDS)} or "
                                 f"{registry.sources_text()}")
            raise TableError(f"unsupported table {path}: expected {registry.sources_text()}")
        if key is not None and source.key is None:
            raise registry.one_table(path, source)
        t = source.open(path, key)
    for name, given in (("n", n), ("d", d)):
        if given is not None and given != getattr(t, name):
            raise InputError(f"--{name} {given} conflicts with the table, which has {name} = {getattr(t, name)}")
    return t
