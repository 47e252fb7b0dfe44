"""A codebook: product quantization (Jegou et al. 2011) of the rows, fitted by k-means (Lloyd 1982), as CCE
(Tsang & Ahle 2023) stores embedding tables.

Each row is cut into P sub-vectors of d / P columns; sub-vector p of row i is stored as the index c_ip of
the nearest of K centroids of its codebook, and read back as that centroid.  Stored: P codebooks of K x
(d / P) float32 (K d floats in all) and n P codes of b = ceil(log2 K) bits each, counted packed.  The rule:
K = 256 (8-bit codes) and the largest P dividing d with n P b / 8 + 4 K d <= budget; when even P = 1 does
not fit, P = 1 and the largest K = 2^b (b >= 1) that fits.  So it reaches compressions up to about 32 d
(one bit a row).

Fitted by Lloyd's iterations (every sub-vector assigned to its nearest centroid, then each centroid the
mean of its sub-vectors; a centroid with none keeps its place) on a training sample of at most 256 rows per
centroid drawn for the seed, as faiss trains its k-means (Johnson et al. 2019), from K of those rows; then
one pass of E writes every row's codes for the final centroids.  ``history``: the relative squared residual
sum_i ||Mhat_i - E_i||^2 / ||E||_F^2 of the centroids each iteration reads the sample with, and last the
fit's own on all of E.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.cluster import vq

from .. import rng
from ..backend import get_backend
from ..measure import passes
from ..tables import as_table
from .base import TABLE_ENTRY_BYTES, Fitted, Method, Unreachable, as_rows, group_sums

ITERATIONS = 5  # Lloyd iterations on the training sample before the pass that writes the codes
TRAIN_PER_CENTROID = 256  # training rows per centroid at most, as faiss's k-means samples them
MAX_K = 256


def config(n: int, d: int, budget: float) -> tuple[int, int] | None:
    """(P, K) of the rule above, or None when not even 1-bit codes fit."""
    K = min(MAX_K, n)
    b = max(1, math.ceil(math.log2(K)))
    fits = [P for P in range(1, d + 1) if d % P == 0 and n * P * b / 8 + TABLE_ENTRY_BYTES * K * d <= budget]
    if fits:
        return max(fits), K
    for bits in range(b - 1, 0, -1):
        if n * bits / 8 + TABLE_ENTRY_BYTES * 2**bits * d <= budget:
            return 1, 2**bits
    return None


class Quantized(Fitted):
    """Mhat_i = the centroids its codes name, side by side."""

    def read(self, idx):
        codes = self.codes[as_rows(idx)]
        books = self.arrays["codebooks"]  # (P, K, d / P)
        return np.concatenate([books[p][codes[:, p]] for p in range(books.shape[0])], axis=1).astype(np.float64)


def nearest(sub, book):
    """Index of the nearest centroid of ``book`` (K x w) for each row of ``sub`` (b x w), and its squared distance
    (``scipy.cluster.vq.vq``, compiled: twice as fast as the same search written with numpy)."""
    code, dist = vq.vq(sub, book, check_finite=False)
    return code.astype(np.int64), dist * dist


class Lloyd(passes.Accumulator):
    """One pass: each sub-vector's nearest centroid; the sums and counts of the next centroids (or, with
    ``codes``, the codes written in row order); the squared residual of these centroids."""

    span_fields = ("books",)

    def __init__(self, books, codes=None):
        self.books, self.codes = books, codes
        P, K, w = books.shape
        self.sums, self.counts, self.residual, self.total = np.zeros((P, K, w)), np.zeros((P, K)), 0.0, 0.0

    def open(self, source, start, stop):
        P, K, w = self.books.shape
        return {"sums": np.zeros((P, K, w)), "counts": np.zeros((P, K)), "residual": 0.0, "total": 0.0, "codes": []}

    def add(self, state, b0, b1, block, b64, norms):
        P, K, w = self.books.shape
        codes = np.empty((b1 - b0, P), dtype=np.int64)
        for p in range(P):
            sub = b64[:, p * w : (p + 1) * w]
            codes[:, p], dist = nearest(sub, self.books[p])
            state["residual"] += float(dist.sum())
            state["sums"][p] += group_sums(codes[:, p], sub, K)
            state["counts"][p] += np.bincount(codes[:, p], minlength=K)
        state["total"] += float((norms * norms).sum())
        state["codes"].append((b0, codes))

    def merge(self, part, start, stop):
        self.sums += part["sums"]
        self.counts += part["counts"]
        self.residual += part["residual"]
        self.total += part["total"]
        if self.codes is not None:
            for b0, codes in part["codes"]:
                self.codes[b0 : b0 + codes.shape[0]] = codes

    def centroids(self):
        return np.where(self.counts[..., None] > 0, self.sums / np.maximum(self.counts, 1)[..., None], self.books)


class ProductQuantization(Method):
    name = "pq"
    sources = ("jegou2011", "tsang_ahle2023", "lloyd1982", "faiss2019")
    reads = 2  # the training sample's rows, and the pass that writes the codes
    rule = "K = 256 and the largest P | d with n P log2(K) / 8 + 4 K d <= budget; else P = 1, the largest K = 2^b"

    def working_bytes(self, n, d, budget, block_rows):
        return 2.0 * budget + 8.0 * n + 24.0 * block_rows * MAX_K  # codes, centroid sums, a block's distances

    def fit(self, table, budget, seed, block_rows=1 << 16):
        n, d = table.n, table.d
        pk = config(n, d, budget)
        if pk is None:
            raise Unreachable("not even one bit a row and two centroids fit", 1.0,
                              TABLE_ENTRY_BYTES * n * d / (n / 8 + TABLE_ENTRY_BYTES * 2 * d))
        P, K = pk
        w = d // P
        backend = get_backend("cpu")
        drawn = np.asarray(rng.sample_without_replacement(rng.Stream(rng.sketch_key(seed, 0), rng.TAG_SAMPLE), n,
                                                          min(n, TRAIN_PER_CENTROID * K)), dtype=np.int64)
        books = table.rows(np.sort(drawn[:K]), np).astype(np.float64).reshape(K, P, w).transpose(1, 0, 2).copy()
        sample = passes.TableBlocks(as_table(table.rows(np.sort(drawn), np).astype(np.float64)), backend, block_rows)
        history = []
        for _ in range(ITERATIONS):
            acc = passes.run(sample, [Lloyd(books)])[0]
            history.append(acc.residual / acc.total if acc.total else 0.0)
            books = acc.centroids()
        codes = np.empty((n, P), dtype=np.uint8 if K <= 256 else np.uint16)
        # spans of one block: each block's codes are written as it is read, not held for a span
        last = passes.run(passes.TableBlocks(table, backend, block_rows), [Lloyd(books, codes)],
                          max_span_rows=block_rows)[0]
        history.append(last.residual / last.total if last.total else 0.0)
        bits = max(1, math.ceil(math.log2(K)))
        return Quantized(self.name, n, d, {"codebooks": books.astype(np.float32)}, codes=codes, code_bits=n * P * bits,
                         seeds=0, passes=2, history=history, config={"P": P, "K": K, "bits": bits})


METHOD = ProductQuantization()
