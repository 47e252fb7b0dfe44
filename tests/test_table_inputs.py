"""Hostile tables and library arguments: each answered by an InputError that says what is wrong, never by
rows of no table, a traceback, a hang or numbers computed from a table rounded out of recognition."""
import io
import json
import os
import threading
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from conftest import FAMILY_CASES
from hypothesis import given, settings
from hypothesis import strategies as st

import pss_theory as p
from pss_theory.errors import InputError
from pss_theory.families.robez import RobeZ
from pss_theory.measure import memory
from pss_theory.tables import ArrayTable, TableError

# ---- B: out-of-range rows ----------------------------------------------------------------------------


def _tables(n):
    return [p.table("gaussian", n=n, d=3, seed=1), ArrayTable(np.ones((n, 3)))]


@given(n=st.integers(1, 300), below=st.integers(1, 10**6), beyond=st.integers(0, 10**6))
def test_rows_outside_the_table_are_refused(n, below, beyond):
    for t in _tables(n):
        for bad in ([-below], [n + beyond], [0, n + beyond], [1.5], [[0]]):
            with pytest.raises(InputError, match="row ids"):
                t.rows(np.asarray(bad))
        np.testing.assert_array_equal(t.rows(np.array([n - 1, 0])), t.block(0, n)[[n - 1, 0]])


@given(n=st.integers(1, 300), start=st.integers(-10**6, 10**6), length=st.integers(-50, 10**6))
def test_blocks_outside_the_table_are_refused(n, start, length):
    stop = start + length
    for t in _tables(n):
        if 0 <= start <= stop <= n:
            assert t.block(start, stop).shape == (stop - start, 3)
        else:
            with pytest.raises(InputError, match="outside the table"):
                t.block(start, stop)


def test_the_cases_of_the_brief():
    t = p.table("gaussian", n=100, d=4)
    for call in (lambda: t.rows([-1]), lambda: t.rows([100]), lambda: t.rows([1.5]), lambda: t.block(-5, 3),
                 lambda: t.block(90, 120)):
        with pytest.raises(InputError):
            call()


# ---- C: loaders --------------------------------------------------------------------------------------


