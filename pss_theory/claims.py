"""A claim: what a theorem (or a sharper law) promises, what was measured, and the slack between;
and the one renderer of claims, as a plain-text table and as markdown (strings only: the command
line prints them, the report writes them into the appendix), beside the one renderer of a check's
comparison table (one flat row per family, the ``comparison`` of summary.json)."""
from __future__ import annotations

import math
from dataclasses import dataclass

#: every claim has one of these statuses; scripts filter on it alone
STATUSES = ("holds", "fails", "vacuous", "not promised", "n/a")


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


@dataclass
class Claim:
    """``measured <relation> bound``, with a status from ``STATUSES``.

    - ``n/a``: the quantity or the bound does not exist for this PSS (measured or bound None).
    - ``vacuous``: an upper bound that certifies nothing: inf, or at least ``vacuous_at`` (1 for an
      accuracy eps: no eps < 1 is certified).
    - ``not promised``: the theorem does not promise the statement at the tested scale
      (``promised=False``, e.g. k below the calculator's sufficient k); measured and bound are shown.
    - ``holds`` / ``fails``: the relation, or ``holds`` given explicitly (a count of violations, a
      confidence interval).  ``~`` compares with a prediction: met within ``tolerance`` (relative).

    slack: how many times the bound exceeds what was measured (``<=``), or the measured value exceeds
    what was required (``>=``); above 1 means room to spare.  None where the status is vacuous or n/a.
    ``id`` is a stable key for scripts (``theorem6.norm.stated``), ``family`` the family measured.
    """

    name: str
    measured: float | None
    bound: float | None
    relation: str = "<="
    holds: bool | None = None
    note: str = ""
    tolerance: float = 0.1  # for "~": a prediction met within this relative error
    id: str = ""
    family: str | None = None
    promised: bool = True
    vacuous_at: float | None = None

    def __post_init__(self):
        if self.relation not in ("<=", ">=", "==", "~"):
            raise ValueError(f"unknown relation {self.relation!r}")
        if self.holds is None and _finite(self.measured) and self.bound is not None and not math.isnan(self.bound):
            if self.relation == "~":
                self.holds = _finite(self.bound) and abs(self.measured - self.bound) <= self.tolerance * abs(self.bound)
            else:
                self.holds = {"<=": self.measured <= self.bound, ">=": self.measured >= self.bound,
                              "==": self.measured == self.bound}[self.relation]

    @property
    def status(self) -> str:
        if self.measured is None or self.bound is None or (isinstance(self.bound, float) and math.isnan(self.bound)):
            return "n/a"
        if self.relation == "<=" and (not _finite(self.bound) or (self.vacuous_at is not None
                                                                  and self.bound >= self.vacuous_at)):
            return "vacuous"
        if not self.promised:
            return "not promised"
        return "holds" if self.holds else "fails"

    @property
    def slack(self) -> float | None:
        if self.status in ("vacuous", "n/a") or not (_finite(self.measured) and _finite(self.bound)) \
                or self.relation in ("==", "~"):
            return None
        num, den = (self.bound, self.measured) if self.relation == "<=" else (self.measured, self.bound)
        if den == 0:
            return math.inf if num > 0 else None
        return num / den

    def as_dict(self) -> dict:
        status = self.status
        out = {"id": self.id, "family": self.family, "name": self.name, "measured": self.measured,
               "bound": self.bound, "relation": self.relation, "status": status,
               "holds": None if status in ("vacuous", "n/a") else bool(self.holds), "slack": self.slack,
               "note": self.note}
        if self.relation == "~":
            out["ratio"] = self.measured / self.bound if _finite(self.measured) and _finite(self.bound) and self.bound else None
            out["tolerance"] = self.tolerance
        return out


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


def _cells(c: dict) -> tuple[str, str, str, str]:
    """(measured, relation and bound, slack, status) of a claim dict, formatted one way everywhere."""
    bound = fmt(c["bound"]) if c["bound"] is not None else "inf" if c["status"] == "vacuous" else "-"
    slack = fmt(c["slack"]) if c["slack"] is not None else (f"x{fmt(c['ratio'])}" if c.get("ratio") else "-")
    return fmt(c["measured"]), f"{c.get('relation', '<=')} {bound}", slack, c["status"]


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
    rows: list[tuple[str, ...]] = [("claim", "measured", "bound", "slack", "status")]
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
    rows = ["| # | claim | measured | bound | slack | status |", "|---|---|---|---|---|---|"]
    for i, c in enumerate(claims, 1):
        measured, bound, slack, st = _cells(c)
        name = f"{c['family']}: {_short_name(c, True)}" if grouped else c["name"]
        rows.append(f"| {i} | {name.replace('|', chr(92) + '|')} | {measured} | {bound} | {slack} | {st} |")
    notes = [f"- [{nums}] {note}" for nums, note in _notes(claims)]
    return "\n".join(rows + ([""] + notes if notes else []))


def claim_line(c: dict, *, with_family: bool, width: int = 78) -> str:
    """One claim on one line (the report's closing screen): its name (prefixed with its family when
    ``with_family``, cut to ``width``), then measured, relation and bound, and status as ``_cells``
    formats them for the tables."""
    name = c["name"] if not with_family or c["name"].startswith(f"{c['family']}: ") else f"{c['family']}: {c['name']}"
    name = name if len(name) <= width else name[: width - 3] + "..."
    measured, bound, _, status = _cells(c)
    return f"{name:<{width}} {measured:>10} {bound:<13} {status}"


def headline(claims: list[dict], family, claim_id: str) -> dict:
    """The status of one family's headline claim and how many of its claims fail: the comparison
    table's last two columns."""
    own = [c for c in claims if c.get("family") == family]
    status = next((c["status"] for c in own if c["id"] == claim_id), "n/a")
    return {"status": status, "claims_failing": sum(c["status"] == "fails" for c in own)}


def comparison_row(**columns) -> dict:
    """One family's row of a comparison table: numbers as they are, None where the quantity does not exist
    for the family (n/a), and the string "inf" for an infinite bound (vacuous), which summary.json could
    not otherwise tell from n/a (``float("inf")`` and ``pandas.to_numeric`` read it back)."""
    return {key: "inf" if isinstance(value, float) and math.isinf(value) else value for key, value in columns.items()}


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
