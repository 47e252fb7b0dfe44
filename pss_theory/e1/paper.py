"""The paper's grid and numbers: appendix E.1, transcribed from Tables 5-17 (ms per iteration)."""
from __future__ import annotations

PASSES = ("forward", "backward")
MODES = ("dense", "sparse")

PAPER_N = (1 << 22, 1 << 23, 1 << 24, 1 << 25, 1 << 26, 1 << 27, 1 << 28)  # 4M .. 256M
PAPER_N_LABELS = ("4M", "8M", "16M", "32M", "64M", "128M", "256M")
COMPRESSIONS = (10, 100, 1000, 10000)
ZS = (1, 2, 4, 8, 16, 32)
FIXED_COMPRESSION = 100  # Tables 10-13
FIXED_Z = 32  # Tables 6-9 do not state Z; their 64M row matches Tables 14-17 at Z = 16 or 32
FIXED_N_PAPER = 1 << 26  # Tables 14-17 do not state n; their 100x column matches the 64M rows of Tables 8-13
PAPER_BATCH = 10240
PAPER_D = 128
_ = None  # an empty cell of the paper's tables

PAPER = {
    5: {"study": "plain", "title": "Time taken for original embedding table (ms)",
        "rows": [("backward", "dense"), ("backward", "sparse"), ("forward", "dense"), ("forward", "sparse")],
        "cols": PAPER_N[:6],
        "values": [[25.68, 50.72, 100.72, 200.67, _, _],
                   [0.35, 0.35, 0.38, 0.38, 0.35, _],
                   [0.21, 0.22, 0.22, 0.22, _, _],
                   [0.12, 0.12, 0.12, 0.12, 0.12, _]]},
    6: {"study": "n_compression", "pass": "forward", "mode": "dense", "rows": PAPER_N, "cols": COMPRESSIONS,
        "values": [[0.40, 0.31, 0.27, 0.27], [0.36, 0.32, 0.29, 0.27], [0.37, 0.31, 0.30, 0.27],
                   [0.37, 0.25, 0.31, 0.26], [0.37, 0.37, 0.30, 0.28], [0.37, 0.37, 0.32, 0.29],
                   [_, 0.36, 0.31, 0.30]]},
    7: {"study": "n_compression", "pass": "forward", "mode": "sparse", "rows": PAPER_N, "cols": COMPRESSIONS,
        "values": [[0.57, 0.54, 0.34, 0.33], [0.51, 0.56, 0.34, 0.32], [0.56, 0.56, 0.36, 0.34],
                   [0.55, 0.57, 0.36, 0.33], [0.56, 0.57, 0.52, 0.35], [0.52, 0.57, 0.57, 0.35],
                   [0.55, 0.53, 0.51, 0.36]]},
    8: {"study": "n_compression", "pass": "backward", "mode": "dense", "rows": PAPER_N, "cols": COMPRESSIONS,
        "values": [[2.55, 0.59, 0.35, 0.35], [4.81, 0.83, 0.37, 0.35], [9.15, 1.27, 0.41, 0.34],
                   [17.81, 2.13, 0.54, 0.35], [35.10, 3.85, 0.73, 0.36], [69.73, 7.42, 1.08, 0.40],
                   [_, 14.34, 1.78, 0.47]]},
    9: {"study": "n_compression", "pass": "backward", "mode": "sparse", "rows": PAPER_N, "cols": COMPRESSIONS,
        "values": [[2.67, 2.48, 2.56, 2.52], [2.53, 2.58, 2.48, 2.53], [2.52, 2.68, 2.58, 2.45],
                   [2.51, 2.64, 2.56, 2.55], [2.51, 2.66, 2.63, 2.60], [2.52, 2.65, 2.65, 2.54],
                   [2.54, 2.52, 2.53, 2.62]]},
    10: {"study": "n_Z", "pass": "forward", "mode": "dense", "rows": PAPER_N, "cols": ZS,
         "values": [[0.68, 0.58, 0.55, 0.32, 0.31, 0.31], [0.75, 0.62, 0.54, 0.33, 0.31, 0.31],
                    [0.77, 0.65, 0.54, 0.54, 0.31, 0.31], [0.80, 0.67, 0.54, 0.26, 0.24, 0.23],
                    [0.92, 0.79, 0.65, 0.39, 0.37, 0.37], [0.88, 0.75, 0.65, 0.39, 0.37, 0.37],
                    [0.88, 0.75, 0.65, 0.40, 0.36, 0.36]]},
    11: {"study": "n_Z", "pass": "forward", "mode": "sparse", "rows": PAPER_N, "cols": ZS,
         "values": [[0.87, 0.62, 0.57, 0.57, 0.52, 0.37], [0.91, 0.76, 0.70, 0.71, 0.57, 0.57],
                    [0.94, 0.80, 0.68, 0.70, 0.56, 0.56], [0.92, 0.82, 0.68, 0.69, 0.57, 0.54],
                    [0.93, 0.80, 0.68, 0.67, 0.56, 0.57], [0.93, 0.80, 0.68, 0.67, 0.56, 0.56],
                    [0.93, 0.80, 0.68, 0.67, 0.55, 0.37]]},
    12: {"study": "n_Z", "pass": "backward", "mode": "dense", "rows": PAPER_N, "cols": ZS,
         "values": [[1.29, 1.10, 0.80, 0.64, 0.58, 0.57], [1.56, 1.38, 1.07, 0.88, 0.82, 0.80],
                    [2.02, 1.87, 1.54, 1.33, 1.27, 1.27], [2.96, 2.79, 2.40, 2.20, 2.12, 2.12],
                    [4.69, 4.54, 4.13, 3.98, 3.85, 3.85], [8.15, 8.00, 7.70, 7.48, 7.43, 7.42],
                    [15.17, 15.01, 14.61, 14.40, 14.34, 14.34]]},
    13: {"study": "n_Z", "pass": "backward", "mode": "sparse", "rows": PAPER_N, "cols": ZS,
         "values": [[3.17, 3.04, 2.61, 2.54, 2.50, 2.48], [3.41, 2.97, 2.64, 2.64, 2.66, 2.61],
                    [3.56, 3.07, 2.74, 2.58, 2.54, 2.62], [3.68, 3.13, 2.73, 2.63, 2.53, 2.50],
                    [3.94, 3.36, 2.91, 2.64, 2.52, 2.64], [3.98, 3.22, 2.77, 2.60, 2.51, 2.60],
                    [4.00, 3.27, 2.74, 2.61, 2.53, 2.50]]},
    14: {"study": "Z_compression", "pass": "forward", "mode": "dense", "rows": ZS, "cols": COMPRESSIONS,
         "values": [[0.89, 0.90, 0.73, 0.28], [0.77, 0.80, 0.61, 0.27], [0.65, 0.65, 0.54, 0.27],
                    [0.40, 0.39, 0.32, 0.28], [0.37, 0.37, 0.30, 0.29], [0.37, 0.37, 0.30, 0.30]]},
    15: {"study": "Z_compression", "pass": "forward", "mode": "sparse", "rows": ZS, "cols": COMPRESSIONS,
         "values": [[0.93, 0.93, 0.87, 0.34], [0.80, 0.80, 0.77, 0.32], [0.69, 0.68, 0.71, 0.33],
                    [0.69, 0.67, 0.72, 0.34], [0.56, 0.57, 0.49, 0.34], [0.56, 0.55, 0.54, 0.36]]},
    16: {"study": "Z_compression", "pass": "backward", "mode": "dense", "rows": ZS, "cols": COMPRESSIONS,
         "values": [[35.94, 4.69, 1.44, 0.37], [35.78, 4.53, 1.26, 0.37], [35.38, 4.13, 0.96, 0.36],
                    [35.15, 3.91, 0.83, 0.36], [35.10, 3.85, 0.72, 0.36], [35.11, 3.86, 0.70, 0.37]]},
    17: {"study": "Z_compression", "pass": "backward", "mode": "sparse", "rows": ZS, "cols": COMPRESSIONS,
         "values": [[4.08, 3.89, 2.77, 2.87], [3.32, 3.20, 2.76, 2.88], [2.78, 2.78, 2.61, 2.63],
                    [2.62, 2.60, 2.58, 2.58], [2.51, 2.68, 2.63, 2.55], [2.49, 2.50, 2.59, 2.57]]},
}
STUDY_TITLES = {
    "plain": "plain n x d table",
    "n_compression": f"ROBE-Z, rows n, columns compression, Z = {FIXED_Z} (not stated in the paper)",
    "n_Z": f"ROBE-Z, rows n, columns chunk size Z, compression {FIXED_COMPRESSION}x",
    "Z_compression": "ROBE-Z, rows chunk size Z, columns compression, n = 64M in the paper (inferred)",
}


def views_from_paper() -> dict:
    """The paper's tables in the layout of ``layout.views_from_records``: {study: {(pass, mode): {key: ms}}}."""
    v = {s: {(p, m): {} for p in PASSES for m in MODES} for s in ("plain", "n_compression", "n_Z", "Z_compression")}
    for tab in PAPER.values():
        if tab["study"] == "plain":
            for (p, m), row in zip(tab["rows"], tab["values"]):
                v["plain"][(p, m)].update({n: t for n, t in zip(tab["cols"], row) if t is not None})
            continue
        target = v[tab["study"]][(tab["pass"], tab["mode"])]
        for rv, row in zip(tab["rows"], tab["values"]):
            target.update({(rv, cv): t for cv, t in zip(tab["cols"], row) if t is not None})
    return v


def paper_value(table: int, row, col):
    """The paper's number in ``table`` at (row, col) (Table 5: row = (pass, mode), col = paper n); None if empty."""
    tab = PAPER[table]
    try:
        return tab["values"][list(tab["rows"]).index(row)][list(tab["cols"]).index(col)]
    except ValueError:
        return None
