"""The time side of the guard: a run's duration estimated before any work, refused above an hour.

A pass over E costs, per entry of E (n d of them), what reading it costs (a generated table: its
generator; a file or an array: nothing beyond the sketch's own rate, which was measured reading one)
plus the sketch's own work: dense S (Gaussian, Rademacher, Achlioptas) 2 k flops, hashing S (OSNAP,
CountSketch, ROBE-Z) a base cost and one more per nonzero of a column, SRHT its transform.  Pass 2
(Theorems 7 and 4) adds the read-back: Q_b = E_b R^-1 and c_b R, 2 d flops per entry.

The rates are those measured on the project's 2-core reference machine (bench/RESULTS.md, "What a
pass costs"), under load, so the estimate is rough (within about 2x of the runs there) and, on a GPU or
a Dask cluster, pessimistic: such a run says so and goes on with ``yes``.
"""
from __future__ import annotations

from ..errors import InputError
from ..families.dense import DenseSketch
from ..families.srht import SRHT
from ..tables.generated import GeneratedTable

#: a run estimated above this many seconds is refused unless ``yes``
LIMIT_SECONDS = 3600.0
GENERATED_ENTRIES_PER_S = 3.0e7  # the zipf generator (the slowest kind), float32 entries
GAUSSIAN_FLOPS = 1.5e10  # a pass with Gaussian S: its normals and the product, per second
DENSE_FLOPS = 3.0e10  # a pass with a dense sign sketch (Rademacher, Achlioptas)
HASH_BASE_S = 1.0e-8  # seconds per entry of a hashing pass ...
HASH_PER_NONZERO_S = 1.0e-9  # ... and per nonzero of a column of S (CountSketch 1, OSNAP s)
SRHT_S = 1.9e-8  # seconds per entry of an SRHT pass
READBACK_FLOPS = 5.0e9  # pass 2's two d x d triangular products, per second


def read_seconds(table) -> float:
    """Seconds per entry to read the table (a generated one: to generate it)."""
    return 1.0 / GENERATED_ENTRIES_PER_S if isinstance(table, GeneratedTable) else 0.0


def sketch_seconds(pss, k: int | None = None) -> float:
    """Seconds per entry of E of one pass 1 with ``pss``, at sketch size ``k`` (default its own)."""
    if isinstance(pss, DenseSketch):
        return 2.0 * (pss.k if k is None else k) / (GAUSSIAN_FLOPS if pss.family == "gaussian" else DENSE_FLOPS)
    if isinstance(pss, SRHT):
        return SRHT_S
    return HASH_BASE_S + HASH_PER_NONZERO_S * getattr(pss, "s", 1)


def pass_seconds(table, pss=None, *, k: int | None = None, read_back: bool = False) -> float:
    """One pass over ``table``: pass 1 with ``pss`` (None: the table's own Gram, as the planner makes
    it), or pass 2 with ``read_back``."""
    per = read_seconds(table) + (sketch_seconds(pss, k) if pss is not None else 2.0 * table.d / READBACK_FLOPS)
    if read_back:
        per += 2.0 * table.d / READBACK_FLOPS
    return float(table.n) * table.d * per


def duration(seconds: float) -> str:
    """Seconds in the unit a person reads them in."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


SHORTER = "--dask (its row spans on workers), --device gpu, or a smaller --n or --k"


def check_time(seconds: float, what: str, yes: bool, shorter: str = SHORTER) -> None:
    """InputError, before any work, when the estimate is above LIMIT_SECONDS and ``yes`` is not given;
    ``shorter`` says what would shorten the run."""
    if seconds > LIMIT_SECONDS and not yes:
        raise InputError(f"this run is estimated at about {duration(seconds)} on a 2-core CPU ({what}): add --yes "
                         f"to run it anyway, or shorten it with {shorter}")
