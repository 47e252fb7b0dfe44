"""The pass engine (pss_theory.measure.passes): what each accumulator builds against a dense reference,
and the same bits whatever the block size and wherever the spans ran."""
import concurrent.futures
import pickle

import numpy as np
import pytest

import pss_theory as p
from pss_theory.backend import get_backend
from pss_theory.measure import cluster, metrics, passes
from pss_theory.tables import as_table
from pss_theory.tables import tiles as T


@pytest.fixture
def E():
    rng = np.random.default_rng(3)
    E = rng.standard_normal((3000, 6)) * np.geomspace(1, 30, 6)
    E[[5, 1700]] = 0.0
    return E


@pytest.fixture
def small_tiles(monkeypatch):
    """Tiles of 256 rows for E's 6 columns: a pass of 3000 rows has 12 tiles in 12 spans."""
    monkeypatch.setattr(T, "TILE_FLOATS", 256 * 6)


class Rows(passes.Accumulator):
    """A check's own accumulator: the rows each tile held, in the order the engine merged them."""

    def __init__(self):
        self.seen = []

    def open(self, source, start, stop):
        return []

    def add(self, state, b0, b1, block, b64, norms):
        state.append((b0, b1, float(b64.sum())))

    def merge(self, part, start, stop):
        assert part and part[0][0] == start and part[-1][1] == stop
        self.seen += part


def test_one_pass_builds_the_gram_the_norms_and_the_sketch_of_the_dense_table(E, small_tiles):
    S = p.sketch("gaussian", k=24, n=E.shape[0], seed=1).with_dtype("float64")
    norms = np.full(E.shape[0], np.nan)
    rows = Rows()

    def sink(start, values):
        norms[start : start + values.size] = values

    sketch, gram, row_norms, _ = passes.run(passes.PssBlocks(S, E, 32), [passes.SketchSum(), passes.Gram(),
                                                                          passes.RowNorms(sink), rows])
    np.testing.assert_allclose(S.finish(sketch.total), S.to_dense() @ E, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gram.total, E.T @ E, rtol=1e-12)
    np.testing.assert_allclose(norms, np.sqrt((E * E).sum(axis=1)), rtol=1e-15, atol=0)
    assert row_norms.zero_rows == 2 and row_norms.largest == norms.max()
    assert row_norms.sum_sq == pytest.approx((E * E).sum(), rel=1e-12)
    assert [b0 for b0, _, _ in rows.seen] == list(range(0, E.shape[0], 256))  # tiles, not the blocks of 32
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


@pytest.mark.parametrize("block_rows", [1, 7, 256, 300, 1000, 5000])
def test_tiles_are_the_same_rows_whatever_the_blocks_read(E, block_rows):
    tiles = list(T.read_tiles(lambda a, b: E[a:b], (512, 3000), block_rows, 256, np))
    assert [(a, b) for a, b, _ in tiles] == T.tile_starts(3000, 256)[2:]
    for a, b, rows in tiles:
        np.testing.assert_array_equal(rows, E[a:b])


def test_a_tile_inside_a_block_is_a_view_of_it(E):
    blocks = {}

    def read(a, b):
        blocks[a] = E[a:b].copy()
        return blocks[a]

    tiles = list(T.read_tiles(read, (0, 3000), 1024, 256, np))
    assert all(np.shares_memory(rows, blocks[a // 1024 * 1024]) for a, _, rows in tiles)


def test_a_wide_table_gets_shorter_tiles_and_srht_whole_pieces():
    assert T.tile_rows(1 << 16, 128) == 1 << 16
    assert T.tile_rows(1 << 16, 4096) == T.TILE_FLOATS // 4096
    assert T.tile_rows(1 << 14, 1 << 20, multiple=1 << 14) == 1 << 14  # never less than one piece
    assert T.tile_rows(1 << 15, 2048, multiple=1 << 14) % (1 << 14) == 0


@pytest.mark.parametrize("family, params", [("gaussian", {}), ("countsketch", {}), ("osnap", {"s": 3}),
                                            ("srht", {"block": 256}), ("robez", {})])
def test_every_sum_is_the_same_to_the_bit_whatever_the_blocks_and_the_workers(E, small_tiles, family, params):
    """M = S E in float32, the Gram, the squared norms: float addition is not associative, so these agree to
    the bit only because every sum is taken in the same tiles and the same order."""
    S = p.families.make(family, k=64, E=E, seed=4, **params)
    E32 = E.astype(np.float32)

    def run(block_rows, pool=None):
        return passes.run(passes.PssBlocks(S, E32, block_rows), [passes.SketchSum(), passes.Gram(),
                                                                 passes.RowNorms()], pool=pool)

    def values(accs):
        sketch, gram, norms = accs
        return sketch.total, gram.total, norms.sum_sq

    here = values(run(256))
    others = [values(run(b)) for b in (37, 1000, 3000)]
    for workers in (1, 3):
        with concurrent.futures.ThreadPoolExecutor(workers) as executor, cluster.session(executor) as pool:
            others.append(values(run(500, pool)))
    for other in others:
        for a, b in zip(here, other):
            np.testing.assert_array_equal(a, b)


def test_what_travels_to_a_worker_is_only_what_a_span_needs():
    acc = passes.RowNorms(sink=lambda start, values: None)
    acc.sum_sq = 5.0
    copy = pickle.loads(pickle.dumps(acc))
    assert copy.keep and not hasattr(copy, "sink") and not hasattr(copy, "sum_sq")


def test_a_non_finite_row_is_refused_with_its_rows(E, monkeypatch):
    monkeypatch.setattr(T, "TABLE_TILE_ROWS", 256)
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
