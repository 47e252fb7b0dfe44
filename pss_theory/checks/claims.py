"""A claim: what a theorem (or a sharper law) promises, what was measured, and the slack between;
and the one renderer of claims, as a plain-text table and as markdown (strings only: the command
line prints them, the report writes them into the appendix)."""
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


def claims_text(claims: list[dict]) -> str:
    """claim | measured | bound | slack | holds, one row a claim, then the notes."""
    rows = [("claim", "measured", "bound", "slack", "status")]
    rows += [(f"{i}. {c['name']}", *_cells(c)) for i, c in enumerate(claims, 1)]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  [{i}] {c['note']}" for i, c in enumerate(claims, 1) if c.get("note")]
    return "\n".join(lines + (["notes:"] + notes if notes else []))


def claims_markdown(claims: list[dict]) -> str:
    """The same table in markdown, notes as a list."""
    rows = ["| # | claim | measured | bound | slack | status |", "|---|---|---|---|---|---|"]
    for i, c in enumerate(claims, 1):
        measured, bound, slack, st = _cells(c)
        rows.append(f"| {i} | {c['name'].replace('|', chr(92) + '|')} | {measured} | {bound} | {slack} | {st} |")
    notes = [f"- [{i}] {c['note']}" for i, c in enumerate(claims, 1) if c.get("note")]
    return "\n".join(rows + ([""] + notes if notes else []))
