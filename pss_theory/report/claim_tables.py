"""The one renderer of claims, as a plain-text table, as markdown and as one line (strings only: the
command line prints them, the report writes them into the appendix), beside the one renderer of a
check's comparison table (``claims.comparison_row``'s rows); ``fmt`` is how every number reads."""
from __future__ import annotations

import math


def fmt(x) -> str:
    """A number as the tables print it: thousands separators for ints, 4 significant digits, e-notation
    outside [1e-3, 1e6), ``-`` for None."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if math.isinf(x):
            return "inf"
        if math.isnan(x):
            return "nan"
        if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
            return f"{x:.3e}"
        return f"{x:.4g}"
    return str(x)


def _bound(c: dict) -> str:
    bound = fmt(c["bound"]) if c["bound"] is not None else "inf" if c["status"] == "vacuous" else "-"
    return f"{c.get('relation', '<=')} {bound}"


def _slack(c: dict) -> str:
    return fmt(c["slack"]) if c["slack"] is not None else (f"x{fmt(c['ratio'])}" if c.get("ratio") else "-")


#: the columns of every claim table after the claim's name: (heading, the cell of a claim dict, its format
#: in the one-line screen).  The terminal table, the markdown table and ``claim_line`` read only this, so a
#: new column is one entry here.
COLUMNS = (
    ("measured", lambda c: fmt(c["measured"]), ">10"),
    ("bound", _bound, "<13"),
    ("slack", _slack, ">8"),
    ("status", lambda c: c["status"], ""),
)


def _cells(c: dict) -> tuple[str, ...]:
    """The cells of a claim dict in ``COLUMNS`` order, formatted one way everywhere."""
    return tuple(cell(c) for _, cell, _ in COLUMNS)


def _notes(claims: list[dict]) -> list[tuple[str, str]]:
    """(claim numbers, note) with each distinct note once: a note repeated for every family is printed once."""
    where: dict[str, list[str]] = {}
    for i, c in enumerate(claims, 1):
        if c.get("note"):
            where.setdefault(c["note"], []).append(str(i))
    return [(", ".join(nums), note) for note, nums in where.items()]


def _families(claims: list[dict]) -> list:
    return list(dict.fromkeys(c.get("family") for c in claims))


def _short_name(c: dict, grouped: bool) -> str:
    """A claim's name without its "family: " prefix where the table groups claims by family already."""
    prefix = f"{c.get('family')}: "
    return c["name"][len(prefix):] if grouped and c["name"].startswith(prefix) else c["name"]


def _table(rows: list[tuple[str, ...]], head: int = 1) -> list[str]:
    """Rows as aligned columns, the first left-aligned and the rest right-aligned, a rule under the head;
    a row of one cell is a group heading."""
    wide = [r for r in rows if len(r) > 1]
    widths = [max(len(r[i]) for r in wide) for i in range(len(wide[0]))]
    lines = []
    for j, r in enumerate(rows):
        if len(r) == 1:
            lines.append(r[0])
            continue
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)))
        if j == head - 1:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def claims_text(claims: list[dict]) -> str:
    """claim | measured | bound | slack | status, one row a claim, then the notes (each distinct note once).

    Claims of several families are grouped under a heading per family, their names without the family.
    """
    grouped = len(_families(claims)) > 1
    rows: list[tuple[str, ...]] = [("claim", *(head for head, _, _ in COLUMNS))]
    family = object()
    for i, c in enumerate(claims, 1):
        if grouped and c.get("family") != family:
            family = c.get("family")
            rows.append((f"{family}:",))
        rows.append((f"{i}. {_short_name(c, grouped)}", *_cells(c)))
    notes = [f"  [{nums}] {note}" for nums, note in _notes(claims)]
    return "\n".join(_table(rows) + (["notes:"] + notes if notes else []))


def claims_markdown(claims: list[dict]) -> str:
    """The same table in markdown, notes as a list; with several families each name starts with its family."""
    grouped = len(_families(claims)) > 1
    heads = ["#", "claim", *(head for head, _, _ in COLUMNS)]
    rows = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for i, c in enumerate(claims, 1):
        name = f"{c['family']}: {_short_name(c, True)}" if grouped else c["name"]
        rows.append(" | ".join([f"| {i}", name.replace("|", chr(92) + "|"), *_cells(c)]) + " |")
    notes = [f"- [{nums}] {note}" for nums, note in _notes(claims)]
    return "\n".join(rows + ([""] + notes if notes else []))


def claim_line(c: dict, *, with_family: bool, width: int = 78) -> str:
    """One claim on one line (the report's closing screen): its name (prefixed with its family when
    ``with_family``, cut to ``width``), then the ``COLUMNS`` cells as the tables format them."""
    name = c["name"] if not with_family or c["name"].startswith(f"{c['family']}: ") else f"{c['family']}: {c['name']}"
    name = name if len(name) <= width else name[: width - 3] + "..."
    return " ".join([f"{name:<{width}}", *(f"{cell(c):{spec}}" for _, cell, spec in COLUMNS)])


def _comparison_cell(value) -> str:
    return "n/a" if value is None else fmt(value)


def comparison_text(rows: list[dict]) -> str:
    """A check's ``comparison`` (one flat dict per family, the same keys in each) as aligned columns;
    a quantity a family does not have (None) reads n/a."""
    if not rows:
        return ""
    head = tuple(rows[0])
    return "\n".join(_table([head] + [tuple(_comparison_cell(r.get(k)) for k in head) for r in rows]))


def comparison_markdown(rows: list[dict]) -> str:
    """The same table in markdown."""
    if not rows:
        return ""
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_comparison_cell(r.get(k)) for k in head) + " |" for r in rows]
    return "\n".join(lines)
