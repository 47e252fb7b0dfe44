import json
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pss_theory as p
from pss_theory.tables import TableError
from pss_theory.tables.checks import table_label


@given(kind=st.sampled_from(["gaussian", "lowrank", "zipf"]), n=st.integers(1, 200), d=st.integers(1, 12),
       a=st.integers(0, 199), b=st.integers(1, 200))
def test_generated_rows_are_a_pure_function_of_seed_and_row(kind, n, d, a, b):
    T = p.table(kind, n=n, d=d, seed=4)
    full = T.block(0, n)
    a, b = min(a, n - 1), min(max(a + 1, b), n)
    np.testing.assert_array_equal(T.block(a, b), full[a:b])
    idx = np.array([b - 1, a, a])
    np.testing.assert_array_equal(T.rows(idx), full[idx])


def test_kinds_have_their_shape():
    n, d = 20000, 32
    g = p.table("gaussian", n=n, d=d, seed=1).block(0, n).astype(np.float64)
    assert abs(g.var() - 1) < 0.01
    lr = p.table("lowrank", n=n, d=d, seed=1, rank=4, noise=0.01).block(0, n).astype(np.float64)
    sv = np.linalg.svd(lr, compute_uv=False)
    assert sv[4] < 0.05 * sv[0]  # rank 4 plus small noise
    assert np.all(np.diff(sv[:4]) < 0)  # decaying spectrum
    z = p.table("zipf", n=n, d=d, seed=1, alpha=0.5).block(0, n)
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), (np.arange(n) + 1.0) ** -0.5, rtol=1e-5)


def test_seeds_differ():
    assert not np.array_equal(p.table("gaussian", n=5, d=3, seed=1).block(0, 5), p.table("gaussian", n=5, d=3, seed=2).block(0, 5))


def _write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": {np.float32: "F32", np.float64: "F64", np.int32: "I32", np.uint16: "BF16"}[arr.dtype.type],
                        "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    path.write_bytes(len(h).to_bytes(8, "little") + h + b"".join(blobs))


def test_loaders_roundtrip(tmp_path):
    E = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    np.save(tmp_path / "e.npy", E)
    np.savez(tmp_path / "e.npz", table=E)
    np.savez(tmp_path / "two.npz", a=E, b=E)
    _write_safetensors(tmp_path / "e.safetensors", {"emb.weight": E, "other": E[:3]})
    t = p.load_table(tmp_path / "e.npy")
    assert isinstance(t.array, np.memmap)
    for tab in (t, p.load_table(tmp_path / "e.npz"), p.load_table(tmp_path / "two.npz", key="b"),
                p.load_table(tmp_path / "e.safetensors", key="emb.weight")):
        np.testing.assert_array_equal(tab.block(0, 50), E)
    with pytest.raises(TableError, match="name one"):
        p.load_table(tmp_path / "two.npz")


def test_a_bfloat16_safetensors_table_is_read_as_its_float32_values(tmp_path):
    """A BF16 tensor (the upper 16 bits of a float32) reads as exactly those float32 values, block by block
    and by rows, in another process too, and measures what the same values measure as a float32 array."""
    E = np.random.default_rng(3).standard_normal((400, 6)).astype(np.float32)
    words = (E.view(np.uint32) >> 16).astype(np.uint16)  # bfloat16 by truncation
    E16 = (words.astype(np.uint32) << 16).view(np.float32)
    _write_safetensors(tmp_path / "bf.safetensors", {"emb.weight": words})
    t = p.load_table(tmp_path / "bf.safetensors")
    np.testing.assert_array_equal(t.block(0, 400), E16)
    np.testing.assert_array_equal(t.rows(np.array([7, 3, 399])), E16[[7, 3, 399]])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(t)).block(10, 20), E16[10:20])
    assert t.describe()["dtype"] == "bfloat16" and "bfloat16 values read as float32" in table_label(t.describe())
    on_file = p.run_check("theorem7", table=str(tmp_path / "bf.safetensors"), k=48, coherence_pairs=100)
    as_array = p.run_check("theorem7", table=E16, k=48, coherence_pairs=100)
    assert on_file.stats == as_array.stats


def test_a_float16_table_is_read_as_float32_and_measures_what_its_float32_copy_does():
    E = p.table("zipf", n=500, d=6, seed=2).block(0, 500).astype(np.float16)
    half = p.run_check("theorem7", table=E, k=48, coherence_pairs=100)
    single = p.run_check("theorem7", table=E.astype(np.float32), k=48, coherence_pairs=100)
    assert half.stats == single.stats and half.table["dtype"] == "float16"
    assert "float16 values read as float32" in table_label(half.table)
    assert p.tables.as_table(E).block(0, 3).dtype == np.float32


