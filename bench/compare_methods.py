"""The compare check's fits beside what a user would otherwise write with numpy and SciPy, on one table in memory.

Run from the repository root:

    .venv/bin/python -m bench.compare_methods                # zipf 2e5 x 64 at 10x: about a minute
    .venv/bin/python -m bench.compare_methods --n 1000000 --d 128

For each method at one compression: our fit and the read-back of every row (``pss_theory.methods``, through
the pass engine) and a baseline that fits and reconstructs the same table held as a float64 array, with the
same sizes (buckets, rank, centroids), and the relative squared residual of each, so that a faster baseline
that fits worse shows as such:

- hashing (least squares): ``numpy.add.at`` bucket sums and ``numpy.bincount`` counts;
- svd: ``numpy.linalg.svd(E, full_matrices=False)`` truncated to the same rank;
- pq: ``scipy.cluster.vq.kmeans2`` per sub-vector on the same training sample (same iterations, same
  starting rows), then ``scipy.cluster.vq.vq`` to code every row;
- tt: the same TT-SVD written with ``numpy.linalg.svd`` on the unfoldings.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from scipy.cluster import vq  # noqa: E402

import pss_theory as p  # noqa: E402
from pss_theory import methods, rng  # noqa: E402
from pss_theory.methods import codebook, tensor_train  # noqa: E402
from pss_theory.tables import as_table  # noqa: E402


def residual(mhat, E) -> float:
    return float(((mhat - E) ** 2).sum() / (E**2).sum())


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def hashing_baseline(E, f):
    rows, signs = f.hash.nonzeros_of(range(E.shape[0]))
    s = signs[:, 0].astype(np.float64)
    sums = np.zeros((f.config["buckets"], E.shape[1]))
    np.add.at(sums, rows[:, 0], E * s[:, None])
    M = sums / np.maximum(np.bincount(rows[:, 0], minlength=sums.shape[0]), 1)[:, None]
    return M[rows[:, 0]] * s[:, None]


def svd_baseline(E, f):
    U, sv, Vt = np.linalg.svd(E, full_matrices=False)
    r = f.config["rank"]
    return (U[:, :r] * sv[:r]) @ Vt[:r]


def pq_baseline(E, f, seed):
    P, K = f.config["P"], f.config["K"]
    w = E.shape[1] // P
    drawn = np.asarray(rng.sample_without_replacement(rng.Stream(rng.sketch_key(seed, 0), rng.TAG_SAMPLE), E.shape[0],
                                                      min(E.shape[0], codebook.TRAIN_PER_CENTROID * K)), dtype=np.int64)
    train, start = E[np.sort(drawn)], E[np.sort(drawn[:K])]
    out = np.empty_like(E)
    for part in range(P):
        cols = slice(part * w, (part + 1) * w)
        book, _ = vq.kmeans2(train[:, cols], start[:, cols].copy(), iter=codebook.ITERATIONS, minit="matrix")
        codes, _ = vq.vq(E[:, cols], book)
        out[:, cols] = book[codes]
    return out


def tt_baseline(E, f):
    (n1, n2, n3), (d1, d2, d3), (r1, r2) = f.config["rows"], f.config["cols"], f.config["ranks"]
    full = np.zeros((n1 * n2 * n3, E.shape[1]))
    full[: E.shape[0]] = E
    T = full.reshape(n1, n2, n3, d1, d2, d3).transpose(0, 3, 1, 4, 2, 5).reshape(n1 * d1, -1)
    U1 = np.linalg.svd(T, full_matrices=False)[0][:, :r1]
    C = (U1.T @ T).reshape(r1 * n2 * d2, n3 * d3)
    U2 = np.linalg.svd(C, full_matrices=False)[0][:, :r2]
    approx = (U1 @ (U2 @ (U2.T @ C)).reshape(r1, -1)).reshape(n1, d1, n2, d2, n3, d3)
    return approx.transpose(0, 2, 4, 1, 3, 5).reshape(n1 * n2 * n3, -1)[: E.shape[0]]


BASELINES = {"hashing:signed:fit=lsq": ("numpy add.at + bincount", hashing_baseline),
             "svd": ("numpy.linalg.svd", svd_baseline),
             "pq": ("scipy kmeans2 + vq", None),
             "tt": ("numpy svd of the unfoldings", tt_baseline)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--compression", type=float, default=10.0)
    args = ap.parse_args(argv)
    E = np.asarray(p.table("zipf", n=args.n, d=args.d, seed=0).block(0, args.n), dtype=np.float64)
    table = as_table(E)
    budget = methods.budget_bytes(args.n, args.d, args.compression)
    print(f"zipf {args.n:,} x {args.d} at {args.compression:g}x, held in memory as float64; tensor_train factors "
          f"{tensor_train.row_factors(args.n)} x {tensor_train.column_factors(args.d)}")
    print(f"{'method':<24} {'ours s':>8} {'baseline':<28} {'base s':>8} {'ours/base':>9} {'ours resid':>11} {'base resid':>11}")
    for spec, (label, baseline) in BASELINES.items():
        (s,) = methods.specs(spec)
        def fit_and_read(s=s):
            fitted = methods.get(s.family).fit(table, budget, 0, block_rows=1 << 14, **s.kwargs)
            return fitted, fitted.read(range(args.n))

        (f, ours_mhat), ours = timed(fit_and_read)
        mine = residual(ours_mhat, E)
        fn = (lambda f=f: pq_baseline(E, f, 0)) if spec == "pq" else (lambda f=f, baseline=baseline: baseline(E, f))
        mhat, base = timed(fn)
        print(f"{spec:<24} {ours:>8.2f} {label:<28} {base:>8.2f} {ours / base:>9.2f} {mine:>11.4g} {residual(mhat, E):>11.4g}")


if __name__ == "__main__":
    main()
