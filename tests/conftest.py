import os

import cupy_standin
import numpy as np
import pytest
from hypothesis import settings

from pss_theory import families
from pss_theory.backend import get_backend

#: parameters the tests draw a family with where its defaults would leave a code path untested (small
#: blocks, small s); every other registered family is drawn with its defaults
CASE_PARAMS = {"osnap": {"s": 2}, "srht": {"block": 8}}
#: every registered sketch family with its parameters: the one table of cases, read off the registry, so a
#: new family is in every family-parametrised test with no edit here
FAMILY_CASES = {name: CASE_PARAMS.get(name, {}) for name in families.SKETCHES}

settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _gpu_available() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _gpu_available():
        return
    skip = pytest.mark.skip(reason="needs CuPy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(params=sorted(FAMILY_CASES))
def family(request):
    """Each sketch family in turn."""
    return request.param


@pytest.fixture(params=["cpu", "standin", pytest.param("gpu", marks=pytest.mark.gpu)])
def device(request, monkeypatch):
    """Each backend in turn: the CPU; the GPU branches on the CPU (``cupy_standin``: arrays that refuse
    what CuPy's refuse); and the GPU where CuPy and a CUDA device exist (marked gpu)."""
    if request.param == "standin":
        cupy_standin.install(monkeypatch)
        return get_backend("gpu")
    return get_backend(request.param)


@pytest.fixture(params=["standin", pytest.param("gpu", marks=pytest.mark.gpu)])
def cupy(request, monkeypatch):
    """The GPU's array module for tests that compare the GPU branches with the CPU: the stand-in on
    the CPU always, the real CuPy where a CUDA device exists (marked gpu)."""
    if request.param == "standin":
        return cupy_standin.install(monkeypatch)
    import cupy

    return cupy


def run_command(module, argv, capsys):
    """A command's main through verify.cli.run (exit code and error lines as a user sees them):
    (exit code, stdout, stderr)."""
    from verify import cli

    code = cli.run(module.main, argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="session")
def dask_client():
    """A Client of a LocalCluster of 2 single-threaded worker processes, shared by every Dask test (a
    cluster takes seconds to start); skipped without the [dask] extra."""
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster, distributed.Client(cluster) as client:
        yield client
