"""paper_appendix.md: the measured blocks between markers, rendered from summaries and replaced in place.

A block is ``<!-- measured:NAME -->`` ... ``<!-- /measured -->``.  Markers are checked before any
work starts; text outside the blocks is never changed, and the file is replaced atomically.
"""
from __future__ import annotations

import os
import re

from pss_theory.errors import InputError
from pss_theory.records import write_atomic
from pss_theory.report.claim_tables import claims_markdown, comparison_markdown

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


# ---- rendering (markdown from summaries; no numbers are computed here) ----

def run_line(s) -> str:
    fam = ", ".join(s["family"])
    k = ("none (not a sketch)" if not s["k"] else str(s["k"][0]) if len(s["k"]) == 1 else
         f"{s['k'][0]}..{s['k'][-1]} ({len(s['k'])} values)")
    table = s["table"]
    tdesc = table.get("kind", "?") if isinstance(table, dict) else str(table)
    if isinstance(table, dict) and table.get("name"):
        tdesc += f" {table['name']}"
    env = s.get("environment", {})
    n = f"{s['n'][0]:,}..{s['n'][-1]:,}" if isinstance(s["n"], list) else f"{s['n']:,}"
    ktext = "" if k is None else f", k = {k}"  # a study without a sketch (E.1) has no k
    return (f"Run: n = {n}, d = {s['d']}{ktext}, family {fam}, table {tdesc}, seed {s['seed']}, "
            f"{env.get('device', s.get('backend'))}; pss-theory {env.get('pss_theory', '?')}, numpy {env.get('numpy', '?')}, "
            f"scipy {env.get('scipy', '?')}.")


def figure_links(figures: list[str], appendix_path: str) -> str:
    base = os.path.dirname(os.path.abspath(appendix_path))
    pngs = [f for f in figures if f.endswith(".png")]
    return "\n\n".join(f"![{os.path.basename(f)}]({os.path.relpath(os.path.abspath(f), base)})" for f in pngs)


def render_check(check, s, command: str, appendix_path: str) -> str:
    """A check's block: the command that produced it, the run, the claims, the check's own parts, the verdict."""
    comparison = [comparison_markdown(s["comparison"])] if s.get("comparison") else []
    parts = [f"Command: `{command}`", run_line(s), *comparison, claims_markdown(s.claims)] + check.appendix(s)
    verdict = s.get("verdict")
    parts.append("Verdict: " + (" ".join(verdict) if isinstance(verdict, list) else str(verdict)))
    if s.get("figures"):
        parts.append(figure_links(s["figures"], appendix_path))
    return "\n\n".join(parts)


def render_summary(results: list) -> str:
    """What the runs say about the theory: each check's conclusions, read from its Summary."""
    return "\n\n".join(line for check, s in results for line in check.conclusions(s))
