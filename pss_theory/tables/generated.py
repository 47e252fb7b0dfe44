"""Synthetic tables generated block by block from a seed: row i is a pure function of (seed, i)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .. import rng, validate
from ..backend import matmul
from ..errors import InputError
from .checks import check_block, check_rows

KINDS = ("gaussian", "lowrank", "zipf")


@dataclass(frozen=True)
class GeneratedTable:
    """A synthetic table defined by (kind, n, d, seed, params); see ``table``."""

    kind: str
    n: int
    d: int
    seed: int = 0
    rank: int = 0
    decay: float = 1.0
    noise: float = 0.1
    alpha: float = 0.5
    _basis: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: generated rows are float32 by construction
    needs_float64: ClassVar[bool] = False

    @property
    def name(self) -> str:
        return self.kind

    def describe(self) -> dict:
        out = {"kind": self.kind, "n": self.n, "d": self.d, "seed": self.seed}
        if self.kind != "gaussian":
            out.update(rank=self.rank, decay=self.decay, noise=self.noise)
        if self.kind == "zipf":
            out["alpha"] = self.alpha
        return out

    @staticmethod
    def _normals(stream, rows, count: int, xp):
        """Normals of the given rows of ``stream`` (a range runs on all CPU cores)."""
        width = (count + 1) // 2
        if isinstance(rows, range):
            out = xp.empty((len(rows), count), dtype=xp.float32)
            rng.fill_rows(stream, rows.start, rows.stop, width, rng.normals, out, xp)
            return out
        return rng.normals(xp, stream.rows_at(rows, width, xp), count)

    def _core(self, rows, xp):
        """Rows of the low-rank core G diag(s) V^T + noise * Z for the given row ids.

        The product is taken in float64 and rounded once, so a row's value does not depend on the
        block it is generated in.
        """
        g = self._normals(rng.Stream(self.seed, rng.TAG_TABLE), rows, self.rank, xp)
        out = matmul(g.astype(xp.float64), xp.asarray(self._basis)).astype(xp.float32)
        out += xp.float32(self.noise) * self._normals(rng.Stream(self.seed, rng.TAG_TABLE_NOISE), rows, self.d, xp)
        return out

    def _rows(self, rows, xp):
        if self.kind == "gaussian":
            return self._normals(rng.Stream(self.seed, rng.TAG_TABLE), rows, self.d, xp)
        out = self._core(rows, xp)
        if self.kind == "zipf":
            ids = xp.arange(rows.start, rows.stop) if isinstance(rows, range) else xp.asarray(rows)
            target = (ids.astype(xp.float64) + 1.0) ** (-self.alpha)
            norms = xp.sqrt((out.astype(xp.float64) ** 2).sum(axis=1))
            out *= (target / norms).astype(xp.float32)[:, None]
        return out

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1 as float32 (InputError unless 0 <= start <= stop <= n)."""
        check_block(start, stop, self.n)
        return self._rows(range(start, stop), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids (a 1-D integer array of ids in [0, n), else InputError)."""
        return self._rows(check_rows(idx, self.n, xp), xp)


def table(kind: str, *, n: int, d: int, seed: int = 0, rank: int | None = None, decay: float = 1.0,
          noise: float = 0.1, alpha: float = 0.5) -> GeneratedTable:
    """A synthetic n x d table, generated block by block from ``seed`` (None, an int or a
    ``numpy.random.Generator``: ``validate.seed``; the integer used is ``table.seed``).

    - ``gaussian``: iid N(0, 1) entries.
    - ``lowrank``: E_i = g_i diag(s) V^T + noise z_i with g_i, z_i iid N(0, I), V (d x rank) orthonormal
      from the seed, s_j = (j + 1)^-decay; default rank = max(1, d // 4).
    - ``zipf``: the ``lowrank`` row directions rescaled so that ||E_i|| = (i + 1)^-alpha: row norms follow
      a Zipf law over row ids, as in trained tables whose frequent (low) ids carry large norms.
    """
    if kind not in KINDS:
        raise InputError(f"unknown table kind {kind!r}: expected one of {', '.join(KINDS)} (a table in a file or a "
                         "store is opened by load_table or resolve)")
    n, d = validate.positive_int("n", n), validate.positive_int("d", d)
    seed = validate.seed(seed)
    if kind == "gaussian":
        return GeneratedTable(kind, n, d, seed)
    rank = max(1, d // 4) if rank is None else validate.positive_int("rank", rank)
    if rank > d:
        raise InputError(f"rank must be at most d = {d}, got {rank}")
    if not (np.isfinite(noise) and noise >= 0 and np.isfinite(decay) and decay >= 0 and np.isfinite(alpha) and alpha >= 0):
        raise InputError("noise, decay and alpha must be finite and non-negative")
    gauss = rng.normals(np, rng.Stream(seed, rng.TAG_TABLE_BASIS).rows(0, d, (rank + 1) // 2), rank).astype(np.float64)
    v, _ = np.linalg.qr(gauss)
    s = (np.arange(1, rank + 1, dtype=np.float64)) ** (-decay)
    basis = s[:, None] * v.T  # diag(s) V^T, rank x d
    return GeneratedTable(kind, n, d, seed, rank, float(decay), float(noise), float(alpha), basis)
