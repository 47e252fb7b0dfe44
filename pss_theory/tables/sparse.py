"""A SciPy sparse matrix as a table, streamed by row blocks densified one at a time."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
import scipy.sparse

from ..backend import move, to_host
from .checks import TableError, beyond_float32, check_block, check_finite, check_rows


@dataclass(frozen=True)
class SparseTable:
    """A SciPy sparse matrix (held as CSR in canonical form: sorted indices, no duplicate or explicit
    zero entries), streamed by row blocks: ``block`` densifies rows start..stop-1 alone, so memory is
    that of the nonzeros plus one dense block, never n x d.  Made by ``sparse_table``."""

    matrix: object  # scipy.sparse.csr_array
    name: str = "sparse"
    CHUNK_ROWS: ClassVar[int] = 1 << 16

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    @property
    def d(self) -> int:
        return self.matrix.shape[1]

    @cached_property
    def fingerprint(self) -> str:
        """blake2b (128-bit digest) of the content without densifying: the row lengths, the column
        indices (int64) and the values, each hashed in row chunks into a digest of its own, then the
        three digests together.  Equal sparse contents (in canonical form) give equal fingerprints,
        whatever the index dtype or the chunking."""
        m = self.matrix
        parts = [hashlib.blake2b(digest_size=16) for _ in range(3)]
        for a in range(0, self.n, self.CHUNK_ROWS):
            b = min(self.n, a + self.CHUNK_ROWS)
            lo, hi = int(m.indptr[a]), int(m.indptr[b])
            parts[0].update(np.diff(m.indptr[a : b + 1]).astype(np.int64))
            parts[1].update(m.indices[lo:hi].astype(np.int64))
            parts[2].update(np.ascontiguousarray(m.data[lo:hi]))
        digest = hashlib.blake2b(digest_size=16)
        for part in parts:
            digest.update(part.digest())
        return digest.hexdigest()

    @cached_property
    def needs_float64(self) -> bool:
        """As ``ArrayTable.needs_float64``, read off the nonzeros alone."""
        return self.matrix.dtype.itemsize > 4 and beyond_float32(self.matrix.data)

    def describe(self) -> dict:
        """What identifies the table: name, shape, dtype, nonzeros and the ``fingerprint`` of its content."""
        return {"kind": "sparse", "name": self.name, "n": self.n, "d": self.d, "dtype": str(self.matrix.dtype),
                "nnz": int(self.matrix.nnz), "blake2b": self.fingerprint}

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1, densified (InputError unless 0 <= start <= stop <= n)."""
        check_block(start, stop, self.n)
        return move(self.matrix[start:stop].toarray(), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids, densified (a 1-D integer array of ids in [0, n), else InputError)."""
        return move(self.matrix[check_rows(to_host(idx), self.n)].toarray(), xp)


def sparse_table(matrix, name: str = "sparse") -> SparseTable:
    """A ``SparseTable`` for a SciPy sparse matrix or array of any format (CSR, CSC, COO, ...), checked as
    every table is: 2-D, not empty, real floating point, and every stored value finite (one scan of
    the nonzeros, which are in memory already).  The matrix given is never modified: the CSR copy
    is put in canonical form."""
    if len(matrix.shape) != 2:
        raise TableError(f"table must be a 2-D array (n rows x d columns), got shape {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.floating):
        raise TableError(f"table must hold real floating-point values, got dtype {matrix.dtype}")
    if 0 in matrix.shape:
        raise TableError(f"table is empty: shape {matrix.shape}")
    csr = scipy.sparse.csr_array(matrix, copy=True)
    csr.sum_duplicates()
    csr.eliminate_zeros()
    check_finite(csr.data, "stored values", name)
    return SparseTable(csr, name)
