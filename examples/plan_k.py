"""Plan k before compressing: from one pass over your table, the k each guarantee needs for a target eps,
and the eps each certifies at the k you can afford.

    python examples/plan_k.py [PATH] [--key NAME] [--eps EPS] [--rho RHO] [--compression C]

PATH is a .npy, .npz or .safetensors table; without it the script uses a generated 100,000 x 32 Zipf
table, so it runs in seconds.  The same on the command line:
``python -m verify.plan --table PATH --eps EPS --rho RHO`` and ``... --compression C``.
"""
from __future__ import annotations

import argparse

import pss_theory as pss


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", nargs="?")
    p.add_argument("--key")
    p.add_argument("--eps", type=float, default=0.5)
    p.add_argument("--rho", type=float, default=0.25)
    p.add_argument("--compression", type=float, default=100.0)
    p.add_argument("--families", default="gaussian,rademacher,countsketch")
    args = p.parse_args(argv)
    table = args.path or pss.table("zipf", n=100_000, d=32, seed=0)
    names = args.families.split(",")
    need = pss.run_check("plan", table=table, key=args.key, eps=args.eps, rho=args.rho, family=names)
    print(f"{need.n:,} x {need.d} table: {need.stats['rows_in_scope']:,} rows with rho_i > {args.rho}; "
          f"no S E sketch compresses beyond n/d = {need['ceiling_compression']:.0f}x")
    print(f"k needed for eps_i <= {args.eps} on those rows (probability >= 0.9):")
    print(f"{'family':<12} {'certificate':>12} {'Theorem 6':>12} {'Theorem 7':>12}")
    for f in need["families"]:
        print(f"{f['family']:<12} {f['k_certificate']:>12.4g} {f['k_theorem6']:>12.4g} {f['k_theorem7']:>12.4g}")
    at = pss.run_check("plan", table=table, key=args.key, compression=args.compression, rho=args.rho, family=names)
    print(f"eps certified at compression {args.compression:g}x (k = {at.k[0]:,}): worst row in scope")
    for f in at["families"]:
        print(f"{f['family']:<12} {f['certificate_kind']:<12} {f['certificate_eps_max']:.3g}")


if __name__ == "__main__":
    main()
