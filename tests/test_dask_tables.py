"""One table across workers: zarr stores, folders of .npy shards and Dask arrays as tables, validated
before any work, and both passes of Theorems 6, 7 and 4 split into row spans on the workers with the
numbers of the single-process run (to ``RTOL``: see test_dask.py)."""
import concurrent.futures

import numpy as np
import pytest

from pss_theory import checks, tables
from pss_theory.errors import InputError
from tests.conftest import run_command
from tests.test_dask import RTOL

N, D = 6000, 8


@pytest.fixture(scope="module")
def array():
    rng = np.random.default_rng(3)
    return (rng.standard_normal((N, D)) * (np.arange(1, N + 1) ** -0.5)[:, None]).astype(np.float32)


def write_zarr(path, array, chunks=1000):
    zarr = pytest.importorskip("zarr")
    z = zarr.create_array(str(path), shape=array.shape, chunks=(chunks,) + array.shape[1:], dtype=array.dtype)
    z[:] = array
    return str(path)


def write_shards(folder, array, cuts=(1500, 4000)):
    folder.mkdir()
    for i, part in enumerate(np.split(array, cuts)):
        np.save(folder / f"part-{i + 8}.npy", part)  # part-8, part-9, part-10: natural order, not text order
    return str(folder)


@pytest.fixture
def table_kinds(array, tmp_path):
    da = pytest.importorskip("dask.array")
    return {"zarr": write_zarr(tmp_path / "t.zarr", array), "shards": write_shards(tmp_path / "shards", array),
            "dask": da.from_array(array, chunks=(700, D))}


def flatten(d, prefix=""):
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out |= flatten(value, f"{prefix}{key}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix + key] = value
    return out


def assert_stats_close(a, b, rtol=RTOL):
    fa, fb = flatten(a.stats), flatten(b.stats)
    assert fa.keys() == fb.keys()
    for key in fa:
        assert fa[key] == pytest.approx(fb[key], rel=rtol, abs=1e-12), key


@pytest.mark.dask
@pytest.mark.parametrize("kind", ["zarr", "shards", "dask"])
def test_tables_read_the_rows_and_fingerprint_the_content(array, table_kinds, kind):
    t = tables.resolve(table_kinds[kind])
    assert (t.n, t.d) == array.shape and t.describe()["kind"] == kind
    np.testing.assert_array_equal(t.block(1400, 4100), array[1400:4100])
    idx = np.array([5999, 0, 1500, 3999, 4000])
    np.testing.assert_array_equal(t.rows(idx), array[idx])
    assert t.fingerprint == tables.ArrayTable(array).fingerprint  # the content, not the container


@pytest.mark.dask
@pytest.mark.parametrize("kind, check, options", [
    ("zarr", "theorem7", dict(k=64, coherence_pairs=2000)),
    ("shards", "theorem4", dict(k=64, pairs=5000, top=30)),
    ("dask", "theorem6", dict(k=64, trials=1)),
])
def test_passes_split_over_workers_equal_one_process(dask_client, table_kinds, kind, check, options):
    """One cell: its two passes run as row-span tasks on the 2 workers (block_rows 500: 12 spans)."""
    options = dict(options, table=table_kinds[kind], family="gaussian", block_rows=500)
    here = checks.run_check(check, **options)
    there = checks.run_check(check, **options, dask=dask_client)
    assert_stats_close(there, here)
    assert [c["status"] for c in there.claims] == [c["status"] for c in here.claims]


@pytest.mark.parametrize("family, params", [("countsketch", {}), ("osnap", {"s": 2}), ("gaussian", {})])
def test_span_results_do_not_depend_on_the_workers(array, family, params):
    """Spans are fixed by n and the block size: 1 or 3 workers, or none, give the same bits."""
    options = dict(table=array, family=family, params=params, k=64, block_rows=512, coherence_pairs=1000)
    here = checks.run_check("theorem7", **options)
    for workers in (1, 3):
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            assert_stats_close(checks.run_check("theorem7", **options, dask=pool), here, rtol=0)


def command(argv, capsys):
    from verify import runner

    return run_command(type("M", (), {"main": staticmethod(lambda a: runner.main("theorem7", a))}), argv, capsys)


@pytest.mark.parametrize("make, message", [
    (lambda p, a: write_zarr(p / "flat.zarr", a.ravel()[:100].copy(), chunks=10), "2-D array"),
    (lambda p, a: write_zarr(p / "cplx.zarr", a.astype(np.complex64)), "real numbers"),
    (lambda p, a: write_shards(p / "wide", np.hstack([a, a])) and np.save(p / "wide" / "part-99.npy", a)
     or str(p / "wide"), "same width"),
    (lambda p, a: np.save(p / "mixed" / "part-9.npy", a[:10].astype(np.float64))
     or str(p / "mixed") if write_shards(p / "mixed", a) else None, "same dtype"),
    (lambda p, a: (p / "empty").mkdir() or str(p / "empty"), "no .npy shards"),
    (lambda p, a: str(p / "missing.zarr"), "not found"),
])
def test_bad_tables_are_one_line_and_write_nothing(array, tmp_path, capsys, make, message):
    pytest.importorskip("zarr")
    source = make(tmp_path, array)
    out = tmp_path / "out"
    code, _, err = command(["--table", source, "--out", str(out), "--no-figures"], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_shard_table_is_refused_with_a_conflicting_n(array, tmp_path):
    with pytest.raises(InputError, match="conflicts"):
        tables.resolve(write_shards(tmp_path / "s", array), n=N + 1)


@pytest.mark.parametrize("fortran", [False, True])
def test_a_npy_table_travels_to_a_worker_as_its_path(array, tmp_path, fortran):
    """A task gets the table of its plan pickled: a mapped .npy goes as its path (not its rows), keeps
    its fingerprint, and reads the same rows where it lands."""
    import pickle

    np.save(tmp_path / "t.npy", np.asfortranarray(array) if fortran else array)
    t = tables.load_table(str(tmp_path / "t.npy"))
    fingerprint = t.fingerprint
    data = pickle.dumps(t)
    assert len(data) < 1000 < array.nbytes
    there = pickle.loads(data)
    assert there.__dict__["fingerprint"] == fingerprint
    np.testing.assert_array_equal(there.block(100, 2000), array[100:2000])
