"""python -m verify.theorem4: pair inner products (Theorem 4) and norms (Eq. 25) of read-back rows."""
from __future__ import annotations

import os
import sys
import time

from pss_theory import bounds, theorem4, theorem7
from pss_theory.errors import InputError
from pss_theory.experiment import trial_seed
from pss_theory.records import environment, write_json

from . import cli
from .theorem7 import setup


def parser():
    p = cli.common_parser("python -m verify.theorem4", "Theorem 4: pair inner products of read-back rows.",
                          default_n=10**6, default_d=128, default_table="zipf", default_family="gaussian", per_row=True)
    p.add_argument("--rho", type=cli.unit_closed_right, default=0.01,
                   help="pairs are drawn among rows with rho_i > rho, in (0, 1] (default 0.01)")
    p.add_argument("--pairs", type=cli.count, default=1_000_000, help="sampled pairs (default 1e6)")
    p.add_argument("--top", type=cli.count, default=None, help="also every pair among the R rows of largest rho_i")
    p.add_argument("--figures", default=None, help="also draw the Theorem 4 figure into this folder")
    return p


def measure(args, pss, table, cell, backend) -> dict:
    """Both passes (eps_i and Eq. 25 on every row), then the sampled and top-R pairs."""
    t0 = time.perf_counter()
    kk = cell["k"]
    th = theorem7.theory(args.family, kk or 0, table.n, table.d, args.eps, args.delta, args.rho, pss.params())
    k_ok = th["theorem7_k"] is not None and kk >= th["theorem7_k"]
    progress = cli.Progress(2 * table.n, "theorem4", not args.quiet)
    comp, spec, mi, _ = theorem7.measure(pss, table, block_rows=args.block_rows, progress=progress, coherence_pairs=0)
    eligible = theorem4.eligible_rows(mi.rho, args.rho)
    if eligible.size < 2:
        raise InputError(f"only {eligible.size} row(s) have rho_i > {args.rho:g}; lower --rho")
    if args.top is not None and args.top > eligible.size:
        raise InputError(f"--top {args.top} is more than the {eligible.size:,} rows with rho_i > {args.rho:g}")
    rows = theorem4.sample_rows(eligible, theorem4.rows_for_pairs(args.pairs), args.seed)
    mhat, e = theorem4.read_rows(pss, comp.M, table, rows)
    a, b = theorem4.sample_pairs(rows.size, args.pairs, args.seed)
    s = theorem4.pair_stats(theorem4.pair_errors(mhat, e, a, b), mi.eps[rows][a], mi.eps[rows][b], args.eps)
    ratio = s.pop("_ratio")
    s |= {"rows_read": int(rows.size), "eligible_rows": int(eligible.size)}
    c25, st25 = theorem4.eq25_claim(mi)
    claims = theorem4.claims(s, args.eps, k_ok, "sampled pairs") + [c25]
    top = None
    if args.top is not None:
        top = theorem4.top_pairs(pss, comp.M, table, mi.rho, mi.eps, args.top, args.eps)
        top.pop("_ratio")
        claims += theorem4.claims(top, args.eps, k_ok, f"all pairs of the top {args.top} rows by rho")
    verdict = (f"{args.family}, k = {kk}: {s['pairs']:,} pairs among {s['rows_read']:,} of the {s['eligible_rows']:,} "
               f"rows with rho_i > {args.rho:g}: max pi_ij {s['pi']['max']:.3g}, median pi_ij / per-row bound "
               f"{s['ratio']['p50']:.3g}; per-row bound violations: {s['per_row_violations']}; Eq. 25 violations: "
               f"{st25['eq25_violations']}; the theorem's eps^2 + 2 eps = {s['theorem_bound']:.3g} is "
               + ("promised" if k_ok else "not promised at this k") + f" and exceeded by {s['theorem_violations']:,} pairs.")
    return {
        "theorem": "4", "n": table.n, "d": table.d, "k": kk, "family": args.family, "params": cell["params"],
        "table": table.describe(), "seed": args.seed, "backend": backend.name,
        "seconds": round(time.perf_counter() - t0, 3), "eps": args.eps, "delta": args.delta, "rho": args.rho,
        "claims": [c.as_dict() for c in claims],
        "stats": {"pairs": s["pairs"], "pair_ratio": s["ratio"], "pi": s["pi"], "rows_read": s["rows_read"],
                  "eligible_rows": s["eligible_rows"], "per_row_violations": s["per_row_violations"],
                  "theorem_violations": s["theorem_violations"], "exact_pairs": s["exact_pairs"], **st25, "top": top},
        "theory": th, "histograms": theorem4.histograms(ratio, mi), "verdict": verdict,
        "sources": {"desai2022": bounds.SOURCES["desai2022"]}, "environment": environment(backend), "pss": repr(pss),
        "cell": cell,
    }


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.top is not None and args.top < 2:
        raise InputError("--top needs at least 2 rows")
    backend, table, params, pss = setup(args)
    out = cli.check_out(args.out or os.path.join("results", "theorem4"))
    kk = getattr(pss, "k", None)
    cell = {"theorem": "4", "family": args.family, "params": params, "k": kk, "n": table.n, "d": table.d,
            "seed": args.seed, "table": table.describe(), "sketch_seed": trial_seed(args.seed, 0), "eps": args.eps,
            "delta": args.delta, "rho": args.rho, "pairs": args.pairs, "top": args.top}
    summary = cli.reuse_summary(out, cell)
    if summary is None:
        summary = measure(args, pss, table, cell, backend)
        cli.write_single(out, {**cell, "stats": summary["stats"], "seconds": summary["seconds"]}, summary)
    if args.figures:
        from pss_theory import plots

        cli.make_out(args.figures)
        summary["figures"] = plots.theorem4_pairs(summary, os.path.join(args.figures, "theorem4_pairs"))
        write_json(os.path.join(out, "summary.json"), summary)
    cli.emit(args, summary, out, f"Theorem 4 with {summary['pss']} on table {table.describe()}, backend {backend.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
