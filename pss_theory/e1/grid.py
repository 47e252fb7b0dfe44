"""What one run measures: the paper's grid scaled to the device, its cells, and which of them fit in memory."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..backend import Backend
from ..errors import InputError
from ..families.robez import RobeZ
from ..validate import positive_int
from .paper import COMPRESSIONS, FIXED_COMPRESSION, FIXED_N_PAPER, FIXED_Z, MODES, PAPER_BATCH, PAPER_D, PAPER_N, ZS

MiB = 1 << 20


@dataclass(frozen=True)
class Grid:
    """What one run measures: paper rows kept, their scaled n, compressions, chunk sizes, and pacing."""

    device: str  # "cpu" or "gpu"
    scale: int  # paper's n = our n * scale
    paper_n: tuple[int, ...]
    compressions: tuple[float, ...]
    Zs: tuple[int, ...]
    batch: int
    d: int
    repeats: int
    warmup: int
    budget_s: float
    size: str = "default"

    @property
    def n(self) -> tuple[int, ...]:
        return tuple(p // self.scale for p in self.paper_n)

    @property
    def z_fixed(self) -> int:
        return FIXED_Z if FIXED_Z in self.Zs else max(self.Zs)

    @property
    def compression_fixed(self) -> float:
        return FIXED_COMPRESSION if FIXED_COMPRESSION in self.compressions else self.compressions[len(self.compressions) // 2]

    @property
    def n_fixed(self) -> int:
        """n of the Z x compression study: the paper's 64M scaled, or the nearest kept row."""
        return min(self.n, key=lambda v: abs(math.log(v * self.scale / FIXED_N_PAPER)))

    def settings(self) -> dict:
        return {"repeats": self.repeats, "warmup": self.warmup, "budget_s": self.budget_s}

    def describe(self) -> dict:
        return {**asdict(self), "n": list(self.n), "n_fixed": self.n_fixed, "z_fixed": self.z_fixed,
                "compression_fixed": self.compression_fixed}


SIZES = ("smoke", "quick", "default")


def make_grid(device: str = "cpu", *, size: str = "default", batch: int | None = None, d: int = PAPER_D,
              repeats: int | None = None, n: list[int] | None = None, compressions: list[float] | None = None,
              Zs: list[int] | None = None) -> Grid:
    """The grid of a device and size (see the docstring of ``pss_theory.e1``), optionally overridden.

    ``size``: "default"; "quick" (paper rows 4M, 16M, 64M, Z in {1, 8, 32}, fewer repeats); "smoke"
    (seconds: two tiny n, batch 1024, compressions 10x and 1000x, Z in {1, 32}; for tests).
    ``n`` (our row counts) must each be a paper row divided by one common power of two; the scale is
    inferred from them.  Bad sizes raise InputError.
    """
    if size not in SIZES:
        raise InputError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    if device not in ("cpu", "gpu"):
        raise InputError(f"device must be cpu or gpu, got {device!r}")
    smoke, quick, gpu = size == "smoke", size == "quick", device == "gpu"
    batch = positive_int("batch", (1024 if smoke else PAPER_BATCH) if batch is None else batch)
    d = positive_int("d", d)
    if smoke:
        scale, rows = (1 << 12) if not gpu else (1 << 6), (0, 2)
    elif quick:
        scale, rows = (1 if gpu else 256), (0, 2, 4)
    else:
        scale, rows = (1 if gpu else 64), tuple(range(len(PAPER_N)))
    paper_n = tuple(PAPER_N[i] for i in rows)
    if n is not None:
        if not n:
            raise InputError("--n needs at least one row count")
        n = [positive_int("n", v) for v in n]
        paper_n, scale = _paper_rows(n)
    comps = tuple((10, 1000) if smoke else COMPRESSIONS) if compressions is None else tuple(compressions)
    for c in comps:
        if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)) or not math.isfinite(c) or c <= 0:
            raise InputError(f"compression must be > 0, got {c!r}")
    if Zs is None:
        zs = tuple(z for z in ((1, 32) if smoke else (1, 8, 32) if quick else ZS) if z <= d) or (d,)
    else:
        zs = tuple(Zs)
        for z in zs:
            if isinstance(z, bool) or not isinstance(z, (int, np.integer)) or z < 1:
                raise InputError(f"chunk size Z must be >= 1, got Z = {z!r}")
            if z > d:
                raise InputError(f"chunk size Z = {z} > d = {d}: a chunk cannot be longer than a row")
    if not comps or not zs:
        raise InputError("the grid needs at least one compression and one chunk size")
    if repeats is None:
        repeats = {"smoke": 3, "quick": 20 if gpu else 5, "default": 50 if gpu else 10}[size]
    repeats = positive_int("repeats", repeats)
    warmup = {"smoke": 1, "quick": 3 if gpu else 1, "default": 5 if gpu else 2}[size]
    budget = {"smoke": 0.02, "quick": 0.5 if gpu else 0.15, "default": 2.0 if gpu else 1.0}[size]
    grid = Grid(device=device, scale=scale, paper_n=paper_n, compressions=tuple(sorted(set(comps))),
                Zs=tuple(sorted(set(zs))), batch=batch, d=d, repeats=repeats, warmup=warmup, budget_s=budget,
                size=size)
    for cell in cells(grid, seed=0, backend="check"):  # every ROBE-Z cell must be buildable: m >= Z
        if cell["kind"] == "robez":
            try:
                RobeZ(n=cell["n"], d=d, compression=cell["compression"], Z=cell["Z"])
            except InputError as exc:
                raise InputError(f"cell n = {cell['n']:,}, compression {cell['compression']:g}x, Z = {cell['Z']}: "
                                 f"{exc}") from None
    return grid


