"""python -m verify.theorem6: exact macro distortion (Theorem 6) per trial, or a sweep over k."""
from __future__ import annotations

import os
import sys
import time

from pss_theory import bounds, theorem6
from pss_theory.backend import get_backend
from pss_theory.errors import InputError
from pss_theory.experiment import log_k_grid, run_cells, trial_seed
from pss_theory.records import RecordLog, environment, write_json

from . import cli

KEY = ("family", "k", "trial", "n", "d", "seed", "table")


def parser():
    p = cli.common_parser("python -m verify.theorem6", "Theorem 6: worst-case distortion of ||S E x|| over all x.",
                          default_n=10**6, default_d=128, default_table="zipf", default_family="gaussian")
    p.add_argument("--trials", type=cli.count, default=3, help="independent sketches per cell (default 3)")
    p.add_argument("--sweep", action="store_true", help="sweep k log-spaced from 2d to n/4 and fit eps ~ C (d/k)^a")
    p.add_argument("--k-points", type=cli.count, default=6, help="k values in a sweep (default 6)")
    p.add_argument("--figures", default="figures", help="folder for the sweep figure (default figures)")
    return p


def plan(args, table) -> list[dict]:
    d, n = table.d, table.n
    if args.sweep:
        ks = log_k_grid(2 * d, max(2 * d, n / 4), args.k_points)
    else:
        ks = [args.k or 8 * d]
    for k in ks:
        if k < d:
            raise InputError(f"k = {k} < d = {d}: no k x n sketch can embed a {d}-dimensional column space "
                             "(eps_macro = 1); use k >= d")
        for fam in args.family:
            if fam == "srht" and k > 1 << max(0, (n - 1).bit_length()):
                raise InputError(f"srht needs k <= {1 << (n - 1).bit_length()} (next power of two >= n), got k = {k}")
    desc = table.describe()
    return [{"family": fam, "k": k, "trial": t, "n": n, "d": d, "seed": args.seed, "table": desc,
             "sketch_seed": trial_seed(args.seed, t)} for fam in args.family for k in ks for t in range(args.trials)]


def summarize(args, table, records, seconds, backend) -> dict:
    claims, verdicts, curves, fits, rates = [], [], {}, {}, {}
    ks = sorted({r["k"] for r in records})
    for fam in args.family:
        fam_records = [r for r in records if r["family"] == fam]
        k_main = ks[-1] if args.sweep else ks[0]
        at_k = [r for r in fam_records if r["k"] == k_main]
        th = theorem6.theory(fam, k_main, table.n, table.d, args.eps, args.delta)
        claims += [c.as_dict() for c in theorem6.claims(fam, at_k, th, k_main, args.eps, args.delta)]
        verdicts.append(theorem6.verdict(fam, at_k, th, k_main, args.eps, args.delta))
        if args.sweep:
            curves[fam] = {"k": ks, **{name: [theorem6.theory(fam, k, table.n, table.d, args.eps, args.delta)[name]
                                               for k in ks] for name in ("theorem6_eps", "prediction")}}
            fits[fam] = theorem6.fit_power_law(fam_records, table.d)
            rates[fam] = theorem6.failure_rates(records, fam, args.eps, args.delta, table.n, table.d)
    stats = {name: [r[name] for r in records] for name in theorem6.MEASURED + ("family", "k", "trial")}
    out = {
        "theorem": "6", "n": table.n, "d": table.d, "k": ks if args.sweep else ks[0],
        "family": args.family[0] if len(args.family) == 1 else args.family, "table": table.describe(),
        "seed": args.seed, "backend": backend.name, "seconds": round(seconds, 3), "eps": args.eps, "delta": args.delta,
        "trials": args.trials, "claims": claims, "stats": stats, "verdict": verdicts,
        "sources": {k: bounds.SOURCES[k] for k in ("desai2022", "woodruff2014", "davidson_szarek2001")},
        "environment": environment(backend),
    }
    if args.sweep:
        out["curves"], out["fit"], out["failure_rate"] = curves, fits, rates
    return out


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    backend = get_backend(args.device)
    table = cli.resolve_table(args)
    out = cli.check_out(args.out or os.path.join("results", "theorem6"))
    cells = plan(args, table)
    t0 = time.perf_counter()
    log = RecordLog(os.path.join(out, "records.jsonl"), KEY)
    progress = cli.Progress(table.n * len(cells), "theorem6", not args.quiet)
    done = [0]

    def compute(cell):
        def tick(rows):
            progress(done[0] + rows)
        result = theorem6.measure(cell, table, device=backend, block_rows=args.block_rows, progress=tick)
        done[0] += table.n
        return result

    records = run_cells(cells, compute, log, KEY)
    summary = summarize(args, table, records, time.perf_counter() - t0, backend)
    write_json(os.path.join(out, "summary.json"), summary)
    if args.sweep:
        from pss_theory import plots

        cli.make_out(args.figures)
        summary["figures"] = (plots.theorem6_eps_vs_k(summary, records, os.path.join(args.figures, "theorem6_eps_vs_k"))
                              + plots.failure_rate_vs_k(summary, os.path.join(args.figures, "theorem6_failure_rate")))
        write_json(os.path.join(out, "summary.json"), summary)
    fits = [f"fit {fam}: eps_macro ~ C (d/k)^a with a = {fit['a']:.3f} [{fit['a_lo']:.3f}, {fit['a_hi']:.3f}], "
            f"C = {fit['C']:.3f} [{fit['C_lo']:.3f}, {fit['C_hi']:.3f}] (theory: a = 1/2)"
            for fam, fit in summary.get("fit", {}).items() if fit["a"] is not None]
    cli.emit(args, summary, out, f"Theorem 6 (Macro PSS) on table {table.describe()}, n = {table.n:,}, d = {table.d}, "
             f"{args.trials} trial(s) per cell, backend {backend.describe()}", fits)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
