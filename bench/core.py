"""Core CPU benchmarks of pss_theory against the obvious alternatives, side by side.

Run from the repository root:

    .venv/bin/python -m bench.core            # full run (n = 1e6, about 8-9 minutes on 2 cores)
    .venv/bin/python -m bench.core --quick    # every n divided by 10, for smoke testing
    python bench/core.py --only cs_ours_4096,cs_scipy_4096   # a subset (names: --list)

Every case runs in fresh subprocesses of its own, so its peak RSS (``resource.getrusage(RUSAGE_SELF)
.ru_maxrss``) is its own; the parent only orchestrates and prints (it never holds a large array,
so the children cannot inherit its high-water mark).  Each child builds its inputs (untimed; E is
read from one .npy that a helper process wrote to /dev/shm), records the peak RSS after that setup,
times the operation ``reps`` times and records the peak RSS at the end.  "extra RSS" = peak -
peak-after-setup: the memory the operation itself needed on top of its inputs.  Each case runs in
``--rounds`` processes (default 3), interleaved with the other cases of its group, because the
machine is shared: a case and its baseline then see the same background load.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

D = 128
K_GAUSS = 1024
K_SRHT = 4096
K_GEN = 4096
E_SEED = 12345
WARMUP_IF_UNDER_S = 3.0  # single-call cases: a first call faster than this is an untimed warm-up


# --------------------------------------------------------------------------------------------
# child side: one case per process
# --------------------------------------------------------------------------------------------

def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _vmhwm_mb() -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _generate_E(n: int, d: int = D):
    import numpy as np

    return np.random.default_rng(E_SEED).standard_normal((n, d), dtype=np.float32)


def _E_path(n: int, d: int = D) -> str | None:
    folder = os.environ.get("PSS_BENCH_EDIR")
    return os.path.join(folder, f"E_{n}x{d}.npy") if folder else None


def _make_E(n: int, d: int = D):
    """The benchmark's E (n x d float32, seed E_SEED): read from the parent's file, else generated."""
    import numpy as np

    path = _E_path(n, d)
    if path and os.path.exists(path):
        return np.load(path)  # a private in-memory copy, counted in this process's RSS
    return _generate_E(n, d)


def _fro(a) -> float:
    import numpy as np

    a = np.asarray(a)
    return float(np.sqrt(np.einsum("ij,ij->", a, a, dtype=np.float64)))


def _sizes(scale: float) -> dict:
    s = lambda x: max(1, int(round(x * scale)))  # noqa: E731
    return {
        "n": s(1_000_000),
        "n_small": s(100_000),
        "n_srht": s(1 << 20),
        "n_gen": s(10_000_000),
        "rng_rows": s(1 << 20),
    }


def _case_table():
    """name -> (group, description, size key, reps, builder).  builder(n) -> (fn, check, work)."""
    import numpy as np

    def floor_sum(n):
        E = _make_E(n)
        return (lambda: E.sum(0)), None, {"bytes": E.nbytes}

    def fro_case(E, fn, work, describe=lambda M: ""):
        """(fn, check, work) of a case whose check prints |SE|/|E| (a sketch keeps the norm on average)."""
        nE = _fro(E)
        return fn, (lambda M: f"|SE|/|E| = {_fro(M) / nE:.4f}{describe(M)}"), work

    def cs_ours(K, rows=None):
        def build(n):
            import pss_theory

            E = _make_E(n)
            return fro_case(E, lambda: pss_theory.sketch("countsketch", k=K, n=n, seed=0).apply(E, block_rows=rows),
                            {"bytes": E.nbytes})

        return build

    def cs_scipy(K):
        def build(n):
            import scipy.linalg

            E = _make_E(n)
            state = {"r": 0}

            def fn():
                state["r"] += 1
                return scipy.linalg.clarkson_woodruff_transform(E, K, rng=np.random.default_rng(state["r"]))

            return fro_case(E, fn, {"bytes": E.nbytes}, lambda M: f", out {M.dtype}")

        return build

    def gauss_ours(n):
        import pss_theory

        E = _make_E(n)
        return fro_case(E, lambda: pss_theory.sketch("gaussian", k=K_GAUSS, n=n, seed=0).apply(E), {"rows": n})

    def gauss_numpy(n):
        E = _make_E(n)
        state = {"r": 0}

        def fn():
            state["r"] += 1
            S = np.random.default_rng(state["r"]).standard_normal((K_GAUSS, n), dtype=np.float32)
            S *= np.float32(1.0 / math.sqrt(K_GAUSS))  # in place: no second k x n array
            M = S @ E
            del S
            return M

        return fro_case(E, fn, {"rows": n})

    def gauss_sklearn(n):
        from sklearn.random_projection import GaussianRandomProjection

        E = _make_E(n)
        state = {"r": 0}

        def fn():
            state["r"] += 1
            # sklearn projects the feature axis: E.T is d x n, the result d x k = (S E)^T
            return GaussianRandomProjection(n_components=K_GAUSS, random_state=state["r"]).fit_transform(E.T)

        return fro_case(E, fn, {"rows": n}, lambda M: f", out {M.shape[0]}x{M.shape[1]} = (SE)^T")

    def srht_ours(n):
        import pss_theory

        E = _make_E(n)

        def fn():
            return pss_theory.sketch("srht", k=K_SRHT, n=n, seed=0).apply(E)

        return fn, (lambda M: {"head": np.asarray(M[:8], dtype=np.float64).tolist(), "fro": _fro(M)}), {"rows": n}

    def srht_ours_blas1(n):
        from threadpoolctl import threadpool_limits

        fn0, check, work = srht_ours(n)

        def fn():
            with threadpool_limits(limits=1, user_api="blas"):
                return fn0()

        return fn, check, work

    def srht_naive(n):
        import pss_theory

        E = _make_E(n)
        sk = pss_theory.sketch("srht", k=K_SRHT, n=n, seed=0)
        # same D and P as ours, drawn outside the timed region (the baseline gets its randomness free)
        Dsig = np.asarray(sk.signs(0, n), dtype=np.float32)
        rows = np.asarray(sk.rows)
        N = sk.N
        scale = np.float32(1.0 / math.sqrt(K_SRHT))
        del sk

        def fn():
            X = np.zeros((N, E.shape[1]), dtype=np.float32)
            np.multiply(E, Dsig[:, None], out=X[:n])
            h = 1
            while h < N:  # textbook radix-2 butterflies on reshape views, in place
                Y = X.reshape(N // (2 * h), 2, h, E.shape[1])
                a, b = Y[:, 0], Y[:, 1]
                t = a - b
                a += b
                b[...] = t
                del t
                h *= 2
            M = X[rows] * scale
            del X
            return M

        return fn, (lambda M: {"head": np.asarray(M[:8], dtype=np.float64).tolist(), "fro": _fro(M)}), {"rows": n}

    def cs_generated(n):
        import pss_theory

        T = pss_theory.table("gaussian", n=n, d=D, seed=0)

        def fn():
            return pss_theory.sketch("countsketch", k=K_GEN, n=n, seed=0).apply(T)

        # E[|E|_F^2] = n d for iid N(0,1) entries
        return fn, (lambda M: f"|SE|/sqrt(nd) = {_fro(M) / math.sqrt(n * D):.4f}"), {"rows": n}

    def rng_ours(rows):
        from pss_theory import rng

        out = np.empty((rows, D), dtype=np.float32)

        def fn():
            rng.fill_rows(rng.Stream(0, 1), 0, rows, D // 2, rng.normals, out)
            return out

        return fn, (lambda o: f"mean {float(o.mean(dtype=np.float64)):+.4f}, std {float(o.std(dtype=np.float64)):.4f}"), \
            {"draws": rows * D}

    def rng_numpy(rows):
        g = np.random.default_rng()

        def fn():
            return g.standard_normal((rows, D), dtype=np.float32)

        return fn, (lambda o: f"mean {float(o.mean(dtype=np.float64)):+.4f}, std {float(o.std(dtype=np.float64)):.4f}"), \
            {"draws": rows * D}

    def rng_numpy_out(rows):
        g = np.random.default_rng()
        out = np.empty((rows, D), dtype=np.float32)

        def fn():
            return g.standard_normal(dtype=np.float32, out=out)

        return fn, (lambda o: f"mean {float(o.mean(dtype=np.float64)):+.4f}, std {float(o.std(dtype=np.float64)):.4f}"), \
            {"draws": rows * D}

    return {
        "floor_sum": ("cs", "E.sum(0) (memory-read floor)", "n", 3, floor_sum),
        "cs_ours_4096": ("cs", "ours countsketch K=4096 apply(E)", "n", 3, cs_ours(4096)),
        "cs_scipy_4096": ("cs", "scipy clarkson_woodruff_transform(E, 4096)", "n", 3, cs_scipy(4096)),
        "cs_ours_65536": ("cs", "ours countsketch K=65536 apply(E)", "n", 3, cs_ours(65536)),
        "cs_ours_65536_b256k": ("cs", "ours countsketch K=65536 apply(E, block_rows=262144) [info]", "n", 3,
                                cs_ours(65536, 1 << 18)),
        "cs_scipy_65536": ("cs", "scipy clarkson_woodruff_transform(E, 65536)", "n", 3, cs_scipy(65536)),
        "gauss_ours": ("gauss", "ours gaussian k=1024 streamed apply(E)", "n", 1, gauss_ours),
        "gauss_numpy": ("gauss", "numpy S=standard_normal((k,n),f32); S*=1/sqrt(k); S@E", "n", 1, gauss_numpy),
        "gauss_ours_small": ("gauss_small", "ours gaussian k=1024 streamed apply(E)", "n_small", 1, gauss_ours),
        "gauss_numpy_small": ("gauss_small", "numpy materialize S then S@E", "n_small", 1, gauss_numpy),
        "gauss_sklearn_small": ("gauss_small", "sklearn GaussianRandomProjection(1024).fit_transform(E.T)",
                                "n_small", 1, gauss_sklearn),
        "srht_ours": ("srht", "ours srht k=4096 apply(E)", "n_srht", 3, srht_ours),
        "srht_ours_blas1": ("srht", "ours srht, BLAS limited to 1 thread (threadpoolctl) [info]", "n_srht", 3,
                            srht_ours_blas1),
        "srht_naive": ("srht", "numpy naive per-level FWHT of padded N x d, then P, scale", "n_srht", 3, srht_naive),
        "cs_generated": ("gen", "ours countsketch K=4096 on generated gaussian table (streamed)", "n_gen", 1,
                         cs_generated),
        "rng_ours": ("rng", "ours rng.fill_rows(..., rng.normals, out) (all cores)", "rng_rows", 3, rng_ours),
        "rng_numpy": ("rng", "numpy default_rng().standard_normal((rows,128), f32) (1 core, allocates)",
                      "rng_rows", 3, rng_numpy),
        "rng_numpy_out": ("rng", "numpy standard_normal(out=preallocated, f32) (1 core)", "rng_rows", 3,
                          rng_numpy_out),
    }


def code_version() -> str:
    """sha1 (12 hex) of the pss_theory modules this process has imported, read from disk now.

    Others may edit the package while the benchmark runs; this names the code a case measured."""
    import hashlib

    h = hashlib.sha1()
    for name in sorted(m for m in sys.modules if m == "pss_theory" or m.startswith("pss_theory.")):
        path = getattr(sys.modules[name], "__file__", None)
        if path and os.path.exists(path):
            h.update(name.encode())
            with open(path, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()[:12]


def git_head() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def run_child(name: str, scale: float) -> dict:
    group, desc, size_key, reps, build = _case_table()[name]
    n = _sizes(scale)[size_key]
    base_rss = _maxrss_mb()
    t0 = time.perf_counter()
    fn, check, work = build(n)
    setup_s = time.perf_counter() - t0
    setup_rss = _maxrss_mb()
    import pss_theory  # noqa: F401  (so every case names the package version it ran beside)

    version = code_version()
    times, cpu = [], []
    load = [os.getloadavg()[0]]
    warmup = None
    out = None
    while len(times) < reps:
        out = None  # drop the previous result before the next repeat
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        if warmup is None and (reps > 1 or dt < WARMUP_IF_UNDER_S):
            warmup = dt  # first call of a cheap case: imports, thread pools, first page faults; discarded
            continue
        if warmup is None:
            warmup = False
        times.append(dt)
        cpu.append(dc)
    load.append(os.getloadavg()[0])
    if code_version() != version:
        version += "+changed-mid-case"
    peak_rss = _maxrss_mb()
    hwm = _vmhwm_mb()
    chk = check(out) if check else None
    return {"name": name, "group": group, "desc": desc, "n": n, "reps": reps, "times": times, "cpu": cpu,
            "warmup_s": warmup or None, "loadavg": load, "code": version,
            "setup_s": setup_s, "base_rss_mb": base_rss, "setup_rss_mb": setup_rss, "peak_rss_mb": peak_rss,
            "vmhwm_mb": hwm, "check": chk, "work": work}


# --------------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------------

def machine() -> list[str]:
    import numpy as np
    import scipy

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        avail = len(os.sched_getaffinity(0))
    except AttributeError:
        avail = os.cpu_count()
    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    lines = [f"- CPU: {cpu}; {os.cpu_count()} logical cores ({avail} usable); RAM {mem}",
             f"- Python {platform.python_version()} on {platform.platform()}",
             f"- numpy {np.__version__}, scipy {scipy.__version__}"]
    try:
        import sklearn

        lines[-1] += f", scikit-learn {sklearn.__version__}"
    except ImportError:
        lines[-1] += ", scikit-learn not installed"
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('prefix')}, {i.get('num_threads')} threads, "
                f"{i.get('architecture')})" for i in threadpool_info() if i.get("user_api") == "blas"]
        lines.append("- BLAS: " + ("; ".join(blas) if blas else "none found by threadpoolctl"))
    except ImportError:
        lines.append("- BLAS: threadpoolctl not installed")
    return lines


def spawn(name: str, scale: float, env: dict) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--case", name, "--scale", repr(scale)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        return {"name": name, "error": (proc.stderr or proc.stdout).strip().splitlines()[-5:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def merge(runs: list[dict]) -> dict:
    """One case's rounds (one process each) -> one record: all timings, the largest RSS figures."""
    bad = [r for r in runs if "error" in r]
    if bad:
        return bad[0]
    out = dict(runs[0])
    out["rounds"] = len(runs)
    out["times"] = [t for r in runs for t in r["times"]]
    out["cpu"] = [c for r in runs for c in r["cpu"]]
    out["loadavg"] = [runs[0]["loadavg"][0], runs[-1]["loadavg"][-1]]
    out["warmup_s"] = [r["warmup_s"] for r in runs]
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    out["extra_rss_mb"] = max(r["peak_rss_mb"] - r["setup_rss_mb"] for r in runs)
    out["code"] = ",".join(sorted({r["code"] for r in runs}))
    out["per_round"] = [{k: r[k] for k in ("times", "cpu", "loadavg", "peak_rss_mb", "setup_rss_mb", "vmhwm_mb")}
                        for r in runs]
    return out


