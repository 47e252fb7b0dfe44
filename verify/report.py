"""Plain-text rendering of claims and summaries (printing only; the numbers come from the library)."""
from __future__ import annotations

import math


def fmt(x) -> str:
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


def holds_text(c: dict) -> str:
    if c["holds"] is None:
        return "n/a"
    if c.get("vacuous"):
        return "vacuous"
    return "yes" if c["holds"] else "NO"


def claims_table(claims: list[dict]) -> str:
    """claim | measured | bound | slack | holds, one row a claim (dicts from Claim.as_dict)."""
    rows = [("claim", "measured", "bound", "slack", "holds")]
    for i, c in enumerate(claims, 1):
        bound = "inf" if c.get("vacuous") else fmt(c["bound"]) if c["bound"] is not None else "inf"
        rel = c.get("relation", "<=")
        slack = fmt(c["slack"]) if c["slack"] is not None else (f"x{fmt(c['ratio'])}" if c.get("ratio") else "-")
        rows.append((f"{i}. {c['name']}", fmt(c["measured"]), f"{rel} {bound}", slack,
                     holds_text(c)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  [{i}] {c['note']}" for i, c in enumerate(claims, 1) if c.get("note")]
    return "\n".join(lines + (["notes:"] + notes if notes else []))
