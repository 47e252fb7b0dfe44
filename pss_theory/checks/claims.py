"""A claim: what a theorem (or a sharper law) promises, what was measured, and the slack between;
and the one renderer of claims, as a plain-text table and as markdown (strings only: the command
line prints them, the report writes them into the appendix)."""
from __future__ import annotations

import math
from dataclasses import dataclass


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


@dataclass
class Claim:
    """``measured <relation> bound``.  A bound of inf (or None) is vacuous: it holds, and says nothing.

    slack: how many times the bound exceeds what was measured (``<=``), or the measured value
    exceeds what was required (``>=``); above 1 means room to spare, below 1 a violation.
    ``~`` compares with a prediction rather than a bound: it holds within ``tolerance`` (relative).
    ``holds`` may be given explicitly (e.g. a count of violations, or a confidence interval); by
    default it is the relation itself.
    """

    name: str
    measured: float | None
    bound: float | None
    relation: str = "<="
    holds: bool | None = None
    note: str = ""
    tolerance: float = 0.1  # for "~": a prediction met within this relative error

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
    def vacuous(self) -> bool:
        return self.relation == "<=" and self.bound is not None and not _finite(self.bound) and self.bound > 0

    @property
    def slack(self) -> float | None:
        if not (_finite(self.measured) and _finite(self.bound)) or self.relation in ("==", "~"):
            return None
        num, den = (self.bound, self.measured) if self.relation == "<=" else (self.measured, self.bound)
        if den == 0:
            return math.inf if num > 0 else None
        return num / den

    def as_dict(self) -> dict:
        out = {"name": self.name, "measured": self.measured, "bound": self.bound, "relation": self.relation,
               "holds": self.holds, "slack": self.slack, "vacuous": self.vacuous, "note": self.note}
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


def status(c: dict) -> str:
    """What the holds column says for a claim dict."""
    if c["holds"] is None:
        return "n/a"
    if c.get("vacuous"):
        return "vacuous"
    return "yes" if c["holds"] else "NO"


def _cells(c: dict, vacuous_bound: str) -> tuple[str, str, str, str]:
    """(measured, relation and bound, slack, status) of a claim dict, formatted one way everywhere."""
    bound = vacuous_bound if c.get("vacuous") else fmt(c["bound"]) if c["bound"] is not None else "inf"
    slack = fmt(c["slack"]) if c["slack"] is not None else (f"x{fmt(c['ratio'])}" if c.get("ratio") else "-")
    return fmt(c["measured"]), f"{c.get('relation', '<=')} {bound}", slack, status(c)


def claims_text(claims: list[dict]) -> str:
    """claim | measured | bound | slack | holds, one row a claim, then the notes."""
    rows = [("claim", "measured", "bound", "slack", "holds")]
    rows += [(f"{i}. {c['name']}", *_cells(c, "inf")) for i, c in enumerate(claims, 1)]
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
    rows = ["| # | claim | measured | bound | slack | holds |", "|---|---|---|---|---|---|"]
    for i, c in enumerate(claims, 1):
        measured, bound, slack, st = _cells(c, "inf (vacuous)")
        rows.append(f"| {i} | {c['name'].replace('|', chr(92) + '|')} | {measured} | {bound} | {slack} | {st} |")
    notes = [f"- [{i}] {c['note']}" for i, c in enumerate(claims, 1) if c.get("note")]
    return "\n".join(rows + ([""] + notes if notes else []))
