"""The backend's operations, each against a plain numpy reference, on every backend (the CPU, the CuPy
stand-in and a real card under the gpu mark): where numpy and CuPy differ the answer must not."""
import pickle

import numpy as np
import pytest
from scipy import linalg

from pss_theory import backend
from pss_theory.backend import DeviceError, get_backend


def host(b, a):
    return b.to_host(a)


def test_philox_words_are_numpys_philox_read_from_any_position(device):
    key = (123, 456)
    reference = np.random.Philox(key=np.array(key, dtype=np.uint64), counter=(1 << 256) - 1).random_raw(64)
    for start, count in ((0, 64), (3, 17), (41, 23), (63, 1)):
        got = host(device, device.philox_words(key, start, count))
        np.testing.assert_array_equal(got, reference[start : start + count])


def test_philox_rows_at_are_the_rows_of_the_word_stream(device, rng):
    key, width = (7, 8), 5
    words = host(device, device.philox_words(key, 0, 40 * width)).reshape(40, width)
    idx = rng.permutation(40)[:13].astype(np.int64)
    idx[3] = idx[4]  # a repeated row
    got = host(device, device.philox_rows_at(key, device.xp.asarray(idx), width))
    np.testing.assert_array_equal(got, words[idx])


def test_map_pieces_covers_the_range_once(device):
    seen = []
    device.map_pieces(lambda a, b: seen.append((a, b)), 5, 103, 10)
    covered = np.concatenate([np.arange(a, b) for a, b in seen])
    np.testing.assert_array_equal(np.sort(covered), np.arange(5, 103))


def test_solve_right_upper_is_x_times_r_inverse(device, rng):
    R = np.triu(rng.standard_normal((6, 6))) + 4 * np.eye(6)
    X = rng.standard_normal((9, 6))
    got = host(device, device.solve_right_upper(device.xp.asarray(X), device.xp.asarray(R)))
    np.testing.assert_allclose(got, X @ linalg.inv(R), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(11,), (11, 3)])
def test_scatter_add_accumulates_repeated_indices(device, rng, shape):
    idx = rng.integers(0, shape[0], 40)
    values = rng.standard_normal((40,) + shape[1:])
    want = np.zeros(shape)
    np.add.at(want, idx, values)
    out = device.xp.zeros(shape)
    device.scatter_add(out, device.xp.asarray(idx), device.xp.asarray(values))
    np.testing.assert_allclose(host(device, out), want, rtol=1e-12)


@pytest.mark.parametrize("width", [1, 2, 5])
def test_gather_windows_is_the_per_element_gather(device, rng, width):
    memory = rng.standard_normal(50).astype(np.float32)
    starts = rng.integers(0, 50 - width + 1, (4, 3))
    want = memory[starts[..., None] + np.arange(width)].reshape(4, 3 * width)
    got = host(device, device.gather_windows(device.xp.asarray(memory), device.xp.asarray(starts), width))
    np.testing.assert_array_equal(got, want)


def test_dense_sum_is_a_bincount(device, rng):
    idx = rng.integers(0, 20, 100)
    values = rng.standard_normal(100).astype(np.float32)
    got = device.dense_sum(device.xp.asarray(idx), device.xp.asarray(values), 20)
    assert got.dtype == device.dense_sum_dtype(np.float32)
    np.testing.assert_allclose(host(device, got), np.bincount(idx, weights=values, minlength=20), rtol=1e-5)


def test_seeded_draws_are_reproducible_and_in_range(device):
    a = host(device, device.uniform_float32((300,), seed=9))
    b = host(device, device.uniform_float32((300,), seed=9))
    assert a.dtype == np.float32 and np.array_equal(a, b) and 0 <= a.min() and a.max() < 1
    draw = device.int_sampler([1, 2])
    first = host(device, draw(7, 200))
    again = host(device, device.int_sampler([1, 2])(7, 200))
    assert first.dtype == np.int64 and np.array_equal(first, again) and set(np.unique(first)) <= set(range(7))
    assert not np.array_equal(first, host(device, draw(7, 200)))  # a stream, not one draw repeated


def test_read_only_arrays_refuse_writes_on_the_cpu():
    frozen = get_backend("cpu").read_only(np.arange(3))
    with pytest.raises(ValueError):
        frozen[0] = 1


def test_stopwatch_laps_are_between_marks(device):
    mark, laps = device.stopwatch(3)
    for i in range(3):
        mark(i)
    got = laps()
    assert len(got) == 2 and all(t >= 0 for t in got)


def test_memory_is_reported_and_out_of_memory_is_caught(device):
    assert device.available_bytes() > 0
    assert MemoryError in device.out_of_memory_errors
    device.free_pool()


def test_a_backend_pickles_as_its_device(device):
    assert pickle.loads(pickle.dumps(device)) == device


def test_arrays_move_between_host_and_device_with_their_values(device):
    a = np.arange(6, dtype=">f4").reshape(2, 3)  # big-endian: CuPy would copy the bytes as native
    on = backend.move(a, device.xp)
    np.testing.assert_array_equal(backend.to_host(on), a)
    assert backend.holding(on) == device and backend.of(device.xp) == device
    assert backend.as_array([[1.0, 2.0]]).shape == (1, 2)


def test_an_unknown_device_or_a_missing_gpu_is_a_device_error(monkeypatch):
    with pytest.raises(DeviceError, match="unknown device"):
        get_backend("tpu")
    monkeypatch.setattr(backend, "_cupy", lambda: None)
    with pytest.raises(DeviceError, match="no CUDA device"):
        get_backend("gpu")
    assert get_backend("auto") == get_backend("cpu")
