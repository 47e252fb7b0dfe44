"""Dask benchmarks: a Theorem 6 sweep on a LocalCluster of 1 worker process against 2 (the same cores), and
Theorem 7 on a 1e7-row table in one process against a LocalCluster of 2 worker processes.

Run from the repository root (needs the [dask] extra):

    .venv/bin/python -m bench.dask_scaling           # full run: about 10 minutes on 2 cores
    .venv/bin/python -m bench.dask_scaling --quick   # sizes / 10, a smoke test of the script
    .venv/bin/python -m bench.dask_scaling --sweep-only  # the Theorem 6 sweep alone: about 2 minutes

Each cluster is started before its clock starts (start-up is reported apart) and warmed with one task that
imports pss_theory on every worker.  Workers are single-threaded (BLAS and the generation threads too:
Dask starts them with OMP_NUM_THREADS=1); the single-process run uses the machine as a user would (its
BLAS and generation threads on every core).  The load average before and after each run is printed: the
machine is shared.  Results go to stdout (markdown) and bench/results_dask.json.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

TARGET_SPEEDUP = 1.8  # issue 21


def sweep_options(quick: bool) -> dict:
    return dict(n=5_000 if quick else 50_000, d=16, sweep=True, k_points=5, trials=4,
                family=["gaussian", "countsketch"], seed=1)


def theorem7_options(quick: bool) -> dict:
    return dict(table="zipf", n=10**6 if quick else 10**7, d=128, k=8192, family="countsketch",
                coherence_pairs=100_000, seed=1)


def _import_here() -> str:
    import pss_theory  # noqa: F401, PLC0415

    return "ok"


def cluster(workers: int):
    from distributed import Client, LocalCluster  # noqa: PLC0415

    t0 = time.perf_counter()
    c = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                     silence_logs=logging.CRITICAL)
    client = Client(c)
    client.run(_import_here)
    return c, client, time.perf_counter() - t0


def load() -> float:
    return os.getloadavg()[0]


def timed_check(name: str, options: dict, client=None) -> dict:
    from pss_theory import checks  # noqa: PLC0415

    before = load()
    t0 = time.perf_counter()
    summary = checks.run_check(name, **options, dask=client)
    return {"seconds": time.perf_counter() - t0, "load_before": before, "load_after": load(), "summary": summary}


def flat_stats(d: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out |= flat_stats(value, f"{prefix}{key}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix + key] = value
    return out


def largest_difference(a, b) -> tuple[float, str]:
    fa, fb = flat_stats(a.stats), flat_stats(b.stats)
    return max((abs(fa[k] - fb[k]) / max(abs(fa[k]), 1e-300), k) for k in fa if fa[k] is not None and k in fb)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="sizes / 10")
    p.add_argument("--sweep-only", action="store_true", help="the Theorem 6 sweep alone, not Theorem 7 at 1e7 rows (no --json written)")
    p.add_argument("--json", default=os.path.join(HERE, "results_dask.json"))
    args = p.parse_args(argv)
    from bench.core import machine  # noqa: PLC0415

    print("\n".join(machine()))
    results = {"quick": args.quick, "sweep": {}, "theorem7": {}}

    sweep = sweep_options(args.quick)
    cells = len(sweep["family"]) * sweep["k_points"] * sweep["trials"]
    for workers in (1, 2):
        c, client, start = cluster(workers)
        try:
            run = timed_check("theorem6", sweep, client)
        finally:
            client.close()
            c.close()
        results["sweep"][workers] = {"start_s": start, **{k: v for k, v in run.items() if k != "summary"}}
        results["sweep"][f"eps_{workers}"] = run["summary"].stats["eps_macro_norm"]
        print(f"theorem6 sweep ({cells} cells, n = {sweep['n']:,}, d = {sweep['d']}) on {workers} worker(s): "
              f"{run['seconds']:.1f} s (cluster start {start:.1f} s; load1 {run['load_before']:.1f} -> "
              f"{run['load_after']:.1f})", flush=True)
    speedup = results["sweep"][1]["seconds"] / results["sweep"][2]["seconds"]
    same = results["sweep"]["eps_1"] == results["sweep"]["eps_2"]
    results["sweep"]["speedup"] = speedup
    print(f"speedup 2 workers / 1 worker: {speedup:.2f}x (target >= {TARGET_SPEEDUP}: "
          f"{'met' if speedup >= TARGET_SPEEDUP else 'missed'}); eps_macro identical on 1 and 2 workers: {same}")
    if args.sweep_only:
        return 0

    t7 = theorem7_options(args.quick)
    here = timed_check("theorem7", t7)
    print(f"theorem7 (n = {t7['n']:,}, d = {t7['d']}, k = {t7['k']}, {t7['family']}) in one process: "
          f"{here['seconds']:.1f} s (load1 {here['load_before']:.1f} -> {here['load_after']:.1f})", flush=True)
    c, client, start = cluster(2)
    try:
        there = timed_check("theorem7", t7, client)
    finally:
        client.close()
        c.close()
    worst, where = largest_difference(here["summary"], there["summary"])
    print(f"theorem7 on a LocalCluster of 2 workers: {there['seconds']:.1f} s (cluster start {start:.1f} s; load1 "
          f"{there['load_before']:.1f} -> {there['load_after']:.1f}); speedup {here['seconds'] / there['seconds']:.2f}x; "
          f"largest relative difference in stats {worst:.2g} ({where})")
    results["theorem7"] = {"options": t7, "one_process": {k: v for k, v in here.items() if k != "summary"},
                           "two_workers": {"start_s": start, **{k: v for k, v in there.items() if k != "summary"}},
                           "largest_relative_difference": [worst, where]}
    with open(args.json, "w") as fh:
        json.dump(results, fh, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
