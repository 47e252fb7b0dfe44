"""Peak RSS and wall time of Theorem 7 at growing n: memory should stay flat, time grow linearly.

Run from the repository root:

    .venv/bin/python -m bench.rss                       # n = 1e6, 1e7, 1e8 (k = 1024, 8192, 65536)
    .venv/bin/python -m bench.rss --sizes 1e6:1024,1e7:8192 --json rss.json

Each size runs ``python -m verify.theorem7 --table zipf --n N --d 128 --family countsketch --k K --quiet
--no-figures --out DIR`` in a child process under ``/usr/bin/time -v`` (GNU time: "Maximum resident set
size" is the child's peak RSS, its own high-water mark, not the parent's); DIR is a temporary folder
(the run's row files, 56 bytes a row, go there) removed afterwards.  The 1e8 run writes about 5.6 GB
there and takes half an hour or more on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_SIZES = "1e6:1024,1e7:8192,1e8:65536"


def sizes(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        n, k = part.split(":")
        out.append((int(float(n)), int(k)))
    return out


def run_one(n: int, k: int, d: int, workdir: str | None) -> dict:
    out = tempfile.mkdtemp(prefix="rss-", dir=workdir)
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "verify.theorem7", "--table", "zipf", "--n", str(n),
           "--d", str(d), "--family", "countsketch", "--k", str(k), "--quiet", "--no-figures", "--out", out]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    try:
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
        with open(os.path.join(out, "summary.json")) as f:
            seconds = json.load(f)["seconds"]
        row_bytes = sum(os.path.getsize(os.path.join(folder, name))
                        for folder, _, names in os.walk(os.path.join(out, "rows")) for name in names)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if proc.returncode:
        raise SystemExit(f"n = {n}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return {"n": n, "k": k, "d": d, "peak_rss_mb": rss_kb / 1024, "wall_s": wall, "check_seconds": seconds,
            "row_files_mb": row_bytes / 2**20, "load1_before": load, "load1_after": os.getloadavg()[0]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help=f"n:k pairs (default {DEFAULT_SIZES})")
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--workdir", default=None, help="parent of the temporary --out folders (default: $TMPDIR)")
    ap.add_argument("--json", default=None, help="also write the results to this file")
    args = ap.parse_args(argv)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, python {platform.python_version()}")
    print("| n | k | peak RSS MB | wall s | check s | row files MB | load1 before -> after |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    results = []
    for n, k in sizes(args.sizes):
        r = run_one(n, k, args.d, args.workdir)
        results.append(r)
        print(f"| {n:,} | {k:,} | {r['peak_rss_mb']:,.0f} | {r['wall_s']:,.1f} | {r['check_seconds']:,.1f} | "
              f"{r['row_files_mb']:,.0f} | {r['load1_before']:.1f} -> {r['load1_after']:.1f} |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
