"""Tables as people hold them (DLPack and __array__ objects, pandas, SciPy sparse): the same numbers as
the dense array they hold, streamed by row blocks, fingerprinted without densifying."""
import importlib.util

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import pss_theory as p
from pss_theory.errors import InputError
from pss_theory.tables import SparseTable, TableError, as_table


class DLPackOnly:
    """An array that exposes DLPack and nothing else (as torch and JAX arrays do)."""

    def __init__(self, a, device=(1, 0)):
        self._a, self._device = a, device

    def __dlpack__(self, **kw):
        return self._a.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self._device


class ArrayOnly:
    """An array that exposes ``__array__`` only."""

    def __init__(self, a):
        self._a = a

    def __array__(self, dtype=None, copy=None):
        return self._a if dtype is None else self._a.astype(dtype)


def _dense():
    """A small table with a few exact zeros and one all-zero row (rows 7 and 100)."""
    E = np.random.default_rng(3).standard_normal((300, 6))
    E[np.abs(E) < 0.5] = 0.0
    E[[7, 100]] = 0.0
    return E


HOLDERS = {
    "dlpack": DLPackOnly, "__array__": ArrayOnly, "pandas": pd.DataFrame, "csr": sp.csr_array,
    "csc": sp.csc_matrix, "coo": sp.coo_array, "lil": sp.lil_matrix,
}


@pytest.mark.parametrize("holder", sorted(HOLDERS))
def test_a_held_table_gives_the_numbers_of_the_dense_array(holder):
    E = _dense()
    ref = p.run_check("theorem7", table=E, family="gaussian", k=48, seed=2, block_rows=64, coherence_pairs=200)
    got = p.run_check("theorem7", table=HOLDERS[holder](E), family="gaussian", k=48, seed=2, block_rows=64,
                      coherence_pairs=200)
    assert got.stats["gaussian"]["zero_rows"] == 2
    for name in ("sigma_max", "frobenius", "eta_mean", "eps_i", "eta_i", "rho_i", "c_i"):
        assert got.stats["gaussian"][name] == ref.stats["gaussian"][name], name
    assert [c["measured"] for c in got.claims] == [c["measured"] for c in ref.claims]


def test_a_sparse_table_is_densified_one_row_block_at_a_time(monkeypatch):
    E = _dense()
    shapes = []
    original = sp.csr_array.toarray

    def spy(self, *args, **kw):
        shapes.append(self.shape)
        return original(self, *args, **kw)

    monkeypatch.setattr(sp.csr_array, "toarray", spy)
    p.run_check("theorem7", table=sp.csr_array(E), family="gaussian", k=48, seed=2, block_rows=64,
                coherence_pairs=200)
    assert shapes and max(rows for rows, _ in shapes) <= 64


def test_the_sparse_fingerprint_is_of_the_content_and_reads_no_dense_array(monkeypatch):
    E = _dense()
    monkeypatch.setattr(sp.csr_array, "toarray", lambda *a, **k: pytest.fail("fingerprint densified"))
    coo = sp.coo_array(E)
    # the same content with an entry split in two duplicates and an explicit zero stored in row 7 (all zero)
    r, c, v = coo.row, coo.col, coo.data
    split = sp.coo_array((np.r_[v[:-1], v[-1] / 2, v[-1] / 2, 0.0], (np.r_[r, r[-1], 7], np.r_[c, c[-1], 0])),
                         shape=E.shape)
    prints = {as_table(m).fingerprint for m in (sp.csr_array(E), sp.csc_matrix(E), coo, split)}
    assert len(prints) == 1
    SparseTable.CHUNK_ROWS, chunk = 7, SparseTable.CHUNK_ROWS
    try:
        assert as_table(sp.csr_array(E)).fingerprint in prints  # whatever the chunking
    finally:
        SparseTable.CHUNK_ROWS = chunk
    changed = E.copy()
    changed[299, 5] += 1e-12
    assert as_table(sp.csr_array(changed)).fingerprint not in prints
    moved = sp.csr_array(E)
    moved.indices = moved.indices.astype(np.int64)
    assert as_table(moved).fingerprint in prints


def test_held_tables_are_validated_like_the_others():
    E = _dense()
    bad = E.copy()
    bad[5, 1] = np.nan
    for holder in ("csr", "dlpack", "pandas"):
        with pytest.raises(TableError, match="NaN or Inf"):
            p.run_check("theorem7", table=HOLDERS[holder](bad), family="gaussian", k=48, coherence_pairs=200)
    with pytest.raises(TableError, match="floating-point"):
        as_table(sp.csr_array(np.ones((4, 3), dtype=np.int64)))
    with pytest.raises(TableError, match="real numbers"):
        as_table(DLPackOnly(np.ones((4, 3), dtype=np.complex64)))
    with pytest.raises(TableError, match="real numbers"):
        as_table(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}))
    with pytest.raises(TableError, match="empty"):
        as_table(sp.csr_array((0, 3)))
    with pytest.raises(TableError, match="all-zero|no nonzero|zero"):
        p.run_check("theorem7", table=sp.csr_array((50, 3)), family="gaussian", k=24, coherence_pairs=200)


def test_an_array_that_refuses_export_is_one_clear_error():
    class Refusing:
        def __dlpack__(self, **kw):
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")

        def __dlpack_device__(self):
            return (1, 0)

    with pytest.raises(TableError, match="cannot read a Refusing as a table: Can't export"):
        as_table(Refusing())


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed here")
def test_a_cuda_array_without_a_gpu_is_an_input_error():
    """A DLPack array in CUDA memory stays on the GPU: without CuPy and a device that is a user error."""
    with pytest.raises(InputError, match="gpu"):
        as_table(DLPackOnly(np.ones((4, 3)), device=(2, 0)))
