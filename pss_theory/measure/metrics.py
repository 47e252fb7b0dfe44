"""The quantities Theorems 4, 6 and 7 talk about, measured exactly and streamed over row blocks.

Notation (DESIGN.md): E (n x d), S (k x n), M = S E, Mhat_i = S[:, i]^T M, sigma = sigma_max(E),
E = Q R with R the upper Cholesky factor of E^T E (so Q = E R^-1 has orthonormal columns).

Pass 1 (``compress``) reads E once and accumulates M, the Gram E^T E in float64 and the row norms.
Everything macro (Theorem 6) follows from M and R: the singular values of S Q = M R^-1 are the
square roots of the generalized eigenvalues of (M^T M, E^T E).  Pass 2 (``micro``) regenerates the
columns of S block by block and reads every row back once.  Neither pass holds anything k x n.

One identity does much of the work: Mhat_i - E_i = R^T c_i with c_i = (S Q)^T S e_i - Q_i, the
cross term of the proof of Theorem 7, Part B.  So eta_i = ||R^T c_i|| / sigma <= ||c_i||
(Eq. 16-18), and the read-back error and c_i come from one product with [S Q].
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from .. import backend, rng, validate
from ..errors import InputError
from ..tables import TableError
from . import passes

QUANTILES = {"min": 0.0, "p01": 0.01, "p50": 0.5, "p99": 0.99, "max": 1.0}
RANK_TOL = 1e-12  # eigenvalue ratio of E^T E under which E counts as rank-deficient (cond(E) > 1e6)
# Products in float32 carry a relative error of ~1e-8 cond(E) into S Q = M R^-1 (measured: 8e-6 at
# cond 1e3, 8e-3 at cond 1e6); above this condition number the checks redo their passes in float64.
FLOAT32_MAX_CONDITION = 1e3
#: rows of one span of pass 2 at most: with --dask this process holds one span's per-row results at a time
READ_BACK_SPAN_ROWS = 1 << 20


class RankDeficientError(InputError):
    """E has rank < d, so its column space has no d-dimensional orthonormal basis Q."""


@dataclass
class Compressed:
    """Result of the one streamed pass over E: M = S E, E^T E and the number of all-zero rows.

    Nothing here is n long: pass 2 recomputes ||E_i|| from the block it reads anyway."""

    M: object  # k x d float64, on the sketch's backend
    gram: np.ndarray  # d x d float64, host
    zero_rows: int
    n: int
    d: int
    dtype: str = "float64"  # the dtype of the products that made M
    largest_norm: float = 0.0  # max_i ||E_i||

    @property
    def frobenius(self) -> float:
        return float(math.sqrt(max(np.trace(self.gram), 0.0)))


def compress(S, E, block_rows: int | None = None, progress=None, pool=None, norms=None) -> Compressed:
    """One pass over E (``passes.run``): M = S E, the float64 Gram E^T E and the count of all-zero rows.

    ``S`` is a sketch (``S.accumulate``/``S.finish``) or any PSS with ``blocks`` and ``compress_block``.
    ``progress(rows_done)`` is called after each block; with a ``pool`` (``cluster.Pool``) the row spans
    run as its tasks, and the numbers are the same.  ``norms(start, values)``, when given, receives every
    ||E_i|| in row order (the rho scan's row file), and the Compressed then says the largest.
    """
    source = passes.PssBlocks(S, E, block_rows)
    sketch, gram, rows = passes.run(source, [passes.SketchSum(), passes.Gram(), passes.RowNorms(norms)], pool=pool,
                                    progress=progress)
    return Compressed(S.finish(sketch.total), S.backend.to_host(gram.total), rows.zero_rows, S.n,
                      gram.total.shape[0], S.dtype.name, rows.largest)


@dataclass
class Spectrum:
    """sigma_max(E), ||E||_F, the stable rank and the Cholesky factor R of E^T E."""

    sigma_max: float
    sigma_min: float
    frobenius: float
    stable_rank: float
    R: np.ndarray  # d x d upper triangular, E = Q R

    @property
    def condition(self) -> float:
        return self.sigma_max / self.sigma_min if self.sigma_min > 0 else math.inf


def needs_float64(pss, spec: Spectrum) -> bool:
    """Whether float32 products would cost eps_macro and c_i more than ~1e-5 relative on this table."""
    return pss.linear and pss.dtype == np.float32 and spec.condition > FLOAT32_MAX_CONDITION


def spectrum(comp: Compressed) -> Spectrum:
    """Singular values of E from its Gram; raise RankDeficientError when E has rank < d."""
    if comp.zero_rows == comp.n:
        raise TableError("every row of the table is zero: there is nothing to compress")
    ev = linalg.eigvalsh(comp.gram)
    top = float(ev[-1])
    if comp.n < comp.d or ev[0] <= RANK_TOL * top:
        rank = int((ev > RANK_TOL * top).sum())
        raise RankDeficientError(
            f"the table has numerical rank {rank} < d = {comp.d} (n = {comp.n} rows): its column space has "
            f"dimension {rank}, so E = Q R with orthonormal Q (d columns) does not exist; "
            "use a table with at least d linearly independent rows")
    R = linalg.cholesky(comp.gram, lower=False)
    fro2 = float(np.trace(comp.gram))
    return Spectrum(math.sqrt(top), math.sqrt(float(ev[0])), math.sqrt(fro2), fro2 / top, R)


def sketched_basis(comp: Compressed, spec: Spectrum):
    """S Q = M R^-1 (k x d), on the backend of M."""
    return backend.holding(comp.M).solve_right_upper(comp.M, spec.R)


def eps_macro(S, E=None, *, spec: Spectrum | None = None, block_rows: int | None = None) -> dict:
    """Theorem 6 measured exactly: the worst distortion of ||S E x|| / ||E x|| over all x (Eq. 4-5).

    ``eps_macro(S, E)`` streams E once; ``eps_macro(comp)`` (``comp = compress(S, E)``) reuses a pass
    already made, so M is computed once for every metric.  The singular values s_j of S Q are the
    square roots of the generalized eigenvalues lambda of (M^T M, E^T E), and ||S E x|| / ||E x||
    ranges exactly over [s_min, s_max].  Returns the norm form max|s - 1| (Eq. 4), the
    inner-product form max|s^2 - 1| (Eq. 5) and the extreme lambdas.
    """
    if isinstance(S, Compressed) and E is not None:
        raise InputError("eps_macro(comp) takes no table: the pass over E is done; pass spec= to reuse a Spectrum")
    comp = S if isinstance(S, Compressed) else compress(S, E, block_rows)
    spec = spec or spectrum(comp)
    sq = sketched_basis(comp, spec)
    s = linalg.svdvals(backend.to_host(sq))
    s = np.concatenate([s, np.zeros(comp.d - s.size)])  # k < d: S Q has d - k zero singular values
    lam = s**2
    return {
        "eps_macro_norm": float(np.max(np.abs(s - 1.0))),
        "eps_macro_inner": float(np.max(np.abs(lam - 1.0))),
        "lambda_min": float(lam.min()),
        "lambda_max": float(lam.max()),
        "singular_values": s,
    }


def quantiles(x) -> dict:
    """{min, p01, p50, p99, max} of the finite entries of x (None where there are none)."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {k: None for k in QUANTILES}
    return {k: float(v) for k, v in zip(QUANTILES, np.quantile(x, list(QUANTILES.values())))}


#: the per-row quantities pass 2 measures (``read_back``); ``c_i`` and ``col_sq_norm_i`` only for a PSS
#: with columns of S
ROW_FIELDS = ("rho_i", "eps_i", "eta_i", "norm_ratio_i", "c_i", "col_sq_norm_i")


def row_fields(pss) -> tuple[str, ...]:
    return ROW_FIELDS if pss.has_columns else ROW_FIELDS[:4]


@dataclass
class Micro:
    """Per-row quantities of Theorem 7 over all n rows (host float64 arrays): the in-memory form of
    ``read_back``'s output, for tables small enough to hold it (the checks write it to disk instead)."""

    rho: np.ndarray  # ||E_i|| / sigma
    err: np.ndarray  # ||Mhat_i - E_i||
    eps: np.ndarray  # ||Mhat_i - E_i|| / ||E_i|| (nan on zero rows): the exact sup over x
    eta: np.ndarray  # ||Mhat_i - E_i|| / sigma
    norm_ratio: np.ndarray  # ||Mhat_i|| / ||E_i|| (Eq. 25; nan on zero rows)
    c: np.ndarray | None  # ||c_i||, the cross term of the proof (None for a PSS that is not S E)
    col_sq_norm: np.ndarray | None  # ||S e_i||^2
    bias: np.ndarray = field(default=None)  # mean over rows of Mhat_i - E_i (d,)

    @property
    def zero_rows(self) -> int:
        return int((self.rho == 0).sum())

    @property
    def exact_rows(self) -> int:
        """Rows read back with no error at all (CountSketch rows that collide with nothing)."""
        return int(((self.err == 0) & (self.rho > 0)).sum())


def micro(S, E, comp: Compressed | None = None, spec: Spectrum | None = None, block_rows: int | None = None,
          progress=None, pool=None) -> Micro:
    """Pass 2 (``read_back``) with every per-row quantity held in memory: n float64 arrays."""
    comp = comp or compress(S, E, block_rows, pool=pool)
    spec = spec or spectrum(comp)
    names = ("err_i",) + row_fields(S)
    out = {name: np.empty(comp.n) for name in names}

    def keep(start, fields):
        for name in names:
            out[name][start : start + fields[name].size] = fields[name]

    bias = read_back(S, E, comp, spec, keep, block_rows, progress, pool)
    return Micro(rho=out["rho_i"], err=out["err_i"], eps=out["eps_i"], eta=out["eta_i"],
                 norm_ratio=out["norm_ratio_i"], c=out.get("c_i"), col_sq_norm=out.get("col_sq_norm_i"),
                 bias=bias / comp.n)


def read_back(S, E, comp: Compressed, spec: Spectrum, sink, block_rows: int | None = None, progress=None, pool=None):
    """Pass 2: read every row back and measure Theorem 7's quantities (``ReadBack``, one pass of
    ``passes.run`` in spans of at most ``READ_BACK_SPAN_ROWS`` rows).  ``sink(start, fields)`` receives each
    span's host float64 arrays, in span order: ``err_i`` = ||Mhat_i - E_i|| and those named in
    ``row_fields(S)``; nothing n long is kept here.  Returns the sum over rows of Mhat_i - E_i (d,)."""
    # what every span reads back with: S Q for a sketch (c_i needs it), M itself for a PSS without columns
    basis = sketched_basis(comp, spec) if S.has_columns else comp.M
    acc = ReadBack(basis, spec.R, spec.sigma_max, sink)
    passes.run(passes.PssBlocks(S, E, block_rows), [acc], pool=pool, progress=progress,
               max_span_rows=READ_BACK_SPAN_ROWS)
    return acc.bias


class ReadBack(passes.Accumulator):
    """Pass 2's per-row work.  For a linear sketch, one product [S Q]-read per block gives
    c_b = (S Q)^T S[:, b] - Q_b and Mhat_b - E_b = c_b R; a PSS without S (ROBE-Z) gives Mhat_b directly
    and no c_i.  ``basis`` is S Q for a sketch, M for a PSS without columns."""

    span_fields = ("basis", "R", "sigma_max")

    def __init__(self, basis, R, sigma_max: float, sink):
        self.basis, self.R, self.sigma_max, self.sink = basis, R, sigma_max, sink
        self.bias = np.zeros(R.shape[0])

    def open(self, source, start, stop):
        S = source.S
        return {"S": S, "start": start, "basis": S.xp.asarray(self.basis), "R": S.xp.asarray(self.R),
                "out": {name: np.empty(stop - start) for name in ("err_i",) + row_fields(S)},
                "bias": np.zeros(self.R.shape[0])}

    def add(self, state, b0, b1, block, e64, norms):
        S, out, R = state["S"], state["out"], state["R"]
        xp, host = S.xp, S.backend.to_host
        rows, at = range(b0, b1), slice(b0 - state["start"], b1 - state["start"])
        # in place where it changes no bit: at most three block-sized float64 arrays live at once
        if S.has_columns:
            cb = S.decompress(state["basis"], rows).astype(xp.float64, copy=False)
            cb -= S.backend.solve_right_upper(e64, R)  # c_b = (S Q)^T S[:, b] - Q_b, Q_b = E_b R^-1
            out["c_i"][at] = host(passes.row_norms(xp, cb))
            out["col_sq_norm_i"][at] = host(S.column_sq_norms(rows))
            err = backend.matmul(cb, R)
            del cb
            state["bias"] += host(err.sum(axis=0))
            err_norm = host(passes.row_norms(xp, err))
            err += e64  # Mhat_b
            mhat_norm = host(passes.row_norms(xp, err))
        else:
            err = S.decompress(state["basis"], rows).astype(xp.float64, copy=False)  # Mhat_b, its norms and E_b's error in float64
            mhat_norm = host(passes.row_norms(xp, err))
            err -= e64
            state["bias"] += host(err.sum(axis=0))
            err_norm = host(passes.row_norms(xp, err))
        del err
        with np.errstate(divide="ignore", invalid="ignore"):
            nz = norms > 0
            out["eps_i"][at] = np.where(nz, err_norm / np.where(nz, norms, 1.0), np.nan)
            out["norm_ratio_i"][at] = np.where(nz, mhat_norm / np.where(nz, norms, 1.0), np.nan)
        out["err_i"][at], out["rho_i"][at], out["eta_i"][at] = err_norm, norms / self.sigma_max, err_norm / self.sigma_max

    def close(self, state):
        return state["out"], state["bias"]

    def merge(self, part, start, stop):
        fields, bias = part
        self.sink(start, fields)
        self.bias += bias


def coherence_columns(pairs: int) -> int:
    """The fewest columns m with m (m - 1) / 2 >= ``pairs``."""
    return int(math.ceil((1 + math.sqrt(1 + 8 * pairs)) / 2))


def coherence(S, pairs: int = 1_000_000, seed: int = 0, chunk: int = 512) -> dict:
    """max |<S e_i, S e_j>| over all pairs among m random columns, m(m-1)/2 >= ``pairs``.

    The columns are a uniform sample without replacement (Philox stream TAG_SAMPLE); the Gram of the
    sample is computed in chunks, so memory is O(k chunk).
    """
    pairs = validate.positive_int("pairs", pairs)
    chunk = validate.positive_int("chunk", chunk)
    xp = S.xp
    m = min(S.n, coherence_columns(pairs))
    sample = np.sort(rng.sample_without_replacement(rng.Stream(seed, rng.TAG_SAMPLE), S.n, m))
    worst = 0.0
    starts = list(range(0, m, chunk))
    cols = {}
    for a in starts:
        cols[a] = S.columns(xp.asarray(sample[a : a + chunk])).astype(xp.float64)
    for ia, a in enumerate(starts):
        for b in starts[ia:]:
            G = backend.matmul(cols[a].T, cols[b])
            if a == b:
                G = G * (1.0 - xp.eye(G.shape[0]))
            worst = max(worst, float(xp.abs(G).max()) if G.size else 0.0)
    return {"max_abs_inner": worst, "pairs": m * (m - 1) // 2, "columns": m}
