"""Embedding tables E (n x d): generated block by block from a seed, or loaded from a file.

A table is anything that satisfies ``Table`` (``protocol``): ``n``, ``d``, ``name``, ``describe()``,
``block(start, stop, xp)`` returning rows start..stop-1 and ``rows(idx, xp)``, float arrays on the
backend of ``xp``.  Generated tables hold no rows: row i is a pure function
of (seed, i), so a 1e8 x 128 table streams through in blocks without a 51 GB array anywhere.

Tables as people hold them are taken as they are: any array exposing ``__dlpack__`` or ``__array__``
(torch, JAX, pandas; CuPy and other CUDA arrays stay on the GPU, ``backend.as_array``) becomes an
``ArrayTable``, and a SciPy sparse matrix of any format a ``SparseTable``, streamed by row blocks
that are densified one at a time.

``describe()`` identifies a table's content, not only its shape: records are keyed by it, so a run on
another table saved under the same name never reuses this one's numbers.

One module per source: ``generated`` (synthetic kinds), ``arrays`` (in-memory and memory-mapped arrays),
``sparse`` (SciPy sparse), ``files`` (.npy/.npz/.safetensors), ``zarr_store``, ``shards`` (a folder of .npy
files), ``dask_array``; ``held`` turns what a caller holds into one, ``resolve`` what a command names;
``checks`` holds what they all check; ``registry`` lists the sources a path can name, in the order
``resolve`` tries them, and writes the help and errors that name them.  The sources read from outside this process's memory (zarr, shards,
Dask) pickle as what reopens them (a store, paths, a graph) and their fingerprint, never as their rows, so a
Dask worker reads the rows of its own tasks; each is validated when made, before any work.
"""
from .arrays import ArrayTable
from .checks import FLOAT32_ACCURATE, TableError, beyond_float32, check_block, check_finite, check_rows, table_label
from .dask_array import DaskTable
from .files import SAFETENSORS_MAX_HEADER
from .generated import KINDS, GeneratedTable, table
from .held import as_table
from .protocol import Table
from .resolve import load_table, resolve
from .shards import Shards, ShardTable
from .sparse import SparseTable, sparse_table
from .zarr_store import ZarrTable

__all__ = ["ArrayTable", "DaskTable", "FLOAT32_ACCURATE", "GeneratedTable", "KINDS", "SAFETENSORS_MAX_HEADER",
           "ShardTable", "Shards", "SparseTable", "Table", "TableError", "ZarrTable", "as_table", "beyond_float32",
           "check_block", "check_finite", "check_rows", "load_table", "resolve", "sparse_table", "table",
           "table_label"]
