"""Where a whole Theorem 7 run spends its time, stage by stage, beside what reading the table costs.

Run from the repository root:

    .venv/bin/python -m bench.check_stages                 # n = 1e6 x 128, k = 1024: about two minutes
    .venv/bin/python -m bench.check_stages --n 10000000 --k 65536 --families countsketch

For each family: the run's stages as its progress reports them (pass 1, pass 2, coherence, ...), from the
first report of a stage to its last, plus the summarizing after them.  Beside it, in the same process,
the baselines issue 21 sets its targets against:

- one read of the same generated table (its blocks drawn and summed: what any tool pays to see the rows
  once); Theorem 7 needs two;
- a hashing family: its ``apply`` alone on the same table, twice (the sketch's own pass 1 and pass 2);
  target: the run within 1.5x;
- a dense family: generating every column of S twice with the toolkit's generator (``rng.fill_rows``
  into one reused tile, as the passes do); target: the run within 1.3x.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import pss_theory as p  # noqa: E402
from pss_theory import checks, rng  # noqa: E402
from pss_theory.backend import get_backend  # noqa: E402

FAMILIES = ("countsketch", "gaussian")
BLOCK_ROWS = 1 << 16
TARGETS = {"countsketch": 1.5, "osnap": 1.5, "gaussian": 1.3, "rademacher": 1.3, "achlioptas": 1.3}


def read_once(table, backend) -> float:
    """Seconds to draw every block of a generated table once and sum it (the read any tool pays)."""
    t0 = time.perf_counter()
    for start in range(0, table.n, BLOCK_ROWS):
        backend.to_host(table.block(start, min(table.n, start + BLOCK_ROWS), backend.xp).sum(axis=0))
    return time.perf_counter() - t0


def apply_once(family: str, table, k: int, backend) -> float:
    """Seconds for the sketch's own ``apply`` over the table (drawing it included), M back on the host."""
    S = p.sketch(family, k=k, n=table.n, seed=0, device=backend)
    t0 = time.perf_counter()
    backend.to_host(S.apply(table))
    return time.perf_counter() - t0


def generate_s_once(family: str, n: int, k: int, backend) -> float:
    """Seconds to generate every column of a dense S once: ``rng.fill_rows`` of its stream, one tile of
    columns at a time into one reused buffer (what the passes do, without the products)."""
    S = p.sketch(family, k=k, n=n, seed=0, device=backend)
    tile = 1 << 14
    buf = backend.xp.empty((tile, k), dtype=np.float32)
    t0 = time.perf_counter()
    for start in range(0, n, tile):
        stop = min(n, start + tile)
        rng.fill_rows(S.stream, start, stop, S.words_per_column, S._transform, buf[: stop - start], backend.xp)
    backend.to_host(buf[:1, :1])  # a GPU's queue drained
    return time.perf_counter() - t0


def baseline_of(family: str, table, k: int, backend) -> tuple[str, float]:
    """(what, seconds) of issue 21's baseline for ``family``: two applies, or S generated twice."""
    if family in ("gaussian", "rademacher", "achlioptas"):
        return "S generated twice", 2 * generate_s_once(family, table.n, k, backend)
    return "apply twice", 2 * apply_once(family, table, k, backend)


def stages_of(family: str, n: int, d: int, k: int, device: str) -> tuple[dict, float]:
    """(stage -> seconds, whole run seconds) of one Theorem 7 run."""
    check = checks.get("theorem7")
    first, last = {}, {}

    def progress(stage, done, total, unit):
        now = time.perf_counter()
        first.setdefault(stage, now)
        last[stage] = now

    t0 = time.perf_counter()
    plan = check.plan(check.options(n=n, d=d, k=k, family=family, device=device))
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
    ap.add_argument("--families", default=",".join(FAMILIES), help="comma list (default: %(default)s)")
    ap.add_argument("--device", default="cpu", help="cpu or gpu (default cpu)")
    a = ap.parse_args(argv)
    backend = get_backend(a.device)
    table = p.table("zipf", n=a.n, d=a.d, seed=0)
    read_once(table, backend)  # warm-up: the generator's first call
    floor = read_once(table, backend)
    print(f"theorem7 on zipf {a.n:,} x {a.d}, k = {a.k}, on the {backend.device}; "
          f"one read of the table (drawn and summed): {floor:.2f} s; "
          f"load1 {os.getloadavg()[0]:.1f}")
    print("| family | stage | seconds | share |\n|---|---|---|---|")
    verdicts = []
    for family in a.families.split(","):
        spans, total = stages_of(family, a.n, a.d, a.k, a.device)
        what, base = baseline_of(family, table, a.k, backend)
        for stage, seconds in spans.items():
            print(f"| {family} | {stage} | {seconds:.2f} | {seconds / total:.0%} |")
        print(f"| {family} | **whole run** | **{total:.2f}** | run / two reads = {total / (2 * floor):.2f}x |")
        print(f"| {family} | baseline: {what} | {base:.2f} | run / baseline = {total / base:.2f}x |")
        target = TARGETS.get(family)
        if target:
            verdicts.append(f"- {family}: run / {what} = {total / base:.2f}x against issue 21's {target}x: "
                            f"{'met' if total / base <= target else 'missed'}")
    print(f"load1 at the end {os.getloadavg()[0]:.1f}")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
