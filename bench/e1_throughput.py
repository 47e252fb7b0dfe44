"""E.1's forward pass as FBGEMM's embedding benchmarks report it: GB/s at millions of lookups per timed call.

Run from the repository root:

    .venv/bin/python -m bench.e1_throughput                       # CPU: 2^22 rows x 128, 4,194,304 lookups
    .venv/bin/python -m bench.e1_throughput --device gpu --n 67108864

At the paper's batch of 10,240 lookups a GPU timer measures kernel launches, not memory: the forward
pass moves 5 MiB.  Here each timed call looks up ``--lookups`` ids (default 2^22) in a plain table and
in ROBE-Z (the models ``verify.robez_timing`` times, ``pss_theory.e1.models``), and the rate is
``lookups x d x 4`` bytes of embedding rows gathered per second of the forward pass (the ids and the
scalar loss are not counted).  The same process times both, so they share the machine's load.
"""
from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from pss_theory.backend import get_backend  # noqa: E402
from pss_theory.e1.models import PlainModel, RobeZModel  # noqa: E402

WARMUP = 2


def forward_ms(backend, model, n: int, lookups: int, repeats: int, seed: int) -> list[float]:
    """Milliseconds of each timed forward call, each on fresh ids."""
    draw = backend.int_sampler([seed, n])
    mark, laps_ms = backend.stopwatch(2)
    times = []
    for it in range(WARMUP + repeats):
        ids = draw(n, lookups)
        mark(0)
        loss, _ = model.forward(ids)
        mark(1)
        (ms,) = laps_ms()
        del loss, ids
        if it >= WARMUP:
            times.append(ms)
    return times


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu", help="cpu or gpu (default cpu)")
    ap.add_argument("--n", type=int, default=1 << 22, help="rows of the plain table (default 2^22)")
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--lookups", type=int, default=1 << 22, help="ids per timed call (default 2^22)")
    ap.add_argument("--compression", type=float, default=1000.0, help="ROBE-Z's n d / m (default 1000)")
    ap.add_argument("--Z", default="1,32", help="ROBE-Z chunk sizes, comma-separated (default 1,32)")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args(argv)
    backend = get_backend(a.device)
    gathered = a.lookups * a.d * 4
    print(f"E.1 forward pass on {backend.device}: n = {a.n:,} x d = {a.d}, {a.lookups:,} lookups per call "
          f"({gathered / 2**20:,.0f} MiB of rows gathered); load1 {os.getloadavg()[0]:.1f}")
    print("| model | forward ms (median, min..max) | GB/s of rows gathered | vs plain |\n|---|---:|---:|---:|")
    models = [("plain", lambda: PlainModel(backend, a.n, a.d, 0))]
    models += [(f"robez 1/{a.compression:g}, Z = {z}", lambda z=int(z): RobeZModel(backend, a.n, a.d, a.compression, z, 0))
               for z in a.Z.split(",")]
    plain = None
    for name, build in models:
        model = build()
        t = np.array(forward_ms(backend, model, a.n, a.lookups, a.repeats, seed=1))
        del model
        backend.free_pool()
        med = float(np.median(t))
        plain = med if plain is None else plain
        print(f"| {name} | {med:.2f} ({t.min():.2f}..{t.max():.2f}) | {gathered / (med / 1e3) / 1e9:.2f} | "
              f"{med / plain:.2f}x |")


if __name__ == "__main__":
    main()
