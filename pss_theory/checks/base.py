"""The protocol every check follows, the ``Summary`` they all return, and the one loop that runs them.

A check is an object with typed ``Options`` (a dataclass: the command line's flags and the Python
API's keywords are its fields), a ``plan`` that checks every input constraint and resolves the table,
the backend and the cells before any work or write, a ``measure`` of one cell (no printing), and a
``summarize`` that turns the records into a ``Summary``.  What a person reads of a Summary is
rendered by ``pss_theory.report`` and its figures drawn by ``pss_theory.figures``; neither imports a
check.  ``run`` is the single streaming loop over cells: records already in the log are reused, the
rest measured and appended as each finishes.

| member | what it is |
|---|---|
| ``name``, ``order``, ``title``, ``theorem`` | registry key (also ``python -m verify.<name>`` and the appendix marker), place in the report, heading, theorem id |
| ``Options`` | dataclass of typed options with defaults; ``scales`` maps a report scale to option values |
| ``Options`` fields | made with ``option(default, help, parse)``: the command line's flags come from them |
| ``plan(options) -> Plan`` | all validation; raises ``InputError`` before anything is computed or written |
| ``measure(plan, cell, progress) -> dict`` | one cell's measured fields; ``progress(stage, done, total, unit)`` (``pss_theory.progress``) |
| ``summarize(plan, records, seconds) -> Result`` | claims, stats and the rest, from records only |
| ``Result`` | the check's ``Summary`` subclass: its typed fields are what it reports beside the common ones |
| ``State`` | the check's ``State`` subclass: what its plan keeps between cells, by field |
"""
from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

from ..backend import Backend, host_allocator
from ..errors import InputError
from ..measure import cluster
from ..measure.cells import run_cells
from ..records import RecordLog, environment, jsonable
from ..summary import Summary
from ..tables.tiles import TILE_FLOATS


def option(default=None, help: str = "", parse=None, *, default_factory=None, flag: bool = False):
    """A field of a check's ``Options``: its default, a one-line help and ``parse`` (text or value ->
    checked value, raising InputError).  The command line builds its flags from these fields."""
    meta = {"help": help, "parse": parse, "flag": flag}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class RunContext:
    """Where and how one run of a plan runs, apart from what it measures: the folder of per-row files, the
    cluster while ``run`` runs, where warnings go and what was said, and the cells measured (not reused)."""

    rows_folder: str | None = None  # where per-row result files go (the command: <out>/rows); None: a temporary folder
    pool: object = None  # while ``run`` runs with --dask: the cluster.Pool a cell's passes split their rows over
    warn: object = None  # where ``say`` sends a warning found during the work (the command: stderr); None: Python's warnings
    said: set = field(default_factory=set)  # the warnings said so far in this run
    measured: list[dict] = field(default_factory=list)  # the cells ``run`` measured, as they finished

    def for_workers(self) -> RunContext:
        """This context as a task takes it to a worker: only the rows folder (a worker runs its cell's passes
        itself, and a warning there is a Python warning; the summary says it too)."""
        return RunContext(rows_folder=self.rows_folder)

    def say(self, line: str) -> None:
        """A warning found during the work (a --rho that selects no row, seen after pass 1), said once a run."""
        if line in self.said:
            return
        self.said.add(line)
        if self.warn is None:
            warnings.warn(line, UserWarning, stacklevel=2)
        else:
            self.warn(line)


@dataclass(kw_only=True)
class State:
    """What a check's plan keeps between its cells (the PSS drawn, the theory computed once, ...): each
    check declares its fields in a subclass; here what any check may have."""

    k_rule: str | None = None  # how k="auto" chose k (the summary's ``k_rule``); None when k was given


