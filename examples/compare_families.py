"""Several sketch families on one table, side by side: exact eps_macro (Theorem 6) and the per-row
error eta_i (Theorem 7) per family at one k.

    python examples/compare_families.py [--n N] [--d D] [--k K] [--families a,b,c]

The defaults (a 10,000 x 32 Zipf table, k = 256, six families) run in seconds.  On the command line:
``python -m verify.theorem6 --family gaussian,countsketch,srht --k 256`` and
``python -m verify.theorem7 --family all --k 256`` (each prints one comparison table, a row per family,
before the claims).
"""
from __future__ import annotations

import argparse

import numpy as np

import pss_theory as pss


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--d", type=int, default=32)
    p.add_argument("--k", type=int, default=256)
    p.add_argument("--families", default="gaussian,rademacher,achlioptas,countsketch,osnap,srht")
    p.add_argument("--trials", type=int, default=2)
    args = p.parse_args(argv)
    names = args.families.split(",")
    E = pss.table("zipf", n=args.n, d=args.d, seed=0)
    # one run for all families: stats are columns, one entry per (family, trial), with a family column
    macro = pss.run_check("theorem6", table=E, family=names, k=args.k, trials=args.trials, seed=0)
    eps = np.asarray(macro.stats["eps_macro_norm"])
    family = np.asarray(macro.stats["family"])
    print(f"table zipf {args.n:,} x {args.d}, k = {args.k} (compression n/k = {args.n / args.k:.0f}), "
          f"{args.trials} draws of S per family")
    print(f"{'family':<12} {'eps_macro median':>17} {'max':>7} {'eta_i RMS':>10} {'sqrt(srank/k)':>14} "
          f"{'eps_i p50':>10}")
    # one run for all families too: one cell per family, stats keyed by family
    micro = pss.run_check("theorem7", table=E, family=names, k=args.k, seed=0, coherence_pairs=10_000).stats
    for name in names:
        mine = eps[family == name]
        print(f"{name:<12} {np.median(mine):>17.4f} {mine.max():>7.4f} {micro[name]['eta_rms']:>10.4g} "
              f"{micro[name]['eta_pred']:>14.4g} {micro[name]['eps_i']['p50']:>10.3g}")


if __name__ == "__main__":
    main()
