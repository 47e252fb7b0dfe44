"""The E.1 timing study's sentences: its tables in the paper's layout (terminal and markdown), the
verdict, the header and the report's conclusions."""
from __future__ import annotations

from .. import e1

#: the check whose sentences these are
CHECK_NAME = "robez_timing"


def fmt_ms(x) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def cell_text(ours, paper) -> str:
    return f"{fmt_ms(ours)} ({fmt_ms(paper)})"


def table_text(t: dict) -> str:
    """One table in the paper's layout: each cell 'ours (paper)' in ms."""
    head = [t["row_label"]] + t["cols"]
    body = [[r["label"]] + [cell_text(o, p) for o, p in zip(r["ours"], r["paper"])] for r in t["rows"]]
    widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
    lines = [t["title"] + " -- ours (paper), p50 ms"]
    lines.append("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(head)))
    for row in body:
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
    return "\n".join(lines)


def table_markdown(t: dict) -> str:
    rows = [f"**{t['title']}**, ours (paper), median ms per iteration", "",
            "| " + " | ".join([t["row_label"]] + t["cols"]) + " |", "|" + "---|" * (len(t["cols"]) + 1)]
    for r in t["rows"]:
        rows.append("| " + " | ".join([r["label"]] + [cell_text(o, p) for o, p in zip(r["ours"], r["paper"])]) + " |")
    return "\n".join(rows)


def verdict(summary: dict) -> str:
    claims = summary["claims"]
    held = sum(1 for c in claims if c["status"] == "holds")
    st = summary["stats"]
    g = summary["grid"]
    ratio = st["forward_ratio"]
    where = f"{summary['environment']['device']}"
    scale = f"n = the paper's / {g['scale']}" if g["scale"] > 1 else "the paper's n"
    text = (f"E.1 timing on {where} ({scale}, batch {g['batch']}, d {g['d']}): {held} of {len(claims)} claims hold. ")
    if ratio is not None:
        text += (f"Best ROBE-Z forward / plain lookup = {ratio:.2f} (median over n; paper "
                 f"{st['forward_ratio_paper']:.2f}; target <= {e1.TARGET:g}: "
                 f"{'met' if ratio <= e1.TARGET else 'not met'}).")
    by_c = st.get("forward_ratio_by_compression") or {}
    if by_c:
        text += (f" At Z = {g['z_fixed']}, ROBE-Z forward / plain lookup by compression (median over n): "
                 + ", ".join(f"{c}x {r:.2f}" for c, r in by_c.items() if r is not None) + ".")
    if summary["skipped"]:
        text += f" {len(summary['skipped'])} cell(s) skipped for memory."
    return text


def header(summary):
    g = summary["grid"]
    return (f"E.1 timing study, backend {summary['environment']['device']}, grid: n = "
            f"{', '.join(f'{v:,}' for v in summary['n'])} (the paper's n / {g['scale']}), batch {g['batch']}, "
            f"d {g['d']}, up to {g['repeats']} timed iterations per cell after {g['warmup']} warm-up "
            f"({g['budget_s']:g} s budget per cell)")


def text(summary):
    lines = [f"\n{table_text(t)}" for t in summary["tables"]]
    if summary["skipped"]:
        lines.append("\nskipped (memory): " + "; ".join(
            f"{c['kind']} n={c['n']:,} {c['mode']}" + (f" {c['compression']:g}x Z={c['Z']}" if c["kind"] == "robez" else "")
            + f" ({c['skipped']})" for c in summary["skipped"]))
    return lines


def appendix(summary):
    return list(summary["tables_markdown"])


def conclusions(summary):
    held = sum(1 for c in summary["claims"] if c["status"] == "holds")
    return [f"**E.1 timing.** {held} of {len(summary['claims'])} observations of section E.1 hold on "
            f"{summary['environment'].get('device', summary['backend'])}."]

