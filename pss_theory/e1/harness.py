"""The E.1 timing loop: warm-up, timed iterations within a budget, and the percentiles of the times."""
from __future__ import annotations

import numpy as np

from ..backend import Backend
from .grid import Grid
from .models import PlainModel, RobeZModel

MIN_ITERATIONS = 3
PERCENTILES = (25, 50, 75)


def percentiles(values) -> dict:
    v = np.asarray(values, dtype=np.float64)
    return {f"p{p}": float(np.percentile(v, p)) for p in PERCENTILES}


class Bench:
    """Measures cells one after the other, reusing the model between cells that share it (the two modes).

    It changes nothing outside itself: on a CPU, call ``steady_allocator`` first for steady times (the
    command line does).
    """

    def __init__(self, backend: Backend, grid: Grid, seed: int = 0):
        self.backend, self.grid, self.seed = backend, grid, seed
        self._key = None
        self._model = None
        self._first = True  # the process's first cell also warms up the allocator and caches: longer warm-up

    def model(self, cell: dict):
        key = (cell["kind"], cell["n"], cell["d"], cell["compression"], cell["Z"])
        if key != self._key:
            self.release()
            if cell["kind"] == "plain":
                self._model = PlainModel(self.backend, cell["n"], cell["d"], self.seed)
            else:
                self._model = RobeZModel(self.backend, cell["n"], cell["d"], cell["compression"], cell["Z"], self.seed)
            self._key = key
        return self._model

    def release(self) -> None:
        self._model, self._key = None, None
        self.backend.free_pool()

    def measure(self, cell: dict) -> dict:
        """forward_ms / backward_ms percentiles over the timed iterations of one cell."""
        grid = self.grid
        model = self.model(cell)
        # drawn after the model is built: on CuPy both seed the one global generator
        draw_ids = self.backend.int_sampler([self.seed, cell["n"]])
        mode = cell["mode"]
        fwd, bwd = [], []
        mark, laps_ms = self.backend.stopwatch(3)
        spent = 0.0
        warmup = grid.warmup * (4 if self._first else 1)
        self._first = False
        for it in range(warmup + grid.repeats):
            ids = draw_ids(cell["n"], cell["batch"])
            mark(0)
            loss, cache = model.forward(ids)
            mark(1)
            model.backward(ids, cache, mode)
            mark(2)
            f, b = laps_ms()
            del loss, cache
            if it < warmup:
                continue
            fwd.append(f)
            bwd.append(b)
            spent += (f + b) / 1e3
            if spent >= grid.budget_s and len(fwd) >= MIN_ITERATIONS:
                break
        out = {"forward_ms": percentiles(fwd), "backward_ms": percentiles(bwd), "iterations": len(fwd),
               "param_bytes": model.nbytes}
        if cell["kind"] == "robez":
            out["m"] = model.m
        return out
