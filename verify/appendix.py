"""paper_appendix.md: the measured blocks between markers, rendered from summaries and replaced in place.

A block is ``<!-- measured:NAME -->`` ... ``<!-- /measured -->``.  Markers are checked before any
work starts; text outside the blocks is never changed, and the file is replaced atomically.
"""
from __future__ import annotations

import os
import re

from pss_theory.errors import InputError
from pss_theory.records import write_atomic

OPEN = re.compile(r"<!-- measured:([A-Za-z0-9_]+) -->")
CLOSE = "<!-- /measured -->"
TOKEN = re.compile(r"<!-- measured:([A-Za-z0-9_]+) -->|<!-- /measured -->")


def blocks(text: str, path: str = "appendix") -> list[tuple[str, int, int]]:
    """(name, start of content, end of content) for each block; InputError on missing or unbalanced markers."""
    out, open_name, open_end = [], None, 0
    for m in TOKEN.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1) is not None:
            if open_name is not None:
                raise InputError(f"{path}:{line}: marker for {m.group(1)!r} opens inside the unclosed block {open_name!r}")
            open_name, open_end = m.group(1), m.end()
        else:
            if open_name is None:
                raise InputError(f"{path}:{line}: {CLOSE} without an opening <!-- measured:NAME --> marker")
            out.append((open_name, open_end, m.start()))
            open_name = None
    if open_name is not None:
        raise InputError(f"{path}: block {open_name!r} is never closed with {CLOSE}")
    names = [b[0] for b in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InputError(f"{path}: block {sorted(dup)[0]!r} appears more than once")
    return out


def check(path: str, needed: list[str], in_place: bool = True) -> tuple[str, list[str]]:
    """Read the appendix and check its markers (and, when it is to be replaced ``in_place``, that it can
    be); return its text and the ``needed`` blocks it has no markers for.

    A missing block is not an error: a new check runs and writes its results before its block exists,
    and the caller says where they are instead."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InputError(f"appendix {path} not found (pass --appendix PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read appendix {path}: {exc}") from None
    found = {b[0] for b in blocks(text, path)}
    missing = [n for n in needed if n not in found]
    if not in_place:
        return text, missing
    if not os.access(path, os.W_OK):
        raise InputError(f"appendix {path} is not writable")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"appendix {path}: its folder {folder} is not writable (the appendix is replaced atomically "
                         "through a temporary file there)")
    return text, missing


def missing_note(path: str, name: str) -> str:
    """The line that says a check's results have no block in the appendix, and how to give them one."""
    return (f"{path} has no <!-- measured:{name} --> ... {CLOSE} block: {name}'s results are written under --out "
            "only; add the two markers where its block belongs")


def replace(text: str, rendered: dict[str, str], path: str = "appendix") -> str:
    """``text`` with the content of each named block replaced by ``rendered[name]``."""
    out, pos = [], 0
    for name, start, end in blocks(text, path):
        if name in rendered:
            out.append(text[pos:start])
            out.append("\n" + rendered[name].strip("\n") + "\n")
            pos = end
    out.append(text[pos:])
    return "".join(out)


def write(path: str, text: str, rendered: dict[str, str]) -> None:
    write_atomic(path, replace(text, rendered, path))

