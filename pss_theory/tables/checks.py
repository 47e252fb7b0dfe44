"""Checks every table source shares: row ranges and ids, finiteness, shape and dtype, float32 range."""
from __future__ import annotations

import numpy as np

from ..errors import InputError

#: magnitudes float32 holds to its full 24-bit precision with room for the passes' sums and products:
#: its normal range is [1.2e-38, 3.4e38]; 1e-30 keeps products with entries of S (>= 1/sqrt(k), k < 2^53)
#: out of the subnormals, and 1e30 leaves 8 decades for sums over a block of rows and a column of S
FLOAT32_ACCURATE = (1e-30, 1e30)


class TableError(InputError):
    """A table that cannot be used (wrong shape, type, or non-finite values)."""


def check_block(start, stop, n: int) -> None:
    """InputError unless rows start..stop-1 all exist: integers with 0 <= start <= stop <= n."""
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise InputError(f"block {name} must be an integer row id, got {value!r}")
    if not 0 <= start <= stop <= n:
        raise InputError(f"block({start}, {stop}) is outside the table: rows start..stop-1 need "
                         f"0 <= start <= stop <= n = {n}")


def check_rows(idx, n: int, xp=np):
    """``idx`` as an int64 array on ``xp``; InputError unless it is a 1-D integer array of ids in [0, n)
    (one min and one max over it: no copy of the rows)."""
    ids = xp.asarray(idx)
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise InputError(f"row ids must be a 1-D integer array, got shape {ids.shape} dtype {ids.dtype}")
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n):
        raise InputError(f"row ids must lie in [0, {n}), got values in [{int(ids.min())}, {int(ids.max())}]")
    return ids.astype(xp.int64, copy=False)


def beyond_float32(values, xp=np) -> bool:
    """Whether an entry of ``values`` has a magnitude float32 does not hold accurately
    (``FLOAT32_ACCURATE``): 0 < |x| < 1e-30 or |x| > 1e30 (Inf included; NaN is not, the passes report it)."""
    a = xp.abs(values)
    lo, hi = FLOAT32_ACCURATE
    return bool(((a > hi) | ((a < lo) & (a > 0))).any())


def check_finite(values, where: str, name: str = "table", xp=np) -> None:
    """TableError when ``values`` (rows of a table, or anything computed from every entry of them) has
    NaN or Inf: a non-finite entry makes any sum over it non-finite."""
    if not bool(xp.isfinite(values).all()):
        raise TableError(f"table {name} has NaN or Inf values ({where})")


#: dtype kinds a table may hold: floating point, signed and unsigned integers, booleans
REAL_KINDS = "fiub"


def real_dtype(dtype) -> bool:
    """Whether a table of this dtype holds real numbers (floating point, integer or boolean; not complex)."""
    return np.dtype(dtype).kind in REAL_KINDS


def as_float(values):
    """A block as the passes read it: float32 and float64 as they are, float16 widened to float32 (exact),
    integers and booleans cast to float64 (exact up to 2^53), as scikit-learn casts integer input; one
    block at a time, never the whole table."""
    if values.dtype.kind != "f":
        return values.astype(np.float64)
    return values.astype(np.float32) if values.dtype.itemsize < 4 else values


def cast_note(dtype) -> str | None:
    """What a table's header says of its dtype: the cast for integer, boolean and 16-bit float tables (None
    otherwise)."""
    if dtype in ("bfloat16", "float16"):
        return f"{dtype} values read as float32 block by block (exactly)"
    return None if np.dtype(dtype).kind == "f" else f"{np.dtype(dtype).name} values cast to float64 block by block"


def _check_shape(where: str, shape, dtype) -> None:
    """TableError unless ``shape``/``dtype`` are those of a non-empty 2-D table of real numbers."""
    if len(shape) != 2:
        raise TableError(f"{where}: a table must be a 2-D array (n rows x d columns), got shape {tuple(shape)}")
    if not real_dtype(dtype):
        raise TableError(f"{where}: a table must hold real numbers (floating point, integer or boolean), got dtype "
                         f"{dtype}")
    if shape[0] == 0 or shape[1] == 0:
        raise TableError(f"{where}: the table is empty (shape {tuple(shape)})")


def table_label(described) -> str:
    """A table as a reader names it, from its ``describe()`` (as summary.json holds it): a file's name,
    or the generated kind."""
    if not isinstance(described, dict):
        return str(described)
    label = str(described.get("name") or described.get("kind", "?"))
    note = cast_note(described["dtype"]) if described.get("dtype") else None
    return f"{label} ({note})" if note else label
