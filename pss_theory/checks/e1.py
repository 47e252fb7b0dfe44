"""The E.1 timing study (Tables 5-17) of a plain table and ROBE-Z, as a check.

Forward (lookup of a batch of random ids + sum of squares) and backward (gradient + SGD step, dense or
sparse) over n, compression and chunk size Z, laid out as the paper's tables with the paper's numbers
beside ours, and the section's observations checked as claims.  On a CPU the rows n are the paper's
divided by a power of two (64 by default); batch and d are the paper's.  A cell is one (table kind,
n, compression, Z, gradient mode); the study itself lives in ``pss_theory.e1``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import e1, validate
from ..backend import DEVICES, get_backend
from ..errors import InputError
from ..records import flatten, unflatten
from ..report.robez_timing import table_markdown, verdict
from ..summary import Summary
from .base import Check, Plan, State, option

SKIPPED_FIELDS = ("kind", "n", "compression", "Z", "mode", "skipped")


@dataclass
class Options:
    """The grid: ``smoke`` or ``quick`` sizes (else the default), and any axis given explicitly."""

    quick: bool = option(False, "a small grid (CPU: about 30 s)", flag=True)
    smoke: bool = option(False, "a tiny grid that runs in seconds (for tests)", flag=True)
    device: str = option("cpu", "where to time: cpu, gpu or auto", lambda t: validate.one_of("device", t, DEVICES))
    seed: int = option(0, "seed of the ids and parameters", validate.seed_text)
    batch: int | None = option(None, "ids per batch (default 10240, as the paper)", lambda t: validate.count("batch", t))
    d: int = option(e1.PAPER_D, "embedding dimension, as the paper", lambda t: validate.count("d", t))
    repeats: int | None = option(None, "timed iterations per cell, at most (default: CPU 10, quick 5; GPU 50, quick 20)",
                                 lambda t: validate.count("repeats", t))
    n: list | None = option(None, "rows, comma-separated: paper rows (4M..256M) divided by one power of two "
                            "(default by device)", validate.listed(lambda t: validate.count("n", t)))
    compression: list | None = option(None, "compressions n d / m, comma-separated (default 10,100,1000,10000)",
                                      validate.listed(lambda t: validate.positive("compression", t)))
    Z: list | None = option(None, "chunk sizes, comma-separated (default 1,2,4,8,16,32)",
                            validate.listed(lambda t: validate.count("Z", t)))


@dataclass(kw_only=True)
class TimingState(State):
    """What a timing plan keeps: the grid, the cells skipped before work (too large), the allocator setting
    the command applied, and the bench while cells are timed."""

    grid: object  # e1.Grid
    skipped: list[dict]
    allocator: str = "default"
    bench: object = None  # e1.Bench, made by the first cell timed and released by ``finish``


@dataclass(kw_only=True)
class Result(Summary):
    """What ``robez_timing`` reports beside the common fields (docs/schema.md)."""

    paper_claims: dict  # claim name -> the paper's statement
    grid: dict
    batch: int
    scale: int  # the paper's n = our n * scale
    skipped: list[dict]  # the cells not timed, and why
    tables: list[dict]  # the paper's tables, filled with our timings
    tables_markdown: list[str]
    allocator: str
    verdict: str = field(default="")


class E1Timing(Check):
    name = "robez_timing"
    order = 4
    title = "E.1 timing study"
    theorem = None  # not a theorem: summary.json says "check": "robez_timing" and "theorem": null
    description = "E.1: forward/backward times of a plain table and ROBE-Z (Tables 5-17)."
    examples = (
        ("--quick", "a small grid (about 30 s on a CPU), figures beside the paper's numbers"),
        ("--device gpu", "the paper's grid on a GPU"),
    )
    Options = Options
    Result = Result
    record_key = ("kind", "n", "d", "batch", "compression", "Z", "mode", "seed", "backend", "settings")
    unit = "cells"
    figures_default = "figures"
    on_cluster = False  # timed cells side by side on shared cores would time each other
    scales = {"smoke": dict(smoke=True), "default": dict(quick=True), "paper": {}}

    def plan(self, o: Options) -> Plan:
        if o.quick and o.smoke:
            raise InputError("give at most one of --quick and --smoke")
        backend = get_backend(o.device)
        size = "smoke" if o.smoke else "quick" if o.quick else "default"
        grid = e1.make_grid(backend.device, size=size, batch=o.batch, d=o.d, repeats=o.repeats, n=o.n,
                            compressions=o.compression, Zs=o.Z)
        todo, skipped = e1.plan(grid, backend, o.seed)
        if not todo:
            raise InputError(f"every cell of the grid ({len(skipped)}) is too large for the free memory on the "
                             f"{backend.device}: use a smaller --n, --d or --batch")
        return Plan(o, None, backend, todo, TimingState(grid=grid, skipped=skipped))

    def valid_record(self, record):
        """A flat record (``forward_ms.p50`` ... columns) of a timed or a skipped cell; an older record, with
        the percentiles nested, is measured again."""
        timed = [record.get(f"{p}_ms.{q}") for p in ("forward", "backward") for q in ("p25", "p50", "p75")]
        return (record.get("forward_ms") is None and isinstance(record.get("skipped"), str)) or all(
            isinstance(t, (int, float)) and not isinstance(t, bool) for t in timed)

    def configure_process(self, plan) -> None:
        # glibc's allocator kept steady, as a caching allocator would be (CuPy's pool already caches):
        # a process-wide setting, so only the command line applies it
        if not plan.backend.is_gpu and e1.steady_allocator():
            plan.state.allocator = ("glibc malloc: heap below 64 MiB, no trim below 128 MiB "
                                       "(pss_theory.e1.steady_allocator)")

    def measure(self, plan, cell, progress):
        if plan.state.bench is None:
            plan.state.bench = e1.Bench(plan.backend, plan.state.grid, plan.options.seed)
        bench = plan.state.bench
        try:
            return flatten(bench.measure(cell))  # one column per percentile in records.jsonl
        except plan.backend.out_of_memory_errors:  # the cell stays empty, as in the paper
            bench.release()
            return {"forward_ms": None, "backward_ms": None, "iterations": 0, "skipped": "out of memory while running"}

    def finish(self, plan) -> None:
        if plan.state.bench is not None:
            plan.state.bench.release()

    def summarize(self, plan, records, seconds) -> Result:
        grid = plan.state.grid
        records = [unflatten(r) for r in records]
        skipped = plan.state.skipped + [r for r in records if r.get("forward_ms") is None]
        timed = [r for r in records if r.get("forward_ms") is not None]
        claims, ours, paper = e1.claims(timed, grid)
        tables = e1.layout(timed, grid)
        summary = self.common(
            plan, k=None, family="robez", seconds=seconds, claims=claims,
            stats=e1.statistics(timed, grid, ours, paper, skipped), n=list(grid.n), d=grid.d, table="random",
            paper_claims={name: paper[name][0] for name in e1.CLAIM_NAMES}, grid=grid.describe(),
            batch=grid.batch, scale=grid.scale, skipped=[{k: c[k] for k in SKIPPED_FIELDS} for c in skipped],
            tables=tables, tables_markdown=[table_markdown(t) for t in tables], allocator=plan.state.allocator)
        summary.verdict = verdict(summary.to_dict())
        return summary

CHECK = E1Timing()