@pytest.mark.parametrize("make, exc, match", [
    (lambda d: d / "missing.npy", FileNotFoundError, "not found"),
    (lambda d: d, TableError, "directory"),
    (lambda d: (np.save(d / "v.npy", np.ones(5)), d / "v.npy")[1], TableError, "2-D"),
    (lambda d: (np.save(d / "c.npy", np.ones((5, 2), dtype=np.complex64)), d / "c.npy")[1], TableError, "real numbers"),
    (lambda d: ((d / "t.npy").write_bytes((np.save(d / "full.npy", np.ones((100, 4))), (d / "full.npy").read_bytes()[:200])[1]), d / "t.npy")[1], TableError, "cannot read"),
    (lambda d: ((d / "x.csv").write_text("1,2"), d / "x.csv")[1], TableError, "not a supported table file"),
    (lambda d: ((d / "b.safetensors").write_bytes(b"\x05\x00"), d / "b.safetensors")[1], TableError, "safetensors"),
])
def test_bad_table_files(tmp_path, make, exc, match):
    with pytest.raises(exc, match=match):
        p.load_table(make(tmp_path))


def test_nan_is_found_while_streaming():
    E = np.ones((10, 3))
    E[7, 1] = np.nan
    with pytest.raises(TableError, match="NaN or Inf"):
        p.sketch("countsketch", k=4, n=10).apply(E, block_rows=4)


def test_bad_table_arguments():
    with pytest.raises(ValueError, match="gaussian, lowrank, zipf"):
        p.table("cauchy", n=3, d=2)
    with pytest.raises(ValueError, match="n must be"):
        p.table("gaussian", n=0, d=2)
    with pytest.raises(ValueError, match=r"^rank must be a positive integer, got 0$"):  # numpy ints read as ints
        p.table("lowrank", n=3, d=2, rank=np.int64(0))


@pytest.mark.parametrize("kind", ["gaussian", "lowrank", "zipf"])
def test_generated_blocks_on_every_device_match_the_cpu_rows(kind, device):
    """A block generated on ``device`` equals the same rows drawn one by one on the CPU (float32 normals
    through log/cos/sin: a few ulp apart on a GPU, identical on the CPU)."""
    T = p.table(kind, n=5000, d=16, seed=3)
    idx = np.arange(100, 4100)
    block = device.to_host(T.block(100, 4100, device.xp))
    np.testing.assert_allclose(block, T.rows(idx), rtol=2e-6, atol=2e-6)
    some = np.array([4999, 0, 17, 17])
    np.testing.assert_allclose(device.to_host(T.rows(device.xp.asarray(some), device.xp)), T.block(0, 5000)[some],
                               rtol=2e-6, atol=2e-6)


def test_a_big_endian_or_fortran_copy_has_the_fingerprint_of_its_values():
    E = np.random.default_rng(4).standard_normal((300, 5)).astype(np.float32)
    want = p.tables.as_table(E).describe()
    for copy in (E.astype(">f4"), np.asfortranarray(E), np.asfortranarray(E.astype(">f4"))):
        assert p.tables.as_table(copy).describe() == want
    changed = E.copy()
    changed[7, 2] = np.nextafter(changed[7, 2], np.float32(np.inf))
    assert p.tables.as_table(changed).describe()["blake2b"] != want["blake2b"]


def test_a_rerun_on_a_big_endian_copy_reuses_the_records(tmp_path, capsys):
    from conftest import run_command

    from verify import theorem6

    E = np.random.default_rng(4).standard_normal((600, 6)).astype(np.float32)
    path, out = tmp_path / "emb.npy", str(tmp_path / "out")
    argv = ["--table", str(path), "--k", "24", "--trials", "2", "--out", out]
    np.save(path, E)
    assert run_command(theorem6, argv, capsys)[0] == 0
    first = json.loads((tmp_path / "out" / "summary.json").read_text())["stats"]
    np.save(path, np.asfortranarray(E.astype(">f4")))  # the same values, converted
    code, _, err = run_command(theorem6, argv, capsys)
    assert code == 0 and "reusing 2 of 2 cells" in err
    again = json.loads((tmp_path / "out" / "summary.json").read_text())["stats"]
    assert again["eps_macro_norm"] == first["eps_macro_norm"]


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.bool_])
def test_integer_and_boolean_tables_are_measured_as_their_float64_cast(dtype):
    """As scikit-learn casts integer input: the same numbers as the float64 copy, one block at a time, and
    the header says the cast once."""
    from pss_theory import report

    rng = np.random.default_rng(5)
    E = (rng.random((800, 5)) < 0.5) if dtype is np.bool_ else rng.integers(-20, 20, (800, 5)) * (np.arange(5) + 1)
    E = E.astype(dtype) if dtype is not np.uint16 else np.abs(E).astype(dtype)
    table = p.tables.as_table(E)
    assert table.block(0, 10).dtype == np.float64 and table.rows(np.array([3, 1])).dtype == np.float64
    got = p.run_check("theorem7", table=E, k=32, coherence_pairs=100)
    want = p.run_check("theorem7", table=E.astype(np.float64), k=32, coherence_pairs=100)
    assert got["stats"]["gaussian"]["eps_i"] == want["stats"]["gaussian"]["eps_i"]
    assert got["table"]["dtype"] == np.dtype(dtype).name
    header = report.PARTS["theorem7"].header(got)
    assert header.count(f"{np.dtype(dtype).name} values cast to float64 block by block") == 1
    assert "cast" not in report.PARTS["theorem7"].header(want)
