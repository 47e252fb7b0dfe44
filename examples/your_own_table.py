"""Your own table, end to end: load it, run Theorem 7 on every row, read the summary.

    python examples/your_own_table.py [PATH] [--key NAME] [--rho RHO] [--k K]

PATH is a .npy (memory-mapped), .npz or .safetensors table (``--key`` names the tensor of the last
two, e.g. ``embeddings.word_embeddings.weight``).  Without PATH the script saves a small table
(5,000 x 32, row norms following a Zipf law, as trained tables have) to a temporary .npy and uses
that, so it runs in seconds.  The same run on the command line is
``python -m verify.theorem7 --table PATH --rho RHO``.
"""
from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import pss_theory as pss


def small_table(folder: str) -> str:
    """A 5,000 x 32 table saved as .npy, standing for one of yours."""
    path = os.path.join(folder, "my_table.npy")
    np.save(path, pss.table("zipf", n=5000, d=32, seed=0).block(0, 5000))
    return path


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", nargs="?", help=".npy, .npz or .safetensors table (default: a small generated one)")
    p.add_argument("--key", help="tensor name inside a .npz or .safetensors file")
    p.add_argument("--rho", type=float, default=0.1, help="rho of Micro(eps, delta, rho) (default 0.1)")
    p.add_argument("--k", type=int, default=None, help="sketch size (default 8 d)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        E = pss.load_table(args.path or small_table(folder), key=args.key)  # validated: shape, dtype, NaN/Inf
        print(f"table {E.name}: n = {E.n:,} rows, d = {E.d}")
        s = pss.run_check("theorem7", table=E, family="gaussian", k=args.k, rho=args.rho, seed=0)
    st = s.stats["gaussian"]  # stats are keyed by family (--family may name several)
    print(f"sigma_max(E) = {st['sigma_max']:.4g}, stable rank = {st['stable_rank']:.3g}, "
          f"largest rho_i = {st['rho_i']['max']:.3g} (rows with rho_i >= rho are the ones the theorem speaks of)")
    print(f"eta_i RMS = {st['eta_rms']:.4g} against sqrt(stable rank / k) = {st['eta_pred']:.4g} at k = {s.k[0]}")
    q = st["eps_i"]
    print(f"eps_i = ||Mhat_i - E_i|| / ||E_i||: median {q['p50']:.3g}, p99 {q['p99']:.3g}, max {q['max']:.3g}")
    for c in s.claims:
        print(f"  {c['status']:<12} {c['name'][:90]}")


if __name__ == "__main__":
    main()