def _paper_rows(n: list[int]) -> tuple[tuple[int, ...], int]:
    """Paper rows matching our n, all scaled by one power of two (our n = paper n / scale)."""
    n = sorted(set(n))
    scale = None
    for p in PAPER_N:
        if p % n[0] == 0 and (p // n[0]) & (p // n[0] - 1) == 0:
            cand = p // n[0]
            if all(v * cand in PAPER_N for v in n):
                scale = cand
                break
    if scale is None:
        raise InputError(f"--n {','.join(map(str, n))}: each n must be a paper row (4M..256M = 2^22..2^28) divided "
                         "by one common power of two, e.g. 65536,262144 (scale 64)")
    return tuple(v * scale for v in n), scale


def cells(grid: Grid, *, seed: int, backend: str) -> list[dict]:
    """Every measured cell once (the studies share cells), in a cache-friendly order."""
    out, seen = [], set()

    def add(kind, n, compression, Z):
        for mode in MODES:
            key = (kind, n, compression, Z, mode)
            if key in seen:
                continue
            seen.add(key)
            out.append({"kind": kind, "n": n, "d": grid.d, "batch": grid.batch, "compression": compression, "Z": Z,
                        "mode": mode, "seed": seed, "backend": backend, "settings": grid.settings()})

    for n in grid.n:
        add("plain", n, None, None)
    for n in grid.n:
        for c in grid.compressions:
            add("robez", n, c, grid.z_fixed)
        for z in grid.Zs:
            add("robez", n, grid.compression_fixed, z)
    for z in grid.Zs:
        for c in grid.compressions:
            add("robez", grid.n_fixed, c, z)
    return out


def cell_bytes(cell: dict, backend: Backend) -> int:
    """Bytes a cell needs: parameters, the dense gradient buffer, and the batch's temporaries."""
    batch_tmp = cell["batch"] * cell["d"] * 48  # ids, locations, r, step, sort keys...
    if cell["kind"] == "plain":
        params = cell["n"] * cell["d"] * 4
        grad = params if cell["mode"] == "dense" else 0
    else:
        m = robez_m(cell)
        params = m * 4
        grad = m * backend.dense_sum_dtype(np.float32).itemsize if cell["mode"] == "dense" else 0
    return params + grad + batch_tmp


def robez_m(cell: dict) -> int:
    """ROBE-Z's memory size m = round(n d / compression) of a cell, in floats (as ``RobeZ`` computes it)."""
    return int(round(cell["n"] * cell["d"] / cell["compression"]))


USABLE = {"cpu": 0.75, "gpu": 0.9}  # share of the free memory a cell may use


def available_bytes(backend: Backend) -> int:
    """Memory a cell may use: 75% of MemAvailable (CPU) or 90% of the free device memory (GPU)."""
    return int(USABLE[backend.device] * backend.available_bytes())


def plan(grid: Grid, backend: Backend, seed: int) -> tuple[list[dict], list[dict]]:
    """(cells to measure, cells skipped for memory with the reason)."""
    todo, skipped = [], []
    avail = available_bytes(backend)
    for cell in cells(grid, seed=seed, backend=backend.name):
        need = cell_bytes(cell, backend)
        if need > avail:
            skipped.append({**cell, "skipped": f"needs {need / MiB:,.0f} MiB, {avail / MiB:,.0f} MiB usable"})
        else:
            todo.append(cell)
    return todo, skipped
