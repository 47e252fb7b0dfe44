"""python -m verify.theorem7: every row of a table read back, each step of Theorem 7's proof measured."""
from __future__ import annotations

import os
import sys
import time

from pss_theory import bounds, theorem7
from pss_theory.backend import get_backend
from pss_theory.errors import InputError
from pss_theory.experiment import trial_seed
from pss_theory.records import environment, write_json

from . import cli
from .report import decile_table


def parser():
    p = cli.common_parser("python -m verify.theorem7", "Theorem 7 (Micro PSS), row by row over all n rows.",
                          default_n=10**6, default_d=128, default_table="zipf", default_family="gaussian", per_row=True)
    p.add_argument("--rho", type=cli.unit_closed_right, default=0.1, help="rho of Micro(eps, delta, rho), in (0, 1] (default 0.1)")
    p.add_argument("--coherence-pairs", type=cli.count, default=1_000_000,
                   help="pairs of columns of S sampled for max |<S e_i, S e_j>| (default 1e6)")
    p.add_argument("--figures", default=None, help="also draw the Theorem 7 figures into this folder")
    return p


def check_k(family: str, k: int, n: int, d: int) -> None:
    if family == "robez":
        return
    if k < d:
        raise InputError(f"k = {k} < d = {d}: S E cannot keep a {d}-dimensional column space; use k >= d")
    if family == "srht" and k > 1 << max(0, (n - 1).bit_length()):
        raise InputError(f"srht needs k <= {1 << max(0, (n - 1).bit_length())} (next power of two >= n), got k = {k}")


def setup(args):
    """(backend, table, family params, the PSS under test) for the Theorem 7 and Theorem 4 commands."""
    backend = get_backend(args.device)
    table = cli.resolve_table(args)
    params = cli.family_params(args)
    k = args.k or 8 * table.d
    check_k(args.family, k, table.n, table.d)
    if args.family == "robez":
        params.setdefault("Z", min(32, table.d))  # the paper's chunk size, or the whole row when d < 32
    pss = theorem7.make_pss(args.family, k, table.n, trial_seed(args.seed, 0), backend,
                            {**params, "d": table.d} if args.family == "robez" else params)
    return backend, table, params, pss


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    backend, table, params, pss = setup(args)
    out = cli.check_out(args.out or os.path.join("results", "theorem7"))
    cell = {"theorem": "7", "family": args.family, "params": params, "k": getattr(pss, "k", None), "n": table.n,
            "d": table.d, "seed": args.seed, "table": table.describe(), "sketch_seed": trial_seed(args.seed, 0),
            "eps": args.eps, "delta": args.delta, "rho": args.rho, "coherence_pairs": args.coherence_pairs}
    summary = cli.reuse_summary(out, cell)
    if summary is None:
        t0 = time.perf_counter()
        progress = cli.Progress(2 * table.n, "theorem7", not args.quiet)
        comp, spec, mi, coh = theorem7.measure(pss, table, block_rows=args.block_rows, progress=progress,
                                               coherence_pairs=args.coherence_pairs, seed=args.seed)
        kk = cell["k"] or 0
        st = theorem7.statistics(comp, spec, mi, coh, kk)
        th = theorem7.theory(args.family, kk, table.n, table.d, args.eps, args.delta, args.rho, pss.params())
        claims = theorem7.claims(args.family, mi, st, th, kk, args.eps, args.delta, args.rho)
        summary = {
            "theorem": "7", "n": table.n, "d": table.d, "k": cell["k"], "family": args.family, "params": params,
            "table": table.describe(), "seed": args.seed, "backend": backend.name,
            "seconds": round(time.perf_counter() - t0, 3), "eps": args.eps, "delta": args.delta, "rho": args.rho,
            "claims": [c.as_dict() for c in claims], "stats": st, "theory": th,
            "histograms": theorem7.histograms(mi), "verdict": theorem7.verdict(args.family, mi, st, th, kk, args.eps, args.rho),
            "sources": {key: bounds.SOURCES[key] for key in ("desai2022", "woodruff2014")},
            "environment": environment(backend), "pss": repr(pss), "cell": cell,
        }
        cli.write_single(out, {**cell, "stats": st, "seconds": summary["seconds"]}, summary)
    if args.figures:
        from pss_theory import plots

        cli.make_out(args.figures)
        summary["figures"] = (plots.theorem7_eps_vs_rho(summary, os.path.join(args.figures, "theorem7_eps_vs_rho"))
                              + plots.theorem7_proof_steps(summary, os.path.join(args.figures, "theorem7_proof_steps")))
        write_json(os.path.join(out, "summary.json"), summary)
    worst = ", ".join(f"row {w['row']} (eps_i {w['eps_i']:.3g}, rho_i {w['rho_i']:.2e})"
                      for w in summary["stats"]["worst_rows"][:3])
    cli.emit(args, summary, out, f"Theorem 7 (Micro PSS) with {pss!r} on table {table.describe()}, "
             f"all {table.n:,} rows, backend {backend.describe()}",
             [decile_table(summary["stats"]["by_rho_decile"]), f"worst rows: {worst}",
              f"bias, the mean over rows of Mhat_i - E_i: norm {summary['stats']['bias_norm']:.3g}, "
              f"largest entry {summary['stats']['bias_max_abs']:.3g}"])
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
