"""Whole checks on the GPU backend (the CuPy stand-in in the default suite, a real card under the ``gpu``
mark) against the same checks on the CPU: every claim has the same id, status and bound, and the same
measurement to float32 rounding; the E.1 timing study (whose figures are timings) runs to the same claims."""
import numpy as np
import pytest

import pss_theory
from pss_theory import tables

CASES = {
    "theorem6": dict(n=2000, d=8, k=[24, 48], trials=1),
    "theorem7": dict(n=3000, d=8, k=64, coherence_pairs=2000, family="all"),
    "theorem4": dict(n=1000, d=8, k=64, family="all"),
}


def assert_same_claims(cpu, gpu, rtol):
    assert [c["id"] for c in gpu["claims"]] == [c["id"] for c in cpu["claims"]]
    for a, b in zip(cpu["claims"], gpu["claims"]):
        assert b["status"] == a["status"], a["id"]
        # a bound from the table's float64 Gram: its sum runs in another order on the device
        assert b["bound"] == (pytest.approx(a["bound"], rel=1e-12) if isinstance(a["bound"], float) else a["bound"]), a["id"]
        if isinstance(a["measured"], float):
            assert b["measured"] == pytest.approx(a["measured"], rel=rtol), a["id"]
        else:
            assert b["measured"] == a["measured"], a["id"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_check_on_the_gpu_backend_makes_the_cpu_claims(name, cupy):
    cpu = pss_theory.run_check(name, device="cpu", **CASES[name]).to_dict()
    gpu = pss_theory.run_check(name, device="gpu", **CASES[name]).to_dict()
    assert (cpu["backend"], gpu["backend"]) == ("numpy", "cupy")
    assert_same_claims(cpu, gpu, rtol=1e-4)


def test_a_table_in_device_memory_is_measured_where_it_is(cupy):
    """A table handed over as a device array is streamed from the device (never through numpy) and gives
    the numbers the same table gives from host memory."""
    E = tables.table("zipf", n=3000, d=8, seed=4).block(0, 3000)
    on_host = pss_theory.run_check("theorem7", table=E, k=64, coherence_pairs=2000).to_dict()
    on_device = pss_theory.run_check("theorem7", table=cupy.asarray(E), k=64, coherence_pairs=2000,
                                     device="gpu").to_dict()
    assert on_device["backend"] == "cupy"
    assert_same_claims(on_host, on_device, rtol=1e-4)


def test_a_big_endian_table_reaches_the_device_with_its_values(cupy):
    """CuPy copies a big-endian host array's bytes as native (wrong values, silently): the backend
    converts such a block to native order before it moves, so the device measures the table's values."""
    E = tables.table("zipf", n=2000, d=8, seed=4).block(0, 2000)
    on_host = pss_theory.run_check("theorem7", table=E, k=64, coherence_pairs=2000).to_dict()
    on_device = pss_theory.run_check("theorem7", table=E.astype(">f4"), k=64, coherence_pairs=2000,
                                     device="gpu").to_dict()
    assert_same_claims(on_host, on_device, rtol=1e-4)


def test_the_timing_study_runs_on_the_gpu_backend(cupy):
    cpu = pss_theory.run_check("robez_timing", smoke=True, device="cpu").to_dict()
    gpu = pss_theory.run_check("robez_timing", smoke=True, device="gpu").to_dict()
    assert [(c["id"], c["bound"]) for c in gpu["claims"]] == [(c["id"], c["bound"]) for c in cpu["claims"]]
    assert all(np.isfinite(c["measured"]) and c["measured"] > 0 for c in gpu["claims"])
