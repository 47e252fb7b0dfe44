"""E.1 in the paper's layout: our records as the paper's studies, and Tables 5-17 with ours beside the paper's values."""
from __future__ import annotations

from .grid import Grid
from .paper import MODES, PAPER, PAPER_N, PAPER_N_LABELS, PASSES, paper_value


def views_from_records(records: list[dict], grid: Grid) -> dict:
    """{study: {(pass, mode): {(row, col) or n: p50 ms}}} for the four studies."""
    v = {s: {(p, m): {} for p in PASSES for m in MODES} for s in ("plain", "n_compression", "n_Z", "Z_compression")}
    for r in records:
        if r.get("forward_ms") is None:
            continue
        for p in PASSES:
            t = r[f"{p}_ms"]["p50"]
            key = (p, r["mode"])
            if r["kind"] == "plain":
                v["plain"][key][r["n"]] = t
                continue
            if r["Z"] == grid.z_fixed:
                v["n_compression"][key][(r["n"], r["compression"])] = t
            if r["compression"] == grid.compression_fixed:
                v["n_Z"][key][(r["n"], r["Z"])] = t
            if r["n"] == grid.n_fixed:
                v["Z_compression"][key][(r["Z"], r["compression"])] = t
    return v


def layout(records: list[dict], grid: Grid) -> list[dict]:
    """Tables 5-17 as printed by the paper, ours (p50 ms) beside the paper's value for the same row.

    Rows in n carry our n and the paper's n they stand for (ours * scale).
    """
    ours = views_from_records(records, grid)
    out = []
    label_of = dict(zip(PAPER_N, PAPER_N_LABELS))
    for num, tab in PAPER.items():
        if tab["study"] == "plain":
            cols = list(grid.n)
            rows = []
            for p, m in tab["rows"]:
                rows.append({"label": f"{p} [sparse={'true' if m == 'sparse' else 'false'}]",
                             "ours": [ours["plain"][(p, m)].get(n) for n in cols],
                             "paper": [paper_value(num, (p, m), n * grid.scale) for n in cols]})
            out.append({"table": num, "title": f"Table {num}: {tab['title']}, batch {grid.batch}, d {grid.d}",
                        "row_label": "call", "col_label": "n",
                        "cols": [f"{_pow2(n)} ({label_of.get(n * grid.scale, '?')})" for n in cols], "rows": rows})
            continue
        study, key = tab["study"], (tab["pass"], tab["mode"])
        if study == "Z_compression":
            row_vals, col_vals = list(grid.Zs), list(grid.compressions)
            row_labels = [str(z) for z in row_vals]
            paper_rows = row_vals
        else:
            row_vals = list(grid.n)
            col_vals = list(grid.compressions) if study == "n_compression" else list(grid.Zs)
            row_labels = [f"{_pow2(n)} ({label_of.get(n * grid.scale, '?')})" for n in row_vals]
            paper_rows = [n * grid.scale for n in row_vals]
        rows = [{"label": lab, "ours": [ours[study][key].get((rv, cv)) for cv in col_vals],
                 "paper": [paper_value(num, pr, cv) for cv in col_vals]}
                for lab, rv, pr in zip(row_labels, row_vals, paper_rows)]
        fixed = {"n_compression": f"Z = {grid.z_fixed}", "n_Z": f"compression = {grid.compression_fixed:g}x",
                 "Z_compression": f"n = {_pow2(grid.n_fixed)} (paper 64M)"}[study]
        sparse = "true" if tab["mode"] == "sparse" else "false"
        out.append({"table": num, "title": f"Table {num}: {tab['pass'].capitalize()} pass (ms) [sparse={sparse}], "
                                           f"ROBE-Z, {fixed}, batch {grid.batch}, d {grid.d}",
                    "row_label": "chunk Z" if study == "Z_compression" else "n",
                    "col_label": "chunk size Z" if study == "n_Z" else "compression",
                    "cols": [f"{c:g}x" for c in col_vals] if study != "n_Z" else [str(z) for z in col_vals],
                    "rows": rows})
    return out


def _pow2(n: int) -> str:
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else f"{n:,}"
