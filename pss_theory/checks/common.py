"""Options every theorem check shares, and the planning steps they share (one place each)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .. import families, validate
from ..backend import DEVICES, get_backend
from ..errors import InputError
from ..measure import cost, memory
from ..measure.cells import trial_seed
from ..records import unflatten
from ..summary import Summary
from ..tables import registry, resolve
from . import auto_k
from .base import Check, Plan, State, option

DEFAULT_N = 10**6
DEFAULT_D = 128


@dataclass
class TableOptions:
    """The table, the sketch size, the theorem's eps and delta, the seed and where to compute.

    ``table``: a generated kind (``gaussian``, ``lowrank``, ``zipf``), a .npy/.npz/.safetensors path, or
    an array (then ``n`` and ``d`` are its own).  ``k`` defaults to 8 d.  ``params``: the family's own
    parameters (osnap ``s``, achlioptas ``density``, robez ``Z``, ``compression``, ``signed``).
    """

    table: object = option("zipf", registry.table_help(), str)
    n: int | None = option(None, f"rows of a generated table (default {DEFAULT_N:g})", lambda t: validate.count("n", t))
    d: int | None = option(None, f"columns of a generated table (default {DEFAULT_D})", lambda t: validate.count("d", t))
    key: str | None = option(None, registry.key_help(), str)
    k: int | str | None = option(None, "sketch size (default 8 d), or auto: the k the theorem's eps needs, by its rule",
                                 auto_k.parse)
    eps: float = option(0.5, "the theorem's accuracy eps, in (0, 1)", lambda t: validate.open_unit("eps", t))
    delta: float = option(0.1, "the failure probability delta, in (0, 1)", lambda t: validate.open_unit("delta", t))
    seed: int = option(0, "seed of the table and the sketches", validate.seed_text)
    device: str = option("cpu", "where to compute: cpu, gpu or auto", lambda t: validate.one_of("device", t, DEVICES))
    block_rows: int | None = option(None, "rows per streamed block (default: by memory)",
                                    lambda t: validate.count("block_rows", t))
    params: dict = option(None, "", None, default_factory=dict)
    yes: bool = option(False, "run even when the run is estimated to take over an hour", flag=True)


def check_common(o: TableOptions) -> None:
    """The checks on common options that need no table; the clean values replace the given ones (a
    Python caller may pass "0.5" or numpy scalars)."""
    o.eps = validate.open_unit("eps", o.eps)
    o.delta = validate.open_unit("delta", o.delta)
    o.seed = validate.seed(o.seed)
    o.device = validate.one_of("device", o.device, DEVICES)
    for name in ("n", "d", "k", "block_rows"):
        value = getattr(o, name)
        if name == "k" and auto_k.is_auto(value):
            o.k = auto_k.AUTO
        elif isinstance(value, (list, tuple)):  # a check that takes several k (Theorem 6)
            setattr(o, name, [validate.count(name, validate.positive_int(name, v)) for v in value])
        elif value is not None:  # an int, at most 2^53 as on the command line (row ids exact in a float)
            setattr(o, name, validate.count(name, validate.positive_int(name, value)))


def resolve_table(o: TableOptions):
    return resolve(o.table, n=o.n, d=o.d, key=o.key, seed=o.seed, default_n=DEFAULT_N, default_d=DEFAULT_D)


def family_help(what: str, sketches_only: bool = True) -> str:
    """The --family help of a check: the families it takes and how to give each its parameters."""
    pool = families.SKETCHES if sketches_only else families.ALL
    return f"{what}: {', '.join(pool)}, a comma list, or all; a family's parameters as FAMILY:NAME=VALUE (osnap:s=8)"


def family_list(value, sketches_only: bool = True) -> list[families.FamilySpec]:
    """Families for a multi-family check, each with its own parameters: ``"all"``, a name, a text such as
    ``"osnap:s=8,countsketch"`` or a list (``families.specs``).  Sketches S only (Theorem 6), or every
    PSS, ROBE-Z included (``sketches_only=False``)."""
    return families.specs(value, sketches_only)


def pss_list(value) -> list[families.FamilySpec]:
    """Every PSS family for a one-PSS check (Theorems 7 and 4): a name, a comma list or ``all``."""
    return family_list(value, sketches_only=False)


def plan_families(o, sketches_only: bool = True) -> dict[str, dict]:
    """The parameters of each family of ``o.family``, by family, with the bare parameters ``o.params``
    (``--s 8``) routed to the one family that takes each; ``o.family`` becomes the list of names."""
    specs = families.specs(o.family, sketches_only, getattr(o, "params", None))
    o.family = [s.family for s in specs]
    return {s.family: s.kwargs for s in specs}


@dataclass(kw_only=True)
class OnePssState(State):
    """What a one-PSS plan keeps: the PSS drawn for each family, and the theory at its k, computed once in
    ``plan`` (an input the calculators cannot take fails there) and read by ``measure`` and ``summarize``."""

    pss: dict  # family -> the operator drawn from trial 0
    theory: dict = field(default_factory=dict)  # family -> the theorem's side at its k


@dataclass(kw_only=True)
class OnePssResult(Summary):
    """What a one-PSS check reports beside the common fields (by family where a dict; docs/schema.md)."""

    params: dict  # family -> its parameters
    eps: float
    delta: float
    rho: float
    rho_scan: dict  # the rho scan of the table (the same in every cell: the first cell's)
    theory: dict  # family -> the theorem's side at its k
    histograms: dict  # family -> the histograms the figures draw
    verdict: list[str]  # one line per family, in order
    sources: dict  # key of theory.SOURCES -> the reference
    pss: dict  # family -> the operator's repr
    cells: list[dict]  # each cell's record key
    comparison: list[dict]  # one row per family, the families side by side


class OnePssCheck(Check):
    """A check of one PSS on one table per cell (Theorems 7 and 4), one cell per family: both passes over
    the table, and a flat record (``records.flatten``) holding at least the columns ``record_columns``
    (numbers) and the PSS's repr."""

    record_columns: tuple[str, ...] = ()
    Result = OnePssResult
    family_params = True
    sketches_only = False

    @property
    def record_key(self) -> tuple[str, ...]:
        """ONE_PSS_KEY and the check's own options (the fields its Options adds to TableOptions)."""
        shared = {f.name for f in dataclasses.fields(TableOptions)} | {"family", "rho"}
        return ONE_PSS_KEY + tuple(f.name for f in dataclasses.fields(self.Options) if f.name not in shared)

    def work(self, plan, cell):
        return 2 * plan.table.n

    def valid_record(self, record):
        """A record of this version: flat, with its number columns and no list of objects or of lists (an
        older record nests them and is measured again)."""
        return isinstance(record.get("pss"), str) and all(
            isinstance(record.get(name), (int, float)) and not isinstance(record.get(name), bool)
            for name in self.record_columns) and not any(
            isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v) for v in record.values())

    def cells_of(self, plan, records):
        """(family, its cell, the record's measured part unflattened) for each family, in order."""
        for cell, r in zip(plan.cells, records):
            yield cell["family"], r, unflatten({k: v for k, v in r.items() if k not in cell and k != "seconds"})


