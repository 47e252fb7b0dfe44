"""Argument conventions shared by every command, and the one place user errors become exit code 2."""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

from pss_theory.errors import InputError
from pss_theory.sketches import FAMILIES
from pss_theory.tables import KINDS, load_table, table


class UsageError(InputError):
    """A malformed command line."""


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (no usage block) and exit code 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def count(text: str) -> int:
    """A positive whole number, also written as 1e6 or 1_000_000."""
    try:
        value = float(str(text).replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number such as 1000 or 1e6, got {text!r}") from None
    if not math.isfinite(value) or value != int(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number such as 1000 or 1e6, got {text!r}")
    if value > 2**53:
        raise argparse.ArgumentTypeError(f"{text!r} is too large (at most 2^53)")
    return int(value)


def _number(text: str, ok, expected: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if not (math.isfinite(value) and ok(value)):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def open_unit(text: str) -> float:
    """A number strictly between 0 and 1."""
    return _number(text, lambda v: 0.0 < v < 1.0, "a number strictly between 0 and 1")


def unit_closed_right(text: str) -> float:
    """A number in (0, 1]."""
    return _number(text, lambda v: 0.0 < v <= 1.0, "a number in (0, 1]")


def positive_float(text: str) -> float:
    """A finite number above 0."""
    return _number(text, lambda v: v > 0.0, "a positive number")


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number in [0, 2^64), got {text!r}") from None
    if not 0 <= value < 2**64:
        raise argparse.ArgumentTypeError(f"expected a whole number in [0, 2^64), got {text!r}")
    return value


def families(text: str) -> list[str]:
    """One family, several separated by commas, or ``all``."""
    names = list(FAMILIES) if text == "all" else [t.strip() for t in text.split(",") if t.strip()]
    if "robez" in names:
        raise argparse.ArgumentTypeError("Theorem 6 does not apply to robez: ROBE-Z is a PSS but not of the form "
                                         "M = S E, so there is no S whose distortion could be measured")
    bad = [t for t in names if t not in FAMILIES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown family {', '.join(bad) or text!r}: expected {', '.join(FAMILIES)}, "
                                         "a comma-separated list of them, or all")
    return names


def common_parser(prog: str, description: str, *, default_n: int, default_d: int, default_table: str,
                  default_family: str, per_row: bool = False) -> Parser:
    """The options every check shares.  ``per_row`` (Theorems 7 and 4): one family at a time, ROBE-Z
    among them, with the family parameters."""
    p = Parser(prog=prog, description=description)
    p.add_argument("--n", type=count, default=None, help=f"rows of a generated table (default {default_n:g})")
    p.add_argument("--d", type=count, default=None, help=f"columns of a generated table (default {default_d})")
    p.add_argument("--k", type=count, default=None, help="sketch size (default 8 d)")
    if per_row:
        p.add_argument("--family", type=single_family, default=default_family,
                       help=f"PSS: {', '.join(FAMILIES)} or robez (default {default_family})")
        add_family_params(p)
    else:
        p.add_argument("--family", type=families, default=[default_family],
                       help=f"sketch family: {', '.join(FAMILIES)}, a comma list, or all (default {default_family})")
    p.add_argument("--table", default=default_table,
                   help=f"a generated kind ({', '.join(KINDS)}) or a .npy/.npz/.safetensors file (default {default_table})")
    p.add_argument("--key", default=None, help="array name inside a .npz or .safetensors file")
    p.add_argument("--eps", type=open_unit, default=0.5, help="the theorem's accuracy eps, in (0, 1) (default 0.5)")
    p.add_argument("--delta", type=open_unit, default=0.1, help="the failure probability delta, in (0, 1) (default 0.1)")
    p.add_argument("--seed", type=seed, default=0, help="seed of the table and the sketches (default 0)")
    p.add_argument("--device", choices=("cpu", "gpu", "auto"), default="cpu", help="where to compute (default cpu)")
    p.add_argument("--block-rows", type=count, default=None, help="rows per streamed block (default: by memory)")
    p.add_argument("--out", default=None, help="folder for summary.json and records.jsonl")
    p.add_argument("--quiet", action="store_true", help="no progress and no table, only errors")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout instead of the table")
    p.set_defaults(default_n=default_n, default_d=default_d)
    return p


def resolve_table(args):
    """The table named by --table, with --n/--d checked against a file's shape."""
    if args.table in KINDS:
        return table(args.table, n=args.n or args.default_n, d=args.d or args.default_d, seed=args.seed)
    if os.path.splitext(args.table)[1].lower() not in (".npy", ".npz", ".safetensors") and not os.path.exists(args.table):
        raise InputError(f"unknown table {args.table!r}: expected one of {', '.join(KINDS)} "
                         "or a path to a .npy, .npz or .safetensors file")
    t = load_table(args.table, key=args.key)
    for name in ("n", "d"):
        given = getattr(args, name)
        if given is not None and given != getattr(t, name):
            raise InputError(f"--{name} {given} conflicts with the table file, which has {name} = {getattr(t, name)}")
    return t


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


def single_family(text: str) -> str:
    """One sketch family or robez."""
    if "," in text or text == "all":
        raise argparse.ArgumentTypeError(f"this command checks one family at a time, got {text!r}")
    return "robez" if text.strip() == "robez" else families(text)[0]


def add_family_params(p: Parser) -> None:
    """Parameters of the families with parameters (osnap, achlioptas, and ROBE-Z)."""
    p.add_argument("--s", type=count, default=None, help="osnap: nonzeros per column (default 4)")
    p.add_argument("--density", type=unit_closed_right, default=None, help="achlioptas: density in (0, 1] (default 1/3)")
    p.add_argument("--Z", type=count, default=None, help="robez: chunk size Z (default 32)")
    p.add_argument("--compression", type=positive_float, default=None, help="robez: n d / m (default 1000)")
    p.add_argument("--signed", action="store_true", help="robez: add a sign hash (unbiased read-back)")


def family_params(args) -> dict:
    """The keyword parameters of ``args.family`` given on the command line."""
    fam = args.family if isinstance(args.family, str) else args.family[0]
    wanted = {"osnap": ("s",), "achlioptas": ("density",), "robez": ("Z", "compression", "signed")}.get(fam, ())
    given = {name: getattr(args, name) for name in ("s", "density", "Z", "compression") if getattr(args, name, None) is not None}
    if getattr(args, "signed", False):
        given["signed"] = True
    stray = sorted(set(given) - set(wanted))
    if stray:
        raise InputError(f"--{stray[0]} does not apply to family {fam} (it applies to "
                         f"{ {'s': 'osnap', 'density': 'achlioptas'}.get(stray[0], 'robez') })")
    return {k: v for k, v in given.items() if k in wanted}


def emit(args, summary: dict, out: str, header: str, extra: list[str] = ()) -> None:
    """Print the summary (table and verdict, or JSON) after it has been written."""
    import json

    from pss_theory.records import jsonable

    from .report import claims_table

    if args.json:
        print(json.dumps(jsonable(summary), indent=2, sort_keys=True))
        return
    if args.quiet:
        return
    print(header)
    print(claims_table(summary["claims"]))
    for line in extra:
        print(line)
    verdict = summary.get("verdict")
    print("\n".join(verdict) if isinstance(verdict, list) else verdict)
    print(f"wrote {out}/summary.json and records.jsonl in {summary['seconds']:.1f} s")


def reuse_summary(out: str, cell: dict) -> dict | None:
    """The summary.json already under ``out`` for exactly this cell (a resumed report), else None."""
    import json

    from pss_theory.records import jsonable

    path = os.path.join(out, "summary.json")
    try:
        with open(path, encoding="utf-8") as fh:
            old = json.load(fh)
    except (OSError, ValueError):
        return None
    return old if old.get("cell") == jsonable(cell) else None


def write_single(out: str, record: dict, summary: dict) -> None:
    """A one-cell run: records.jsonl (one line) and summary.json, each written atomically."""
    from pss_theory.records import dumps, write_atomic, write_json

    make_out(out)
    write_atomic(os.path.join(out, "records.jsonl"), dumps(record) + "\n")
    write_json(os.path.join(out, "summary.json"), summary)
