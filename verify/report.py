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


def decile_table(deciles: list[dict]) -> str:
    """Rows grouped by rho_i (Theorem 7): the error is set by rho_i, as the proof's Eq. 19-20 says."""
    lines = ["rows by rho_i decile:   rows   rho_i from .. to        median eps_i   max eps_i   median eta_i"]
    for i, g in enumerate(deciles, 1):
        lines.append(f"  {i:>2}  {g['rows']:>16,}   {g['rho_min']:.3e} .. {g['rho_max']:.3e}   {g['eps_median']:>11.4g}"
                     f"   {g['eps_max']:>9.4g}   {g['eta_median']:>12.4g}")
    return "\n".join(lines)