#: what identifies the cell of a one-PSS check (its own options are appended)
ONE_PSS_KEY = ("theorem", "family", "params", "k", "n", "d", "seed", "table", "sketch_seed", "eps", "delta", "rho")


def plan_one_pss(check, o: TableOptions, **cell_options) -> Plan:
    """The plan of a check of one PSS on one table (Theorems 7 and 4), for each family given: options
    checked, the table resolved, each PSS drawn from trial 0 with k checked against its family, and one
    cell per family that identifies its run (``cell_options`` are the check's own options, part of that
    identity; ``compression`` = n d / the floats of M is recorded beside them)."""
    check_common(o)
    params = plan_families(o, sketches_only=False)
    o.rho = validate.unit_closed_right("rho", o.rho)
    backend = get_backend(o.device)
    table = resolve_table(o)
    k, k_rule = auto_k.per_row(o, table, backend, params, o.yes) if o.k == auto_k.AUTO else (o.k or 8 * table.d, None)
    psss, cells = {}, []
    for name in o.family:
        dist = families.Distribution.of(name, k=k if families.get(name).linear else None, n=table.n, d=table.d,
                                        **params[name])
        pss = dist.sample(o.seed, backend)
        memory.plan_block_rows(pss, table.d, o.block_rows)
        psss[name] = pss
        cells.append({"theorem": check.theorem, "family": name, "params": params[name], "k": k if pss.linear else None,
                      "n": table.n, "d": table.d, "seed": o.seed, "table": table.describe(),
                      "sketch_seed": trial_seed(o.seed, 0), "eps": o.eps, "delta": o.delta, "rho": o.rho,
                      **cell_options, "compression": table.n * table.d / pss.memory_floats(table.d)})
    seconds = sum(cost.pass_seconds(table, pss) + cost.pass_seconds(table, pss, read_back=True) for pss in psss.values())
    cost.check_time(seconds, f"two passes over {table.n:,} x {table.d} for {len(psss)} famil{'y' if len(psss) == 1 else 'ies'}",
                    o.yes)
    return Plan(o, table, backend, cells, OnePssState(pss=psss, k_rule=k_rule))


#: share of the free memory one auxiliary array may take (the passes' own blocks are planned apart)
AUX_SHARE = 0.5


def check_fits(what: str, nbytes: float, backend, option: str) -> None:
    """InputError, before any work, when an array a check's option asks for would not fit in memory."""
    free = backend.available_bytes()
    if nbytes > AUX_SHARE * free:
        raise InputError(f"{what} needs about {nbytes / 2**30:.1f} GiB but about {free / 2**30:.1f} GiB is free on "
                         f"the {backend.device}: use a smaller {option}")