def _fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.2f}"


def _num(x: float) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


BASELINE_OF = {
    "cs_ours_4096": "cs_scipy_4096", "cs_ours_65536": "cs_scipy_65536",
    "gauss_ours": "gauss_numpy", "gauss_ours_small": "gauss_numpy_small",
    "srht_ours": "srht_naive", "rng_ours": "rng_numpy",
    "cs_ours_65536_b256k": "cs_scipy_65536", "srht_ours_blas1": "srht_naive",
}


def report(res: dict, scale: float, argv: list[str], total_s: float) -> str:
    med = {k: statistics.median(v["times"]) for k, v in res.items() if "times" in v}
    mins = {k: min(v["times"]) for k, v in res.items() if "times" in v}

    def both(slow: str, fast: str) -> str:
        """median ratio, with the ratio of the fastest calls beside it (robust to background load)."""
        return f"{med[slow] / med[fast]:.2f}x (min/min {mins[slow] / mins[fast]:.2f}x)"

    out = []
    out.append("## Machine\n")
    out.extend(machine())
    versions = sorted({v for r in res.values() if "code" in r for v in r["code"].split(",")})
    out.append(f"- code: git HEAD {git_head()} (at report time); sha1 of the pss_theory modules each case imported: "
               + ", ".join(versions)
               + (" -- **the sources changed during the run** (see the `code` field in --json)" if len(versions) > 1 else ""))
    out.append("")
    out.append(f"Command: `{' '.join(argv)}`  (scale {scale:g}: " + ", ".join(f"{k}={v:,}" for k, v in _sizes(scale).items())
               + f"; d={D}, float32 inputs; total wall time {total_s:.0f} s)")
    out.append("")
    out.append("Each case runs in `rounds` fresh subprocesses, interleaved round by round with the other cases of its "
               "group (so a case and its baseline share the background load); each process builds its inputs "
               "(untimed; E is read from one shared .npy), then times `reps` calls. `reps` = rounds x calls per "
               f"process; `+Nw`: N processes first made one untimed warm-up call (always when a process makes "
               f"several calls; for one-call cases when the first call took < {WARMUP_IF_UNDER_S:g} s). "
               "`median`/`min` over all timed calls. "
               "`speedup` = baseline median / this median for our rows (>1: ours faster). "
               "`peak RSS` = the largest ru_maxrss among the case's processes; `extra` = the largest (peak RSS minus "
               "peak RSS after building inputs). `cores busy` = median process CPU time / wall time (2.0 = both "
               "cores); `load1` = 1-minute load average at the case's first start → last end (others share this "
               "machine; our own process counts ~1-2).")
    out.append("")
    out.append("| case | what | n | reps | median s | min s | speedup vs baseline | throughput | peak RSS MB | extra MB | cores busy | load1 | check |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, r in res.items():
        if "error" in r:
            out.append(f"| {name} | ERROR: {' / '.join(r['error'])} | | | | | | | | | | | |")
            continue
        m = med[name]
        base = BASELINE_OF.get(name)
        parts = [f"{med[base] / m:.2f}x vs {base}"] if base in med else []
        if name.startswith("cs_ours") and "floor_sum" in med and res[name]["n"] == res["floor_sum"]["n"]:
            parts.append(f"{m / med['floor_sum']:.1f}x the E.sum floor time")
        sp = "; ".join(parts)
        w = r["work"]
        if "bytes" in w:
            thr = f"{w['bytes'] / m / 1e9:.2f} GB/s of E"
        elif "rows" in w:
            thr = f"{_num(w['rows'] / m)} rows/s"
        else:
            thr = f"{w['draws'] / m / 1e6:.0f} M normals/s"
        chk = r["check"]
        if isinstance(chk, dict):
            chk = f"|SE|_F = {chk['fro']:.2f}"
        nw = sum(1 for w in r["warmup_s"] if w)
        reps = f"{r['rounds']}x{r['reps']}" + (f" +{nw}w" if nw else "")
        busy = statistics.median(c / t for c, t in zip(r["cpu"], r["times"]))
        load = "→".join(f"{x:.1f}" for x in r["loadavg"])
        out.append(f"| {name} | {r['desc']} | {r['n']:,} | {reps} | {_fmt_s(m)} | {_fmt_s(min(r['times']))} | {sp} | "
                   f"{thr} | {r['peak_rss_mb']:.0f} | {r['extra_rss_mb']:.0f} | {busy:.2f} | {load} | "
                   f"{chk or ''} |")
    out.append("")

    # targets
    out.append("## Targets\n")
    out.append("| target | measured | verdict |")
    out.append("|---|---|---|")

    def row(target, measured, ok):
        out.append(f"| {target} | {measured} | {'met' if ok else '**missed**'} |")

    for K in (4096, 65536):
        a, b = f"cs_ours_{K}", f"cs_scipy_{K}"
        alt = "cs_ours_65536_b256k" if K == 65536 and "cs_ours_65536_b256k" in med else None
        if a in med and b in med:
            ratio = med[b] / med[a]
            note = f" (info: with block_rows=2^18, {med[b] / med[alt]:.2f}x)" if alt else ""
            row(f"countsketch K={K}: ours >= 3x faster than scipy CWT", f"{both(b, a)}{note}", ratio >= 3)
        if a in med and "floor_sum" in med:
            ratio = med[a] / med["floor_sum"]
            note = f" (info: with block_rows=2^18, {med[alt] / med['floor_sum']:.1f}x)" if alt else ""
            row(f"countsketch K={K}: within 3x of E.sum(0)",
                f"{ratio:.2f}x the floor (min/min {mins[a] / mins['floor_sum']:.2f}x){note}", ratio <= 3)
    if "gauss_ours" in med and "gauss_numpy" in med:
        ratio = med["gauss_numpy"] / med["gauss_ours"]
        row(f"gaussian k={K_GAUSS}, n={res['gauss_ours']['n']:,}: streamed >= 2.5x materialize+GEMM (issue 21)",
            both("gauss_numpy", "gauss_ours"), ratio >= 2.5)
        eo = res["gauss_ours"]["extra_rss_mb"]
        en = res["gauss_numpy"]["extra_rss_mb"]
        msg = f"extra RSS ours {eo:.0f} MB vs numpy {en:.0f} MB (S alone = {K_GAUSS * res['gauss_ours']['n'] * 4 / 2**20:.0f} MB)"
        if "gauss_ours_small" in res and "extra_rss_mb" in res["gauss_ours_small"]:
            es = res["gauss_ours_small"]["extra_rss_mb"]
            msg += f"; ours at n={res['gauss_ours_small']['n']:,}: {es:.0f} MB"
        # O(kd + block): k*d*8 accumulator + one 64 MiB block of U^T + per-thread pieces; 256 MB is generous
        row("gaussian streamed memory O(kd + block) (extra RSS <= 256 MB, not growing with n)", msg, eo <= 256)
    if "gauss_ours_small" in med:
        for b in ("gauss_numpy_small", "gauss_sklearn_small"):
            if b in med:
                ratio = med[b] / med["gauss_ours_small"]
                row(f"gaussian k={K_GAUSS}, n={res['gauss_ours_small']['n']:,}: streamed faster than {b}",
                    both(b, "gauss_ours_small"), ratio > 1)
    if "srht_ours" in med and "srht_naive" in med:
        ratio = med["srht_naive"] / med["srht_ours"]
        import numpy as np

        ha = np.array(res["srht_ours"]["check"]["head"])
        hb = np.array(res["srht_naive"]["check"]["head"])
        rel = float(np.abs(ha - hb).max() / np.abs(hb).max())
        note = (f"; info: with BLAS limited to 1 thread {med['srht_naive'] / med['srht_ours_blas1']:.2f}x"
                if "srht_ours_blas1" in med else "")
        row(f"srht k={K_SRHT}, n={res['srht_ours']['n']:,}: ours >= 3x faster than naive FWHT",
            f"{both('srht_naive', 'srht_ours')} (results agree: max rel diff of first 8 rows {rel:.1e}{note})",
            ratio >= 3)
    if "cs_generated" in res and "peak_rss_mb" in res["cs_generated"]:
        r = res["cs_generated"]
        row(f"countsketch on generated table n={r['n']:,}: peak RSS < 1 GB",
            f"{r['peak_rss_mb']:.0f} MB, {_fmt_s(med['cs_generated'])} s", r["peak_rss_mb"] < 1024)
    if "rng_ours" in med:
        mps = res["rng_ours"]["work"]["draws"] / med["rng_ours"] / 1e6
        extra = ""
        for b in ("rng_numpy", "rng_numpy_out"):
            if b in med:
                extra += f"; {b}: {res[b]['work']['draws'] / med[b] / 1e6:.0f} M/s"
        row("pss_theory.rng normals >= 250 M/s (issue 21)", f"{mps:.0f} M normals/s{extra}", mps >= 250)
    if "gauss_ours" in med:
        out.append("")
        out.append(f"Gaussian k={K_GAUSS} streamed apply throughput: {res['gauss_ours']['n'] / med['gauss_ours']:,.0f} rows/s "
                   f"(n={res['gauss_ours']['n']:,}, d={D}).")
    out.append("")
    out.append("Notes: sklearn projects the feature axis, so it is given E.T (d x n) and returns (S E)^T (d x k). "
               "The numpy materialize baseline scales S in place (S *= 1/sqrt(k)), so its peak is one k x n float32 "
               "array plus E; `S = standard_normal(...)/sqrt(k)` would hold two. scipy's CWT uses an int64 sparse S, "
               "so it computes in float64. The naive SRHT gets D and P precomputed (untimed) and reuses ours, which "
               "lets the two results be compared. Ours time includes building the sketch object.")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="every n divided by 10 (smoke test)")
    p.add_argument("--only", default="", help="comma-separated case names (see --list)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--json", default="", help="also write the raw per-case results to this file")
    p.add_argument("--rounds", type=int, default=3,
                   help="processes per case, interleaved with the other cases of its group (default 3)")
    p.add_argument("--case", default="", help=argparse.SUPPRESS)
    p.add_argument("--make-E", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--scale", type=float, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.make_E:
        import numpy as np

        np.save(_E_path(args.make_E), _generate_E(args.make_E))
        return 0
    if args.case:
        print(json.dumps(run_child(args.case, args.scale if args.scale is not None else 1.0)))
        return 0
    cases = _case_table()
    if args.list:
        for name, (group, desc, size_key, reps, _) in cases.items():
            print(f"{name:22s} group={group:12s} {size_key:9s} reps per process={reps}  {desc}")
        return 0
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    names = [c for c in args.only.split(",") if c] or list(cases)
    unknown = [c for c in names if c not in cases]
    if unknown:
        p.error(f"unknown case(s) {unknown}; see --list")
    rounds = max(1, args.rounds)
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(cases[name][0], []).append(name)
    sizes = _sizes(scale)
    need = sorted({sizes[cases[nm][2]] for nm in names if cases[nm][2] in ("n", "n_small", "n_srht")})
    folder = tempfile.mkdtemp(prefix="pss_bench_E_", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    env = dict(os.environ, PSS_BENCH_EDIR=folder)
    runs: dict[str, list[dict]] = {nm: [] for nm in names}
    t0 = time.perf_counter()
    try:
        for n in need:  # one E per size, written by a helper process so this one stays small
            subprocess.run([sys.executable, os.path.abspath(__file__), "--make-E", str(n)], cwd=ROOT, env=env,
                           check=True)
        # rounds interleave the cases of a group, so a case and its baseline see the same background load
        for members in groups.values():
            for rnd in range(rounds):
                for name in members:
                    t = time.perf_counter()
                    r = spawn(name, scale, env)
                    runs[name].append(r)
                    if "error" in r:
                        print(f"[bench] {name} round {rnd + 1}: ERROR {r['error']}", file=sys.stderr, flush=True)
                    else:
                        print(f"[bench] {name} round {rnd + 1}/{rounds}: times "
                              + " ".join(f"{x:.3f}" for x in r["times"])
                              + f" s, peak RSS {r['peak_rss_mb']:.0f} MB, load {r['loadavg'][0]:.1f} "
                              f"({time.perf_counter() - t:.0f} s wall)", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    res = {nm: merge(runs[nm]) for nm in names}
    total = time.perf_counter() - t0
    shown_argv = [os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(ROOT) else sys.executable,
                  "-m", "bench.core"] + (argv if argv is not None else sys.argv[1:])
    print(report(res, scale, shown_argv, total))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"scale": scale, "results": res}, fh, indent=1)
    return 0 if all("error" not in r for r in res.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