def _safetensors_bytes(header, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return len(raw).to_bytes(8, "little") + raw + data


def _entry(**over):
    e = {"dtype": "F32", "shape": [4, 2], "data_offsets": [0, 32]}
    e.update(over)
    return {"t": e}


DATA = np.arange(8, dtype=np.float32).tobytes() * 2  # 64 bytes: room for offsets that point past 32

BAD_SAFETENSORS = [
    (_entry(data_offsets=[-16, 16]), "data_offsets"),  # points back into the header
    (_entry(data_offsets=[-32, 0]), "data_offsets"),
    (_entry(data_offsets=[32, 0]), "data_offsets"),  # end < begin
    (_entry(data_offsets=[16, 48], shape=[2, 2]), "data_offsets"),
    ([1, 2], "JSON list"),
    (5, "JSON int"),
    ({"t": 5}, "entry 't'"),
    ({"t": [1, 2]}, "entry 't'"),
    ({"t": {"dtype": "F32"}}, "missing"),
    ({"t": {"shape": [4, 2], "data_offsets": [0, 32]}}, "missing"),
    (_entry(shape=[2.5, 4]), "shape"),
    (_entry(shape=[-4, -2]), "shape"),
    (_entry(shape="4x2"), "shape"),
    (_entry(shape=[True, 2]), "shape"),
    (_entry(data_offsets=[0]), "data_offsets"),
    (_entry(data_offsets=[0, 32, 64]), "data_offsets"),
    (_entry(data_offsets=["0", "32"]), "data_offsets"),
    (_entry(data_offsets=[0.0, 32.0]), "data_offsets"),
    (_entry(data_offsets=None), "data_offsets"),
    (_entry(dtype=7), "dtype"),
    ({"__metadata__": {}}, "holds 0 arrays"),
    (b"[" * 100_000, "malformed"),  # nesting deep enough to exhaust the parser's recursion
]


@pytest.mark.parametrize("header, match", BAD_SAFETENSORS, ids=[str(m) + str(i) for i, (_, m) in enumerate(BAD_SAFETENSORS)])
def test_malformed_safetensors_headers_are_one_table_error(tmp_path, header, match):
    path = tmp_path / "t.safetensors"
    path.write_bytes(_safetensors_bytes(header, DATA))
    with pytest.raises(TableError, match=match):
        p.load_table(path)


@given(begin=st.integers(-10**6, 10**6), end=st.integers(-10**6, 10**6))
@settings(max_examples=60)
def test_safetensors_offsets_never_reach_outside_the_data(tmp_path_factory, begin, end):
    path = tmp_path_factory.mktemp("st") / "t.safetensors"
    path.write_bytes(_safetensors_bytes(_entry(data_offsets=[begin, end]), DATA))
    if 0 <= begin and end == begin + 32 and end <= len(DATA):
        np.testing.assert_array_equal(p.load_table(path).array, np.frombuffer(DATA[begin:end], np.float32).reshape(4, 2))
    else:
        with pytest.raises(TableError, match="data_offsets"):
            p.load_table(path)


def test_a_1_gib_safetensors_header_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.safetensors"
    size = 1 << 30
    with open(path, "wb") as fh:
        fh.write(size.to_bytes(8, "little"))
        fh.truncate(8 + size + 64)  # sparse: the file really is that long
    tracemalloc.start()
    try:
        with pytest.raises(TableError, match="at most 100,000,000"):
            p.load_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def _npz(tmp_path, compressed=False):
    E = np.random.default_rng(0).standard_normal((200, 4))
    path = tmp_path / "e.npz"
    (np.savez_compressed if compressed else np.savez)(path, table=E)
    return path, E


def test_truncated_npz(tmp_path):
    path, _ = _npz(tmp_path)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(TableError, match="npz"):
        p.load_table(path)


@pytest.mark.parametrize("compressed", [False, True])
def test_corrupt_npz_member(tmp_path, compressed):
    path, _ = _npz(tmp_path, compressed)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("table.npy")
    at = info.header_offset + 30 + len(info.filename) + info.compress_size // 2  # the middle of the member data
    raw[at] ^= 0xFF
    raw[at + 1] ^= 0x55
    path.write_bytes(bytes(raw))
    with pytest.raises(TableError, match="corrupt"):
        p.load_table(path)


def test_npz_whose_bytes_are_npy(tmp_path):
    np.save(tmp_path / "e.npy", np.ones((10, 3)))
    os.replace(tmp_path / "e.npy", tmp_path / "e.npz")
    with pytest.raises(TableError, match="not a zip archive.*npy"):
        p.load_table(tmp_path / "e.npz")


def test_npz_member_larger_than_memory_is_refused_before_it_is_read(tmp_path):
    header = {"descr": "<f4", "fortran_order": False, "shape": (1 << 40, 128)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as z:
        z.writestr("table.npy", buf.getvalue() + b"\0" * 64)
    with pytest.raises(TableError, match=r"GiB.*free"):
        p.load_table(tmp_path / "huge.npz")


def test_a_fifo_named_npy_is_refused_not_waited_on(tmp_path):
    path = tmp_path / "x.npy"
    os.mkfifo(path)
    result = []

    def load():
        try:
            p.load_table(path)
        except Exception as exc:  # what the load answered, judged below
            result.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # it blocked in open(): release it by opening the other end
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("load_table waited on a FIFO")
    assert isinstance(result[0], TableError) and "regular file" in str(result[0])


def test_key_for_a_npy_is_an_error(tmp_path):
    np.save(tmp_path / "e.npy", np.ones((10, 3)))
    with pytest.raises(TableError, match="a .npy file holds one table; --key applies to"):
        p.load_table(tmp_path / "e.npy", key="weight")
    with pytest.raises(TableError, match="--key applies"):
        p.run_check("theorem7", table=str(tmp_path / "e.npy"), key="weight")


# ---- D: float64 tables beyond float32's range -----------------------------------------------------


def _small_table():
    rng = np.random.default_rng(3)
    return rng.standard_normal((2000, 8)) * np.linspace(1.0, 4.0, 8)


@pytest.fixture(scope="module")
def unscaled():
    E = _small_table()
    return (p.run_check("theorem7", table=E, k=64, coherence_pairs=2000).stats["gaussian"],
            p.run_check("theorem6", table=E, k=64, trials=2).stats)


@given(exponent=st.integers(31, 100), sign=st.sampled_from([-1, 1]))
@settings(max_examples=6)
def test_scaled_tables_give_the_unscaled_distortions(unscaled, exponent, sign):
    s7, s6 = unscaled
    E = _small_table() * 10.0 ** (sign * exponent)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an overflow or underflow in a cast fails the test
        t7 = p.run_check("theorem7", table=E, k=64, coherence_pairs=2000).stats["gaussian"]
        t6 = p.run_check("theorem6", table=E, k=64, trials=2).stats
    for name in ("eps_i", "eta_i", "norm_ratio_i", "c_i"):
        for q, v in s7[name].items():
            assert t7[name][q] == pytest.approx(v, rel=1e-4), (name, q)
    assert t7["zero_rows"] == 0 and t7["rows"] == 2000
    np.testing.assert_allclose(t6["eps_macro_norm"], s6["eps_macro_norm"], rtol=1e-4)
    np.testing.assert_allclose(t6["eps_macro_inner"], s6["eps_macro_inner"], rtol=1e-4)


def test_scaled_tables_write_no_warnings_and_theorem4_agrees(capfd):
    def pair_stats(E):
        return p.run_check("theorem4", table=E, k=64, pairs=5000, top=30).stats

    want = pair_stats(_small_table())
    for scale in (1e-50, 1e50):
        p.run_check("theorem7", table=_small_table() * scale, k=64, coherence_pairs=2000)
        p.run_check("theorem6", table=_small_table() * scale, k=64, trials=1)
        got = pair_stats(_small_table() * scale)
        for name, value in want.items():
            if isinstance(value, float):
                assert got[name] == pytest.approx(value, rel=1e-4, abs=1e-12), name
    assert capfd.readouterr().err == ""


def test_a_float32_pss_refuses_such_a_table_instead_of_rounding_it():
    E = _small_table() * 1e-50
    S = p.sketch("gaussian", k=64, n=2000)
    with pytest.raises(TableError, match="float32"):
        S.apply(E)
    M = S.with_dtype("float64").apply(E)
    np.testing.assert_allclose(M * 1e50, S.with_dtype("float64").apply(E * 1e50), rtol=1e-12)


# ---- E: library arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize("block_rows", [-1, 0, 2.5, "10", True])
def test_apply_refuses_a_bad_block_size(family, block_rows):
    S = p.sketch(family, k=16, n=64, **FAMILY_CASES[family])
    with pytest.raises(InputError, match="block_rows"):
        S.apply(np.ones((64, 3)), block_rows=block_rows)


def test_decompress_refuses_a_complex_memory(family):
    S = p.sketch(family, k=16, n=64, **FAMILY_CASES[family])
    M = S.apply(np.random.default_rng(0).standard_normal((64, 3)))
    with pytest.raises(InputError, match="real"):
        S.decompress(M + 1j, np.arange(5))
    R = RobeZ(n=64, d=3, m=40, Z=1)
    with pytest.raises(InputError, match="real"):
        R.decompress(np.zeros(40, dtype=complex), np.arange(5))


def test_decompress_of_a_memory_beyond_float32_reads_back_in_float64():
    E = _small_table()
    S = p.sketch("gaussian", k=64, n=2000)
    M = S.with_dtype("float64").apply(E)
    want = S.with_dtype("float64").decompress(M, np.arange(10))
    for scale in (1e-50, 1e50):
        np.testing.assert_allclose(S.decompress(M * scale, np.arange(10)) / scale, want, rtol=1e-12)


# ---- F: ROBE-Z sizes ---------------------------------------------------------------------------------


@given(compression=st.floats(min_value=5e-324, max_value=16000 / 2**53 / 1.01))
def test_robez_refuses_an_absurd_memory(compression):
    with pytest.raises(InputError, match="2\\^53"):
        RobeZ(n=1000, d=16, compression=compression, Z=4)


def test_robez_refuses_the_briefs_compression_and_a_huge_m():
    for kw in ({"compression": 1e-300}, {"m": 10**300}, {"m": 1e300}):
        with pytest.raises(InputError, match="2\\^53"):
            RobeZ(n=1000, d=16, Z=4, **kw)


# ---- G: the memory planner ---------------------------------------------------------------------------


@given(n=st.integers(1, 5000), block_rows=st.integers(0, 2**53))
@settings(max_examples=40)
def test_block_rows_beyond_n_are_priced_as_n(n, block_rows):
    S = p.sketch("gaussian", k=64, n=n)
    block_rows += n
    assert memory.plan_block_rows(S, 16, block_rows) == n
    H = p.sketch("srht", k=4, n=max(n, 4), block=8)
    rows = memory.plan_block_rows(H, 16, block_rows + 8)
    assert rows % H.block_multiple == 0 and H.n <= rows < H.n + H.block_multiple
