"""Every table source of ``tables.registry``, held to the same contract: the path is recognised as that
source, its blocks and rows are the array written, its fingerprint is the content's whatever the
container, it pickles as what reopens it, a corrupt one is one TableError naming the path, a key given to
a source holding one table is refused, and help and errors name every source."""
import json
import pickle
import re

import numpy as np
import pytest

from pss_theory import checks, tables
from pss_theory.errors import InputError
from pss_theory.tables import TableError, registry
from verify import console

N, D = 700, 6


def _safetensors_bytes(name, array):
    raw = np.ascontiguousarray(array).tobytes()
    header = json.dumps({name: {"dtype": "F32", "shape": list(array.shape), "data_offsets": [0, len(raw)]}}).encode()
    return len(header).to_bytes(8, "little") + header + raw


def _zarr(path, array):
    zarr = pytest.importorskip("zarr")
    z = zarr.create_array(str(path), shape=array.shape, chunks=(128, array.shape[1]), dtype=array.dtype)
    z[:] = array


def _shards(path, array):
    path.mkdir()
    for i, part in enumerate(np.split(array, [100, 450])):
        np.save(path / f"part-{i + 9}.npy", part)  # part-9, part-10, part-11: natural order


#: for each source: (file name, write(path, array), key the reader needs, corrupt(path))
WRITERS = {
    "zarr": ("t.zarr", _zarr, None, lambda p: (p.mkdir(), (p / "zarr.json").write_text("{not json"))),
    "shards": ("parts", _shards, None, lambda p: (p.mkdir(), (p / "a.npy").write_bytes(b"\x93NUMPY\x01\x00garbage"))),
    "npy": ("t.npy", lambda p, a: np.save(p, a), None, lambda p: p.write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr'")),
    "npz": ("t.npz", lambda p, a: np.savez(p, emb=a, other=a[:2]), "emb", lambda p: p.write_bytes(b"PK\x03\x04broken")),
    "safetensors": ("t.safetensors", lambda p, a: p.write_bytes(_safetensors_bytes("emb.weight", a)), "emb.weight",
                    lambda p: p.write_bytes((10**6).to_bytes(8, "little") + b"{}")),
}


@pytest.fixture(scope="module")
def array():
    return np.random.default_rng(5).standard_normal((N, D)).astype(np.float32)


def test_every_source_of_the_registry_is_tested_here():
    assert sorted(WRITERS) == sorted(source.name for source in registry.SOURCES)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_source_reads_back_what_was_written(name, array, tmp_path):
    filename, write, key, _ = WRITERS[name]
    path = tmp_path / filename
    write(path, array)
    assert registry.find(str(path)).name == name
    t = tables.resolve(str(path), key=key)
    assert isinstance(t, tables.Table) and (t.n, t.d) == array.shape
    np.testing.assert_array_equal(t.block(0, N), array)
    np.testing.assert_array_equal(t.block(90, 460), array[90:460])  # across shard and chunk boundaries
    idx = np.array([699, 0, 100, 449, 450, 3])
    np.testing.assert_array_equal(t.rows(idx), array[idx])
    assert t.fingerprint == tables.ArrayTable(array).fingerprint  # the content, not the container
    again = pickle.loads(pickle.dumps(t))
    assert again.describe() == t.describe()
    np.testing.assert_array_equal(again.block(300, 700), array[300:700])


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_corrupt_source_is_one_table_error_naming_it(name, tmp_path):
    filename, _, key, corrupt = WRITERS[name]
    path = tmp_path / filename
    if name == "zarr":
        pytest.importorskip("zarr")
    corrupt(path)
    with pytest.raises(TableError) as info:
        tables.resolve(str(path), key=key)
    message = str(info.value)
    assert str(path) in message and "\n" not in message


@pytest.mark.parametrize("name", sorted(n for n in WRITERS if registry.SOURCES[
    [s.name for s in registry.SOURCES].index(n)].key is None))
def test_a_key_is_refused_by_a_source_that_holds_one_table(name, array, tmp_path):
    filename, write, _, _ = WRITERS[name]
    path = tmp_path / filename
    write(path, array)
    with pytest.raises(TableError, match=re.escape("holds one table; --key applies to")):
        tables.resolve(str(path), key="emb")


def _flat(text):
    return " ".join(text.split())


@pytest.mark.parametrize("check", sorted(checks.CHECKS))
def test_help_names_every_source(check, capsys):
    with pytest.raises(SystemExit):
        console.main([check, "--help"])
    help_text = _flat(capsys.readouterr().out)
    if "--table" not in help_text:
        return
    for source in registry.SOURCES:
        assert source.what in help_text, (check, source.name)
    assert all(source.key in help_text for source in registry.SOURCES if source.key)


def test_the_report_help_and_an_unknown_table_name_every_source(capsys, tmp_path):
    with pytest.raises(SystemExit):
        console.main(["--help"])
    help_text = _flat(capsys.readouterr().out)
    with pytest.raises(InputError) as unknown:
        tables.resolve(str(tmp_path / "emb.bin"))
    (tmp_path / "emb.bin").write_bytes(b"1")
    with pytest.raises(TableError) as unsupported:
        tables.resolve(str(tmp_path / "emb.bin"))
    for source in registry.SOURCES:
        assert source.what in help_text and source.what in str(unknown.value) and source.what in str(unsupported.value)


def test_every_table_a_user_can_hold_is_a_table(array):
    import scipy.sparse

    held = [tables.as_table(array), tables.as_table(scipy.sparse.csr_array(array)), tables.table("zipf", n=N, d=D)]
    assert all(isinstance(t, tables.Table) for t in held)


class _OwnTable:
    """A user's own table: the protocol's members and nothing of ours."""

    def __init__(self, array):
        self.array, self.name = array, "own"

    n = property(lambda self: self.array.shape[0])
    d = property(lambda self: self.array.shape[1])

    def describe(self):
        return {"name": self.name, "n": self.n, "d": self.d}

    def block(self, start, stop, xp=np):
        return xp.asarray(self.array[start:stop])

    def rows(self, idx, xp=np):
        return xp.asarray(self.array[idx])


def test_a_users_own_table_is_measured_and_a_partial_one_refused(array):
    from pss_theory import families

    own = _OwnTable(array)
    assert tables.as_table(own) is own
    s = families.sketch("gaussian", k=16, E=own, seed=2)
    np.testing.assert_array_equal(s.apply(own), s.apply(array))

    class Partial:
        n, d = N, D

        def block(self, start, stop, xp=np):
            return array[start:stop]

    with pytest.raises(TableError, match="lacks name, describe, rows"):
        tables.as_table(Partial())
