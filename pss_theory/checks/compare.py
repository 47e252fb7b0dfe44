"""Beyond the paper: the PSS methods researchers use, side by side at equal memory.

The appendix defines Macro and Micro PSS for any memory and read-back map but proves them for M = S E only.
This check fits each method (``pss_theory.methods``) to one table at each compression (a budget of
4 n d / compression bytes: the table as float32 is the reference), counts its memory in bytes, and measures
what the theorems are about on its read-back: eps_i on every row, the macro distortion, and Theorem 4's
pair errors (``measure.compare``).  One cell is one (method, compression); a method that cannot reach a
compression is reported n/a with the compressions it reaches, never as an error.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .. import methods, theory, validate
from ..backend import get_backend
from ..errors import InputError
from ..measure import cost
from ..measure.compare import TableStats, evaluate
from ..records import flatten, unflatten
from ..report.compare import comparison_rows, verdict
from ..summary import Summary
from ..tables import as_table, registry, resolve
from .base import Check, Plan, State, option
from .common import check_fits

DEFAULT_N = 100_000
DEFAULT_D = 64


def compression_list(text) -> list[float]:
    values = text.split(",") if isinstance(text, str) else list(text)
    out = [validate.positive("compression", v) for v in values if str(v).strip()]
    if not out:
        raise InputError("--compression needs at least one value, e.g. 10,100,1000")
    return sorted(set(out))


def method_list(text) -> list[str]:
    return [str(s) for s in methods.specs(text)]


@dataclass
class Options:
    """The table, the compressions, the methods (``hashing:signed:fit=sketch``; default ``methods.DEFAULT``),
    the eps of "rows within eps", the rows in scope (rho_i > rho), and the pairs measured."""

    table: object = option("zipf", registry.table_help(), str)
    n: int | None = option(None, f"rows of a generated table (default {DEFAULT_N:g})", lambda t: validate.count("n", t))
    d: int | None = option(None, f"columns of a generated table (default {DEFAULT_D})", lambda t: validate.count("d", t))
    key: str | None = option(None, registry.key_help(), str)
    compression: list = option("10,100,1000,10000", "compressions 4 n d / bytes, comma-separated", compression_list)
    method: list = option(",".join(methods.DEFAULT), f"methods with their settings (of: {', '.join(methods.ALL)})",
                          method_list)
    eps: float = option(0.5, "report the fraction of rows with eps_i <= eps", lambda t: validate.positive("eps", t))
    rho: float = option(0.01, "rows in scope: rho_i > rho, in (0, 1]", lambda t: validate.unit_closed_right("rho", t))
    pairs: int = option(100_000, "sampled pairs of rows for pi_ij", lambda t: validate.count("pairs", t))
    top: int = option(200, "also every pair among the R rows of largest rho_i", lambda t: validate.count("top", t))
    seed: int = option(0, "seed of the table and of every hash and sample", validate.seed_text)
    block_rows: int = option(1 << 14, "rows per streamed block", lambda t: validate.count("block_rows", t))
    yes: bool = option(False, "run even when the run is estimated to take over an hour", flag=True)


#: a table is read into memory once for all the cells' passes when its entries take at most this share of
#: the free memory (a generated table is otherwise generated again on every pass of every fit)
HOLD_SHARE = 0.25


def hold(table):
    """The table in memory when its entries fit ``HOLD_SHARE`` of the free memory, else the table itself."""
    fits = table.n * table.d * 8 <= HOLD_SHARE * get_backend("cpu").available_bytes()
    return as_table(np.asarray(table.block(0, table.n))) if fits else table


@dataclass(kw_only=True)
class CompareState(State):
    """The table's E^T E and sigma_max, from the plan's one pass, and the table the fits read: in memory
    when it fits (``HOLD_SHARE``), made by the first cell of a process that needs it."""

    stats: TableStats
    held: object = None

    def data(self, table):
        if self.held is None:
            self.held = hold(table)
        return self.held

    def __getstate__(self):
        # a worker reads the table itself rather than receiving a copy of it
        return {**self.__dict__, "held": None}


@dataclass(kw_only=True)
class Result(Summary):
    """What ``compare`` reports beside the common fields: the compressions and methods, and one row per cell."""

    compression: list
    method: list
    eps: float
    rho: float
    cells: list[dict]
    comparison: list[dict]
    rules: dict  # method name -> how the budget sets its sizes
    sources: dict
    verdict: list


class Compare(Check):
    name = "compare"
    theorem = None
    order = 6
    title = "Beyond the paper: PSS methods at equal memory"
    description = "Compare: hashing, ROBE-Z, compositional, tensor-train, codebook and low-rank PSS at equal memory."
    Options = Options
    Result = Result
    record_key = ("theorem", "table", "n", "d", "method", "compression", "eps", "rho", "pairs", "top", "seed")
    examples = (
        ("--n 1e5 --d 64", "every method at 10x..10000x on a generated zipf table"),
        ("--table emb.npy --compression 10,100 --method hashing:signed:fit=lsq,pq,svd", "your table, three methods"),
    )
    scales = {"smoke": dict(n=4000, d=16, compression=[10, 100], pairs=2000, top=40),
              "default": dict(n=DEFAULT_N, d=DEFAULT_D),
              "paper": dict(n=10**6, d=128)}

    def plan(self, o: Options) -> Plan:
        o.compression = compression_list(o.compression)
        o.method = method_list(o.method)
        o.seed = validate.seed(o.seed)
        table = resolve(o.table, n=o.n, d=o.d, key=o.key, seed=o.seed, default_n=DEFAULT_N, default_d=DEFAULT_D)
        # the plan's pass, then per cell its fit's passes and the read-back's one
        passes = 1 + len(o.compression) * sum(methods.get(s.family).reads + 1 for s in methods.specs(o.method))
        cost.check_time(passes * cost.pass_seconds(table), f"about {passes} passes over {table.n:,} x {table.d}",
                        o.yes, "a smaller --n or fewer methods")
        need, spec, comp = max((methods.get(s.family).working_bytes(table.n, table.d, methods.budget_bytes(
            table.n, table.d, c), o.block_rows), str(s), c) for s in methods.specs(o.method) for c in o.compression)
        check_fits(f"fitting {spec} at --compression {comp:g}", need, get_backend("cpu"),
                   "--n, fewer methods or a larger smallest --compression")
        held = hold(table)  # read once here: the plan's pass reads the rows the fits will read
        stats = TableStats.of(held, o.block_rows)
        if stats.nonzero_rows == 0:
            raise InputError("the table has no nonzero row: there is nothing to compress")
        cells = [{"theorem": "compare", "table": table.describe(), "n": table.n, "d": table.d, "method": m,
                  "compression": c, "eps": o.eps, "rho": o.rho, "pairs": o.pairs, "top": o.top, "seed": o.seed}
                 for m in o.method for c in o.compression]
        return Plan(o, table, get_backend("cpu"), cells, CompareState(stats=stats, held=held, k_rule=None))

    def measure(self, plan, cell, progress):
        o, table = plan.options, plan.table
        (spec,) = methods.specs(cell["method"])
        budget = methods.budget_bytes(table.n, table.d, cell["compression"])
        data = plan.state.data(table)
        t0 = time.perf_counter()
        try:
            fitted = methods.get(spec.family).fit(data, budget, o.seed, block_rows=o.block_rows, **spec.kwargs)
        except methods.Unreachable as u:
            return flatten({"reached": False, "reason": u.reason, "reachable": [u.lo, u.hi], "budget_bytes": budget})
        fit_seconds = time.perf_counter() - t0
        measured = evaluate(fitted, data, plan.state.stats, eps=o.eps, rho=o.rho, pairs=o.pairs, top=o.top,
                            seed=o.seed, block_rows=o.block_rows)
        return flatten({"reached": True, "budget_bytes": budget, "memory_bytes": fitted.nbytes,
                        "compression_reached": fitted.compression, "fit_seconds": fit_seconds,
                        "fit_passes": fitted.passes, "fit_residuals": list(fitted.history),
                        "config": dict(fitted.config), **measured})

    def valid_record(self, record):
        return "reached" in record

    def summarize(self, plan, records, seconds) -> Result:
        o = plan.options
        cells = [{"method": r["method"], "compression": r["compression"],
                  **unflatten({k: v for k, v in r.items() if k not in plan.cells[0] and k != "seconds"})}
                 for r in records]
        rows = comparison_rows(cells)
        names = list(dict.fromkeys(spec.family for spec in methods.specs(o.method)))
        return self.common(plan, k=None, family=names, seconds=seconds, claims=[],
                           stats={"sigma_max": plan.state.stats.sigma_max, "nonzero_rows": plan.state.stats.nonzero_rows},
                           compression=o.compression, method=o.method, eps=o.eps, rho=o.rho, cells=cells,
                           comparison=rows, rules={name: methods.get(name).rule for name in names},
                           sources={key: theory.SOURCES[key] for name in names for key in methods.get(name).sources},
                           verdict=verdict(cells, o.eps))


CHECK = Compare()
