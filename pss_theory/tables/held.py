"""What a user already holds (an array, a sparse matrix, a zarr or Dask array) as a table."""
from __future__ import annotations

import scipy.sparse

from ..backend import as_array
from .arrays import ArrayTable
from .checks import TableError, _check_shape
from .dask_array import DaskTable
from .protocol import MEMBERS, Table
from .sparse import sparse_table
from .zarr_store import ZarrTable


def _module_of(obj) -> str:
    return type(obj).__module__.partition(".")[0]


def as_table(E):
    """A table object for what a user holds: a table already (``tables.Table``), a SciPy sparse matrix (``sparse_table``),
    or any array (ndarray or memmap, CuPy, or an object exposing ``__dlpack__`` or ``__array__``:
    torch, JAX, pandas) through ``backend.as_array``."""
    if isinstance(E, Table):
        return E
    if hasattr(E, "block"):  # meant as a table object, not an array
        missing = [m for m in MEMBERS if not hasattr(E, m)]
        raise TableError(f"a {type(E).__name__} is not a table: a table object needs {', '.join(MEMBERS)} "
                         f"(tables.Table); it lacks {', '.join(missing)}")
    if _module_of(E) == "dask":
        _check_shape("dask array", E.shape, E.dtype)
        return DaskTable(E, name="dask array")
    if _module_of(E) == "zarr":
        return ZarrTable(E, name="zarr array", source=str(E.store_path))
    if scipy.sparse.issparse(E):
        return sparse_table(E)
    try:
        array = as_array(E)
    except (BufferError, RuntimeError, TypeError, ValueError) as exc:  # what producers raise on export
        raise TableError(f"cannot read a {type(E).__name__} as a table: {str(exc).strip().splitlines()[0]}") from None
    return ArrayTable(array)
