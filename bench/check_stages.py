"""Where a whole Theorem 7 run spends its time, stage by stage, beside what reading the table costs.

Run from the repository root:

    .venv/bin/python -m bench.check_stages                 # n = 1e6 x 128, k = 1024: about a minute
    .venv/bin/python -m bench.check_stages --n 200000

For each family: the run's stages as its progress reports them (pass 1, pass 2, coherence, ...), from the
first report of a stage to its last, plus the summarizing after them; beside it the floor a user would
compare with, one read of the same generated table (its blocks drawn and summed: what any tool pays to
see the rows once), and the ratio of the run to two such reads (Theorem 7 needs two).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pss_theory as p  # noqa: E402
from pss_theory import checks  # noqa: E402

FAMILIES = ("countsketch", "gaussian")
BLOCK_ROWS = 1 << 16


def read_once(table) -> float:
    """Seconds to draw every block of a generated table once and sum it (the read any tool pays)."""
    t0 = time.perf_counter()
    for start in range(0, table.n, BLOCK_ROWS):
        table.block(start, min(table.n, start + BLOCK_ROWS)).sum(axis=0)
    return time.perf_counter() - t0


def stages_of(family: str, n: int, d: int, k: int) -> tuple[dict, float]:
    """(stage -> seconds, whole run seconds) of one Theorem 7 run."""
    check = checks.get("theorem7")
    first, last = {}, {}

    def progress(stage, done, total, unit):
        now = time.perf_counter()
        first.setdefault(stage, now)
        last[stage] = now

    t0 = time.perf_counter()
    plan = check.plan(check.options(n=n, d=d, k=k, family=family))
    planned = time.perf_counter()
    checks.run(check, plan, progress=progress)
    end = time.perf_counter()
    spans = {"plan": planned - t0, **{s: last[s] - first[s] for s in first}}
    spans["between and after the stages"] = (end - planned) - sum(last[s] - first[s] for s in first)
    return spans, end - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10**6)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--k", type=int, default=1024)
    a = ap.parse_args(argv)
    table = p.table("zipf", n=a.n, d=a.d, seed=0)
    read_once(table)  # warm-up: the generator's first call
    floor = read_once(table)
    print(f"theorem7 on zipf {a.n:,} x {a.d}, k = {a.k}; one read of the table (drawn and summed): {floor:.2f} s")
    print("| family | stage | seconds | share |\n|---|---|---|---|")
    totals = {}
    for family in FAMILIES:
        spans, total = stages_of(family, a.n, a.d, a.k)
        totals[family] = total
        for stage, seconds in spans.items():
            print(f"| {family} | {stage} | {seconds:.2f} | {seconds / total:.0%} |")
        print(f"| {family} | **whole run** | **{total:.2f}** | run / two reads = {total / (2 * floor):.2f}x |")


if __name__ == "__main__":
    main()
