"""Where a pass's time goes, operation by operation, beside the bytes and flops each costs per row.

Run from the repository root:

    .venv/bin/python -m bench.pass_costs                  # zipf 262,144 x 128, k = 1024: about a minute
    .venv/bin/python -m bench.pass_costs --n 1048576 --family countsketch

Times each step the two passes of Theorem 7 run on a tile (``measure.passes``, ``metrics.ReadBack``) with
the same calls, on the same tiles, one step at a time (the median of 3 sweeps over every tile), and prints
per million rows: seconds, flops and bytes per row as counted from the shapes, and the rate reached.  The
floor beside them is what any tool pays: the table drawn once (a generated table) and summed once.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pss_theory as p  # noqa: E402
from pss_theory.backend import matmul  # noqa: E402
from pss_theory.measure import metrics, passes  # noqa: E402


def timed(step, tiles, sweeps: int = 3) -> float:
    """Median over ``sweeps`` of the seconds ``step(start, stop, block)`` takes summed over ``tiles``."""
    runs = []
    for _ in range(sweeps):
        t0 = time.perf_counter()
        for start, stop, block in tiles:
            step(start, stop, block)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def steps(S, table, d: int, k: int):
    """(name, flops per row, bytes per row, step) for pass 1 and pass 2, and the tiles they run on.

    For a dense family, generating U_t (k normals or signs per row) and the products with it are timed
    apart: the products reuse the first tile's U_t (their cost does not depend on its values), and pass 2
    reuses pass 1's U_t for its column norms as ``DenseSketch`` does (``_last``)."""
    comp = metrics.compress(S, table)
    spec = metrics.spectrum(comp)
    basis = metrics.sketched_basis(comp, spec)
    R = spec.R
    xp, backend = S.xp, S.backend
    tiles = [(a, b, table.block(a, b).astype(S.dtype, copy=False)) for a, b in S.tile_starts(d)]
    b64s = {a: block.astype(np.float64) for a, _, block in tiles}
    ops = []
    if S.family in ("gaussian", "rademacher", "achlioptas"):
        a0, b0, _ = tiles[0]
        U = S._unscaled_range(a0, b0).copy()
        basis32 = basis.astype(np.float32)

        def generate(a, b, e):
            S._last = None
            S._unscaled_range(a, b)

        ops += [("pass 1 and 2: generate U_t", 0, 4 * k, generate),
                ("pass 1: U_t E_t (GEMM, float32)", 2 * k * d, 4 * d, lambda a, b, e: matmul(U[:, : b - a], e)),
                ("pass 2: U_t^T (S Q) (GEMM, float32)", 2 * k * d, 8 * d, lambda a, b, e: matmul(U[:, : b - a].T, basis32)),
                ("pass 2: ||S e_i||^2 from U_t", 2 * k, 0, lambda a, b, e: np.einsum("ij,ij->j", U[:, : b - a], U[:, : b - a]))]
    else:
        acc = S.zeros_accumulator(d)
        ops += [("pass 1: M += S_t E_t (S.accumulate)", 2 * d * getattr(S, "s", 1), 4 * d,
                 lambda a, b, e: S.accumulate(acc, a, e)),
                ("pass 2: (S Q)^T S[:, t] (decompress: a gather)", 2 * d * getattr(S, "s", 1), 8 * d,
                 lambda a, b, e: S.decompress(basis, range(a, b)))]
    ops += [
        ("pass 1: tile to float64", 0, 12 * d, lambda a, b, e: e.astype(np.float64)),
        ("pass 1: row norms", 2 * d, 8 * d, lambda a, b, e: passes.row_norms(xp, b64s[a])),
        ("pass 1: Gram += E_t^T E_t (syrk, float64)", d * d, 8 * d, lambda a, b, e: matmul(b64s[a].T, b64s[a])),
        ("pass 2: Q_t = E_t R^-1 (triangular solve)", d * d, 16 * d,
         lambda a, b, e: backend.solve_right_upper(b64s[a], R)),
        ("pass 2: err = c_t R (GEMM, float64)", 2 * d * d, 16 * d, lambda a, b, e: matmul(b64s[a], R)),
        ("pass 2: three row norms of d floats", 6 * d, 24 * d,
         lambda a, b, e: [passes.row_norms(xp, b64s[a]) for _ in range(3)]),
    ]
    return tiles, ops


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1 << 18)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--k", type=int, default=1024)
    ap.add_argument("--family", default="countsketch,gaussian")
    a = ap.parse_args(argv)
    table = p.table("zipf", n=a.n, d=a.d, seed=0)
    per = 1e6 / a.n
    load = os.getloadavg()[0]
    print(f"zipf {a.n:,} x {a.d}, k = {a.k}; load1 {load:.1f}; seconds per 1e6 rows (median of 3)")
    for family in a.family.split(","):
        S = p.families.make(family, k=a.k, n=a.n, seed=1)
        tiles, ops = steps(S, table, a.d, a.k)
        draw = timed(lambda s, e, _: table.block(s, e), tiles) * per
        read = timed(lambda s, e, block: block.sum(axis=0), tiles) * per
        print(f"\n{family}, tiles of {S.tile_rows(a.d):,} rows; floor: the table drawn {draw:.3f} s, summed {read:.3f} s")
        print("| step | s / 1e6 rows | flops / row | bytes / row | GFLOP/s | GB/s |\n|---|---:|---:|---:|---:|---:|")
        for name, flops, nbytes, step in ops:
            sec = timed(step, tiles) * per
            rate = f"{flops * 1e6 / sec / 1e9:.1f}" if flops else ""
            print(f"| {name} | {sec:.3f} | {flops:,} | {nbytes:,} | {rate} | {nbytes * 1e6 / sec / 1e9:.1f} |")


if __name__ == "__main__":
    main()