@dataclass(frozen=True)
class Plan:
    """A validated run, fixed once ``plan`` returns: options, the resolved table and backend, the cells to
    measure and what the check keeps between its cells (``state``, the check's ``State``); ``context`` is
    where the run runs (``RunContext``)."""

    options: object
    table: object
    backend: Backend
    cells: list[dict]
    state: State = field(default_factory=State)
    context: RunContext = field(default_factory=RunContext)

    def for_workers(self) -> Plan:
        """This plan as a task takes it to a worker (``RunContext.for_workers``)."""
        return dataclasses.replace(self, context=self.context.for_workers())


class Check:
    """Base of every check; see the module docstring for the protocol."""

    name: ClassVar[str]
    order: ClassVar[int]  # place in the report
    title: ClassVar[str]
    #: the theorem's number in results (6 for Theorem 6); None for a check that is not a theorem
    theorem: ClassVar[int | str | None] = None
    description: ClassVar[str]
    Options: ClassVar[type]
    Result: ClassVar[type] = Summary
    scales: ClassVar[dict[str, dict]] = {}
    record_key: ClassVar[tuple[str, ...]]
    unit: ClassVar[str] = "rows"
    family_params: ClassVar[bool] = False  # the command takes the family parameters (--s, --density, --Z, ...)
    sketches_only: ClassVar[bool] = True  # its families are sketches S (M = S E); False: every PSS, ROBE-Z too
    figures_default: ClassVar[str | None] = None  # folder the command draws figures into unless told otherwise
    examples: ClassVar[tuple[tuple[str, str], ...]] = ()  # (arguments, what they do): the examples of --help
    in_report: ClassVar[bool] = True  # the report runs it and writes its appendix block (the planner does not)
    on_user_table: ClassVar[bool] = True  # the report's --table replaces its table (certify keeps its small one)
    #: whether ``run`` may put its cells and row spans on a cluster; False for a timing study, whose cells
    #: running side by side on shared cores would time each other (``run`` then ignores ``dask``)
    on_cluster: ClassVar[bool] = True


    def options(self, **values):
        """Typed options from keyword values (unknown keys are an error, as a misspelt flag would be)."""
        known = {f.name for f in dataclasses.fields(self.Options)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"{self.name}: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return self.Options(**values)

    def plan(self, options) -> Plan:
        raise NotImplementedError

    def configure_process(self, plan: Plan) -> None:
        """Process-wide settings the command line applies before measuring; the library never does.

        On a CPU, glibc's heap keeps the passes' tile-sized temporaries (at most ``TILE_FLOATS`` float64
        entries, 256 MiB): above its default threshold each would be a fresh mmap whose pages fault in
        again every tile (measured: ``bench.check_stages`` on CountSketch at 1e6 x 128, the run and its
        baselines, spent 5.1-6.1 s in the kernel, 0.7-0.9 s with the heap kept).  It changes no number."""
        if not plan.backend.is_gpu:
            tile_bytes = 8 * TILE_FLOATS
            host_allocator.steady_allocator(mmap_threshold=tile_bytes + host_allocator.MiB, trim_threshold=2 * tile_bytes)

    def release_process(self, plan: Plan) -> None:
        """After measuring, what ``configure_process`` kept goes back: on a CPU, the heap's free pages (the
        report runs the next check in the same process, and its memory guards read MemAvailable)."""
        if not plan.backend.is_gpu:
            host_allocator.give_back_free_heap()

    def work(self, plan: Plan, cell: dict) -> int:
        """Units of progress one cell is worth (rows streamed, or 1 for a cell)."""
        return 1

    def measure(self, plan: Plan, cell: dict, progress) -> dict:
        raise NotImplementedError

    def valid_record(self, record: dict) -> bool:
        """Whether a stored record holds what ``summarize`` needs (records.jsonl may have been edited)."""
        return True

    def summarize(self, plan: Plan, records: list[dict], seconds: float):
        raise NotImplementedError

    def finish(self, plan: Plan) -> None:
        """Release what ``plan.state`` holds (called after the last cell, also after an error)."""

    def write_outputs(self, plan: Plan, folder: str) -> list[str]:
        """Files beyond summary.json and records.jsonl a run writes in its --out folder (paths)."""
        return []

    def common(self, plan: Plan, *, k, family, seconds: float, claims, stats, n=None, d=None, table=None,
               **fields):
        """The check's ``Result``: the common fields filled from the plan, ``fields`` its own; ``k`` (a size,
        a list, or None) and ``family`` (a name or a list) become the lists summary.json always holds;
        ``n``, ``d`` and ``table`` default to the plan's table's."""
        t = plan.table
        ks = [] if k is None else [k] if isinstance(k, int) else list(k)
        fams = [family] if isinstance(family, str) else list(family)
        return self.Result(theorem=self.theorem, n=t.n if n is None else n, d=t.d if d is None else d,
                           k=sorted(set(ks)), family=fams, table=t.describe() if table is None else table,
                           seed=plan.options.seed, backend=plan.backend.name, seconds=round(seconds, 3),
                           claims=[c.as_dict() for c in claims], stats=stats, check=self.name,
                           environment=environment(plan.backend), k_rule=plan.state.k_rule, **fields)


def run(check: Check, plan: Plan, log: RecordLog | None = None, progress=None, dask=None) -> tuple[Summary, list[dict]]:
    """The one loop: every cell of ``plan`` measured (or reused from ``log``), then summarized.

    Records are returned as plain JSON values with the cell's inputs as the cell holds them (``params`` a
    dict; records.jsonl spreads them over ``params.s`` columns), whether measured now or reused.

    ``progress(stage, done, total, unit)`` (``pss_theory.progress``) hears of the cells left to measure:
    one cell passes its stages through (pass 1, pass 2, coherence, ...); several are one stage, "cells",
    counted in ``Check.work`` units (``check.unit``) of their stages in that unit.  With ``dask`` (checked
    by ``validate.dask_address``; opened by ``cluster.session``: an address, a Client or an Executor) cells
    run as tasks on the cluster when two or more are left, and the row spans of a cell's passes when one
    is; records are appended here as cells finish, as without it, and "cells" advances per finished
    cell.  Every check runs on Dask this way, with nothing of its own to add, but a check with
    ``on_cluster`` False (the E.1 timing study) runs here whatever ``dask`` says.
    """
    t0 = time.perf_counter()
    plan.context.measured = []
    todo = [cell for cell in plan.cells if log is None or not log.done(cell)]
    total = sum(check.work(plan, cell) for cell in todo)
    done = [0]

    def compute(cell):
        base, work = done[0], check.work(plan, cell)
        report = progress
        if progress and len(todo) > 1:
            seen = {}

            def report(stage, units, _total, unit):
                if unit == check.unit:
                    seen[stage] = units
                    progress("cells", base + min(work, sum(seen.values())), total, check.unit)

        result = check.measure(plan, cell, report)
        finished(cell)
        return result

    def finished(cell):
        # here, not in ``measure``: a cell measured on a worker changes the worker's copy of the plan only
        plan.context.measured.append(cell)
        done[0] += check.work(plan, cell)
        if progress and len(todo) > 1:
            progress("cells", done[0], total, check.unit)

    try:
        with cluster.session(dask if check.on_cluster else None) as pool:
            plan.context.pool = pool
            records = run_cells(plan.cells, compute, log, check.record_key, check.valid_record, pool=pool,
                                task=measure_cell, task_args=(check, plan.for_workers()) if pool else (),
                                finished=finished)
    finally:
        plan.context.pool = None
        check.finish(plan)
    summary = check.summarize(plan, records, time.perf_counter() - t0)
    # one canonical form, the one summary.json holds (inf and nan as None): a summary made now, one
    # read back from disk and one from resumed records print and plot the same
    return type(summary).from_dict(jsonable(summary.to_dict())), records


def measure_cell(cell: dict, check: Check, plan: Plan) -> dict:
    """One cell measured where a task runs it (a Dask worker): no progress is reported from there."""
    return check.measure(plan, cell, None)
