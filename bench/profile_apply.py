"""Where pss_theory's CPU apply spends its time: cProfile + hand-timed breakdowns.

    .venv/bin/python -m bench.profile_apply            # n = 1e6 (about 1-2 minutes)
    .venv/bin/python -m bench.profile_apply --quick    # n = 1e5

cProfile only sees the main thread: the Gaussian family generates U on a thread pool
(``rng.fill_rows``), so its generation shows up as the main thread waiting on a lock.  The
hand-timed breakdowns below split that part into Philox words vs. the Box-Muller transform.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import pss_theory  # noqa: E402
from pss_theory import rng  # noqa: E402


def top(prof: cProfile.Profile, lines: int = 12) -> str:
    s = io.StringIO()
    st = pstats.Stats(prof, stream=s).strip_dirs().sort_stats("tottime")
    st.print_stats(lines)
    text = s.getvalue()
    # keep the table only
    i = text.find("   ncalls")
    return text[i:].rstrip() if i >= 0 else text


def profile(label: str, fn) -> float:
    fn()  # warm-up (imports, thread pool)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    fn()
    prof.disable()
    dt = time.perf_counter() - t
    print(f"\n### {label}: {dt:.3f} s under cProfile (top by own time)\n")
    print("```")
    print(top(prof))
    print("```")
    return dt


def gaussian_breakdown(E, k: int) -> None:
    n = E.shape[0]
    # the same work as Gaussian.apply, by public pieces: column j of U is row j of stream (key, TAG_SKETCH)
    sk = pss_theory.sketch("gaussian", k=k, n=n, seed=0)
    b = sk.default_block_rows()
    stream = rng.Stream(sk.key, rng.TAG_SKETCH)
    gen = gemm = acc = 0.0
    M = np.zeros((k, E.shape[1]))
    for s in range(0, n, b):
        blk = E[s : s + b]
        t = time.perf_counter()
        ut = np.empty((blk.shape[0], k), np.float32)
        rng.fill_rows(stream, s, s + blk.shape[0], (k + 1) // 2, rng.normals, ut)
        t1 = time.perf_counter()
        P = ut.T @ blk
        t2 = time.perf_counter()
        M += P
        t3 = time.perf_counter()
        gen, gemm, acc = gen + t1 - t, gemm + t2 - t1, acc + t3 - t2
    tot = gen + gemm + acc
    print(f"\n### gaussian k={k}, n={n:,}: hand-timed per block (block = {b} rows, U^T block = {b * k * 4 / 2**20:.0f} MiB)\n")
    print(f"- generate U (rng.fill_rows on {min(4, os.cpu_count() or 1)} threads): {gen:.2f} s ({100 * gen / tot:.0f}%), "
          f"{n * k / gen / 1e6:.0f} M normals/s")
    print(f"- GEMM U^T.T @ E_block (float32, BLAS): {gemm:.2f} s ({100 * gemm / tot:.0f}%), "
          f"{2 * n * k * E.shape[1] / gemm / 1e9:.0f} GFLOP/s")
    print(f"- float64 accumulate: {acc:.3f} s")

    # one thread, one fill_rows piece, split into its steps
    width = (k + 1) // 2
    rows = max(1, getattr(rng, "_CPU_CHUNK_WORDS", 1 << 15) // width)
    st = rng.Stream(0, rng.TAG_SKETCH)
    out = np.empty((rows, k), np.float32)
    reps = max(1, 2_000_000 // (rows * k)) * 20
    steps = {}

    def clock(key, f):
        t = time.perf_counter()
        for _ in range(reps):
            r = f()
        steps[key] = (time.perf_counter() - t) / reps
        return r

    words = clock("Philox words (np.random.Philox.random_raw)", lambda: st.rows(0, rows, width))
    clock("whole rng.normals on those words", lambda: rng.normals(np, words, k, out=out))
    # reference costs of the elementwise steps any Box-Muller needs, on arrays of the same size
    u32 = np.ascontiguousarray(words).view(np.uint32)
    unit = u32[::2].astype(np.float32) * np.float32(2.0**-32) + np.float32(2.0**-33)  # k/2 values in (0, 1)
    angle = unit * np.float32(2 * np.pi)  # in [0, 2 pi), as Box-Muller's angles
    tmp = np.empty_like(unit)
    clock("  ref: uint32 -> float32 conversion of all halves", lambda: u32.astype(np.float32))
    def log_sqrt():
        t = np.log(unit, out=tmp)
        np.multiply(t, np.float32(-2.0), out=t)
        return np.sqrt(t, out=t)

    clock("  ref: log + sqrt of k/2 values", log_sqrt)
    clock("  ref: cos + sin of k/2 angles in [0, 2 pi)", lambda: (np.cos(angle, out=tmp), np.sin(angle, out=tmp)))
    clock("  ref: writing k floats (out[...] = 1)", lambda: out.fill(1.0))
    print(f"\nOne fill_rows piece on one thread ({rows} columns x k={k} = {rows * k:,} normals), per call:\n")
    tot = steps["Philox words (np.random.Philox.random_raw)"] + steps["whole rng.normals on those words"]
    for key, v in steps.items():
        print(f"- {key}: {v * 1e3:.3f} ms ({rows * k / v / 1e6:.0f} M normals/s if it were the only cost)")
    print(f"- single-thread total (words + normals): {rows * k / tot / 1e6:.0f} M normals/s")


def srht_breakdown(E, k: int) -> None:
    from pss_theory.families.srht import fwht, parity

    n = E.shape[0]
    sk = pss_theory.sketch("srht", k=k, n=n, seed=0)
    B = sk.B
    sel = np.asarray(sk.rows)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    settings = [None] + ([1] if threadpool_limits else [])
    for limit in settings:
        ctx = threadpool_limits(limits=limit, user_api="blas") if limit else _null()
        with ctx:
            acc = {"signs+pad": 0.0, "fwht (H_16 Kronecker matmuls)": 0.0, "parity+gather+accumulate": 0.0}
            M = np.zeros((k, E.shape[1]))
            t0 = time.perf_counter()
            for s in range(0, n, B):
                t = time.perf_counter()
                piece = E[s : s + B]
                X = np.zeros((B, E.shape[1]), np.float32)
                X[: piece.shape[0]] = piece * sk.signs(s, s + piece.shape[0])[:, None]
                t1 = time.perf_counter()
                Y = fwht(np, X)
                t2 = time.perf_counter()
                sign = 1 - 2 * parity(np, (sel // B) & (s // B))
                M += sign[:, None] * Y[sel % B]
                t3 = time.perf_counter()
                acc["signs+pad"] += t1 - t
                acc["fwht (H_16 Kronecker matmuls)"] += t2 - t1
                acc["parity+gather+accumulate"] += t3 - t2
            tot = time.perf_counter() - t0
        print(f"\n### srht k={k}, n={n:,}, B={B}, BLAS threads = {limit or 'default'}: {tot:.2f} s\n")
        for key, v in acc.items():
            print(f"- {key}: {v:.2f} s ({100 * v / tot:.0f}%)")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    scale = 0.1 if args.quick else 1.0
    n = int(1_000_000 * scale)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    E = np.random.default_rng(12345).standard_normal((n, 128), dtype=np.float32)
    for K in (4096, 65536):
        profile(f"countsketch K={K}, n={n:,}, d=128",
                lambda K=K: pss_theory.sketch("countsketch", k=K, n=n, seed=0).apply(E))
    ng = n // 5
    profile(f"gaussian k=1024, n={ng:,}, d=128", lambda: pss_theory.sketch("gaussian", k=1024, n=ng, seed=0).apply(E[:ng]))
    gaussian_breakdown(E[:ng], 1024)
    ns = int((1 << 20) * scale)
    Es = np.random.default_rng(12345).standard_normal((ns, 128), dtype=np.float32)
    srht_breakdown(Es, 4096)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
