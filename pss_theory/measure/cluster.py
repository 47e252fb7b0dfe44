"""Where cells and row spans run: in this process, or as tasks on Dask (or any concurrent.futures Executor).

``--dask ADDRESS`` / ``dask=`` (``validate.dask_address``): ``local`` or ``local:N`` starts a
``dask.distributed.LocalCluster`` of N single-threaded worker processes (default N = the cores of this
machine), an address such as ``tcp://host:port`` joins a running scheduler, and a ``dask.distributed.Client``
or a ``concurrent.futures.Executor`` given from Python is used as it is (and left open).  Dask is an
optional dependency (the ``[dask]`` extra): it is imported here, and only when asked for.

Two kinds of task use a ``Pool``: the cells of a run (``cells.run_cells``: each finished cell is appended
to records.jsonl by this process, in the order cells finish), and, when one cell is left, the row spans of
its passes over the table (``map_spans``: results merged here in span order).  Spans are fixed by n and the
pass's tile alone (``row_spans``), never by the block size or the number of workers, so the numbers do not
depend on where or on how many workers the spans ran.

A worker that dies while running a task (killed, out of memory) is replaced by the scheduler and the task
rerun on another worker; a task whose workers die ``distributed.scheduler.allowed-failures`` + 1 times (3 + 1
by default) is reported as ``ClusterError``, one line and exit code 2, and no record of it is written.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import os

from ..errors import InputError

#: seconds to wait for a scheduler that does not answer before saying so
CONNECT_TIMEOUT = 5
#: at most this many row spans per pass: the tasks a one-cell run is split into
SPANS = 64
#: tasks per worker submitted ahead of the span being merged (``map_spans``): enough to keep every worker busy
AHEAD = 2


class ClusterError(InputError):
    """The cluster could not run a task: its scheduler is unreachable or gone, or its workers kept dying."""


def local_workers(address: str) -> int:
    """N of ``local:N`` (the cores of this machine for ``local``)."""
    _, _, count = address.partition(":")
    return int(count) if count else (os.cpu_count() or 1)


class Pool:
    """Tasks on a ``dask.distributed.Client`` or a ``concurrent.futures.Executor``: submit, share, results."""

    def __init__(self, executor):
        self.executor = executor
        self.dask = hasattr(executor, "scheduler_info")

    @property
    def workers(self) -> int:
        if self.dask:
            return max(1, len(self.executor.scheduler_info(n_workers=-1)["workers"]))
        return getattr(self.executor, "_max_workers", 1)

    def submit(self, fn, *args):
        if self.dask:
            return self.executor.submit(fn, *args, pure=False)
        return self.executor.submit(fn, *args)

    def share(self, obj):
        """``obj`` for the arguments of many tasks: on Dask sent to the workers once, not with each task."""
        if self.dask:
            return self.executor.scatter(obj, broadcast=True, hash=False)
        return obj

    def as_completed(self, futures):
        """The futures in the order they finish."""
        if self.dask:
            from distributed import as_completed  # noqa: PLC0415

            return as_completed(futures)
        return concurrent.futures.as_completed(futures)

    def result(self, future, what: str):
        """The future's value; a task whose workers kept dying, or a lost scheduler, as ClusterError."""
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise ClusterError(f"the Dask cluster dropped {what} (was the scheduler stopped?); the cells finished "
                               "before are kept: run again to resume") from None
        except Exception as exc:
            if type(exc).__name__ != "KilledWorker":
                raise
            raise ClusterError(f"Dask workers died each time they ran {what} (out of memory, or killed); the cells "
                               "finished before are kept: run again to resume, with more memory per worker") from None

    def cancel(self, futures) -> None:
        for future in futures:
            future.cancel()


@contextlib.contextmanager
def session(spec):
    """A ``Pool`` for ``spec`` (None: yields None, everything runs in this process).

    A cluster started or joined here is closed on the way out; a Client or Executor given is left open.
    ``spec`` has passed ``validate.dask_address`` (so Dask is installed when it is text).
    """
    if spec is None:
        yield None
        return
    if not isinstance(spec, str):
        yield Pool(spec)
        return
    from distributed import Client, LocalCluster  # noqa: PLC0415

    if spec == "local" or spec.startswith("local:"):
        with LocalCluster(n_workers=local_workers(spec), threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
            yield Pool(client)
        return
    try:
        client = Client(spec, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {spec} within {CONNECT_TIMEOUT} s ({reason[:160]}): "
                           "start one (dask scheduler) or use --dask local") from None
    with client:
        yield Pool(client)


def row_spans(starts: list[tuple[int, int]], max_rows: int | None = None) -> list[tuple[int, int]]:
    """The row tiles ``starts`` ((start, stop) pairs covering 0..n-1) grouped into at most ``SPANS``
    contiguous spans of whole tiles (more when a span would hold over ``max_rows`` rows): the tasks of one
    pass, the same whatever the workers."""
    n = starts[-1][1]
    count = min(len(starts), max(SPANS, -(-n // max_rows) if max_rows else 0))
    per, extra = divmod(len(starts), count)
    out, i = [], 0
    for s in range(count):
        j = i + per + (s < extra)
        out.append((starts[i][0], starts[j - 1][1]))
        i = j
    return out


def map_spans(pool: Pool | None, fn, spans, *args, progress=None):
    """``fn(start, stop, *args)`` for each span, results in span order.  Without a pool each runs here with
    ``progress=`` passed through (rows done); with one they run as tasks (the arguments shared once) and
    ``progress(stop)`` follows the results as they are merged.  At most ``AHEAD`` tasks per worker are
    submitted beyond the span being merged, so the results waiting for this process (on the workers or
    here) are a few spans whatever n."""
    if pool is None:
        for start, stop in spans:
            yield fn(start, stop, *args, progress=progress)
        return
    shared = [pool.share(a) for a in args]
    todo = iter(spans)
    pending = collections.deque()

    def submit_next():
        span = next(todo, None)
        if span is not None:
            pending.append((span, pool.submit(fn, *span, *shared)))

    for _ in range(AHEAD * pool.workers):
        submit_next()
    try:
        while pending:
            (start, stop), future = pending.popleft()
            result = pool.result(future, f"rows {start}..{stop - 1}")
            del future  # the cluster may forget the result: only this process holds it now
            submit_next()
            yield result
            if progress is not None:
                progress(stop)
    finally:
        pool.cancel([future for _, future in pending])
