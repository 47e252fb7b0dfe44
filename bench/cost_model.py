"""The time guard's estimate (pss_theory/measure/cost.py) beside the measured pass, family by family.

Run from the repository root:

    .venv/bin/python -m bench.cost_model            # n = 400,000 x 128, a few seconds a family
    .venv/bin/python -m bench.cost_model --n 100000

For each family: pass 1 (``metrics.compress``) and pass 2 (``metrics.read_back``) over a table held in
memory, and pass 1 over the generated zipf table of the same shape, each timed once after a warm-up,
printed beside the estimate and their ratio (estimate / measured: above 1, the guard refuses early).
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
from pss_theory.measure import cost, metrics  # noqa: E402

FAMILIES = (("countsketch", 1024), ("osnap", 1024), ("srht", 1024), ("rademacher", 1024), ("gaussian", 1024))


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def ignore(start, fields):
    """Pass 2's sink when only its time matters."""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400_000)
    ap.add_argument("--d", type=int, default=128)
    a = ap.parse_args(argv)
    generated = p.table("zipf", n=a.n, d=a.d, seed=0)
    held = p.tables.as_table(generated.block(0, a.n))
    print(f"n = {a.n:,}, d = {a.d}, load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    print(f"{'family':<12} {'pass':<16} {'measured s':>10} {'estimate s':>10} {'estimate / measured':>20}")
    for family, k in FAMILIES:
        S = p.sketch(family, k=k, n=a.n, seed=1)
        small = min(a.n, 4096)  # warm-up: imports, BLAS threads, first allocations
        metrics.compress(p.sketch(family, k=k, n=small, seed=1), p.tables.as_table(held.block(0, small)))
        t1, comp = timed(metrics.compress, S, held)
        t2, _ = timed(metrics.read_back, S, held, comp, metrics.spectrum(comp), ignore)
        t3, _ = timed(metrics.compress, S, generated)
        for what, measured, estimate in (
                ("pass 1, held", t1, cost.pass_seconds(held, S)),
                ("pass 2, held", t2, cost.pass_seconds(held, S, read_back=True)),
                ("pass 1, zipf", t3, cost.pass_seconds(generated, S))):
            print(f"{family:<12} {what:<16} {measured:>10.2f} {estimate:>10.2f} {estimate / measured:>20.2f}")


if __name__ == "__main__":
    main()
