"""Argument conventions shared by every command, and the one place user errors become exit code 2.

``run`` turns what a user can cause into one `error:` line and exit code 2: an ``InputError``, a missing
or unreadable file, and a write that fails for want of space (ENOSPC, EDQUOT) or over a file-size limit
(EFBIG).  SIGTERM ends a run with `terminated` and exit code 143, Ctrl-C with `interrupted` and 130;
every other exception is a bug and keeps its traceback.  Whatever ends a run, a progress line still
open is finished first, so the last line on stderr says why it ended.
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
import signal
import sys
import threading

import tqdm

from pss_theory.errors import InputError

#: errnos of a write that failed for want of room: the user frees space or raises the limit and reruns
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
LOCK = ".lock"


class UsageError(InputError):
    """A malformed command line."""


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (no usage block) and exit code 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def examples_text(prog: str, examples) -> str | None:
    """The examples section of a command's --help: each command line, then what it does."""
    if not examples:
        return None
    return "examples:\n" + "\n".join(f"  {prog} {args}".rstrip() + f"\n      {what}" for args, what in examples)


def argtype(parse, name: str):
    """An argparse type from a ``pss_theory.validate`` check (its InputError becomes argparse's error)."""

    def convert(text):
        try:
            return parse(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that ``finally`` blocks release locks and temporary files."""


def check_out(path: str, option: str = "--out") -> str:
    """Fail early, before any work, if ``path`` (given as ``option``) cannot become a writable folder (a
    dangling symbolic link on the way is refused: creating through it would fail only after the work)."""
    path = os.path.abspath(path)
    probe = path
    while not os.path.exists(probe):
        if os.path.islink(probe):
            raise InputError(f"{option} {path}: {probe} is a symbolic link to {os.readlink(probe)}, which does not "
                             "exist; expected a folder or a path that can be created")
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise InputError(f"{option} {path}: {probe} exists and is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path} is not writable (no write permission on {probe})")
    return path


def make_out(path: str) -> str:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create --out {path}: {exc.strerror}") from None
    return path


def check_files(folder: str, names) -> None:
    """InputError, before any work, when a file a run will replace exists as something else (a folder,
    a dangling link, a FIFO)."""
    for name in names:
        path = os.path.join(folder, name)
        if os.path.lexists(path) and not os.path.isfile(path):
            what = ("a folder" if os.path.isdir(path) else
                    "a dangling symbolic link" if os.path.islink(path) and not os.path.exists(path) else
                    "not a regular file")
            raise InputError(f"{path} is {what}; expected a file this run can replace: remove it or choose "
                             "another --out")


def _missing_folders(path: str) -> list[str]:
    """The folders ``os.makedirs(path)`` would create, deepest first."""
    out = []
    path = os.path.abspath(path)
    while not os.path.lexists(path):
        out.append(path)
        path = os.path.dirname(path)
    return out


def _lock(path: str, out: str) -> int:
    """An fd holding an exclusive flock on ``path`` (created if missing); InputError if another run holds it."""
    for _ in range(3):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            break
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the run that held it removed the file as it finished: lock the one at the path now
    raise InputError(f"another run is writing {out} (it holds {path}); wait for it to finish or choose another --out")


@contextlib.contextmanager
def writing(out: str):
    """Hold an exclusive lock on the folder ``out`` (``flock`` on ``out/.lock``, never waiting) while a run
    writes there, so that two runs cannot both measure and append the same cells.  ``out`` is created
    here; the lock file is removed when the run ends, and so are the folders made here if the run
    left them empty.  The lock is released by the kernel if the process dies, so a killed run never
    blocks the next one."""
    created = _missing_folders(out)
    make_out(out)
    path = os.path.join(out, LOCK)
    fd = _lock(path, out)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # while still held: a run that opened the old file sees it is stale and retries
        os.close(fd)
        for folder in created:
            try:
                os.rmdir(folder)
            except OSError:
                break  # not empty: it holds results


def terminal_size(stream) -> tuple[int, int]:
    """(columns, lines) of the terminal ``stream`` writes to: ``COLUMNS`` / ``LINES`` when set (as
    ``shutil.get_terminal_size`` reads them), else the terminal's own size, else 80 x 24 (also where a
    terminal reports 0, as a pseudo-terminal without a window does: tqdm would then hide its bar)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        size = os.terminal_size((0, 0))
    out = []
    for name, own, default in (("COLUMNS", size.columns, 80), ("LINES", size.lines, 24)):
        with contextlib.suppress(ValueError):
            if int(os.environ.get(name, "0")) > 0:
                own = int(os.environ[name])
        out.append(own if own > 0 else default)
    return out[0], out[1]


class StageBars:
    """The library's progress reports (``pss_theory.progress``: ``(stage, done, total, unit)``) shown
    on ``stream`` (stderr) as tqdm bars, one line per stage: a new stage closes the line of the one
    before, so a finished stage never stands at 100 % while the next one runs.  Each line fits the
    terminal (one column to spare, so it never wraps), with adaptive units (4.40k rows/s, 1.20M rows)
    and an ETA.  Silent unless ``enabled`` and ``stream`` is a terminal.  A context manager: the open
    line is closed on exit, and by ``run`` whatever ends the command."""

    def __init__(self, label: str, enabled: bool, stream=None):
        self.label, self.stream = label, stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.stage, self.bar = None, None

    def __call__(self, stage: str, done: int, total: int, unit: str) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            # a single step (coherence, pairs) has no rate worth showing: its bar and the time it took
            single = {"bar_format": "{l_bar}{bar}| {elapsed}"} if total == 1 else {}
            columns, lines = terminal_size(self.stream)
            self.bar = tqdm.tqdm(total=total, desc=f"{self.label} {stage}", unit=f" {unit}", unit_scale=True,
                                 file=self.stream, ncols=columns - 1, nrows=lines, mininterval=0.2, leave=True,
                                 **single)
            _open.add(self)
        self.bar.update(min(done, total) - self.bar.n)

    def say(self, line: str) -> None:
        """A warning on ``stream`` whatever ``enabled`` says (a warning is not progress): above the open bar."""
        if self.bar is not None:
            tqdm.tqdm.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = self.stage = None
        _open.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_open: set[StageBars] = set()  # bars with a line on stderr not yet finished


def _end_line() -> None:
    """Finish a progress line left open, so that what follows starts a line of its own."""
    for bars in list(_open):
        bars.close()


def _terminate(signum, frame):
    raise Terminated


def _last_line(text: str, code: int) -> int:
    """Say why the run ended, on a line of its own; return the exit code."""
    _end_line()
    print(text, file=sys.stderr)
    return code


def run(main, argv=None) -> int:
    """Call ``main(argv)``; a user error becomes one line on stderr and exit code 2 (see the module
    docstring).  SIGTERM is handled only while ``main`` runs, and only in the main thread (the only one
    a signal handler can be set from)."""
    handle = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if handle else None
    try:
        return main(argv) or 0
    except (InputError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        return _last_line(f"error: {str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}", 2)
    except OSError as exc:
        if exc.errno not in NO_ROOM:
            raise
        where = f"cannot write {exc.filename}" if exc.filename else "cannot write the results"
        return _last_line(f"error: {where}: {exc.strerror}; free space (or raise the file-size limit) and run "
                          "again: the cells already finished are kept and reused", 2)
    except Terminated:
        return _last_line("terminated", 143)
    except KeyboardInterrupt:
        return _last_line("interrupted", 130)
    finally:
        _end_line()  # also before the traceback of a bug
        if handle:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
