"""The pass engine (pss_theory.measure.passes): what each accumulator builds against a dense reference,
and the same bits wherever the spans ran."""
import concurrent.futures
import pickle

import numpy as np
import pytest

import pss_theory as p
from pss_theory.backend import get_backend
from pss_theory.measure import cluster, metrics, passes
from pss_theory.tables import as_table


@pytest.fixture
def E():
    rng = np.random.default_rng(3)
    E = rng.standard_normal((3000, 6)) * np.geomspace(1, 30, 6)
    E[[5, 1700]] = 0.0
    return E


class Rows(passes.Accumulator):
    """A check's own accumulator: the rows each block held, in the order the engine merged them."""

    def __init__(self):
        self.seen = []

    def open(self, source, start, stop):
        return []

    def add(self, state, b0, b1, block, b64, norms):
        state.append((b0, b1, float(b64.sum())))

    def merge(self, part, start, stop):
        assert part and part[0][0] == start and part[-1][1] == stop
        self.seen += part


def test_one_pass_builds_the_gram_the_norms_and_the_sketch_of_the_dense_table(E):
    S = p.sketch("gaussian", k=24, n=E.shape[0], seed=1).with_dtype("float64")
    norms = np.full(E.shape[0], np.nan)
    rows = Rows()

    def sink(start, values):
        norms[start : start + values.size] = values

    sketch, gram, row_norms, _ = passes.run(passes.PssBlocks(S, E, 32), [passes.SketchSum(), passes.Gram(),
                                                                          passes.RowNorms(sink), rows])
    np.testing.assert_allclose(S.finish(sketch.total), S.to_dense() @ E, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gram.total, E.T @ E, rtol=1e-12)
    np.testing.assert_array_equal(norms, np.sqrt((E * E).sum(axis=1)))
    assert row_norms.zero_rows == 2 and row_norms.largest == norms.max()
    assert row_norms.sum_sq == pytest.approx((E * E).sum(), rel=1e-12)
    assert [b0 for b0, _, _ in rows.seen] == list(range(0, E.shape[0], 32))
    assert sum(s for _, _, s in rows.seen) == pytest.approx(E.sum(), rel=1e-9)


def test_table_blocks_read_the_table_without_a_pss(E):
    source = passes.TableBlocks(as_table(E), get_backend("cpu"), 500)
    gram, = passes.run(source, [passes.Gram()])
    np.testing.assert_allclose(gram.total, E.T @ E, rtol=1e-12)


def test_spans_on_workers_give_the_same_bits_as_here(E):
    S = p.sketch("countsketch", k=64, n=E.shape[0], seed=2)
    here = metrics.compress(S, E, 128)
    with concurrent.futures.ThreadPoolExecutor(2) as executor, cluster.session(executor) as pool:
        there = metrics.compress(S, E, 128, pool=pool)
    np.testing.assert_array_equal(here.M, there.M)
    np.testing.assert_array_equal(here.gram, there.gram)
    assert (here.zero_rows, here.largest_norm) == (there.zero_rows, there.largest_norm)


def test_what_travels_to_a_worker_is_only_what_a_span_needs():
    acc = passes.RowNorms(sink=lambda start, values: None)
    acc.sum_sq = 5.0
    copy = pickle.loads(pickle.dumps(acc))
    assert copy.keep and not hasattr(copy, "sink") and not hasattr(copy, "sum_sq")


def test_a_non_finite_row_is_refused_with_its_rows(E):
    E = E.copy()
    E[2100, 3] = np.nan
    with pytest.raises(p.tables.TableError, match="rows 2048..2303"):
        passes.run(passes.TableBlocks(as_table(E), get_backend("cpu"), 256), [passes.Gram()])


@pytest.mark.parametrize("name, reads", [("theorem7", 2), ("theorem4", 2), ("theorem6", 1)])
def test_each_check_reads_the_table_as_often_as_it_must(name, reads, monkeypatch):
    """Theorems 7 and 4: pass 1 (with the rho scan) and pass 2; Theorem 6: pass 1 only (rows generated)."""
    from pss_theory.tables.generated import GeneratedTable

    read = []
    block = GeneratedTable.block

    def counted(self, start, stop, xp=np):
        read.append(stop - start)
        return block(self, start, stop, xp)

    monkeypatch.setattr(GeneratedTable, "block", counted)
    extra = {"theorem7": {"coherence_pairs": 10}, "theorem4": {"pairs": 100, "top": 5}, "theorem6": {"trials": 1}}
    p.run_check(name, n=2000, d=4, k=32, **extra[name])
    assert sum(read) == reads * 2000
