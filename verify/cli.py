"""Argument conventions shared by every command, and the one place user errors become exit code 2."""
from __future__ import annotations

import argparse
import os
import sys
import time

from pss_theory.errors import InputError


class UsageError(InputError):
    """A malformed command line."""


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (no usage block) and exit code 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def argtype(parse, name: str):
    """An argparse type from a ``pss_theory.validate`` check (its InputError becomes argparse's error)."""

    def convert(text):
        try:
            return parse(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


def check_out(path: str) -> str:
    """Fail early, before any work, if ``path`` cannot become a writable folder."""
    path = os.path.abspath(path)
    probe = path
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise InputError(f"--out {path}: {probe} exists and is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"--out {path} is not writable (no write permission on {probe})")
    return path


def make_out(path: str) -> str:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create --out {path}: {exc.strerror}") from None
    return path


class Progress:
    """A one-line progress bar on stderr with a rate (rows/s, or cells); silent when quiet or not a TTY."""

    def __init__(self, total: int, label: str, enabled: bool, unit: str = "rows"):
        self.total, self.label, self.unit = total, label, unit
        self.enabled = enabled and sys.stderr.isatty()
        self.t0 = self.last = time.perf_counter()

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.last < 0.2 and done < self.total:
            return
        self.last = now
        elapsed = max(now - self.t0, 1e-9)
        frac = done / self.total if self.total else 1.0
        rate = f"{done / elapsed / 1e6:.2f}M rows/s" if self.unit == "rows" else f"{elapsed:6.1f} s"
        sys.stderr.write(f"\r{self.label} [{'#' * int(30 * frac):<30}] {100 * frac:5.1f}% {done:,}/{self.total:,} "
                         f"{self.unit} {rate}")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run(main, argv=None) -> int:
    """Call ``main(argv)``; a user error becomes one line on stderr and exit code 2."""
    try:
        return main(argv) or 0
    except (InputError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
